"""`handouts batch guide|routine`: one PDF per row of a recipient list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from handouts.cli.app import CONTEXT, FALLBACK_HELP, main, report, root_of, warn
from handouts.cli.complete import complete_guide, complete_program

GUIDE_FILE_NAME = "{guide}-{row:05d}.pdf"  # batch_kinds.GUIDE.file_name (not imported: --help stays instant)


@main.group(context_settings=CONTEXT)
def batch():
    """Build one personalised PDF per row of a recipient list (CSV or YAML), resumably.

    \b
    Examples:
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/
      handouts batch routine --program core-activation --recipients patients.csv --out handouts/
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/ --shard 2/4
      handouts batch merge shards/0 shards/1 shards/2 shards/3 --into guides/

    A 'language' column (en, es, es-MX) builds each row in its language, and 'handouts email' then writes
    to each person in that language. Re-running the same command builds only rows that are new or
    changed; a manifest.csv in the output folder records every row. Exit code 75 when some rows failed
    (they are listed).
    """


def _batch_options(func):
    options = [
        click.option("--recipients", type=click.Path(dir_okay=False, path_type=Path), required=True,
                     help="CSV (comma, semicolon or tab; UTF-8/16/32, cp1252 or Mac Roman, detected) or YAML list."),
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
                     help="Output folder (created 0700); holds the PDFs and manifest.csv."),
        click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
                     help="Worker processes. Default: the number of CPU cores."),
        click.option("--shard", metavar="K/N|auto",
                     help="Build only the K-th of N deterministic slices of the rows; 'auto' takes K and N from "
                          "a Kubernetes Indexed Job, an AWS Batch array job or a Cloud Run job."),
        click.option("--force", is_flag=True, help="Rebuild every row, even unchanged ones."),
        click.option("--encoding", help="CSV encoding if detection is wrong, e.g. cp1252."),
        click.option("--delimiter", type=click.Choice([",", ";", "tab"]), help="CSV delimiter if detection is wrong."),
        click.option("--ignore-unknown-columns", is_flag=True, help="Ignore columns the batch does not use."),
        click.option("--column", "column_options", multiple=True, metavar="FIELD=COLUMN",
                     help='Take FIELD from the list\'s COLUMN, e.g. --column name="First Name" (repeatable).'),
        click.option("--columns", "columns_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="YAML file of FIELD: COLUMN lines, e.g. 'name: First Name'; --column wins."),
        click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False)),
        click.option("--merge-to", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.pdf",
                     help="Also write every reader's PDF, in row order, into one PDF for a print mail-out."),
        click.option("--language", metavar="LANG",
                     help="Language for rows without a 'language' column value (e.g. es, es+en). Default: the clinic's."),
        click.option("--fallback", is_flag=True, help=FALLBACK_HELP),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_batch(ctx, kind, target, recipients_path, out_dir, jobs, shard, force, encoding, delimiter, ignore,
               name_template, options, column_options=(), columns_file=None, merge_to=None):
    import os

    from handouts import batch as batch_mod
    from handouts.batch_kinds import KINDS
    from handouts.errors import EXIT_INTERRUPTED, EXIT_PARTIAL
    from handouts.load import recipients

    root = root_of(ctx)
    chosen = KINDS[kind]
    required, allowed = chosen.columns(chosen.library(root), target)  # unknown target: error, did-you-mean
    name_template = name_template or chosen.file_name
    mapping = recipients.column_mapping(column_options, columns_file)
    people = recipients.read(recipients_path, encoding=encoding, delimiter="\t" if delimiter == "tab" else delimiter,
                             columns=mapping)
    allowed = allowed + tuple(name for name in mapping if name not in allowed)  # e.g. for --name templates
    settings = {k: v for k, v in options.items() if v}
    from handouts import shards

    shard_ = shards.from_environment() if (shard or "").strip().lower() == "auto" else batch_mod.parse_shard(shard)
    plan = batch_mod.plan(kind, target, root, people, out_dir, required=required, allowed=allowed,
                          template=name_template, settings=settings, shard=shard_, ignore_unknown=ignore)
    if shard_[1] > 1:  # for `batch merge`: which rows this shard owns, and which cannot be built
        bad = {p.row: p.message for p in plan.problems if p.row}
        shards.record_plan(out_dir, shard_, [job.row for job in plan.jobs] + list(bad), bad, shards.list_id(people))
        click.echo(f"shard {shard_[0]} of {shard_[1]}", err=True)
    warn(batch_mod.check_languages(plan, root, options))  # missing translations stop it here (exit 65)
    todo, skipped = batch_mod.pending(plan, force)
    bad_rows = batch_mod.rows_with_problems(plan.problems)
    click.echo(f"{len(plan.jobs) + bad_rows} rows in this batch: {len(todo)} to build, {skipped} already built"
               + (f", {bad_rows} with problems (listed at the end)" if bad_rows else ""), err=True)
    workers = jobs or os.cpu_count() or 1
    with _progress(len(todo)) as progress:
        summary = batch_mod.run(plan, root, options, jobs=workers, force=force, on_progress=progress)
    for problem in recipients.systemic(summary.problems, len(plan.jobs) + bad_rows):
        click.echo(f"error: {problem}", err=True)
    warn(summary.warnings)
    rate = summary.built / summary.seconds if summary.seconds else 0
    click.echo(f"built {summary.built}, unchanged {summary.skipped}, failed {summary.failed} "
               f"({rate:.0f} per second); manifest: {plan.manifest}", err=True)
    if summary.interrupted:
        click.echo("stopped; run the same command again to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if merge_to is not None:
        merged, missing = batch_mod.write_mailout(plan, merge_to)
        click.echo(f"mail-out: {merge_to}: {merged} PDFs in row order"
                   + (f"; {missing} rows are not in it (not built, see above)" if missing else ""), err=True)
    if summary.failed:
        sys.exit(EXIT_PARTIAL)


class _progress:
    """A progress bar on a terminal; elsewhere (cron, CI logs) one line every few seconds, since a
    bar redrawn with carriage returns makes an unreadable log."""

    def __init__(self, total: int):
        import os
        import time

        self.total, self.clock = total, time.monotonic
        self.start = self.last = self.clock()
        self.every = float(os.environ.get("HANDOUTS_PROGRESS_SECONDS", "5"))
        self.bar = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="building", show_pos=True, show_eta=True,
                                         file=sys.stderr, item_show_func=lambda rate: rate)

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc) if self.bar is not None else None

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        rate = done / max(now - self.start, 1e-6)
        if self.bar is not None:
            self.bar.update(1, f"{rate:.0f}/s")
        elif now - self.last >= self.every or done == total:
            self.last = now
            left = (total - done) / rate if rate else 0
            click.echo(f"progress: {done:,} of {total:,} rows ({done * 100 // max(total, 1)}%), {rate:.0f} per second, "
                       f"about {left:.0f} s left", err=True)


@batch.command("merge", context_settings=CONTEXT)
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path),
                metavar="SHARD_DIR...")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for every PDF and one manifest.csv; may be a shard folder (a shared volume). "
                   "Default: the folder given, when only one is.")
@click.pass_context
@report
def batch_merge(ctx, folders, into):
    """Merge the output folders of a sharded batch (--shard K/N or auto) into one folder.

    Reports rows that are missing (a shard did not run or was stopped), failed, or built by two
    shards. Exit 0 when every row is built exactly once; 75 when rows are missing or failed (run
    that shard again, then merge again); 65 when rows are duplicated.

    \b
    Example:
      handouts batch merge shards/0 shards/1 shards/2 shards/3 --into guides/
    """
    from handouts import shards
    from handouts.errors import EXIT_DATAERR, EXIT_PARTIAL

    if into is None:
        if len(folders) > 1:
            raise click.UsageError("give --into FOLDER when merging more than one folder")
        into = folders[0]
    result = shards.merge(list(folders), into)
    for kind, problems in (("missing", result.missing), ("failed", result.failed),
                           ("duplicated", result.duplicated)):
        for problem in problems:
            click.echo(f"{kind}: {problem}", err=True)
    click.echo(f"merged {len(result.shards)} of {result.count} shards into {into}: {result.built} rows built, "
               f"{len(result.missing)} missing, {len(result.failed)} failed, {len(result.duplicated)} duplicated; "
               f"manifest: {into / 'manifest.csv'}", err=True)
    if result.duplicated:
        sys.exit(EXIT_DATAERR)
    if result.missing or result.failed:
        sys.exit(EXIT_PARTIAL)


@batch.command("guide", context_settings=CONTEXT)
@click.argument("guide_id", metavar="ID", shell_complete=complete_guide)
@_batch_options
@click.option("--name", "name_template", default=GUIDE_FILE_NAME, show_default=True,
              help="Output file name template: {row}, {id}, {guide} and any column, e.g. '{row}-{name}.pdf'.")
@click.pass_context
@report
def batch_guide(ctx, guide_id, recipients, out_dir, jobs, shard, force, encoding, delimiter, ignore_unknown_columns,
                column_options, columns_file, page_size, merge_to, language, fallback, name_template):
    """One guide per recipient; columns fill the guide's placeholders (e.g. name).

    \b
    Example:
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/ --jobs 2
    """
    _run_batch(ctx, "guide", guide_id, recipients, out_dir, jobs, shard, force, encoding, delimiter,
               ignore_unknown_columns, name_template,
               {"page_size": page_size, "language": language, "fallback": fallback}, column_options, columns_file,
               merge_to)


@batch.command("routine", context_settings=CONTEXT)
@click.option("--program", required=True, metavar="ID", shell_complete=complete_program, help="Program id for every row.")
@_batch_options
@click.option("--date", metavar="YYYY-MM-DD", help="Date for rows without a date column. Default: today.")
@click.pass_context
@report
def batch_routine(ctx, program, recipients, out_dir, jobs, shard, force, encoding, delimiter, ignore_unknown_columns,
                  column_options, columns_file, page_size, merge_to, language, fallback, date):
    """One end-of-visit handout per patient row (columns: patient, date, therapist, note, layout).

    The layout column (standard, compact or large-print) chooses per patient; empty: the clinic's.

    File names carry the row number only, never the patient's name.

    \b
    Example:
      handouts batch routine --program core-activation --recipients patients.csv --out handouts/
    """
    _run_batch(ctx, "routine", program, recipients, out_dir, jobs, shard, force, encoding, delimiter,
               ignore_unknown_columns, None, {"page_size": page_size, "date": date, "language": language,
                                              "fallback": fallback}, column_options, columns_file,
               merge_to)
