"""`handouts check`: everything a build would refuse, and the warnings."""

from __future__ import annotations

import dataclasses
import json
import sys

import click

from handouts.cli.app import CONTEXT, main, report, root_of, warn


@main.command(context_settings=CONTEXT)
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. low-resolution images, text above reading "
                                            "grade 8) as errors.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the problems as JSON on stdout (for scripts); the exit code is the same.")
@click.option("--language", "languages", multiple=True, metavar="LANG",
              help="Also report every text without a translation into LANG (e.g. es), with its place. Repeatable.")
@click.pass_context
@report
def check(ctx, strict, as_json, languages):
    """Check the whole clinic folder and report every problem at once.

    Reads every content file, checks every reference between files and every image, and prints one
    line per problem as FILE:LINE:COL: FIELD: MESSAGE. Exits 0 only when there are no errors.

    Reading level: each exercise's steps and each guide get a Flesch-Kincaid grade; above grade 8
    is a warning. Syllables are counted offline by rule of thumb (no dictionary to download).

    \b
    Examples:
      handouts --root ~/my-clinic check
      handouts check --json > problems.json
      handouts check --language es
    """
    from handouts.api import Clinic
    from handouts.errors import EXIT_DATAERR, ContentError

    root = root_of(ctx)
    try:
        clinic = Clinic.open(root)
        library, problems = clinic.library, clinic.check()
    except ContentError as exc:  # content/clinic.yaml unusable: nothing else can be checked
        from handouts.leftovers import scan as demo_leftovers

        library, problems = None, list(exc.problems) + demo_leftovers(root)
    if library is not None:
        from handouts.i18n.content import translation_problems

        problems += translation_problems(library, languages, root)
    # --strict turns warnings into errors: they are then shown as errors, not as "error: …: warning: …".
    errors = [dataclasses.replace(p, warning=False) if p.warning else p for p in problems if not p.warning or strict]
    if as_json:
        counts = {"exercises": len(library.exercises), "programs": len(library.programs),
                  "guides": len(library.guides)} if library else {}
        rows = [{"severity": "error" if (not p.warning or strict) else "warning", "file": p.file, "line": p.line,
                 "column": p.col, "field": p.field, "message": p.message} for p in problems]
        click.echo(json.dumps({"root": str(root), "ok": not errors, "counts": counts, "problems": rows},
                              ensure_ascii=False, indent=1))
        if errors:
            sys.exit(EXIT_DATAERR)
        return
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
