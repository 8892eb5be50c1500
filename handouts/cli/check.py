"""`handouts check`: everything a build would refuse, and the warnings."""

from __future__ import annotations


import click

from handouts.cli.app import CONTEXT, main, open_clinic, report, warn


@main.command(context_settings=CONTEXT)
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. low-resolution images, text above reading "
                                            "grade 8) as errors.")
@click.pass_context
@report
def check(ctx, strict):
    """Check the whole clinic folder and report every problem at once.

    Reads every content file, checks every reference between files and every image, and prints one
    line per problem as FILE:LINE:COL: FIELD: MESSAGE. Exits 0 only when there are no errors.

    Reading level: each exercise's steps and each guide get a Flesch-Kincaid grade; above grade 8
    is a warning. Syllables are counted offline by rule of thumb (no dictionary to download).

    \b
    Example:
      handouts --root ~/my-clinic check
    """
    from handouts.errors import ContentError

    clinic = open_clinic(ctx)
    root, library, problems = clinic.root, clinic.library, clinic.check()
    errors = [p for p in problems if not p.warning or strict]
    warn([p for p in problems if p.warning and not strict])
    if library is not None:  # colours the theme draws differently so text stays readable: said, not refused
        from handouts.theme import clinic_palette

        for note in clinic_palette(library.clinic).notes:
            click.echo(f"note: content/clinic.yaml: {note}", err=True)
    if errors:
        raise ContentError(problems=errors)
    counts = f"{len(library.exercises)} exercises, {len(library.programs)} programs" if library else ""
    click.echo(f"ok: {root} ({counts})")
    if library:
        from handouts.readability import summary

        click.echo(summary(library))
