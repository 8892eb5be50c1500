"""`handouts guide`: one lead-magnet guide for one reader."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.app import CONTEXT, FALLBACK_HELP, LANGUAGE_HELP, main, report, root_of, write_pdf
from handouts.cli.complete import complete_guide


@main.command(context_settings=CONTEXT)
@click.argument("guide_id", metavar="ID", shell_complete=complete_guide)
@click.option("--for", "for_name", metavar="NAME", default="", help="Recipient's name: fills {name} (\"Prepared for Maria\").")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Any other placeholder value. Repeatable.")
@click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False), help="Default: the clinic's.")
@click.option("--language", metavar="LANG", help=LANGUAGE_HELP)
@click.option("--fallback", is_flag=True, help=FALLBACK_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="PDF to write. Default: ID.pdf.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@click.pass_context
@report
def guide(ctx, guide_id, for_name, fields, page_size, language, fallback, output, overwrite):
    """Build a guide (cover, contents, tips, author, call to action) for one reader.

    \b
    Examples:
      handouts guide back-pain-tips --for "Maria Gómez" -o maria-guide.pdf
      handouts guide back-pain-tips --for Sam --field clinic_city=Springfield
      handouts guide back-pain-tips --language es --for "María" -o maria-guia.pdf
    """
    from handouts import build
    from handouts.load import subset
    from handouts.errors import ContentError, Problem

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
    root = root_of(ctx)
    # Only what this guide uses (#11 guarantee 8): a broken file elsewhere does not stop it.
    used = subset.load_used(root, guides=[guide_id])
    data, warnings = build.render_guide_pdf(root, used.library, guide_id, values, page_size, language=language,
                                            fallback=fallback)
    path = output or Path(f"{guide_id}.pdf")
    write_pdf(path, data, overwrite=overwrite, warnings=warnings, elsewhere=subset.elsewhere_note(root, used.files))
