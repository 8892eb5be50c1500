"""The command group and its helpers: parse options, call one build function, print a summary. The only place where
errors become messages and exit codes. Heavy imports happen inside commands so --help is instant.

Exit codes: 0 success · 2 wrong usage · 65 problems in content, visit file or images ·
66 a named file or folder is missing · 73 output cannot be written · 78 unusable settings.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from handouts import __version__
from handouts.errors import HandoutsError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def report(func):
    """Run a command; show user errors as `file:line:col: field: message` lines with their exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except HandoutsError as exc:
            lines = exc.lines()
            for line in lines:
                click.echo(f"error: {line}" if not line.startswith(("error", "warning")) else line, err=True)
            if len(lines) > 1:
                click.echo(f"{len(lines)} problems found.", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def root_of(ctx: click.Context) -> Path:
    """The clinic folder; the bundled demo is announced on stderr every time it is used."""
    from handouts.load.folder import DEMO_NOTICE, find_root, is_demo

    root = find_root(ctx.obj.get("root"))
    if is_demo(root):
        click.echo(DEMO_NOTICE, err=True)
    return root


def open_clinic(ctx: click.Context):
    """The clinic folder, opened through the Python API (handouts.api.Clinic)."""
    from handouts.api import Clinic

    return Clinic.open(root_of(ctx))


def warn(problems) -> None:
    for p in problems:
        click.echo(str(p), err=True)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="handouts")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Clinic folder (holds content/ and images/). Default: $HANDOUTS_ROOT, else the first "
                   "folder from here upwards that holds content/clinic.yaml, else the bundled demo clinic "
                   "(announced on stderr).")
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """Make clear, branded PDF exercise handouts from your clinic's YAML content.

    \b
    Example:
      handouts routine --program core-activation --patient "Maria Gómez" -o maria.pdf

    \b
    Exit codes: 0 ok · 2 wrong usage · 65 problems in content, visit file or images ·
    66 a named file or folder is missing · 73 output cannot be written · 78 unusable settings.
    Email: 69 mail server unreachable or TLS refused · 75 some messages not sent (or batch locked) ·
    77 login refused.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


