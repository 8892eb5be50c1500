"""Wording: model values -> the plain words printed on paper. Pure functions, no I/O.

Dates are spelled out here rather than with strftime so the output does not depend on LANG.
"""

from __future__ import annotations

import datetime as dt

from handouts.model import Dosage

SEP = " · "
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
POSITION_WORDS = {
    "lying on back": "Lying on your back",
    "lying on stomach": "Lying on your stomach",
    "side-lying": "Lying on your side",
    "hands and knees": "On hands and knees",
    "sitting": "Sitting",
    "standing": "Standing",
}
SIDE_WORDS = {
    "each": "each side",
    "left": "left side only",
    "right": "right side only",
    "both": "both sides together",
    "alternating": "switch sides each time",
}


def _seconds(n: int) -> str:
    if n >= 60 and n % 60 == 0:
        minutes = n // 60
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if n == 1 else f"{n} seconds"


def _times_a_day(n: int) -> str:
    return {1: "once a day", 2: "twice a day"}.get(n, f"{n} times a day")


def dosage_parts(d: Dosage) -> list[str]:
    """The dosage as short phrases, e.g. ['2 sets of 10', 'hold 5 seconds', 'each side', 'twice a day']."""
    parts = []
    if d.sets and d.reps:
        parts.append(f"{d.sets} {'set' if d.sets == 1 else 'sets'} of {d.reps}")
    elif d.reps:
        parts.append("1 time" if d.reps == 1 else f"{d.reps} times")
    elif d.sets:
        parts.append("1 time" if d.sets == 1 else f"{d.sets} times")
    if d.hold:
        parts.append(f"hold {_seconds(d.hold)}")
    if d.side:
        parts.append(SIDE_WORDS[d.side])
    if d.load:
        parts.append(d.load)
    if d.rest:
        parts.append(f"rest {_seconds(d.rest)} between sets" if d.sets and d.sets > 1 else f"rest {_seconds(d.rest)}")
    if d.per_day and d.per_week == 7:
        parts.append(f"{_times_a_day(d.per_day)}, every day")
    else:
        if d.per_day:
            parts.append(_times_a_day(d.per_day))
        if d.per_week == 7:
            parts.append("every day")
        elif d.per_week:
            parts.append("1 day a week" if d.per_week == 1 else f"{d.per_week} days a week")
    return parts


def dosage_text(d: Dosage) -> str:
    """'2 sets of 10 · hold 5 seconds · each side · twice a day'."""
    return SEP.join(dosage_parts(d))


def long_date(day: dt.date) -> str:
    """'November 21, 2026', the same whatever the locale."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def position_text(position: str) -> str:
    return POSITION_WORDS.get(position, position.capitalize())
