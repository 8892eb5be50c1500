"""Wording: model values -> the plain words printed on paper, in the handout's language. Pure functions.

The words themselves are data in the label catalogues (handouts/i18n/<code>.yaml: `dosage.*`,
`positions.*`, `more.*`, `log.*`); plural forms follow the language's CLDR rules. Every function takes
the catalogue to use (`i18n.catalogue("es")`), English when none is given. Dates come from
Babel/CLDR by locale, never from the process's LANG.
"""

from __future__ import annotations

import datetime as dt

from handouts.model import Dosage

SEP = " · "


def _english():
    from handouts.i18n import catalogue

    return catalogue("en")


def _seconds(cat, n: int, high: int | None = None) -> str:
    """30 -> '30 seconds', 120 -> '2 minutes', (20, 30) -> '20 to 30 seconds', (60, 120) -> '1 to 2 minutes'."""
    if high is not None:
        if n % 60 == 0 and high % 60 == 0 and n:
            return cat.plural("dosage.minutes", high // 60, n=_range(cat, n // 60, high // 60))
        return cat.plural("dosage.seconds", high, n=_range(cat, n, high))
    if n >= 60 and n % 60 == 0:
        return cat.plural("dosage.minutes", n // 60)
    return cat.plural("dosage.seconds", n)


def _range(cat, low: int, high: int | None) -> str:
    return cat.text("dosage.range", low=low, high=high) if high is not None else str(low)


def _amount(cat, d: Dosage) -> list[str]:
    """Sets and reps: '2 sets of 10 to 15', '10 times', '2 sets, as many times as you comfortably can'."""
    sets = _range(cat, d.sets, d.sets_max) if d.sets else ""
    set_count = d.sets_max or d.sets or 0  # a range takes the plural of its larger end
    if d.reps_open:
        if sets:
            # 'each' speaks of several sets: one set takes the plain words ('1 set, repeat until ...')
            then = cat.text(f"dosage.{'open' if set_count == 1 else 'open_after_sets'}.{d.reps_open}")
            return [cat.plural("dosage.sets_then", set_count, n=sets, then=then)]
        return [cat.text(f"dosage.open.{d.reps_open}")]
    if sets and d.reps:
        return [cat.plural("dosage.sets_of", set_count, n=sets, reps=_range(cat, d.reps, d.reps_max))]
    if d.reps:
        return [cat.plural("dosage.times", d.reps_max or d.reps, n=_range(cat, d.reps, d.reps_max))]
    if sets:
        return [cat.plural("dosage.times", set_count, n=sets)]
    return []


def dosage_parts(d: Dosage, cat=None) -> list[str]:
    """The dosage as short phrases, e.g. ['2 sets of 10', 'hold 5 seconds', 'each side', 'twice a day']."""
    cat = cat or _english()
    parts = _amount(cat, d)
    if d.duration:
        parts.append(cat.text("dosage.duration", time=_seconds(cat, d.duration, d.duration_max)))
    if d.hold:
        parts.append(cat.text("dosage.hold", time=_seconds(cat, d.hold, d.hold_max)))
    if d.side:
        parts.append(cat.text(f"dosage.side.{d.side}"))
    if d.load:
        parts.append(d.load)
    if d.rest or d.rest_max:
        rest = _seconds(cat, d.rest or 0, d.rest_max)
        several = bool(d.sets_max) or (d.sets or 0) > 1
        parts.append(cat.text("dosage.rest_between_sets" if several else "dosage.rest", time=rest))
    return parts + how_often(d, cat)


def how_often(d: Dosage, cat=None) -> list[str]:
    """['once a day', '5 days a week'], ['twice a day, every day'] or []."""
    cat = cat or _english()
    if d.per_day and d.per_week == 7:
        return [cat.text("dosage.per_day_every_day", per_day=cat.plural("dosage.per_day", d.per_day))]
    parts = [cat.plural("dosage.per_day", d.per_day)] if d.per_day else []
    if d.per_week == 7:
        parts.append(cat.text("dosage.every_day"))
    elif d.per_week:
        parts.append(cat.plural("dosage.per_week", d.per_week))
    return parts


def shared_how_often(dosages, cat=None) -> str:
    """'Do each exercise once a day, 5 days a week.' when every dosage says the same, else ''."""
    cat = cat or _english()
    often = {tuple(how_often(d, cat)) for d in dosages}
    if len(often) != 1 or not next(iter(often)):
        return ""
    return cat.text("dosage.each_exercise", often=", ".join(next(iter(often))))


def dosage_text(d: Dosage, cat=None) -> str:
    """'2 sets of 10 · hold 5 seconds · each side · twice a day' ('2 series de 10 · mantenga 5 segundos ...')."""
    return SEP.join(dosage_parts(d, cat))


def long_date(day: dt.date, language=None) -> str:
    """'November 21, 2026' (or as `language`, an i18n.Language, writes it), whatever the process's locale."""
    from handouts import i18n

    return (language or i18n.parse("en")).long_date(day)


def position_text(position: str, label: str = "", cat=None) -> str:
    """The printed position: the clinician's own `position_label` when given, else the catalogue's words."""
    if label:
        return label
    cat = cat or _english()
    key = f"positions.{position}"
    return cat.text(key) if cat.has(key) else position.capitalize()


def try_line(harder: tuple[str, ...], easier: tuple[str, ...], cat=None) -> str:
    """'Too easy? Try: Marching bridge. Too hard? Try: Pelvic tilt.' ('' when neither is named)."""
    cat = cat or _english()
    parts = []
    if harder:
        parts.append(cat.text("more.too_easy", names=cat.text("more.or").join(harder)))
    if easier:
        parts.append(cat.text("more.too_hard", names=cat.text("more.or").join(easier)))
    return " ".join(parts)


def day_heading(day: dt.date, language=None) -> tuple[str, str]:
    """A log-sheet column heading: ('Sat', 'Nov 21'), ('sáb', '21 nov'): CLDR's short forms by locale."""
    from babel.dates import format_date, format_skeleton

    from handouts import i18n

    locale = (language or i18n.parse("en")).locale
    return format_date(day, "EEE", locale=locale), format_skeleton("MMMd", day, locale=locale)
