"""Command line: parse options, call one build function, print a summary. The only place where
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


def _report(func):
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


def _root(ctx: click.Context) -> Path:
    from handouts.loader import find_root

    return find_root(ctx.obj.get("root"))


def _warn(problems) -> None:
    for p in problems:
        click.echo(str(p), err=True)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="handouts")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Clinic folder (holds content/ and images/). Default: $HANDOUTS_ROOT, else the current "
                   "folder if it has content/, else the bundled demo clinic.")
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


@main.command(context_settings=CONTEXT)
@click.argument("visit_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--patient", default="", help="Patient name, printed on page 1 only (never in file names or metadata).")
@click.option("--program", "program", metavar="ID", help="Program id, e.g. core-activation (see: handouts list programs).")
@click.option("--exercise", "exercises", multiple=True, metavar="ID[:KEY=VALUE,...]",
              help="Add an exercise, or change one in the program. Dosage keys: sets, reps, hold, rest, side, "
                   "per_day, per_week, load. Repeatable.")
@click.option("--remove", "remove", multiple=True, metavar="ID", help="Leave this exercise of the program out. Repeatable.")
@click.option("--note", default="", help="A note from the therapist, printed on page 1. Line breaks are kept.")
@click.option("--therapist", default="", help="Therapist id from clinic.yaml (e.g. jordan-lee) or a name.")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Visit date. Default: today.")
@click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False), help="Default: the clinic's.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="PDF to write. Default: handout-DATE-XXXXXXXX.pdf (a random part, never patient data) in the current folder.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@click.option("--email", "email", metavar="ADDRESS",
              help="Also email the handout to this address (see: handouts email --help). Needs email_delivery "
                   "in clinic.yaml and, if the clinic requires it, email_consent: yes in the visit file.")
@click.pass_context
@_report
def routine(ctx, visit_file, patient, program, exercises, remove, note, therapist, date, page_size, output, overwrite,
            email=None):
    """Build the end-of-visit handout from options or from a visit file.

    \b
    Examples:
      handouts routine --program core-activation --patient "Maria Gómez" \\
          --therapist jordan-lee --note "Walk 10 minutes a day." -o maria.pdf
      handouts routine --program core-strength --remove superman \\
          --exercise dead-bug:sets=2,reps=8,side=alternating -o handout.pdf
      handouts routine examples/visit.yaml -o maria.pdf
      handouts routine examples/visit.yaml -o maria.pdf --email maria@example.org

    Options given with a visit file override what the file says.
    """
    import dataclasses
    import datetime as dt

    from handouts import build, loader

    root = _root(ctx)
    library = loader.load_library(root, guides=False)
    source = str(visit_file) if visit_file else ""
    flags = build.visit_from_options(library, patient=patient, program=program, exercises=exercises,
                                     remove=remove, note=note, therapist=therapist, date=date, page_size=page_size)
    if visit_file:
        visit = loader.load_visit(visit_file, library, root)
        changes = {f.name: getattr(flags, f.name) for f in dataclasses.fields(flags)
                   if getattr(flags, f.name) not in ("", None, ()) and f.name != "where"}
        if flags.exercises:
            changes["exercises"] = visit.exercises + flags.exercises
        if flags.remove:
            changes["remove"] = visit.remove + flags.remove
        visit = dataclasses.replace(visit, **changes)
    else:
        visit = flags
    if visit.date is None:
        visit = dataclasses.replace(visit, date=dt.date.today())
    if email is not None:  # refuse a bad address or missing consent before anything is built
        from handouts import mail

        mail.outbox.precheck(email, visit.email_consent, library.clinic, "--email")
    result = build.build_routine(root, library, visit, output, overwrite=overwrite, source=source)
    _warn(result.warnings)
    click.echo(f"wrote {result.path}")
    if email is not None:
        outbox = mail.single(result.path, email, visit.patient, visit.email_consent, library.clinic, "handout",
                             "--email")
        _mail_result(mail.deliver(outbox, library.clinic, root), dry_run=False)


@main.command("email", context_settings=CONTEXT)
@click.argument("pdf", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "to", metavar="ADDRESS", help="Recipient of PDF (one address, nothing else).")
@click.option("--name", default="", help="Recipient's name for the To line (default: the visit file's patient).")
@click.option("--visit", "visit_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Visit file that records email_consent (and the patient's name).")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="A batch's manifest.csv: send every built PDF of the batch, each to its own row's address.")
@click.option("--recipients", type=click.Path(dir_okay=False, path_type=Path),
              help="With --manifest: the recipient list the batch was built from (columns email, email_consent).")
@click.option("--template", type=click.Choice(["handout", "guide"]),
              help="Which templates of content/email/ to use. Default: handout for one PDF; for a batch, "
                   "handout if the list has a patient column, else guide.")
@click.option("--encrypt", is_flag=True,
              help="Protect each PDF with AES-256 and a new random password, shown here once: pass it on by "
                   "phone or text, never in the same email.")
@click.option("--dry-run", is_flag=True, help="Send nothing: write each message as an .eml file and list who "
                                              "would get what.")
@click.option("--outbox", "outbox_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the --dry-run .eml files. Default: outbox/ beside the PDFs.")
@click.option("--resend-unknown", is_flag=True,
              help="Also send messages whose delivery is unknown (a connection lost or a run stopped while "
                   "sending). They may arrive twice.")
@click.option("--again", is_flag=True, help="Send once more what was already sent (e.g. the patient lost it).")
@click.option("--encoding", help="Recipient list encoding if detection is wrong, e.g. cp1252.")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]), help="Recipient list delimiter.")
@click.pass_context
@_report
def email_(ctx, pdf, to, name, visit_file, manifest, recipients, template, encrypt, dry_run, outbox_dir,
           resend_unknown, again, encoding, delimiter):
    """Email one PDF to one person, or every PDF of a batch to its own recipient.

    \b
    Examples:
      handouts email maria.pdf --to maria@example.org --visit visit.yaml
      handouts email --manifest guides/manifest.csv --recipients leads.csv --dry-run
      handouts email --manifest guides/manifest.csv --recipients leads.csv

    Each message has exactly one recipient. SMTP settings come from email_delivery in clinic.yaml;
    the password only from the environment variable or owner-only file named there. A send journal
    (mail-journal/ beside the PDFs) makes re-running safe: what was sent is not sent again.
    Exit codes: 0 all sent · 65 bad address or no consent · 69 server unreachable or TLS refused ·
    75 some messages failed or are unknown, or the batch is locked · 77 login refused · 78 settings.
    """
    from handouts import loader, mail
    from handouts.errors import ContentError, Problem

    if bool(pdf) == bool(manifest) or (pdf and not to) or (manifest and not recipients) or (manifest and to):
        raise click.UsageError("give either PDF --to ADDRESS, or --manifest FILE --recipients FILE")
    root = _root(ctx)
    library = loader.load_library(root, guides=False)
    clinic = library.clinic
    if pdf:
        consent = None
        if visit_file:
            visit = loader.load_visit(visit_file, library, root)
            consent, name = visit.email_consent, name or visit.patient
        elif clinic.email_delivery is not None and clinic.email_delivery.require_consent:
            raise ContentError(problems=[Problem(
                "the clinic requires recorded consent to unencrypted email (email_delivery.require_consent); "
                "give the visit file that records email_consent: yes with --visit FILE", "consent")])
        outbox = mail.single(pdf, to, name, consent, clinic, template or "handout")
    else:
        if clinic.email_delivery is None:
            mail.outbox.precheck("", None, clinic)
        outbox = mail.from_manifest(manifest, recipients, clinic, template, encoding=encoding,
                                    delimiter="\t" if delimiter == "tab" else delimiter)
    report = mail.deliver(outbox, clinic, root, dry_run=dry_run, outbox_dir=outbox_dir, encrypt=encrypt,
                          resend_unknown=resend_unknown, again=again, on_password=_show_password)
    _mail_result(report, dry_run)


def _show_password(row, masked: str, password: str) -> None:
    """Shown at once (not at the end): a run stopped later must not lose the password of a sent PDF."""
    click.echo(f"row {row} ({masked}): PDF password  {password}  - give it by phone or text, not by email; "
               "it is not stored anywhere")


def _mail_result(report, dry_run: bool) -> None:
    """Print what happened (no names or addresses except in the dry-run table) and exit with its code."""
    from handouts.errors import EXIT_DATAERR, EXIT_PARTIAL

    place = report.places.get
    for problem in report.warnings:
        click.echo(str(problem), err=True)
    for problem in report.refused:
        click.echo(f"error: {problem}", err=True)
    if report.recovered:
        click.echo(f"warning: {len(report.recovered)} message(s) were being sent when an earlier run stopped; "
                   f"whether they arrived is unknown (rows {_rows(report.recovered)}). Ask the recipients, or "
                   "send them again with --resend-unknown.", err=True)
    if dry_run:
        rows = [("row", "to", "name", "attachment", "subject", "journal", "message file")]
        rows += [(str(p.row), p.to, p.name, p.file, p.subject, p.state, p.eml) for p in report.planned]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        for r in rows:
            click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
        click.echo(f"dry run: {len(report.planned)} message(s) written, nothing sent; "
                   f"{len(report.already)} already sent earlier", err=True)
    for row, code, why in report.failed_perm:
        click.echo(f"error: {place(row, row)}: failed permanently ({_code(code)}{why}); not retried", err=True)
    for row, attempts, code, why in report.failed_temp:
        click.echo(f"error: {place(row, row)}: failed {attempts} time(s), temporarily ({_code(code)}{why}); "
                   "run again later to retry", err=True)
    for row in report.unknown:
        click.echo(f"warning: {place(row, row)}: delivery unknown (the connection was lost after the message "
                   "was handed over); not sent again unless --resend-unknown", err=True)
    if not dry_run:
        click.echo(f"sent {len(report.sent)}, already sent {len(report.already)}, failed {len(report.failed_perm)} "
                   f"permanently and {len(report.failed_temp)} temporarily, unknown {len(report.unknown)}, "
                   f"refused {len(report.refused)}; journal: {report.journal}", err=True)
    if report.fatal is not None:
        raise report.fatal
    if report.refused:
        sys.exit(EXIT_DATAERR)
    if not dry_run and not report.complete:
        sys.exit(EXIT_PARTIAL)


def _rows(rows) -> str:
    shown = ", ".join(str(r) for r in rows[:20])
    return shown + (f" and {len(rows) - 20} more" if len(rows) > 20 else "")


def _code(code) -> str:
    return f"code {code}, " if code else ""


@main.command(context_settings=CONTEXT)
@click.argument("guide_id", metavar="ID")
@click.option("--for", "for_name", metavar="NAME", default="", help="Recipient's name: fills {name} (\"Prepared for Maria\").")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Any other placeholder value. Repeatable.")
@click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False), help="Default: the clinic's.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="PDF to write. Default: ID.pdf.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@click.pass_context
@_report
def guide(ctx, guide_id, for_name, fields, page_size, output, overwrite):
    """Build a guide (cover, contents, tips, author, call to action) for one reader.

    \b
    Examples:
      handouts guide back-pain-tips --for "Maria Gómez" -o maria-guide.pdf
      handouts guide back-pain-tips --for Sam --field clinic_city=Springfield
    """
    from handouts import build, loader
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
    root = _root(ctx)
    library = loader.load_library(root)
    result = build.build_guide(root, library, guide_id, values, output, page_size=page_size, overwrite=overwrite)
    _warn(result.warnings)
    click.echo(f"wrote {result.path}")


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
    from handouts import recipients
    from handouts.errors import EXIT_PARTIAL

    root = _root(ctx)
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
    _warn(summary.warnings)
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
@_report
def batch_guide(ctx, guide_id, recipients, out_dir, jobs, shard, force, encoding, delimiter, ignore_unknown_columns,
                page_size, name_template):
    """One guide per recipient; columns fill the guide's placeholders (e.g. name).

    \b
    Example:
      handouts batch guide back-pain-tips --recipients leads.csv --out guides/ --jobs 2
    """
    from handouts import loader
    from handouts.batch import EXTRA_COLUMNS
    from handouts.errors import ContentError, Problem

    root = _root(ctx)
    library = loader.load_library(root)
    guide = library.guides.get(guide_id)
    if guide is None:
        from handouts.schema import did_you_mean

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
@_report
def batch_routine(ctx, program, recipients, out_dir, jobs, shard, force, encoding, delimiter, ignore_unknown_columns,
                  page_size, date):
    """One end-of-visit handout per patient row (columns: patient, date, therapist, note).

    File names carry the row number only, never the patient's name.

    \b
    Example:
      handouts batch routine --program core-activation --recipients patients.csv --out handouts/
    """
    from handouts import loader
    from handouts.batch import EXTRA_COLUMNS, ROUTINE_COLUMNS
    from handouts.errors import ContentError, Problem

    library = loader.load_library(_root(ctx), guides=False)
    if program not in library.programs:
        raise ContentError(problems=[Problem(f"unknown program id '{program}'", "--program")])
    _run_batch(ctx, "routine", program, recipients, out_dir, jobs, shard, force, encoding, delimiter,
               ignore_unknown_columns, "handout-{row:05d}.pdf", ("patient",), ROUTINE_COLUMNS + EXTRA_COLUMNS,
               {"page_size": page_size, "date": date})


@main.command(context_settings=CONTEXT)
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. low-resolution images) as errors.")
@click.pass_context
@_report
def check(ctx, strict):
    """Check the whole clinic folder and report every problem at once.

    Reads every content file, checks every reference between files and every image, and prints one
    line per problem as FILE:LINE:COL: FIELD: MESSAGE. Exits 0 only when there are no errors.

    \b
    Example:
      handouts --root ~/my-clinic check
    """
    from handouts import build
    from handouts.errors import ContentError

    root = _root(ctx)
    library, problems = build.check(root)
    errors = [p for p in problems if not p.warning or strict]
    _warn([p for p in problems if p.warning and not strict])
    if errors:
        raise ContentError(problems=errors)
    counts = f"{len(library.exercises)} exercises, {len(library.programs)} programs" if library else ""
    click.echo(f"ok: {root} ({counts})")


@main.command("list", context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(["exercises", "programs", "guides"]))
@click.option("-s", "--search", default="", help="Only items whose id, name, position, tags or region contain this text.")
@click.pass_context
@_report
def list_(ctx, kind, search):
    """List exercises, programs or guides with their ids.

    \b
    Examples:
      handouts list exercises --search bridge
      handouts list programs
    """
    from handouts import loader

    library = loader.load_library(_root(ctx), check_images=False, guides=kind == "guides")
    needle = search.lower().strip()
    if kind == "exercises":
        rows = [(ex.id, ex.name, ex.position, ", ".join(ex.tags + ex.region)) for ex in library.exercises.values()]
    elif kind == "programs":
        rows = [(p.id, p.title, f"{len(p.items)} exercises", "") for p in library.programs.values()]
    else:
        rows = [(g.id, g.title, f"{len(g.sections)} sections", "") for g in library.guides.values()]
    rows = [r for r in rows if not needle or needle in " ".join(r).lower()]
    if not rows:
        click.echo(f"no {kind} match '{search}'", err=True)
        return
    width = max(len(r[0]) for r in rows)
    for ident, name, extra, tags in rows:
        click.echo(f"{ident:<{width}}  {name}  ({extra})" + (f"  [{tags}]" if tags else ""))


@main.command(context_settings=CONTEXT)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@_report
def init(directory):
    """Start a clinic folder from the demo clinic (content/ and images/).

    Edit content/clinic.yaml with your clinic's name, phone, colours and logo, then check it.

    \b
    Example:
      handouts init ~/my-clinic && handouts --root ~/my-clinic check
    """
    from handouts.files import install_folder
    from handouts.loader import demo_root

    demo = demo_root()
    install_folder(directory, {part: demo / part for part in ("content", "images")})
    click.echo(f"created {directory}; next: edit {directory / 'content' / 'clinic.yaml'}, "
               f"then run: handouts --root {directory} check")
