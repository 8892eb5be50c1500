"""Measured facts of a built PDF (bytes or a path): how full each page's body is, text sizes, colours.

Layout tests and benchmarks/bench_layouts.py read the same numbers from the PDF, never from the
layout code, so a claim like "the demo handouts fill 75% of their pages" is a measurement:

    from handouts.measure import page_facts
    facts = page_facts(pdf_bytes)          # one PageFacts per page
    facts[0].fill                          # 0..1: how far down the body band content reaches
    min(f.smallest_body_text for f in facts)

Body band: between the branded header and footer (render/layout.py). Reads PDFs with pypdfium2,
which is in the `test` extra: nothing in a build imports this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from handouts.render.layout import FOOTER_HEIGHT, HEADER_HEIGHT

MARGIN = 36.0  # Theme.margin (0.5 in)
_TOLERANCE = 1.0  # points


@dataclass(frozen=True)
class PageFacts:
    fill: float  # share of the body band's height from its top down to the lowest content
    smallest_body_text: float  # points; inf when the body has no text
    largest_body_text: float  # points; 0 when the body has no text
    body_text: str  # the characters drawn in the body band (no spaces), in reading order
    picture_widths: tuple[float, ...]  # points, each picture drawn in the body band


def pages_with_text(pdf: bytes | Path | str):
    """Yield (page number from 1, pdfium page, its text page) for every page of `pdf`, closing each
    after use: the one walk over a PDF that the layout checks share."""
    import pypdfium2 as pdfium

    data = Path(pdf).read_bytes() if isinstance(pdf, (str, Path)) else pdf
    document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                yield index + 1, page, textpage
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()


def page_facts(pdf: bytes | Path | str, margin: float = MARGIN) -> list[PageFacts]:
    import pypdfium2 as pdfium

    data = Path(pdf).read_bytes() if isinstance(pdf, (str, Path)) else pdf
    document = pdfium.PdfDocument(data)
    try:
        return [_page(document[i], margin) for i in range(len(document))]
    finally:
        document.close()


def _page(page, margin: float) -> PageFacts:
    from pypdfium2 import raw

    width, height = page.get_size()
    bottom_edge, top_edge = margin + FOOTER_HEIGHT, height - margin - HEADER_HEIGHT
    lowest = top_edge
    widths = []
    for obj in page.get_objects(max_depth=3):
        if obj.type == raw.FPDF_PAGEOBJ_FORM:
            continue  # its contents are visited one by one
        left, bottom, right, top = obj.get_bounds()
        if bottom >= bottom_edge - _TOLERANCE and top <= top_edge + _TOLERANCE and right - left > 0:
            lowest = min(lowest, bottom)
            if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                widths.append(round(right - left, 1))
    textpage = page.get_textpage()
    smallest, largest, chars = math.inf, 0.0, []
    matrix = raw.FS_MATRIX()
    try:
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage, i)
            if raw.FPDFText_IsGenerated(textpage, i) == 1 or chr(code).isspace():
                continue
            left, bottom, right, top = textpage.get_charbox(i)
            if bottom < bottom_edge - _TOLERANCE or top > top_edge + _TOLERANCE:
                continue
            chars.append(chr(code))
            raw.FPDFText_GetMatrix(textpage, i, matrix)
            size = raw.FPDFText_GetFontSize(textpage, i) * math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            smallest, largest = min(smallest, round(size, 2)), max(largest, round(size, 2))
    finally:
        textpage.close()
        page.close()
    return PageFacts((top_edge - lowest) / (top_edge - bottom_edge), smallest, largest, "".join(chars),
                     tuple(widths))


def average_fill(pdfs) -> float:
    """The mean body fill over every page of `pdfs`."""
    fills = [f.fill for pdf in pdfs for f in page_facts(pdf)]
    return sum(fills) / len(fills)


def low_contrast(pdf: bytes | Path | str, minimum: float = 4.5, dpi: int = 300) -> list[tuple[int, str, float]]:
    """(page, character, ratio) for each character printed below `minimum`:1 contrast in grey.

    Each page is rendered in greyscale (what a photocopier sees); inside each character's box the
    darkest and lightest pixels are the ink and what it is drawn on, compared with the WCAG formula.
    """
    out = []
    scale = dpi / 72.0
    for number, page, textpage in pages_with_text(pdf):
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
        height = page.get_height()
        for i in range(textpage.count_chars()):
            char = textpage.get_text_range(i, 1)
            if not char.strip() or char == "_":
                continue  # "____" is a write-in line, drawn below its box
            left, bottom, right, top = textpage.get_charbox(i)
            box = (int(left * scale), int((height - top) * scale), int(right * scale) + 1,
                   int((height - bottom) * scale) + 1)
            if box[2] - box[0] < 2 or box[3] - box[1] < 2:
                continue
            darkest, lightest = image.crop(box).getextrema()
            ratio = (_luminance(lightest) + 0.05) / (_luminance(darkest) + 0.05)
            if ratio < minimum:
                out.append((number, char, round(ratio, 2)))
    return out


def _luminance(level: int) -> float:
    """Relative luminance (WCAG 2) of an 8-bit grey level."""
    c = level / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def drawn_colours(pdf: bytes | Path | str) -> set[tuple[int, int, int]]:
    """The fill and stroke colours (0-255 RGB) of every text and path drawn, pictures aside."""
    import ctypes

    import pypdfium2 as pdfium
    from pypdfium2 import raw

    data = Path(pdf).read_bytes() if isinstance(pdf, (str, Path)) else pdf
    document = pdfium.PdfDocument(data)
    found = set()
    rgba = [ctypes.c_uint() for _ in range(4)]
    try:
        for index in range(len(document)):
            page = document[index]
            for obj in page.get_objects(max_depth=3):
                if obj.type not in (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_PATH):
                    continue
                for getter in (raw.FPDFPageObj_GetFillColor, raw.FPDFPageObj_GetStrokeColor):
                    if getter(obj.raw, *(ctypes.byref(c) for c in rgba)):
                        found.add(tuple(c.value for c in rgba[:3]))
            page.close()
    finally:
        document.close()
    return found
