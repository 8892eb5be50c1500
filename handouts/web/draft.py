"""The composer's form as data: posted fields -> a Draft (what is on screen) -> the values of a visit
file, and back. No Flask here, so every rule is testable without a server.

The composer builds every handout from the visit file it would save: the form becomes visit-file
values, those are read back by the same strict reader as `handouts routine visit.yaml`, and the PDF is
built from the result. So Save visit followed by `handouts routine` gives the very same bytes, and the
form's problems are the visit file's problems (mapped back to the fields they came from).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from handouts.i18n.catalogue import available
from handouts.model import DOSAGE_KEYS, Dosage, Library, ProgramItem, Visit

MAX_ROWS = 40  # a home program longer than this is a mistake, and each card costs render time
MAX_FIELD = 10_000  # characters kept from any one posted field (the reader names the real limits)
FORM_FIELDS = ("patient", "date", "therapist", "note", "program", "email_consent")
INDEX_RE = re.compile(r"^(exercises)\[(\d+)\](?:\.(?:dosage\.)?([a-z_]+))?$")


@dataclass
class Row:
    """One exercise of the handout list, as typed: dosage fields are text ('' = the default)."""

    id: str
    values: dict[str, str] = field(default_factory=dict)
    note: str = ""


# Visit settings shown as a select each (key of the visit file -> values offered). Adding one (a
# layout, a language) is one line here and one label in app.py: '' always means "the default".
OPTIONS = {
    "page_size": ("letter", "a4"),
    "layout": ("standard", "compact", "large-print"),
    "greyscale": ("yes", "no"),
    "log_sheet": ("yes", "no"),
    "log_weeks": tuple(str(n) for n in range(1, 13)),
    # Every language with labels, and each bilingual pair (the first is the main one).
    "language": tuple(available()) + tuple(f"{a}+{b}" for a in available() for b in available() if a != b),
}
OPEN_REPS_TEXT = {"as-many-as-comfortable": "as many as you comfortably can", "until-tired": "until tired"}


@dataclass
class Draft:
    patient: str = ""
    therapist: str = ""  # a therapist id from clinic.yaml, or '' (then `therapist_name`)
    therapist_name: str = ""
    date: str = ""
    note: str = ""
    program: str = ""
    rows: list[Row] = field(default_factory=list)
    email_consent: bool = False
    options: dict[str, str] = field(default_factory=dict)  # OPTIONS keys -> chosen value ('' = default)

    @property
    def therapist_value(self) -> str:
        return self.therapist or self.therapist_name.strip()


@dataclass
class Encoded:
    """A draft as visit-file values, and which row each `exercises[k]` entry came from."""

    values: dict
    row_of: dict[int, int]
    explicit: bool  # the program's order was changed: every exercise is written out


def clean(text: str) -> str:
    return text[:MAX_FIELD].replace("\r\n", "\n").replace("\r", "\n")


def from_form(form, today: dt.date | None = None) -> Draft:
    """A Draft from posted fields (a MultiDict-like `form`). Tampered or missing fields become
    empty values, never exceptions; the visit reader reports what is wrong with them."""
    get = lambda name: clean(form.get(name, "") or "")
    rows = []
    for i, ident in enumerate(form.getlist("ex")[:MAX_ROWS]):
        values = {key: get(f"ex-{i}-{key}").strip() for key in DOSAGE_KEYS}
        rows.append(Row(clean(ident).strip(), values, get(f"ex-{i}-note")))
    return Draft(patient=get("patient"), therapist=get("therapist").strip(), therapist_name=get("therapist_name"),
                 date=get("date").strip() or (today or dt.date.today()).isoformat(), note=get("note"),
                 program=get("program").strip(), rows=rows, email_consent=form.get("email_consent") == "yes",
                 options={key: get(key).strip() for key in OPTIONS})


def part_text(d: Dosage, key: str) -> str:
    """One part of a dosage as a therapist would type it, and as the visit reader reads it back:
    '10', '10-15', 'until tired', '30' (hold and rest: seconds), '10 minutes' (duration)."""
    low = getattr(d, key)
    high = getattr(d, f"{key}_max", None)
    if key == "reps" and d.reps_open:
        return OPEN_REPS_TEXT.get(d.reps_open, d.reps_open)
    if low is None:
        return ""
    if key == "duration":
        if low % 60 == 0 and (high is None or high % 60 == 0):
            return f"{low // 60}-{high // 60} minutes" if high else f"{low // 60} minutes"
        return f"{low}-{high} seconds" if high else f"{low} seconds"
    return f"{low}-{high}" if high is not None else str(low)


def dosage_strings(d: Dosage) -> dict[str, str]:
    return {key: part_text(d, key) for key in DOSAGE_KEYS}


def base_item(library: Library, program: str, ident: str) -> tuple[Dosage, str]:
    """The dosage and note an exercise starts with: its own default, then the program's changes."""
    ex = library.exercises.get(ident)
    dosage = ex.dosage if ex else Dosage()
    prog = library.programs.get(program)
    for item in prog.items if prog else ():
        if item.id == ident:
            return dosage.overlaid(item.dosage), item.note
    return dosage, ""


def new_row(library: Library, program: str, ident: str) -> Row:
    dosage, note = base_item(library, program, ident)
    return Row(ident, dosage_strings(dosage), note)


def from_program(library: Library, draft: Draft, program: str) -> Draft:
    prog = library.programs[program]
    draft.program = program
    draft.rows = [new_row(library, program, item.id) for item in prog.items]
    return draft


