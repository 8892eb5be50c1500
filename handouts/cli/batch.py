"""`handouts batch guide|routine`: one PDF per row of a recipient list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, report, root_of, warn


@main.group(context_settings=CONTEXT)
def batch():
    """Build one personalised PDF per row of a recipient list (CSV or YAML), resumably.

    \b
    Examples:
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/
      handouts batch routine --program core-activation --recipients patients.csv --out handouts/
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/ --shard 2/4

    Re-running the same command builds only rows that are new or changed; a manifest.csv in the
    output folder records every row. Exit code 75 when some rows failed (they are listed).
    """


def _batch_options(func):
    options = [
        click.option("--recipients", type=click.Path(dir_okay=False, path_type=Path), required=True,
                     help="CSV (comma, semicolon or tab; UTF-8 or cp1252, detected) or YAML list."),
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
                     help="Output folder (created 0700); holds the PDFs and manifest.csv."),
        click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
                     help="Worker processes. Default: the number of CPU cores."),
        click.option("--shard", metavar="K/N", help="Build only the K-th of N deterministic slices of the rows."),
        click.option("--force", is_flag=True, help="Rebuild every row, even unchanged ones."),
        click.option("--encoding", help="CSV encoding if detection is wrong, e.g. cp1252."),
        click.option("--delimiter", type=click.Choice([",", ";", "tab"]), help="CSV delimiter if detection is wrong."),
        click.option("--ignore-unknown-columns", is_flag=True, help="Ignore columns the batch does not use."),
        click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False)),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_batch(ctx, kind, target, recipients_path, out_dir, jobs, shard, force, encoding, delimiter, ignore,
               name_template, required, allowed, options):
    import os

    from handouts import batch as batch_mod
    from handouts.load import recipients
    from handouts.errors import EXIT_PARTIAL

    root = root_of(ctx)
    people = recipients.read(recipients_path, encoding=encoding, delimiter="\t" if delimiter == "tab" else delimiter)
    settings = {k: v for k, v in options.items() if v}
    plan = batch_mod.plan(kind, target, root, people, out_dir, required=required, allowed=allowed,
                          template=name_template, settings=settings, shard=batch_mod.parse_shard(shard),
                          ignore_unknown=ignore)
    todo, skipped = batch_mod.pending(plan, force)
    click.echo(f"{len(plan.jobs)} rows in this batch: {len(todo)} to build, {skipped} already built", err=True)
    workers = jobs or os.cpu_count() or 1
    with click.progressbar(length=len(todo), label="building", show_pos=True, show_eta=True, file=sys.stderr,
                           item_show_func=lambda rate: rate) as bar:
        start = [None]

        def progress(done, total):
            import time

            start[0] = start[0] or time.perf_counter()
            elapsed = max(time.perf_counter() - start[0], 1e-6)
            bar.update(1, f"{done / elapsed:.0f}/s")

        summary = batch_mod.run(plan, root, options, jobs=workers, force=force, on_progress=progress)
    for problem in summary.problems:
        click.echo(f"error: {problem}", err=True)
    warn(summary.warnings)
    rate = summary.built / summary.seconds if summary.seconds else 0
    click.echo(f"built {summary.built}, unchanged {summary.skipped}, failed {summary.failed} "
               f"({rate:.0f} per second); manifest: {plan.manifest}", err=True)
    if summary.interrupted:
        click.echo("stopped; run the same command again to continue", err=True)
        sys.exit(130)
    if summary.failed:
        sys.exit(EXIT_PARTIAL)


@batch.command("guide", context_settings=CONTEXT)
@click.argument("guide_id", metavar="ID")
@_batch_options
@click.option("--name", "name_template", default="{guide}-{row:05d}.pdf", show_default=True,
              help="Output file name template: {row}, {id}, {guide} and any column, e.g. '{row}-{name}.pdf'.")
@click.pass_context
@report
def batch_guide(ctx, guide_id, recipients, out_dir, jobs, shard, force, encoding, delimiter, ignore_unknown_columns,
                page_size, name_template):
    """One guide per recipient; columns fill the guide's placeholders (e.g. name).

    \b
    Example:
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/ --jobs 2
    """
    from handouts.load import folder
    from handouts.batch import EXTRA_COLUMNS
    from handouts.errors import ContentError, Problem

    root = root_of(ctx)
    library = folder.load_library(root)
    guide = library.guides.get(guide_id)
    if guide is None:
        from handouts.load.schema import did_you_mean

        raise ContentError(problems=[Problem(f"unknown guide id '{guide_id}'{did_you_mean(guide_id, library.guides)}",
                                             "guide")])
    placeholders = tuple(sorted({name for name, _ in guide.placeholder_at}))
    _run_batch(ctx, "guide", guide_id, recipients, out_dir, jobs, shard, force, encoding, delimiter,
               ignore_unknown_columns, name_template, placeholders, placeholders + EXTRA_COLUMNS,
               {"page_size": page_size})


@batch.command("routine", context_settings=CONTEXT)
@click.option("--program", required=True, metavar="ID", help="Program id for every row.")
@_batch_options
@click.option("--date", metavar="YYYY-MM-DD", help="Date for rows without a date column. Default: today.")
@click.pass_context
@report
def batch_routine(ctx, program, recipients, out_dir, jobs, shard, force, encoding, delimiter, ignore_unknown_columns,
                  page_size, date):
    """One end-of-visit handout per patient row (columns: patient, date, therapist, note).

    File names carry the row number only, never the patient's name.

    \b
    Example:
      handouts batch routine --program core-activation --recipients patients.csv --out handouts/
    """
    from handouts.load import folder
    from handouts.batch import EXTRA_COLUMNS, ROUTINE_COLUMNS
    from handouts.errors import ContentError, Problem

    library = folder.load_library(root_of(ctx), guides=False)
    if program not in library.programs:
        raise ContentError(problems=[Problem(f"unknown program id '{program}'", "--program")])
    _run_batch(ctx, "routine", program, recipients, out_dir, jobs, shard, force, encoding, delimiter,
               ignore_unknown_columns, "handout-{row:05d}.pdf", ("patient",), ROUTINE_COLUMNS + EXTRA_COLUMNS,
               {"page_size": page_size, "date": date})
