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
    _replace(guide, "  en: Simple things you can start at home today", f"  en: Simple things {CJK}")  # subtitle
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
    pad = " " * 8  # the English text of a body with translations (`body:`, `en: |`)
    _replace(guide, f"{pad}*Some movement is better than none.*", f"{pad}{LONG_BODY}\n\n{pad}*Some movement is better than none.*")
    lines = guide.read_text(encoding="utf-8").splitlines()
    body_line = lines.index("    body:") + 3  # the first section's English body: `en: |`, then its text
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    result = run(["guide", "back-pain-tips", "--for", "Ann", "-o", existing, "--overwrite"], clinic_copy)
    refused(result, EXIT_DATAERR, rf"^error: content/guides/back-pain-tips\.yaml:{body_line}: sections\[0\]\.body: "
            r"the text is too long to sit beside its picture \(placement: right\)", folder, before)
    assert "Gentle movement" not in result.stderr


def test_author_bio_too_long_beside_the_photo_names_its_field(clinic_copy, tmp_path):
    guide = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    text = guide.read_text(encoding="utf-8")
    head = "  bio:\n    en: |\n"  # the English bio
    start = text.index(head) + len(head)
    guide.write_text(text[:start] + f"      {LONG_BODY}\n\n      {LONG_BODY[:900]}\n" + text[start:], encoding="utf-8")
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


# -- rows 13, 14, 17, 21: what readers and patients are called prints literally in every route ------------

MARKUP_NAMES = ["Tom & Jerry <3", "R&D", "x<y>z", "<b>unclosed", "if a<b and c>d", "</b>", "&#99999999;",
                "<para>nested<para>x</para></para>", '<img src="/etc/passwd"/>']


