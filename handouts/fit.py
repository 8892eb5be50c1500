"""Fit: does a built handout meet what its layout promises? PDF bytes and prepared pictures -> warnings.

Pure checks after rendering (no reportlab): page counts against the compact layout's aim, and the
resolution pictures get in large print's bigger boxes (`check` judges them at a card's size).
"""

from __future__ import annotations

from handouts import images
from handouts.errors import Problem
from handouts.model import Picture, Routine

MIN_PRINT_DPI = 150


def soft_pictures(pics: list[Picture], prepared: dict[str, images.Prepared], box: tuple[float, float],
                  where: str) -> list[Problem]:
    """A warning for each picture that prints below MIN_PRINT_DPI in `box` (from the prepared size,
    which is the source's size whenever the source is too small: nothing is decoded again)."""
    out, seen = [], set()
    for pic in pics:
        p = prepared[pic.file]
        printed = images.printed_dpi((p.width, p.height), box)
        if printed < MIN_PRINT_DPI and pic.file not in seen:
            seen.add(pic.file)
            w = pic.where
            out.append(Problem(f"{pic.file}: will print at about {printed:.0f} dpi {where} (below {MIN_PRINT_DPI}); "
                               f"use a larger image", w.file, w.line, w.col, w.field, warning=True))
    return out


def page_count(data: bytes) -> int:
    return data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")


def compact_fit(routine: Routine, pages: int) -> list[Problem]:
    """A warning when a compact handout misses its aim: 2 pages, or 1 for 4 exercises or fewer."""
    if routine.layout != "compact":
        return []
    pages -= routine.log_weeks  # log sheets are pages of their own
    aim = 1 if len(routine.entries) <= 4 else 2
    if routine.also is not None:
        aim *= 2  # every text twice: a bilingual sheet aims for twice the pages
    if pages <= aim:
        return []
    advice = ("with more than 10 exercises or long steps use --layout standard" if routine.also is None else
              "a bilingual sheet prints every text twice; for a shorter one use a single language")
    return [Problem(f"the compact layout aims for {aim} page{'s' if aim > 1 else ''} but these "
                    f"{len(routine.entries)} exercises need {pages}; {advice}", "", 0, 0, "layout", warning=True)]
