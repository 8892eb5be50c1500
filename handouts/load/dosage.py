"""Dosage values as clinicians write them -> numbers: "10-15", "30 seconds", "10min", "until tired".

Pure text parsing, no YAML: `schema.read_dosage` (content files) and `--exercise id:reps=10-15`
(command line) both come here. Each parser returns the value or raises ValueError with the message
the user sees (the caller adds file, line and field).
"""

from __future__ import annotations

import re

from handouts.model import OPEN_REPS

# Whole numbers the schema allows per part; times are seconds.
COUNT_LIMITS = {"sets": (1, 20), "reps": (1, 200), "per_day": (1, 12), "per_week": (1, 7)}
TIME_LIMITS = {"hold": (1, 600), "rest": (0, 600), "duration": (1, 4 * 3600)}

_NUMBER = r"[0-9]{1,6}(?:\.[0-9]{1,2})?"
_RANGE_RE = re.compile(rf"^({_NUMBER})\s*(?:(?:-|–|—|to)\s*({_NUMBER}))?\s*([a-z.]*)$")
UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "min": 60, "mins": 60, "minute": 60, "minutes": 60,
}
# Words written for reps that are not a number, normalised (lower case, single spaces) -> model code.
OPEN_REPS_WORDS = {
    "as many as you comfortably can": OPEN_REPS[0],
    "as many as you can": OPEN_REPS[0],
    "as many as comfortable": OPEN_REPS[0],
    "amrap": OPEN_REPS[0],
    "until tired": OPEN_REPS[1],
    "until you are tired": OPEN_REPS[1],
    "until fatigued": OPEN_REPS[1],
    "to fatigue": OPEN_REPS[1],
}
ALSO_REPS = "also allowed: a range like 10-15, 'as many as you comfortably can', 'until tired'"


def _words(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def _hint(word: str, choices) -> str:
    import difflib  # only needed when something is wrong

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _whole(text: str, shown: str) -> int:
    if "." in text:
        raise ValueError(f"expected a whole number, got {shown}")
    return int(text)


def count(part: str, text: str) -> tuple[int, int | None, str | None]:
    """`sets`, `reps`, `per_day`, `per_week`: '10' -> (10, None, None); '10-15' -> (10, 15, None);
    reps 'until tired' -> (None, None, 'until-tired') with the low end None."""
    shown = _show(text)
    value = text.strip()
    if part == "reps" and re.search(r"[a-z]{2}", value.lower()) and not _RANGE_RE.match(value.lower()):
        code = OPEN_REPS_WORDS.get(_words(value))
        if code:
            return None, None, code  # type: ignore[return-value]
        raise ValueError(f"expected a whole number, got {shown}; {ALSO_REPS}{_hint(_words(value), OPEN_REPS_WORDS)}")
    match = _RANGE_RE.match(value.lower())
    if not match or match.group(3):
        extra = f"; {ALSO_REPS}" if part == "reps" else "; a range like 2-3 is allowed" if part == "sets" else ""
        raise ValueError(f"expected a whole number, got {shown}{extra}")
    low = _whole(match.group(1), shown)
    high = _whole(match.group(2), shown) if match.group(2) else None
    if high is not None and part in ("per_day", "per_week"):
        raise ValueError(f"expected one whole number, got {shown}")
    _within(part, low, high, COUNT_LIMITS[part], "")
    return low, high, None


def seconds(part: str, text: str) -> tuple[int, int | None]:
    """`hold`, `rest`, `duration`: '30 seconds', '30s', '1 minute', '10min', '20-30 seconds' -> seconds.

    A bare number is seconds for hold and rest (as always); duration needs a unit."""
    shown = _show(text)
    match = _RANGE_RE.match(text.strip().lower())
    example = "'10 minutes' or '30 seconds'"
    if not match:
        raise ValueError(f"expected a time such as {example} (or a range such as 20-30 seconds), got {shown}")
    unit = match.group(3).rstrip(".")
    if not unit and part == "duration":
        raise ValueError(f"give a unit, e.g. {example}; got {shown}")
    if unit and unit not in UNITS:
        raise ValueError(f"unknown unit '{unit}' in {shown}; use seconds or minutes (s, min){_hint(unit, UNITS)}")
    factor = UNITS.get(unit, 1)
    low, high = (_to_seconds(g, factor, shown) if g else None for g in match.group(1, 2))
    _within(part, low, high, TIME_LIMITS[part], " seconds")
    return low, high


def _to_seconds(number: str, factor: int, shown: str) -> int:
    value = float(number) * factor
    if value != int(value):
        raise ValueError(f"expected whole seconds, got {shown}")
    return int(value)


def _within(part: str, low: int, high: int | None, limits: tuple[int, int], unit: str) -> None:
    lo, hi = limits
    for n in (low, high):
        if n is not None and not lo <= n <= hi:
            raise ValueError(f"must be between {lo} and {hi}{unit}, got {n}{unit}")
    if high is not None and high == low:
        raise ValueError(f"a range needs two different numbers; write {low}{unit} alone, or e.g. {low}-{low + 5}")
    if high is not None and high < low:
        raise ValueError(f"write the smaller number first, e.g. {high}-{low}; got {low}-{high}")


def _show(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"

