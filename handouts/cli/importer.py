"""`handouts import`: exercises from outside data (free-exercise-db, a clinic's own CSV list)."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, report, root_of


@main.group("import", context_settings=CONTEXT)
def import_():
    """Bring exercises in from open data or from your own spreadsheet.

    Each record becomes content/exercises/ID.yaml, with an id made from its name. Clashes with ids
    already in the library get -2, -3 ... (listed); records that cannot become an exercise (e.g. no
    steps) are listed and skipped; nothing is overwritten without --overwrite; importing the same
    data again changes nothing. Every file written passes 'handouts check'.

    \b
    Examples:
      handouts import free-exercise-db ~/free-exercise-db/dist/exercises.json --dry-run
      handouts import csv our-exercises.csv
    """


def _options(func):
    func = click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")(func)
    func = click.option("--overwrite", is_flag=True,
                        help="Replace exercise files that exist and differ (e.g. edited since the last import).")(func)
    return func


@import_.command("free-exercise-db", context_settings=CONTEXT)
@click.argument("src", type=click.Path(path_type=Path), metavar="SRC")
@click.option("--with-images", is_flag=True,
              help="Also copy the dataset's photos (their origin is unknown: see the warning it prints).")
@_options
@click.pass_context
@report
def free_exercise_db(ctx, src, with_images, dry_run, overwrite):
    """Import free-exercise-db records (its exercises.json, or a folder of per-exercise .json files).

    Text only by default: the dataset's text is public domain, but the origin of its photos is unknown.
    The body position of each exercise is guessed from its name and steps and marked for review
    (see: handouts list exercises --review).

    \b
    Example:
      handouts import free-exercise-db ~/free-exercise-db/dist/exercises.json
    """
    from handouts.load import import_fedb

    if with_images:
        click.echo(f"warning: {import_fedb.IMAGES_WARNING} This warning is recorded in each file's source.images.",
                   err=True)
    drafts, skipped = import_fedb.drafts(src, with_images=with_images)
    _run(root_of(ctx), drafts, skipped, dry_run, overwrite)


@import_.command("csv", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--encoding", metavar="NAME", help="Text encoding (default: detected: UTF-8, UTF-16 or cp1252).")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]), help="Column separator (default: detected).")
@_options
@click.pass_context
@report
def csv_(ctx, file, encoding, delimiter, dry_run, overwrite):
    """Import a clinic's own exercise list from a CSV file (one row per exercise).

    Columns: id, name, position, steps (one per line in the cell, or separated by |), purpose, region,
    tags, equipment, tips, mistakes, precautions, sets, reps, hold, rest, duration, side, per_day,
    per_week, load, video, image1, caption1, image2, caption2. name, position and steps are required.
    Each bad cell is reported as FILE#row N: column: message, and its row is skipped.

    \b
    Example:
      handouts import csv our-exercises.csv --dry-run
    """
    from handouts.load import import_csv

    root = root_of(ctx)
    drafts, skipped = import_csv.drafts(file, root, encoding=encoding,
                                        delimiter="\t" if delimiter == "tab" else delimiter)
    _run(root, drafts, skipped, dry_run, overwrite, bad_rows_fail=True)


def _records(problems) -> int:
    """Records skipped: a row with two bad cells is one row (each cell is still listed)."""
    return len({(p.file, p.row) for p in problems})  # a bad row's cells share its place, FILE#row N


def _run(root: Path, drafts, skipped, dry_run: bool, overwrite: bool, bad_rows_fail: bool = False) -> None:
    """Plan, report (renamed, skipped, blocked), then write. Exit 73 when files exist and differ (nothing
    written); 65 when a CSV had bad rows (the good rows are written; fix and re-run, it is idempotent)
    or when no record at all could be imported."""
    from handouts.errors import EXIT_CANTCREAT, EXIT_DATAERR, OutputError
    from handouts.load import importing

    the_plan = importing.plan(root, drafts, overwrite=overwrite)
    the_plan.skipped[:0] = skipped
    for item in the_plan.items:
        if item.clash:
            click.echo(f"renamed: {item.draft.origin} '{item.draft.name}' -> {item.ident} "
                       f"(the id {item.clash} is taken)", err=True)
    for problem in the_plan.skipped:
        click.echo(f"skipped: {problem}", err=True)
    blocked = [i for i in the_plan.items if i.action == "exists"]
    for item in blocked:
        click.echo(f"exists: content/exercises/{item.ident}.yaml differs from {item.draft.origin} "
                   f"(changed since it was imported?)", err=True)
    verb = "would write" if dry_run else "wrote"
    if blocked and not dry_run:
        raise OutputError(f"{len(blocked)} exercise file(s) exist and differ; nothing was written. "
                          "Use --overwrite to replace them, or --dry-run to see every change.")
    new, replaced = the_plan.count("new"), the_plan.count("replace")
    if dry_run:
        for item in the_plan.items:
            if item.action in ("new", "replace"):
                click.echo(f"{'new' if item.action == 'new' else 'replace'}: content/exercises/{item.ident}.yaml"
                           f"  ({item.draft.name})")
    else:
        importing.write(root, the_plan)
    click.echo(f"{verb} {new + replaced} exercise files in {root / 'content' / 'exercises'} ({new} new, "
               f"{replaced} replaced); {the_plan.count('unchanged')} unchanged; {_records(the_plan.skipped)} skipped"
               + (f"; {len(blocked)} exist and differ (use --overwrite)" if blocked else ""))
    if not dry_run and any(i.draft.doc.get("source", {}).get("guessed") for i in the_plan.items):
        click.echo("Next: review the guessed body positions (handouts list exercises --review), "
                   "then run 'handouts check'.")
    if dry_run and blocked:
        raise SystemExit(EXIT_CANTCREAT)
    if the_plan.skipped and (bad_rows_fail or not the_plan.items):
        raise SystemExit(EXIT_DATAERR)
