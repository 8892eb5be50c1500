"""Layout invariants: a built PDF (bytes or a path) -> the guarantees on paper it breaks, if any.

The one checker that tests and benchmarks use for the promises of DESIGN.md ("Guarantees on paper"):

- ``blank``: every page has body text (between the branded header and footer bands);
- ``stop-box``: the "STOP and call us if" box's heading and its phone line are on the same page;
- ``small-text``: no character is drawn smaller than the layout's smallest intended size (captions
  included; a card scaled down to fit a page breaks this);
- ``notdef``: no glyph is drawn as the font's empty box (.notdef);
- ``outside``: no character lies outside the page box.

How to call it::

    from handouts.invariants import check_pdf
    assert check_pdf(pdf_bytes) == []                      # defaults: the English routine handout
    check_pdf(path, stop_heading="PARE y llámenos si", phone_line="Llame al")  # another language
    check_pdf(guide_bytes, stop_heading=None)              # no STOP box to look for

Each violation is a `Violation(page, rule, detail)` (page 1-based); `str()` reads
"page 2: small-text: 'Stand with…' drawn at 8.9 pt (smallest allowed 9.5 pt)".

Reads PDFs with pypdfium2, which is in the `test` extra: nothing in a build imports this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from handouts.render.layout import FOOTER_HEIGHT, HEADER_HEIGHT

SMALLEST_SIZE = 9.5  # Theme.small_size: the disclaimer line; captions are 10 pt, body text 12 pt or more
MARGIN = 36.0  # Theme.margin (0.5 in)
STOP_HEADING = "STOP and call us if"
PHONE_LINE = "Call "  # the box's last line: "Call (503) 555-0142"
_TOLERANCE = 0.05  # points: rounding in the PDF's text matrices
_NOTDEF = (0x0000,)  # reportlab draws a character its font lacks as code 0 (.notdef); pdfium reads
# a hyphen that ends a line as U+FFFE, which is not a missing glyph


@dataclass(frozen=True)
class Violation:
    page: int  # 1-based
    rule: str  # blank, stop-box, small-text, notdef, outside
    detail: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.rule}: {self.detail}"


def check_pdf(pdf: bytes | Path | str, *, min_size: float = SMALLEST_SIZE, stop_heading: str | None = STOP_HEADING,
              phone_line: str = PHONE_LINE, margin: float = MARGIN) -> list[Violation]:
    """Every layout invariant `pdf` breaks, page by page; an empty list when it holds them all.

    `min_size`: the smallest text size the layout intends (points). `stop_heading`: the warning
    box's heading as printed (None when the document has no such box); `phone_line`: how the box's
    phone line starts. `margin`: the page margin the header and footer bands are measured from.
    """
    from handouts.measure import pages_with_text

    out: list[Violation] = []
    for number, page, textpage in pages_with_text(pdf):
        out += _page_violations(number, page, textpage, min_size, stop_heading, phone_line, margin)
    return out


def _page_violations(number, page, textpage, min_size, stop_heading, phone_line, margin) -> list[Violation]:
    from pypdfium2 import raw

    width, height = page.get_size()
    body_bottom, body_top = margin + FOOTER_HEIGHT, height - margin - HEADER_HEIGHT
    out: list[Violation] = []
    body_chars = 0
    small: dict[float, int] = {}
    notdef = outside = 0
    matrix = raw.FS_MATRIX()
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue  # line breaks pdfium adds between text runs
        if code in _NOTDEF:
            notdef += 1
            if notdef == 1:
                out.append(Violation(number, "notdef", f"a glyph drawn as an empty box {_near(textpage, i)}"))
            continue
        if chr(code).isspace():
            continue
        left, bottom, right, top = textpage.get_charbox(i)
        if left < -_TOLERANCE or bottom < -_TOLERANCE or right > width + _TOLERANCE or top > height + _TOLERANCE:
            outside += 1
            if outside == 1:
                out.append(Violation(number, "outside", f"{chr(code)!r} at ({left:.0f}, {bottom:.0f}) lies "
                                                        f"outside the {width:.0f}x{height:.0f} page {_near(textpage, i)}"))
        if bottom >= body_bottom - _TOLERANCE and top <= body_top + _TOLERANCE:
            body_chars += 1
        raw.FPDFText_GetMatrix(textpage, i, matrix)
        size = raw.FPDFText_GetFontSize(textpage, i) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        if size < min_size - _TOLERANCE:
            key = round(size, 1)
            if key not in small:
                small[key] = i
    for size, i in sorted(small.items()):
        out.append(Violation(number, "small-text", f"{_near(textpage, i)} drawn at {size} pt "
                                                   f"(smallest allowed {min_size} pt)"))
    if body_chars == 0:
        out.append(Violation(number, "blank", "no body text between the header and the footer"))
    if stop_heading:
        lines = [line.strip() for line in textpage.get_text_range().splitlines()]
        has_heading = any(stop_heading in line for line in lines)
        has_phone = any(line.startswith(phone_line) for line in lines)
        if has_heading != has_phone:
            missing = "its phone line" if has_heading else "its heading"
            out.append(Violation(number, "stop-box", f"the {stop_heading!r} box is split: {missing} "
                                                     f"is on another page"))
    return out


def _near(textpage, i: int) -> str:
    """A few characters around character `i`, to find the place on the page."""
    start = max(0, i - 12)
    text = textpage.get_text_range(start, 30).replace("\r", " ").replace("\n", " ")
    return f"near {text.strip()!r}"
