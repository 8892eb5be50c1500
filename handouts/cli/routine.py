"""`handouts routine`: one end-of-visit handout (from options or a visit file)."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.app import CONTEXT, FALLBACK_HELP, LANGUAGE_HELP, main, report, root_of, write_pdf
from handouts.cli.complete import complete_exercise, complete_program, complete_therapist


@main.command(context_settings=CONTEXT)
@click.argument("visit_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--patient", default="", help="Patient name, printed on page 1 only (never in file names or metadata).")
@click.option("--program", "program", metavar="ID", shell_complete=complete_program,
              help="Program id, e.g. core-activation (see: handouts list programs).")
@click.option("--exercise", "exercises", multiple=True, metavar="ID[:KEY=VALUE,...]", shell_complete=complete_exercise,
              help="Add an exercise, or change one in the program. Dosage keys: sets, reps, hold, rest, duration, "
                   "side, per_day, per_week, load. Ranges: reps=10-15. Times take a unit: hold=30s, rest=1min, "
                   "duration=10min (a bare number is seconds for hold and rest). Open reps: reps=until-tired, "
                   "reps=as-many-as-you-can. Example: --exercise bridge:sets=2,reps=10-15,hold=5s. Repeatable.")
@click.option("--remove", "remove", multiple=True, metavar="ID", shell_complete=complete_exercise,
              help="Leave this exercise of the program out. Repeatable.")
@click.option("--note", default="", help="A note from the therapist, printed on page 1. Line breaks are kept.")
@click.option("--therapist", default="", shell_complete=complete_therapist, help="Therapist id from clinic.yaml (e.g. jordan-lee) or a name.")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Visit date. Default: today.")
@click.option("--page-size", type=click.Choice(["letter", "a4"], case_sensitive=False), help="Default: the clinic's.")
@click.option("--layout", type=click.Choice(["standard", "compact", "large-print"], case_sensitive=False),
              help="standard: a card per exercise, pages filled. compact: the fridge sheet, up to 8 exercises on 2 "
                   "pages (4 or fewer on 1) with smaller pictures, 12 pt steps and dosage; it leaves out the program's "
                   "purpose and goals, picture captions, tips, video codes and the Too easy/Too hard line. Compact is "
                   "a poor fit for more than 10 exercises: the handout runs onto more pages and routine warns; use "
                   "standard. A bilingual (--language es+en) compact sheet aims for twice the pages. large-print: 18 pt body, 22 pt headings, one exercise per page, larger pictures. "
                   "Default: the visit file's, else the clinic's (layout: in clinic.yaml), else standard.")
@click.option("--greyscale/--colour", "greyscale", default=None,
              help="Print in shades of grey for photocopying: every text stays at 4.5:1 contrast or more, the STOP "
                   "box keeps its words and border. Default: the visit file's, else the clinic's (greyscale: yes).")
@click.option("--log-sheet/--no-log-sheet", "log_sheet", default=None,
              help="End with a weekly log sheet: each exercise x 7 days with tick boxes, a pain 0-10 row and room "
                   "for notes. Default: as the visit file or program says (log_sheet: yes).")
@click.option("--log-weeks", "log_weeks", type=click.IntRange(1, 12), metavar="N",
              help="Print N log sheets, one per week from the visit date (implies --log-sheet).")
@click.option("--language", metavar="LANG", help=LANGUAGE_HELP)
@click.option("--fallback", is_flag=True, help=FALLBACK_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="PDF to write. Default: handout-DATE-XXXXXXXX.pdf (a random part, never patient data) in the current folder.")
@click.option("--overwrite", is_flag=True, help="Replace the output file if it exists.")
@click.option("--email", "email", metavar="ADDRESS",
              help="Also email the handout to this address (see: handouts email --help). Needs email_delivery "
                   "in clinic.yaml and, if the clinic requires it, email_consent: yes in the visit file.")
@click.pass_context
@report
def routine(ctx, visit_file, patient, program, exercises, remove, note, therapist, date, page_size, layout, greyscale,
            log_sheet, log_weeks, language, fallback, output, overwrite, email=None):
    """Build the end-of-visit handout from options or from a visit file.

    \b
    Examples:
      handouts routine --program core-activation --patient "Maria Gómez" \\
          --therapist jordan-lee --note "Walk 10 minutes a day." -o maria.pdf
      handouts routine --program core-strength --remove superman \\
          --exercise dead-bug:sets=2,reps=8,side=alternating -o handout.pdf
      handouts routine examples/visit.yaml -o maria.pdf
      handouts routine --program core-activation --layout large-print -o big.pdf
      handouts routine --program core-strength --layout compact --greyscale -o fridge.pdf
      handouts routine examples/visit.yaml -o maria.pdf --email maria@example.org
      handouts routine --program core-activation --exercise bridge:reps=10-15,hold=30s \\
          --exercise clamshell:reps=until-tired --log-sheet --log-weeks 2 -o log.pdf
      handouts routine --program core-activation --language es --patient "María" -o maria-es.pdf

    Options given with a visit file override what the file says.
    """
    from handouts import build
    from handouts.load import subset
    from handouts.load.visit import visit_with_options

    root = root_of(ctx)
    # Only the content this handout uses (#11 guarantee 8): a broken file elsewhere does not stop it.
    used = _load_used(root, visit_file, program, exercises, remove)
    library = used.library
    visit = visit_with_options(library, visit_file, patient=patient, program=program, exercises=exercises,
                               remove=remove, note=note, therapist=therapist, date=date, page_size=page_size,
                               log_sheet=log_sheet, log_weeks=log_weeks, layout=layout, greyscale=greyscale,
                               language=language)
    if email is not None:  # refuse a bad address or missing consent before anything is built
        from handouts import mail

        mail.outbox.precheck(email, visit.email_consent, library.clinic, "--email")
    data, warnings = build.render_routine_pdf(root, library, visit, str(visit_file) if visit_file else "",
                                              fallback=fallback)
    path = output or build.default_output(visit)
    write_pdf(path, data, overwrite=overwrite, warnings=warnings, elsewhere=subset.elsewhere_note(root, used.files))
    if email is not None:
        outbox = mail.single(path, email, visit.patient, visit.email_consent, library.clinic, "handout",
                             "--email", language=visit.language or "")
        from handouts.cli.mail import mail_result

        mail_result(mail.deliver(outbox, library.clinic, root), dry_run=False)


def _load_used(root: Path, visit_file: Path | None, program, exercises, remove):
    """Only the content this handout uses (#11 guarantee 8): a broken file elsewhere does not stop it."""
    from handouts.load import folder, subset
    from handouts.load.visit import read_visit

    programs, ids = [program] if program else [], list(remove)
    for spec in exercises:
        ids.append(spec.partition(":")[0].strip())
    if visit_file is not None:
        from handouts.files import require_input_file

        require_input_file(visit_file, "visit file")  # a missing or unusable file: its own message, first
        tree, reader = folder.read_tree(visit_file.parent, visit_file, shown=str(visit_file))
        visit = read_visit(reader, tree) if tree is not None else None
        if visit is not None:  # its problems are reported when it is read for real
            programs += [visit.program] if visit.program and not program else []
            ids += list(visit.remove) + [item.id for item in visit.exercises]
    return subset.load_used(root, programs=programs, exercises=ids)
