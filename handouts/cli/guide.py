"""`handouts guide`: one lead-magnet guide for one reader."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, open_clinic, report, warn


@main.command(context_settings=CONTEXT)
@click.argument("guide_id", metavar="ID")
@click.option("--for", "for_name", metavar="NAME", default="", help="Recipient's name: fills {name} (\"Prepared for Maria\").")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Any other placeholder value. Repeatable.")
@click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False), help="Default: the clinic's.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="PDF to write. Default: ID.pdf.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@click.pass_context
@report
def guide(ctx, guide_id, for_name, fields, page_size, output, overwrite):
    """Build a guide (cover, contents, tips, author, call to action) for one reader.

    \b
    Examples:
      handouts guide back-pain-tips --for "Maria Gómez" -o maria-guide.pdf
      handouts guide back-pain-tips --for Sam --field clinic_city=Springfield
    """
    from handouts.errors import ContentError, Problem
    from handouts.files import write_atomic

    values, problems = {}, []
    for pair in fields:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            # Not echoed: the value may be a reader's personal data.
            problems.append(Problem("expected KEY=VALUE, e.g. clinic_city=Springfield", "--field"))
        values[key.strip()] = value
    if for_name:
        values["name"] = for_name
    if problems:
        raise ContentError(problems=problems)
    clinic = open_clinic(ctx)
    warnings = []
    data = clinic.guide(guide_id, values, page_size=page_size, warnings=warnings)
    path = output or Path(f"{guide_id}.pdf")
    write_atomic(path, data, overwrite=overwrite)
    warn(warnings)
    click.echo(f"wrote {path}")
