"""Catalogue §5 rows 13-26 (text and markup, layout limits).

Already covered elsewhere (referenced, not repeated):
  13, 14, 17  markup-like names and notes print literally: test_text_property.py::test_markup_like_text_prints_literally
              (MARKUP_LIKE has `Tom & Jerry <3`, `R&D`, `x<y>z`, `<b>unclosed`, `</b>`, the CVE-2023-33733 payload)
              and the hypothesis property test_names_and_notes_print_exactly
  15          `<img src=...>` never opens a file: test_text_property.py::test_markup_never_opens_local_files
  16          link schemes in guide Markdown: test_guide.py::test_malformed_markdown,
              test_guide.py::test_every_link_uses_an_allowed_scheme_and_contents_links_are_internal
  18, 20      control characters, RTL: test_text_property.py::test_control_and_rtl_*, test_schema.py::test_rtl_refused
  19          patient-name glyphs: test_text_property.py::test_missing_glyphs_are_warned_not_silent
  21          line breaks: test_text_property.py::test_note_line_structure_is_kept,
              test_routine_pdf.py::test_note_keeps_its_line_break
This module adds: the contract (exit code, place, nothing written) for text refused in content,
visit files, guide fields and recipient rows; glyph coverage of *content* and of guide and batch
values (found silent by this suite); oversize text and styles; long unbreakable words staying on
the page; a block too tall for a page named by its place, without the text (found by this suite).
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import pytest

from conftest import explain, norm, pdf_facts, run, squash
from reliability_support import CANARY, output_folder, refused, routine_refused, snapshot

EXIT_DATAERR = 65
CJK = "中文"  # not in the bundled Atkinson Hyperlegible


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- row 19: every character the font lacks is reported, content included ---------------------------------

def test_content_glyphs_the_font_lacks_are_warned_by_routine_and_refused_by_check_strict(clinic_copy, tmp_path):
    """A step written with CJK characters printed as empty boxes with no word said (found by this suite)."""
    ex = clinic_copy / "content" / "exercises" / "bridge.yaml"
    _replace(ex, "  - Rest your arms at your sides.", f"  - Rest your arms at your sides {CJK} ☃.")
    built = run(["routine", "--exercise", "bridge", "--date", "2026-11-21", "-o", tmp_path / "h.pdf"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    warning = ("content/exercises/bridge.yaml: steps[1]: warning: the font has no glyph for U+2603, U+4E2D, U+6587; "
               "they will print as boxes")
    assert warning in built.stderr, explain(built)
    checked = run(["check"], clinic_copy)
    assert checked.exit_code == 0 and warning in checked.stderr, explain(checked)
    strict = run(["check", "--strict"], clinic_copy)
    refused(strict, EXIT_DATAERR, re.escape("content/exercises/bridge.yaml: steps[1]:"))


def test_guide_content_glyphs_are_warned(clinic_copy, tmp_path):
    guide = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    _replace(guide, "subtitle: Simple things you can start at home today", f"subtitle: Simple things {CJK}")
    result = run(["guide", "back-pain-tips", "--for", "Ann", "-o", tmp_path / "g.pdf"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "content/guides/back-pain-tips.yaml: subtitle: warning: the font has no glyph for U+4E2D, U+6587" \
        in result.stderr, explain(result)


def test_guide_reader_name_glyphs_are_warned(clinic, tmp_path):
    """`--for` with characters the font lacks printed boxes on the cover silently (found by this suite)."""
    result = run(["guide", "back-pain-tips", "--for", f"Zoë {CJK}", "-o", tmp_path / "g.pdf"], clinic)
    assert result.exit_code == 0, explain(result)
    assert "name: warning: the font has no glyph for U+4E2D, U+6587; they will print as boxes" in result.stderr


@pytest.mark.parametrize("kind", ["guide", "routine"])
def test_batch_rows_with_glyphs_the_font_lacks_are_warned_by_row(clinic, tmp_path, kind):
    rows = [("Ann",), (f"Zoë {CJK}",), ("Bo",)]
    header = ("name",) if kind == "guide" else ("patient",)
    with open(tmp_path / "list.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    args = (["batch", "guide", "back-pain-tips"] if kind == "guide"
            else ["batch", "routine", "--program", "core-activation", "--date", "2026-11-21"])
    result = run([*args, "--recipients", tmp_path / "list.csv", "--out", tmp_path / "out", "--jobs", "1"], clinic)
    assert result.exit_code == 0, explain(result)
    warnings = [x for x in result.stderr.splitlines() if "warning:" in x]
    assert warnings == [f"manifest.csv#row 2: {header[0]}: warning: the font has no glyph for U+4E2D, U+6587; "
                        "they will print as boxes"], explain(result)
    assert CJK not in result.stderr


# -- row 23: a block taller than a page is named by its place, never by its text ---------------------------

LONG_BODY = " ".join(["Gentle movement helps sore backs recover."] * 80)  # ~3,400 characters: within limits


def test_guide_text_too_long_beside_its_picture_names_its_line(clinic_copy, tmp_path):
    """Text beside a picture is one table row, which cannot split across pages. It used to fail with
    'content/guides/back-pain-tips.yaml: a block is too large...' and no line (found by this suite)."""
    guide = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    _replace(guide, "      *Some movement is better than none.*", f"      {LONG_BODY}\n\n      *Some movement is better than none.*")
    lines = guide.read_text(encoding="utf-8").splitlines()
    body_line = lines.index("    body: |") + 2  # the first section's body text starts on the next line
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    result = run(["guide", "back-pain-tips", "--for", "Ann", "-o", existing, "--overwrite"], clinic_copy)
    refused(result, EXIT_DATAERR, rf"^error: content/guides/back-pain-tips\.yaml:{body_line}: sections\[0\]\.body: "
            r"the text is too long to sit beside its picture \(placement: right\)", folder, before)
    assert "Gentle movement" not in result.stderr


def test_author_bio_too_long_beside_the_photo_names_its_field(clinic_copy, tmp_path):
    guide = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    text = guide.read_text(encoding="utf-8")
    start = text.index("  bio: |\n") + len("  bio: |\n")
    guide.write_text(text[:start] + f"    {LONG_BODY}\n\n    {LONG_BODY[:900]}\n" + text[start:], encoding="utf-8")
    result = run(["guide", "back-pain-tips", "--for", "Ann", "-o", tmp_path / "g.pdf"], clinic_copy)
    refused(result, EXIT_DATAERR, r"content/guides/back-pain-tips\.yaml:\d+: author\.bio: the author's bio is too long")
    assert not (tmp_path / "g.pdf").exists()


def test_layout_errors_never_carry_the_text_that_caused_them():
    """reportlab's LayoutError quotes the flowable (patient names, notes); the guard keeps only the place."""
    from reportlab.platypus.doctemplate import LayoutError

    from handouts.errors import ContentError
    from handouts.render.guard import layout_errors

    with pytest.raises(ContentError) as info:
        with layout_errors("visit.yaml"):
            raise LayoutError(f"Flowable <Paragraph at 0x1 frame=normal>'{CANARY} DOB 1980-02-03 notes: ACL tear' "
                              "too large on page 2")
    assert CANARY not in str(info.value) and "ACL" not in str(info.value)
    assert str(info.value).startswith("visit.yaml: a block is too large")