def from_visit(library: Library, visit: Visit, today: dt.date | None = None) -> Draft:
    """The draft a visit file describes (Open visit): the program's exercises less those removed, each
    changed by the visit's entry for it, then the visit's other exercises in order."""
    program = visit.program if visit.program in library.programs else ""
    rows = [new_row(library, program, i.id) for i in (library.programs[program].items if program else ())
            if i.id not in visit.remove]
    by_id = {row.id: row for row in rows}
    for item in visit.exercises:
        row = by_id.get(item.id)
        if row is None:
            row = by_id[item.id] = Row(item.id, dosage_strings(library.exercises[item.id].dosage))
            rows.append(row)
        row.values.update({k: v for k, v in dosage_strings(item.dosage).items() if v})
        row.note = item.note or row.note
    therapist = visit.therapist if library.clinic.therapist(visit.therapist) else ""
    options = {}
    for key in OPTIONS:
        value = getattr(visit, key, None)
        options[key] = "" if value is None else ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return Draft(patient=visit.patient, therapist=therapist, therapist_name="" if therapist else visit.therapist,
                 date=(visit.date or today or dt.date.today()).isoformat(), note=visit.note, program=program,
                 rows=rows, email_consent=bool(visit.email_consent), options=options)


def to_visit_values(library: Library, draft: Draft) -> Encoded:
    """The visit-file values that print this draft. While the program's exercises keep their order
    the file says only what changed (program, remove, changed exercises, additions), as a therapist
    would write it; after a reorder, or a cleared program note, every exercise is written out."""
    prog = library.programs.get(draft.program)
    prog_ids = [i.id for i in prog.items] if prog else []
    listed = [row.id for row in draft.rows]
    kept = [pid for pid in prog_ids if pid in listed]
    cleared_note = any(row.id in kept and not row.note.strip() and base_item(library, draft.program, row.id)[1]
                       for row in draft.rows)
    explicit = bool(prog) and (listed[:len(kept)] != kept or cleared_note)
    remove = prog_ids if explicit else [pid for pid in prog_ids if pid not in listed]
    exercises, row_of = [], {}
    for n, row in enumerate(draft.rows):
        in_program = row.id in kept and not explicit
        dosage, note = base_item(library, draft.program, row.id) if in_program else (
            library.exercises[row.id].dosage if row.id in library.exercises else Dosage(), "")
        base = dosage_strings(dosage)
        changed = {k: v for k, v in row.values.items() if v.strip() and v.strip() != base[k]}
        note_changed = row.note.strip() != note.strip()
        if in_program and not changed and not note_changed:
            continue
        row_of[len(exercises)] = n
        exercises.append({"id": row.id, "dosage": changed, "note": row.note.strip() if note_changed else ""})
    values = {"patient": draft.patient.strip(), "date": draft.date, "therapist": draft.therapist_value,
              "program": draft.program or None, "remove": remove, "exercises": exercises,
              "note": draft.note.strip(), "email_consent": "yes" if draft.email_consent else None}
    values.update(draft.options)
    return Encoded(values, row_of, explicit)


def field_of(problem_field: str, encoded: Encoded) -> str:
    """The form field a visit problem belongs to ('' = the form as a whole)."""
    match = INDEX_RE.match(problem_field)
    if match:
        row = encoded.row_of.get(int(match.group(2)))
        if row is None:
            return ""
        part = match.group(3)
        return f"ex-{row}-{part}" if part in DOSAGE_KEYS or part == "note" else f"ex-{row}"
    top = problem_field.split(".")[0].split("[")[0]
    return top if top in FORM_FIELDS or top in OPTIONS else ""


def effective_dosages(library: Library, draft: Draft, encoded: Encoded, visit: Visit | None) -> list[Dosage]:
    """What each row will print (for the words shown beside its fields): its base with the valid
    changes applied. A field with a problem keeps its base value until it is fixed."""
    items: dict[int, ProgramItem] = {}
    if visit is not None:
        for k, item in enumerate(visit.exercises):
            if k in encoded.row_of:
                items[encoded.row_of[k]] = item
    out = []
    for n, row in enumerate(draft.rows):
        in_program = not encoded.explicit and row.id in {i.id for i in getattr(
            library.programs.get(draft.program), "items", ())}
        base = base_item(library, draft.program, row.id)[0] if in_program else (
            library.exercises[row.id].dosage if row.id in library.exercises else Dosage())
        out.append(base.overlaid(items[n].dosage) if n in items else base)
    return out


def apply(library: Library, draft: Draft, op: str) -> str:
    """Change the draft's list by one action from a button: add:ID, remove:N, up:N, down:N,
    program:ID, empty. Returns a message for the therapist ('' when it went as asked)."""
    verb, _, arg = op.partition(":")
    rows = draft.rows
    if verb == "add":
        if arg not in library.exercises:
            return "That exercise is not in the library (it may have a problem; see Content problems)."
        if any(row.id == arg for row in rows):
            return f"{library.exercises[arg].name} is already in the handout."
        if len(rows) >= MAX_ROWS:
            return f"A handout holds at most {MAX_ROWS} exercises."
        rows.append(new_row(library, draft.program, arg))
        return ""
    if verb == "program":
        if arg not in library.programs:
            return "That program is not in the library (it may have a problem; see Content problems)."
        from_program(library, draft, arg)
        return ""
    if verb == "empty":
        draft.program, draft.rows = "", []
        return ""
    if not arg.isdigit() or not 0 <= int(arg) < len(rows):
        return "That exercise is no longer in the list; the page was out of date and has been refreshed."
    n = int(arg)
    if verb == "remove":
        del rows[n]
    elif verb == "up" and n > 0:
        rows[n - 1], rows[n] = rows[n], rows[n - 1]
    elif verb == "down" and n < len(rows) - 1:
        rows[n + 1], rows[n] = rows[n], rows[n + 1]
    elif verb not in ("up", "down"):
        return "Unknown action; the page has been refreshed."
    return ""
