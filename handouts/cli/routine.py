"""`handouts routine`: one end-of-visit handout (from options or a visit file)."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.app import CONTEXT, main, open_clinic, report, warn


@main.command(context_settings=CONTEXT)
@click.argument("visit_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--patient", default="", help="Patient name, printed on page 1 only (never in file names or metadata).")
@click.option("--program", "program", metavar="ID", help="Program id, e.g. core-activation (see: handouts list programs).")
@click.option("--exercise", "exercises", multiple=True, metavar="ID[:KEY=VALUE,...]",
              help="Add an exercise, or change one in the program. Dosage keys: sets, reps, hold, rest, duration, "
                   "side, per_day, per_week, load. Ranges: reps=10-15. Times take a unit: hold=30s, rest=1min, "
                   "duration=10min (a bare number is seconds for hold and rest). Open reps: reps=until-tired, "
                   "reps=as-many-as-you-can. Example: --exercise bridge:sets=2,reps=10-15,hold=5s. Repeatable.")
@click.option("--remove", "remove", multiple=True, metavar="ID", help="Leave this exercise of the program out. Repeatable.")
@click.option("--note", default="", help="A note from the therapist, printed on page 1. Line breaks are kept.")
@click.option("--therapist", default="", help="Therapist id from clinic.yaml (e.g. jordan-lee) or a name.")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Visit date. Default: today.")
@click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False), help="Default: the clinic's.")
@click.option("--log-sheet/--no-log-sheet", "log_sheet", default=None,
              help="End with a weekly log sheet: each exercise x 7 days with tick boxes, a pain 0-10 row and room "
                   "for notes. Default: as the visit file or program says (log_sheet: yes).")
@click.option("--log-weeks", "log_weeks", type=click.IntRange(1, 12), metavar="N",
              help="Print N log sheets, one per week from the visit date (implies --log-sheet).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="PDF to write. Default: handout-DATE-XXXXXXXX.pdf (a random part, never patient data) in the current folder.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@click.option("--email", "email", metavar="ADDRESS",
              help="Also email the handout to this address (see: handouts email --help). Needs email_delivery "
                   "in clinic.yaml and, if the clinic requires it, email_consent: yes in the visit file.")
@click.pass_context
@report
def routine(ctx, visit_file, patient, program, exercises, remove, note, therapist, date, page_size, log_sheet,
            log_weeks, output, overwrite, email=None):
    """Build the end-of-visit handout from options or from a visit file.

    \b
    Examples:
      handouts routine --program core-activation --patient "Maria Gómez" \\
          --therapist jordan-lee --note "Walk 10 minutes a day." -o maria.pdf
      handouts routine --program core-strength --remove superman \\
          --exercise dead-bug:sets=2,reps=8,side=alternating -o handout.pdf
      handouts routine examples/visit.yaml -o maria.pdf
      handouts routine examples/visit.yaml -o maria.pdf --email maria@example.org
      handouts routine --program core-activation --exercise bridge:reps=10-15,hold=30s \
          --exercise clamshell:reps=until-tired --log-sheet --log-weeks 2 -o log.pdf

    Options given with a visit file override what the file says.
    """
    from handouts import build
    from handouts.files import write_atomic

    clinic = open_clinic(ctx)
    visit = clinic.visit(visit_file, patient=patient, program=program, exercises=exercises, remove=remove, note=note,
                         therapist=therapist, date=date, page_size=page_size, log_sheet=log_sheet,
                         log_weeks=log_weeks)
    if email is not None:  # refuse a bad address or missing consent before anything is built
        from handouts import mail

        mail.outbox.precheck(email, visit.email_consent, clinic.library.clinic, "--email")
    warnings = []
    data = clinic.routine(visit, source=str(visit_file) if visit_file else "", warnings=warnings)
    path = output or build.default_output(visit)
    write_atomic(path, data, overwrite=overwrite)
    warn(warnings)
    click.echo(f"wrote {path}")
    if email is not None:
        outbox = mail.single(path, email, visit.patient, visit.email_consent, clinic.library.clinic, "handout",
                             "--email")
        from handouts.cli.mail import mail_result

        mail_result(mail.deliver(outbox, clinic.library.clinic, clinic.root), dry_run=False)
