"""Visits: a visit file, or command-line options (or the Python API's arguments) -> a checked Visit.

A visit is what a therapist chose at the end of an appointment: a program, exercises added, changed
or removed, the patient's name, a note. Every id is checked against the library, with a did-you-mean.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace
from pathlib import Path

from handouts import model as m
from handouts.errors import ContentError, Problem
from handouts.files import require_input_file
from handouts.load import folder
from handouts.load.fields import MAX_SHORT, MAX_TEXT, Reader, shown, yes_no
from handouts.load.folder import problem_at, unknown_text
from handouts.load.schema import read_dosage, read_items, read_language
from handouts.load.yamlfile import YMap, load_bytes
from handouts.model import Library, Location, ProgramItem, Visit

VISIT_KEYS = ("patient", "date", "therapist", "program", "remove", "exercises", "note", "page_size", "email_consent",
              "log_sheet", "log_weeks", "layout", "greyscale", "language")
MAX_LOG_WEEKS = 12


def read_visit(r: Reader, tree) -> m.Visit | None:
    v = r.mapping(tree, "", VISIT_KEYS)
    if v is None:
        return None
    program, program_at = None, m.Location(r.file)
    if v.get("program") is not None:
        program = r.identifier(v["program"], v.value_at["program"], "program")
        program_at = r.location(v.value_at["program"], "program")
    remove = r.located_ids(v, "remove")
    return m.Visit(
        patient=r.text(v, "patient", "", MAX_SHORT) or "",
        date=r.date(v, "date"),
        therapist=r.text(v, "therapist", "", MAX_SHORT) or "",
        program=program,
        remove=tuple(i for i, _ in remove),
        exercises=read_items(r, v, "exercises"),
        note=r.text(v, "note") or "",
        page_size=r.choice(v, "page_size", "", m.PAGE_SIZES),
        where=r.location((1, 1)),
        program_at=program_at,
        remove_at=tuple(loc for _, loc in remove),
        email_consent=yes_no(r, v, "email_consent", ""),
        log_sheet=yes_no(r, v, "log_sheet", ""),
        log_weeks=r.whole(v, "log_weeks", "", 1, MAX_LOG_WEEKS),
        layout=r.choice(v, "layout", "", m.LAYOUTS),
        greyscale=yes_no(r, v, "greyscale", ""),
        language=read_language(r, v, "language"),
    )


def read_exercise_option(r: Reader, spec: str) -> m.ProgramItem | None:
    """`dead-bug:sets=2,reps=8,side=each` (from --exercise) -> a ProgramItem; problems go to `r`."""
    ident, _, rest = spec.partition(":")
    ident = r.identifier(ident.strip(), (0, 0), "")
    node = YMap(0, 0)
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = pair.partition("=")
        key = key.strip()
        if not eq or not value.strip():
            r.add(f"expected key=value, got {shown(pair)}", field=key)
            continue
        if key in node:
            r.add(f"'{key}' given twice", field=key)
            continue
        node[key] = value.strip()
        node.key_at[key] = node.value_at[key] = (0, 0)
    dosage = read_dosage(r, node, (0, 0), "") if node else m.Dosage()
    return m.ProgramItem(ident, dosage, where=m.Location(r.file)) if ident else None


def load_visit(path: Path, library: Library) -> Visit:
    """Read a visit file; raise ContentError with every problem, including unknown ids."""
    require_input_file(path, "visit file")
    tree, reader = folder.read_tree(path.parent, path, shown=str(path))
    visit, problems = _checked_visit(tree, reader, library)
    if problems or visit is None:
        raise ContentError(problems=problems)
    return visit


def read_visit_bytes(data: bytes, shown: str, library: Library) -> tuple[Visit | None, list[Problem]]:
    """A visit file's bytes (an upload, or the composer's form) -> (the visit as far as it could be
    read, every problem). Problems name `shown` and the field path, e.g. exercises[2].dosage.reps."""
    tree, problems = load_bytes(data, shown)
    reader = Reader(shown)
    reader.problems.extend(problems)
    if not problems and tree is None:
        reader.add("the file is empty; expected a mapping (key: value lines)", (1, 1))
    return _checked_visit(tree, reader, library)


def _checked_visit(tree, reader: Reader, library: Library) -> tuple[Visit | None, list[Problem]]:
    visit = read_visit(reader, tree) if tree is not None else None
    problems = list(reader.problems)
    if visit is not None:
        problems += visit_problems(visit, library, reader.file)
    return visit, problems


def visit_yaml(values: dict) -> bytes:
    """A visit file's text from plain values (keys of VISIT_KEYS, in that order; None and empty
    values left out). Whole numbers are written bare so the file reads naturally; the strict reader
    reads every value back as text, so `handouts routine FILE` sees exactly what was written."""
    import yaml

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if v not in (None, "", [], {})}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, str) and value.isascii() and value.isdigit() and str(int(value)) == value:
            return int(value)
        return value

    ordered = {key: values[key] for key in VISIT_KEYS if values.get(key) not in (None, "", [], {})}
    text = yaml.safe_dump(plain(ordered), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return text.encode("utf-8")


def visit_problems(visit: Visit, library: Library, file: str) -> list[Problem]:
    """Ids in a visit that the library does not have."""
    out = []
    if visit.program and visit.program not in library.programs:
        at = visit.program_at if visit.program_at.file else Location(file, field="program")
        out.append(problem_at(at, unknown_text(visit.program, library.programs, "program")))
    for i, ident in enumerate(visit.remove):
        if ident not in library.exercises:
            at = visit.remove_at[i] if i < len(visit.remove_at) else Location(file, field=f"remove[{i}]")
            out.append(problem_at(at, unknown_text(ident, library.exercises, "exercise")))
    for item in visit.exercises:
        if item.id not in library.exercises:
            at = item.where if item.where.file else Location(file, field=item.where.field)
            out.append(problem_at(at, unknown_text(item.id, library.exercises, "exercise")))
    return out


def visit_from_options(library: Library, *, patient="", program=None, exercises=(), remove=(), note="",
                       therapist="", date=None, page_size=None, log_sheet=None, log_weeks=None, layout=None,
                       greyscale=None, language=None) -> Visit:
    """A Visit from command-line options; bad options raise ContentError naming the option.

    `exercises` are "id[:key=value,...]" texts (--exercise) or ProgramItem objects (the Python API).
    """
    problems: list[Problem] = []
    items = []
    for n, spec in enumerate(exercises):
        if isinstance(spec, ProgramItem):
            items.append(spec if spec.where.field else replace(spec, where=Location(field=f"exercises[{n}]")))
            continue
        reader = Reader(f"--exercise {spec.split(':', 1)[0]}")
        item = read_exercise_option(reader, spec)
        problems += reader.problems
        if item:
            items.append(item)
    reader = Reader("")
    values = {}
    # The same limits as a visit file: a name of 5,000 characters is a mistake, not a name.
    for option, value, limit in (("--patient", patient, MAX_SHORT), ("--note", note, MAX_TEXT),
                                 ("--therapist", therapist, MAX_SHORT)):
        values[option] = reader.text_value(value, (0, 0), option, limit) if value else ""
    day = date if isinstance(date, dt.date) else reader.date_value(date, (0, 0), "--date") if date else None
    # The same limits as the command line and a visit file, for values given through the Python API.
    if page_size is not None:
        page_size = reader.choice_value(page_size, (0, 0), "--page-size", m.PAGE_SIZES)
    if log_weeks is not None and (isinstance(log_weeks, bool) or not isinstance(log_weeks, int)
                                  or not 1 <= log_weeks <= MAX_LOG_WEEKS):
        reader.add(f"expected a whole number from 1 to {MAX_LOG_WEEKS}, got {shown(log_weeks)}", (0, 0), "--log-weeks")
        log_weeks = None
    for option, flag in (("--log-sheet", log_sheet), ("--greyscale", greyscale)):
        if flag is not None and not isinstance(flag, bool):
            reader.add(f"expected True, False or None, got {shown(flag)}", (0, 0), option)
    if language:  # as the handout will read it: a region it does not give comes from the clinic
        from handouts import i18n

        try:
            i18n.parse(language, region=i18n.parse(library.clinic.language).region)
        except ValueError as exc:
            problems.append(Problem(str(exc), "--language"))
    if layout:
        layout = reader.choice_value(layout, (0, 0), "--layout", m.LAYOUTS)
    problems += reader.problems
    visit = Visit(patient=values["--patient"] or "", program=program, remove=tuple(remove), exercises=tuple(items),
                  note=values["--note"] or "", therapist=values["--therapist"] or "", date=day,
                  page_size=page_size, log_sheet=log_sheet, log_weeks=log_weeks, layout=layout or None,
                  greyscale=greyscale, language=language or None)
    for p in visit_problems(visit, library, ""):
        option = "--program" if p.field == "program" else "--remove" if p.field.startswith("remove") else p.file
        problems.append(Problem(p.message, option) if option else Problem(p.message, field=p.field))
    if problems:
        raise ContentError(problems=problems)
    return visit


def visit_with_options(library: Library, file: Path | None = None, **options) -> Visit:
    """What `handouts routine [VISIT_FILE] [options]` builds: the options (see visit_from_options)
    override the visit file's values (exercises and remove add to its lists); the date defaults to today."""
    flags = visit_from_options(library, **options)
    visit = flags
    if file is not None:
        visit = load_visit(file, library)
        changes = {f.name: getattr(flags, f.name) for f in dataclasses.fields(flags)
                   if getattr(flags, f.name) not in ("", None, ()) and f.name != "where"}
        if flags.exercises:
            changes["exercises"] = visit.exercises + flags.exercises
        if flags.remove:
            changes["remove"] = visit.remove + flags.remove
        visit = replace(visit, **changes)
    if visit.date is None:
        visit = replace(visit, date=dt.date.today())
    return visit
