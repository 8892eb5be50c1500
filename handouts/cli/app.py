"""The command group and its helpers: parse options, call the Python API (handouts.api), print a summary. The only
place where errors become messages and exit codes (the list: errors.EXIT_CODES). Heavy imports happen inside
commands so --help is instant.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from handouts import __version__
from handouts.errors import EXIT_CODES, HandoutsError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LANGUAGE_HELP = ("Language of the labels and content: en, es, with a region for dates (es-MX, en-GB), or two "
                 "for a bilingual handout (es+en). Default: the clinic's language: in clinic.yaml.")
FALLBACK_HELP = ("Where content has no translation into --language, print the clinic's own language (each "
                 "such text is listed as a warning). Without it, a missing translation is an error.")


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


def write_pdf(path: Path, data: bytes, *, overwrite: bool, warnings, elsewhere: str | None) -> None:
    """Write a built PDF (atomically, never over a file without --overwrite), then tell the user the
    build's warnings, what `check` would find in files this build did not read, and where the PDF is."""
    from handouts.files import write_atomic

    write_atomic(path, data, overwrite=overwrite)
    warn(warnings)
    if elsewhere:
        click.echo(elsewhere, err=True)
    click.echo(f"wrote {path}")


def exit_code_help() -> str:
    """The exit codes for --help, from the one list in errors.EXIT_CODES."""
    return "\b\nExit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in sorted(EXIT_CODES.items()))


@click.group(context_settings=CONTEXT, epilog=exit_code_help())
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
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