def test_rows_13_14_markup_in_batch_rows_prints_literally(clinic, tmp_path):
    """The batch route (CSV -> shared pages + per-reader overlay) is not the --for route that
    test_guide.py::test_placeholder_values_are_text_not_markup checks."""
    with open(tmp_path / "leads.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("name",), *[(n,) for n in MARKUP_NAMES]])
    out = tmp_path / "out"
    result = run(["batch", "guide", "back-pain-tips", "--recipients", tmp_path / "leads.csv", "--out", out,
                  "--jobs", "1"], clinic)
    assert result.exit_code == 0, explain(result)
    for n, name in enumerate(MARKUP_NAMES, start=1):
        cover = norm(pdf_facts(out / f"back-pain-tips-{n:05d}.pdf").texts[0])
        assert f"Prepared for {name}" in cover, (name, cover)


def test_row_17_cve_2023_33733_payload_is_text(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    payload = ("<font color=\"[ [ getattr(pow, Word('__globals__'))['os'].system('touch pwned') for Word in "
               "[ orgTypeFun( 'Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: 1 == 0, "
               "'__eq__': lambda self, x: self.mutate() and self.mutated < 0 and str(self) == x } ) ] ] "
               "and 'red'\">exploit</font>")
    result = run(["routine", "--exercise", "bridge", "--note", payload, "--date", "2026-11-21", "-o", "h.pdf"], clinic)
    assert result.exit_code == 0, explain(result)
    assert not (tmp_path / "pwned").exists()
    assert squash(payload) in squash(pdf_facts(tmp_path / "h.pdf").body_text)


def test_row_21_line_breaks_in_a_csv_note_are_kept(clinic, tmp_path):
    note = "Walk 10 minutes.\nIce 15 minutes.\n\nCall if worse."
    with open(tmp_path / "p.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("patient", "note"), ("Ann", note)])
    out = tmp_path / "out"
    result = run(["batch", "routine", "--program", "core-activation", "--date", "2026-11-21", "--recipients",
                  tmp_path / "p.csv", "--out", out, "--jobs", "1"], clinic)
    assert result.exit_code == 0, explain(result)
    lines = [x.strip() for x in pdf_facts(out / "handout-00001.pdf").texts[0].splitlines()]
    for line in ("Walk 10 minutes.", "Ice 15 minutes.", "Call if worse."):
        assert line in lines, lines


# -- row 16: only https (and mailto/tel in Markdown) leave the PDF as links --------------------------------

@pytest.mark.parametrize("where, old, new, place", [
    # the booking page is a clinic fact (clinic.yaml); a guide may still name its own (cta.booking_url)
    ("clinic.yaml", "booking_url: https://", "booking_url: javascript:alert(1)//",
     r"content/clinic\.yaml:\d+:14: booking_url: expected a web address starting with https://"),
    ("exercises/bridge.yaml", "video: https://", "video: file:///etc/passwd#",
     r"content/exercises/bridge\.yaml:\d+:8: video: expected a web address starting with https://"),
])
def test_row_16_non_https_addresses_in_content_are_refused(clinic_copy, tmp_path, where, old, new, place):
    _replace(clinic_copy / "content" / where, old, new)
    args = ["guide", "back-pain-tips", "--for", "Ann"] if where.startswith(("guides", "clinic")) else \
        ["routine", "--exercise", "bridge"]
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    refused(run([*args, "-o", existing, "--overwrite"], clinic_copy), EXIT_DATAERR, place, folder, before)


# -- rows 24, 25: long words stay on the page; huge text is refused fast ---------------------------------

def test_row_24_an_unbroken_5000_character_word_stays_on_the_page(clinic, tmp_path):
    word = ("Supercalifragilistic" * 250)[:4990]
    result = run(["routine", "--exercise", "bridge", "--note", word, "--date", "2026-11-21", "-o", tmp_path / "h.pdf"],
                 clinic)
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(tmp_path / "h.pdf")
    assert facts.outside == [], f"{len(facts.outside)} characters outside the page"
    assert squash(word) in squash(facts.body_text)


def test_row_24_a_200_character_word_as_a_guide_reader_name_stays_on_the_cover(clinic, tmp_path):
    name = "W" * 200
    result = run(["guide", "back-pain-tips", "--for", name, "-o", tmp_path / "g.pdf"], clinic)
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(tmp_path / "g.pdf")
    assert facts.outside == [], facts.outside[:3]
    assert name in squash(facts.texts[0])


def test_row_25_a_one_megabyte_note_is_refused_in_well_under_10_seconds(clinic, tmp_path):
    start = time.perf_counter()
    result = routine_refused(clinic, tmp_path, ["--exercise", "bridge", "--note", "word " * 200_000], EXIT_DATAERR,
                             r"--note: text is 999,999 characters; the limit is 5,000 \(split it up\)")
    assert time.perf_counter() - start < 2
    assert "word word" not in result.stderr


def test_row_25_a_900_kb_paragraph_in_content_is_refused_with_its_place(clinic_copy, tmp_path):
    _replace(clinic_copy / "content" / "exercises" / "bridge.yaml",
             "  en: Strengthens your buttocks", "  en: " + "Lift. " * 150_000 + "Strengthens your buttocks")
    start = time.perf_counter()
    routine_refused(clinic_copy, tmp_path, ["--exercise", "bridge"], EXIT_DATAERR,
                    r"content/exercises/bridge\.yaml:4:7: purpose\.en: text is 900,\d+ characters; the limit is 5,000")
    assert time.perf_counter() - start < 2


# -- row 26: styles out of range --------------------------------------------------------------------------------

@pytest.mark.parametrize("line, place", [
    ("font_size: 100000", r"content/clinic\.yaml:\d+:12: font_size: must be between 12 and 20, got 100000"),
    ("font_size: -3", r"content/clinic\.yaml:\d+:12: font_size: expected a whole number, got '-3'"),
    ("margins: -20mm", r"content/clinic\.yaml:\d+:1: margins: unknown key 'margins'"),
    ("image_dpi: 100000", r"content/clinic\.yaml:\d+:12: image_dpi: must be between 100 and 600"),
])
def test_row_26_styles_out_of_range_are_schema_errors(clinic_copy, tmp_path, line, place):
    clinic_yaml = clinic_copy / "content" / "clinic.yaml"
    key = line.split(":")[0]
    kept = [x for x in clinic_yaml.read_text(encoding="utf-8").splitlines() if not x.startswith(key + ":")]
    clinic_yaml.write_text("\n".join(kept + [line]) + "\n", encoding="utf-8")
    routine_refused(clinic_copy, tmp_path, ["--exercise", "bridge"], EXIT_DATAERR, place)
