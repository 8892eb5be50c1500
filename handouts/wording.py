"""Wording: model values -> the plain words printed on paper. Pure functions, no I/O.

Dates are spelled out here rather than with strftime so the output does not depend on LANG.
"""

from __future__ import annotations

import datetime as dt

from handouts.model import Dosage

SEP = " · "
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
POSITION_WORDS = {
    "lying on back": "Lying on your back",
    "lying on stomach": "Lying on your stomach",
    "side-lying": "Lying on your side",
    "hands and knees": "On hands and knees",
    "sitting": "Sitting",
    "standing": "Standing",
    "kneeling": "Kneeling",
    "half-kneeling": "Kneeling on one knee",
    "standing on one leg": "Standing on one leg",
    "sitting on a ball": "Sitting on an exercise ball",
    "lying face down on a bench": "Lying face down on a bench",
    "lying face up on a bench": "Lying on your back on a bench",
    "standing at a wall": "Standing at a wall",
}
SIDE_WORDS = {
    "each": "each side",
    "left": "left side only",
    "right": "right side only",
    "both": "both sides together",
    "alternating": "switch sides each time",
}


def _seconds(n: int, high: int | None = None) -> str:
    """30 -> '30 seconds', 120 -> '2 minutes', (20, 30) -> '20 to 30 seconds', (60, 120) -> '1 to 2 minutes'."""
    if high is not None:
        if n % 60 == 0 and high % 60 == 0 and n:
            return f"{n // 60} to {high // 60} minutes"
        return f"{n} to {high} seconds"
    if n >= 60 and n % 60 == 0:
        minutes = n // 60
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 second" if n == 1 else f"{n} seconds"


def _times_a_day(n: int) -> str:
    return {1: "once a day", 2: "twice a day"}.get(n, f"{n} times a day")


def _count(n: int, high: int | None) -> str:
    return f"{n} to {high}" if high is not None else str(n)


OPEN_REPS_WORDS = {  # model.OPEN_REPS -> (without sets, after "N sets, ")
    "as-many-as-comfortable": ("as many times as you comfortably can", "as many times as you comfortably can"),
    "until-tired": ("repeat until your muscles feel tired", "each until your muscles feel tired"),
}


def _amount(d: Dosage) -> list[str]:
    """Sets and reps: '2 sets of 10 to 15', '10 times', '2 sets, as many times as you comfortably can'."""
    sets = _count(d.sets, d.sets_max) if d.sets else ""
    several = bool(d.sets_max) or (d.sets or 0) > 1
    if d.reps_open:
        alone, after_sets = OPEN_REPS_WORDS[d.reps_open]
        return [f"{sets} {'sets' if several else 'set'}, {after_sets}" if sets else alone]
    if sets and d.reps:
        return [f"{sets} {'sets' if several else 'set'} of {_count(d.reps, d.reps_max)}"]
    if d.reps:
        return ["1 time" if d.reps == 1 and not d.reps_max else f"{_count(d.reps, d.reps_max)} times"]
    if sets:
        return [f"{sets} {'times' if several else 'time'}"]
    return []


def dosage_parts(d: Dosage) -> list[str]:
    """The dosage as short phrases, e.g. ['2 sets of 10', 'hold 5 seconds', 'each side', 'twice a day']."""
    parts = _amount(d)
    if d.duration:
        parts.append(f"for {_seconds(d.duration, d.duration_max)}")
    if d.hold:
        parts.append(f"hold {_seconds(d.hold, d.hold_max)}")
    if d.side:
        parts.append(SIDE_WORDS[d.side])
    if d.load:
        parts.append(d.load)
    if d.rest or d.rest_max:
        rest = _seconds(d.rest or 0, d.rest_max)
        several = bool(d.sets_max) or (d.sets or 0) > 1
        parts.append(f"rest {rest} between sets" if several else f"rest {rest}")
    return parts + how_often(d)


def how_often(d: Dosage) -> list[str]:
    """['once a day', '5 days a week'], ['twice a day, every day'] or []."""
    if d.per_day and d.per_week == 7:
        return [f"{_times_a_day(d.per_day)}, every day"]
    parts = [_times_a_day(d.per_day)] if d.per_day else []
    if d.per_week == 7:
        parts.append("every day")
    elif d.per_week:
        parts.append("1 day a week" if d.per_week == 1 else f"{d.per_week} days a week")
    return parts


def shared_how_often(dosages) -> str:
    """'Do each exercise once a day, 5 days a week.' when every dosage says the same, else ''."""
    often = {tuple(how_often(d)) for d in dosages}
    if len(often) != 1 or not next(iter(often)):
        return ""
    return f"Do each exercise {', '.join(next(iter(often)))}."


def dosage_text(d: Dosage) -> str:
    """'2 sets of 10 · hold 5 seconds · each side · twice a day'."""
    return SEP.join(dosage_parts(d))


def long_date(day: dt.date) -> str:
    """'November 21, 2026', the same whatever the locale."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def position_text(position: str, label: str = "") -> str:
    """The printed position: the clinician's own `position_label` when given, else the list's words."""
    if label:
        return label
    return POSITION_WORDS.get(position, position.capitalize())


def try_line(harder: tuple[str, ...], easier: tuple[str, ...]) -> str:
    """'Too easy? Try: Marching bridge. Too hard? Try: Pelvic tilt.' ('' when neither is named)."""
    parts = []
    if harder:
        parts.append(f"Too easy? Try: {' or '.join(harder)}.")
    if easier:
        parts.append(f"Too hard? Try: {' or '.join(easier)}.")
    return " ".join(parts)


LOG_WORDS = {  # the weekly log sheet (render/logsheet.py)
    "title": "My exercise log",
    "week_of": "Week of {date}",
    "week_n": "Week {n} of {total}",
    "start_blank": "Week starting: ____________",
    "how": "Tick a box each day you do the exercise.",
    "exercise": "Exercise",
    "day_n": "Day {n}",
    "pain": "Pain today (0 to 10)",
    "scale": "Pain scale",
    "scale_words": {0: "0 = no pain", 5: "5 = moderate pain", 10: "10 = worst pain possible"},
    "notes": "Notes: how you felt, questions for your therapist",
    "bring": "Bring this sheet to your next visit.",
}


def day_heading(day: dt.date) -> tuple[str, str]:
    """A log-sheet column heading: ('Sat', 'Nov 21'), the same whatever the locale."""
    return WEEKDAYS[day.weekday()], f"{MONTHS[day.month - 1][:3]} {day.day}"
