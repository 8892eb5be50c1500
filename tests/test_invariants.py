"""The layout-invariant checker (handouts.invariants) catches each broken guarantee it promises to.

Each case draws one small PDF with reportlab that breaks exactly one rule, so the checker is known to
fail where it should before other tests rely on it passing.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from handouts.invariants import Violation, check_pdf

VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
pdfmetrics.registerFont(TTFont("InvariantsVera", str(VERA)))


def _pdf(pages: list[list[tuple[float, float, float, str]]]) -> bytes:
    """One page per list of (x, y, size, text) strings, in Vera, on a Letter page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792), invariant=1)
    for strings in pages:
        for x, y, size, text in strings:
            canvas.setFont("InvariantsVera", size)
            canvas.drawString(x, y, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


HEADER = (40, 760, 15, "Clinic name")
FOOTER = (40, 40, 11, "Page 1 of 1")
BODY = (40, 500, 12, "Lie on your back.")


def rules(violations: list[Violation]) -> list[tuple[int, str]]:
    return [(v.page, v.rule) for v in violations]


def test_a_good_page_has_no_violations():
    assert check_pdf(_pdf([[HEADER, BODY, FOOTER]])) == []


def test_a_page_with_only_header_and_footer_is_blank():
    found = check_pdf(_pdf([[HEADER, BODY, FOOTER], [HEADER, FOOTER]]))
    assert rules(found) == [(2, "blank")]


def test_text_below_the_smallest_size_is_found_with_its_size():
    found = check_pdf(_pdf([[HEADER, BODY, (40, 400, 8.9, "Stand tall."), FOOTER]]))
    assert rules(found) == [(1, "small-text")]
    assert "8.9 pt" in found[0].detail and "Stand tall" in found[0].detail


def test_scaled_text_counts_at_its_drawn_size():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792), invariant=1)
    canvas.setFont("InvariantsVera", 12)
    canvas.drawString(40, 600, "Full size.")
    canvas.scale(0.7, 0.7)
    canvas.drawString(60, 600, "Shrunk card text.")
    canvas.save()
    found = check_pdf(buffer.getvalue())
    assert rules(found) == [(1, "small-text")] and "8.4 pt" in found[0].detail


def test_min_size_is_the_callers():
    pdf = _pdf([[HEADER, BODY, (40, 400, 10, "Caption"), FOOTER]])
    assert check_pdf(pdf) == []
    assert rules(check_pdf(pdf, min_size=12)) == [(1, "small-text")] * 2  # 10 pt caption, 11 pt footer


def test_a_character_the_font_lacks_is_a_notdef_box():
    found = check_pdf(_pdf([[HEADER, (40, 500, 12, "Nguyễn → İpek"), FOOTER]]))
    assert rules(found) == [(1, "notdef")]


def test_text_off_the_page_is_outside():
    found = check_pdf(_pdf([[HEADER, BODY, (560, 500, 12, "runs off the edge"), FOOTER]]))
    assert rules(found) == [(1, "outside")]


def test_a_stop_box_split_across_pages_is_found_on_both():
    heading = (40, 300, 16, "STOP and call us if:")
    phone = (40, 600, 12, "Call (503) 555-0142")
    assert check_pdf(_pdf([[HEADER, heading, BODY, phone, FOOTER]])) == []
    found = check_pdf(_pdf([[HEADER, heading, FOOTER], [HEADER, phone, FOOTER]]))
    assert rules(found) == [(1, "stop-box"), (2, "stop-box")]
    assert check_pdf(_pdf([[HEADER, heading, FOOTER]]), stop_heading=None) == []


def test_the_stop_heading_and_phone_line_are_the_callers():
    heading = (40, 300, 16, "PARE y llámenos si:")
    assert rules(check_pdf(_pdf([[HEADER, heading, FOOTER]]), stop_heading="PARE y llámenos si",
                           phone_line="Llame al")) == [(1, "stop-box")]


@pytest.mark.parametrize("as_path", [True, False])
def test_accepts_bytes_or_a_path(tmp_path, as_path):
    data = _pdf([[HEADER, FOOTER]])
    target = tmp_path / "x.pdf"
    target.write_bytes(data)
    found = check_pdf(target if as_path else data)
    assert rules(found) == [(1, "blank")] and str(found[0]).startswith("page 1: blank: ")
