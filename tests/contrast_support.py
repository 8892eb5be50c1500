"""Contrast of every character actually drawn in a PDF against what is under it (WCAG 2.x).

Each character's fill colour comes from the PDF (pdfium's text API); the colour under it is read
from the rendered page: the most common pixel colour in the character's box (the glyph's own ink
covers well under half of its box, so the commonest colour is the background, whatever drew it:
a table cell, a band, a page). Text of 18 pt or more needs 3:1, all other text 4.5:1.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

from handouts.palette import contrast

LARGE_TEXT_PT = 18.0


@dataclass(frozen=True)
class Poor:
    page: int
    text: str
    size: float
    ratio: float
    fg: tuple
    bg: tuple

    def __str__(self) -> str:
        hexes = ["#" + "".join(f"{round(v * 255):02X}" for v in c) for c in (self.fg, self.bg)]
        return (f"page {self.page}: {self.text!r} at {self.size:.1f} pt: {hexes[0]} on {hexes[1]} "
                f"is {self.ratio:.2f}:1")


def poor_contrast(data: bytes, scale: float = 1.0) -> tuple[list[Poor], int]:
    """(every run of characters below its contrast minimum, the number of characters checked)."""
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    out: list[Poor] = []
    checked = 0
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            _, height = page.get_size()
            image = page.render(scale=scale).to_pil().convert("RGB")
            textpage = page.get_textpage()
            r, g, b, a = (ctypes.c_uint() for _ in range(4))
            matrix = raw.FS_MATRIX()
            last = None
            for i in range(textpage.count_chars()):
                char = chr(raw.FPDFText_GetUnicode(textpage, i))
                if char.isspace() or raw.FPDFText_IsGenerated(textpage, i) == 1:
                    continue
                raw.FPDFText_GetFillColor(textpage, i, r, g, b, a)
                fg = (r.value / 255, g.value / 255, b.value / 255)
                left, bottom, right, top = textpage.get_charbox(i)
                pad = 1.5  # points around the glyph's tight box: some of what it is drawn on
                box = (math.floor((left - pad) * scale), math.floor((height - top - pad) * scale),
                       math.ceil((right + pad) * scale), math.ceil((height - bottom + pad) * scale))
                ink = tuple(round(v * 255) for v in fg)
                # The commonest colour that is not the glyph's own ink (a bold "l" is mostly ink).
                colours = [(n, c) for n, c in image.crop(box).getcolors(maxcolors=1 << 16) or []
                           if sum(abs(x - y) for x, y in zip(c, ink)) > 12]
                if not colours:
                    continue
                bg = tuple(v / 255 for v in max(colours)[1])
                raw.FPDFText_GetMatrix(textpage, i, matrix)
                size = raw.FPDFText_GetFontSize(textpage, i) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                ratio = contrast(fg, bg)
                checked += 1
                if ratio < (3.0 if size >= LARGE_TEXT_PT else 4.5):
                    if last is not None and last.page == index + 1 and (last.fg, last.bg) == (fg, bg):
                        out[-1] = last = Poor(last.page, last.text + char, last.size, last.ratio, fg, bg)
                    else:
                        last = Poor(index + 1, char, size, ratio, fg, bg)
                        out.append(last)
                else:
                    last = None
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return out, checked
