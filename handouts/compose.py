"""Compose: a Library and a Visit -> a Routine (the exact handout to print). Pure, no I/O.

Dosage is layered: the exercise's default, then the program's changes, then the visit's.
"""

from __future__ import annotations

import re

from handouts import schema
from handouts.errors import ContentError, Problem
from handouts.model import Library, ProgramItem, Routine, RoutineEntry, Visit

DEFAULT_TITLE = "Your home exercise program"
# Used when a handout has no program (single exercises): the box must never be missing.
DEFAULT_WARNING_SIGNS = (
    "Pain becomes sharp, or spreads down an arm or a leg.",
    "You feel numbness, tingling or new weakness.",
    "Pain is worse for more than two hours after you exercise.",
    "You feel dizzy, short of breath or have chest pain. Call 911 for chest pain.",
)
_ID_LIKE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def therapist_text(library: Library, value: str, file: str) -> str:
    """A therapist id from clinic.yaml becomes 'Name, credentials'; other text is kept as typed."""
    if not value:
        return ""
    known = library.clinic.therapist(value)
    if known:
        return known.display
    if _ID_LIKE.match(value):  # looks like an id, so a typo would otherwise print as a name
        hint = schema.did_you_mean(value, [t.id for t in library.clinic.therapists])
        raise ContentError(problems=[Problem(f"unknown therapist id '{value}'{hint}", file, 0, 0, "therapist")])
    return value


def compose_routine(library: Library, visit: Visit, file: str = "") -> Routine:
    """The handout for one visit. Raises ContentError for ids the library does not know."""
    program = library.programs.get(visit.program) if visit.program else None
    items: list[ProgramItem] = [i for i in (program.items if program else ()) if i.id not in visit.remove]
    for extra in visit.exercises:
        for n, item in enumerate(items):
            if item.id == extra.id:  # the visit adjusts an exercise already in the program
                items[n] = ProgramItem(item.id, item.dosage.overlaid(extra.dosage), extra.note or item.note, item.where)
                break
        else:
            items.append(extra)
    if not items:
        raise ContentError(problems=[Problem("the handout has no exercises: name a program or an exercise", file)])
    entries = []
    for item in items:
        ex = library.exercises[item.id]
        entries.append(RoutineEntry(ex, ex.dosage.overlaid(item.dosage), item.note))
    return Routine(
        clinic=library.clinic,
        title=program.title if program else DEFAULT_TITLE,
        entries=tuple(entries),
        patient=visit.patient,
        date=visit.date,
        therapist=therapist_text(library, visit.therapist, file),
        purpose=program.purpose if program else "",
        goals=program.goals if program else (),
        warning_signs=(program.warning_signs if program and program.warning_signs else DEFAULT_WARNING_SIGNS),
        note=visit.note,
        page_size=visit.page_size or library.clinic.page_size,
    )
