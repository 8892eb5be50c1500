"""`handouts serve`: the end-of-visit composer in the browser (web/), served by waitress."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, report

TOKEN_ENV = "HANDOUTS_SERVE_TOKEN"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@main.command(context_settings=CONTEXT)
@click.option("--root", "serve_root", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Clinic folder (same as `handouts --root DIR serve`).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1 shares the composer on the network and "
                   "requires the access token (see below).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another name the browser may use to reach this computer (e.g. frontdesk.local). "
                   "Repeatable. This computer's own name and addresses are always allowed in network mode.")
@click.option("--open", "open_browser", is_flag=True, help="Open the composer in the default browser.")
@click.pass_context
@report
def serve(ctx, serve_root, port, host, allow_hosts, open_browser):
    """Start the handout composer: build, preview, print and email handouts in the browser.

    \b
    Example:
      handouts serve --open
      handouts --root ~/my-clinic serve --port 8765

    It listens on 127.0.0.1 only (this computer) unless --host is given. With --host 0.0.0.0
    (the front desk on the clinic network) every browser must first type the access token printed
    here (or set in $HANDOUTS_SERVE_TOKEN). Patient names pass through the composer: share it only
    on a network you trust, never on public Wi-Fi. Previews and PDFs stay in memory; nothing is
    written to disk unless you save it. Stop it with Ctrl-C.
    """
    import logging
    import secrets
    import time

    started = time.perf_counter()
    from handouts.errors import OutputError
    from handouts.load.folder import DEMO_NOTICE, find_root, is_demo
    from handouts.web import create_app
    from handouts.web.clinic import open_clinic

    root = find_root(serve_root or ctx.obj.get("root"))
    if is_demo(root):
        click.echo(DEMO_NOTICE, err=True)
    clinic = open_clinic(root)
    lan = host not in LOOPBACK
    token = None
    names = list(LOOPBACK) + list(allow_hosts)
    if lan:
        token = os.environ.get(TOKEN_ENV, "").strip() or secrets.token_urlsafe(18)
        names += _own_names()
    app = create_app(clinic, hosts=names, token=token)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("waitress").setLevel(logging.WARNING)

    import waitress

    try:
        server = waitress.create_server(app, host=host, port=port, threads=4, ident="handouts")
    except OSError as exc:
        raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                          f"(is the composer already running? try --port {port + 1 if port else 8766})") from None
    shown = "127.0.0.1" if not lan else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{server.effective_port}/"
    problems = [p for p in clinic.problems if not p.warning]
    if problems:
        click.echo(f"warning: {len(problems)} problem(s) in the content; the composer lists them "
                   f"(run 'handouts check' for details)", err=True)
    if lan:
        click.echo("WARNING: the composer is shared on the network. Anyone who can reach this computer and has the "
                   "access token can make handouts with patient names. Use it only on the clinic's own network.",
                   err=True)
        click.echo(f"Access token: {token}", err=True)
    click.echo(f"Composer ready at {url}  ({time.perf_counter() - started:.2f} s; Ctrl-C to stop)", err=True)
    sys.stderr.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(url if not lan else f"http://127.0.0.1:{server.effective_port}/")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.extensions["handouts"].close()
    click.echo("Composer stopped.", err=True)


def _own_names() -> list[str]:
    """This computer's host name and its addresses: how the front desk reaches it."""
    import socket

    names = {socket.gethostname(), socket.getfqdn()}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            names.add(info[4][0])
    except OSError:
        pass
    return sorted(n for n in names if n)
