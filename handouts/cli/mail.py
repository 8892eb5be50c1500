"""`handouts email`: one PDF to one address, or a batch manifest to its recipient list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, report, root_of


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
@click.option("--column", "column_options", multiple=True, metavar="FIELD=COLUMN",
              help='With --manifest: take FIELD from the list\'s COLUMN, e.g. --column email="E-mail" (repeatable).')
@click.option("--columns", "columns_file", type=click.Path(dir_okay=False, path_type=Path),
              help="With --manifest: YAML file of FIELD: COLUMN lines, as given to the batch.")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]), help="Recipient list delimiter.")
@click.option("--only-matching", is_flag=True,
              help="With --manifest: when some PDFs are no longer for the person on their row of the list "
                   "(the list was edited after the build), still send the PDFs whose person is unchanged. "
                   "Without it nothing is sent; the others are listed either way.")
@click.pass_context
@report
def email_(ctx, pdf, to, name, visit_file, manifest, recipients, template, encrypt, dry_run, outbox_dir,
           resend_unknown, again, encoding, column_options, columns_file, delimiter, only_matching):
    """Email one PDF to one person, or every PDF of a batch to its own recipient.

    \b
    Examples:
      handouts email maria.pdf --to maria@example.org --visit visit.yaml
      handouts email --manifest guides/manifest.csv --recipients leads.csv --dry-run
      handouts email --manifest guides/manifest.csv --recipients leads.csv

    Each message has exactly one recipient. SMTP settings come from email_delivery in clinic.yaml;
    the password only from the environment variable or owner-only file named there. A send journal
    (mail-journal/ beside the PDFs) makes re-running safe: what was sent is not sent again.
    Each PDF of a batch goes only to the list row that is still the person it was built for (same
    id, or same name, address and other details wherever the row now is); if a list was sorted,
    edited or re-exported after the build, the rows that changed are refused by row and nothing is
    sent unless --only-matching. List rows without a PDF are listed.
    Exit codes: 0 all sent · 65 bad address, no consent or a PDF not for its row's person ·
    69 server unreachable or TLS refused · 75 some messages failed or are unknown, or the batch is
    locked · 77 login refused · 78 settings · 130 stopped with Ctrl-C (the journal keeps what was sent).
    """
    try:
        _email(ctx, pdf, to, name, visit_file, manifest, recipients, template, encrypt, dry_run, outbox_dir,
               resend_unknown, again, encoding, column_options, columns_file, delimiter, only_matching)
    except KeyboardInterrupt:
        # The journal records each message as it is handed over, so a second run sends the rest and
        # nothing twice; one being handed over at that moment is reported as "unknown" then.
        click.echo("interrupted: no further messages sent; run the same command again to send the rest "
                   "(what was sent is in the journal and is not sent twice)", err=True)
        sys.exit(130)


def _email(ctx, pdf, to, name, visit_file, manifest, recipients, template, encrypt, dry_run, outbox_dir,
           resend_unknown, again, encoding, column_options, columns_file, delimiter, only_matching):
    from handouts import mail
    from handouts.load import folder

    if bool(pdf) == bool(manifest) or (pdf and not to) or (manifest and not recipients) or (manifest and to):
        raise click.UsageError("give either PDF --to ADDRESS, or --manifest FILE --recipients FILE")
    root = root_of(ctx)
    library = folder.load_library(root, guides=False)
    clinic = library.clinic
    if pdf:
        consent, language = None, ""
        if visit_file:  # without one, consent is not recorded: mail.single refuses if the clinic requires it
            from handouts.load.visit import load_visit

            visit = load_visit(visit_file, library)
            consent, name = visit.email_consent, name or visit.patient
            language = visit.language or ""  # the email in the handout's language
        outbox = mail.single(pdf, to, name, consent, clinic, template or "handout", language=language)
    else:
        if clinic.email_delivery is None:
            mail.outbox.precheck("", None, clinic)
        from handouts.load.recipients import column_mapping

        outbox = mail.from_manifest(manifest, recipients, clinic, template, encoding=encoding,
                                    delimiter="\t" if delimiter == "tab" else delimiter,
                                    columns=column_mapping(column_options, columns_file),
                                    only_matching=only_matching)
    report = mail.deliver(outbox, clinic, root, dry_run=dry_run, outbox_dir=outbox_dir, encrypt=encrypt,
                          resend_unknown=resend_unknown, again=again, on_password=_show_password)
    mail_result(report, dry_run)


def _show_password(row, masked: str, password: str) -> None:
    """Shown at once (not at the end): a run stopped later must not lose the password of a sent PDF."""
    click.echo(f"row {row} ({masked}): PDF password  {password}  - give it by phone or text, not by email; "
               "it is not stored anywhere")


def _refused(problems) -> int:
    """How many rows were refused (a problem of the whole list, e.g. no consent column, counts once)."""
    rows = {p.row for p in problems if p.row}
    return len(rows) if rows else len(problems)


def mail_result(report, dry_run: bool) -> None:
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
                   f"{len(report.already)} already sent earlier; {len(report.skipped)} skipped (declined email)",
                   err=True)
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
                   f"refused {_refused(report.refused)}, skipped {len(report.skipped)} (declined email); "
                   f"journal: {report.journal}", err=True)
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
