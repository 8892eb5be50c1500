"""`handouts init`: start a clinic folder from the demo clinic."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, report


@main.command(context_settings=CONTEXT)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@report
def init(directory):
    """Start a clinic folder from the demo clinic (content/ and images/).

    Edit content/clinic.yaml with your clinic's name, phone, colours and logo, then check it.

    \b
    Example:
      handouts init ~/my-clinic && handouts --root ~/my-clinic check
    """
    from handouts.files import install_folder
    from handouts.load.folder import demo_root

    demo = demo_root()
    install_folder(directory, {part: demo / part for part in ("content", "images")})
    click.echo(f"created {directory}; next: edit {directory / 'content' / 'clinic.yaml'}, "
               f"then run: handouts --root {_quoted(directory)} check")


def _quoted(path) -> str:
    """The folder as the shell needs it pasted: quoted when it holds spaces or other special characters."""
    import os
    import shlex
    import subprocess

    return subprocess.list2cmdline([str(path)]) if os.name == "nt" else shlex.quote(str(path))
