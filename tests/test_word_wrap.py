"""#11 guarantee 5: long names wrap like words. A double-barrelled name breaks after its hyphen, and a
word longer than its line breaks with a visible hyphen, never silently mid-word leaving a lone letter:
in the patient block, the therapist cell, card titles, the guide's cover band and its call to action
(whose headline wraps onto its two lines first and is set smaller only when they are not enough).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_clinic, explain, fill_missing_images, norm, run

from handouts.invariants import check_pdf

LONG = "Wolfeschlegelsteinhausenbergerdorff-Øvergård"
BARRELLED = "Castellanos-Wolfeschlegel-Øvergård"
MARGIN, FRAME = 36.0, 540.0  # Letter: 0.5 in margins


def _lines(data: bytes, page: int, left: float, right: float) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        p = pdf[page if page >= 0 else len(pdf) + page]
        text = p.get_textpage().get_text_bounded(left=left, bottom=0, right=right, top=p.get_size()[1])
    finally:
        pdf.close()
    # pdfium reads a hyphen drawn at a line break as U+FFFE (page text) or U+0002 (bounded text),
    # and bounded text runs the two lines together: put the break back.
    text = text.replace("\x02", "\ufffe\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _joined(lines: list[str]) -> str:
    """Lines read back as the reader reads them: a line ending in a hyphen continues the word."""
    out = ""
    for line in lines:
        if out.endswith("\ufffe"):  # pdfium's reading of a hyphen drawn at a line break
            out = out[:-1] + line
        elif out.endswith("-"):
            out += line
        else:
            out += (" " if out else "") + line
    return out


def assert_wraps_like_words(data: bytes, name: str, page: int = 0, left: float = 0, right: float = 612):
    lines = _lines(data, page, left, right)
    start = next(i for i, line in enumerate(lines) if name[:5] in line)
    # pdfium reads any hyphen ending a line as U+FFFE, a drawn one or the name's own: compare without them.
    for end in range(start + 1, len(lines) + 1):
        if norm(name).replace("-", "") in _joined(lines[start:end]).replace("-", ""):
            break
    else:
        raise AssertionError(f"{name!r} is not printed whole (a silent mid-word break?): {lines[start:start + 4]}")
    parts = lines[start:end]
    # No lone letters: every line of a wrapped name holds at least three characters of it.
    assert all(len(line.replace("\ufffe", "")) >= 3 for line in parts), parts
    return parts


@pytest.fixture(scope="module")
def long_named(tmp_path_factory, cache_dir) -> Path:
    root = copy_clinic(REPO, tmp_path_factory.mktemp("wrap") / "clinic")
    fill_missing_images(root)
    bridge = yaml.safe_load((root / "content/exercises/bridge.yaml").read_text(encoding="utf-8"))
    doc = dict(bridge, name=f"{LONG} bridge with a very long name")
    (root / "content/exercises/long-name.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return root


def _routine(root: Path, tmp_path: Path, *args) -> bytes:
    out = tmp_path / "h.pdf"
    result = run(["routine", "--date", "2026-11-21", "-o", out, *args], root)
    assert result.exit_code == 0, explain(result)
    data = out.read_bytes()
    assert check_pdf(data) == []
    return data


def test_patient_cell_breaks_a_too_long_word_with_a_visible_hyphen(long_named, tmp_path):
    data = _routine(long_named, tmp_path, "--exercise", "bridge", "--patient", LONG)
    parts = assert_wraps_like_words(data, LONG, left=0, right=MARGIN + FRAME * 0.38)
    assert len(parts) == 2 and parts[0].endswith("\ufffe"), parts  # too long for the cell: a hyphen is drawn


def test_therapist_cell_breaks_after_the_names_hyphen(long_named, tmp_path):
    data = _routine(long_named, tmp_path, "--exercise", "bridge", "--therapist", BARRELLED)
    parts = assert_wraps_like_words(data, BARRELLED, left=MARGIN + FRAME * 0.66, right=612)
    # Broken exactly at one of its hyphens, not inside a part.
    assert all(p.rstrip("\ufffe-").endswith(("Castellanos", "Wolfeschlegel", "Øvergård")) for p in parts), parts


def test_card_title_wraps_like_words(long_named, tmp_path):
    data = _routine(long_named, tmp_path, "--exercise", "long-name")
    assert_wraps_like_words(data, f"{LONG} bridge with a very long name", page=-1, left=0, right=MARGIN + FRAME * 0.7)


@pytest.mark.parametrize("name", [LONG, f"Maria José {LONG}"])
def test_guide_cover_band_and_call_to_action_wrap_before_shrinking(clinic, tmp_path, name):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out = tmp_path / "g.pdf"
    result = run(["guide", "back-pain-tips", "--for", name, "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    data = out.read_bytes()
    assert check_pdf(data, stop_heading=None) == []
    assert_wraps_like_words(data, name, page=0)
    assert_wraps_like_words(data, name, page=-1)
    # The headline keeps a large size: it wraps onto its two lines rather than being scaled down.
    pdf = pdfium.PdfDocument(data)
    try:
        textpage = pdf[len(pdf) - 1].get_textpage()
        index = textpage.get_text_range().index(name[:5])
        index = next(i for i in range(index, textpage.count_chars()) if textpage.get_text_range(i, 5) == name[:5])
        matrix = raw.FS_MATRIX()
        raw.FPDFText_GetMatrix(textpage, index, matrix)
        size = raw.FPDFText_GetFontSize(textpage, index) * matrix.a
    finally:
        pdf.close()
    assert size >= 22, size  # 28 pt for a short name; was 15-17 pt before


def test_a_short_name_keeps_the_full_headline_size(clinic, tmp_path):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out = tmp_path / "g.pdf"
    assert run(["guide", "back-pain-tips", "--for", "Ann", "-o", out], clinic).exit_code == 0
    pdf = pdfium.PdfDocument(out.read_bytes())
    try:
        textpage = pdf[len(pdf) - 1].get_textpage()
        index = next(i for i in range(textpage.count_chars()) if textpage.get_text_range(i, 4) == "Ann,")
        assert raw.FPDFText_GetFontSize(textpage, index) == 28
    finally:
        pdf.close()
