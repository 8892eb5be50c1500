"""#11 guarantee 4 and #10 §5 (fonts): every name prints, or the build says why; font set-up mistakes are
located errors with the fix, never a traceback.

Names in Turkish, Vietnamese, Greek, Cyrillic and Polish print through the fallback chain (no .notdef
box anywhere, checked by handouts.invariants); a Chinese name fails cleanly (exit 65, the characters
and the option named); a clinic can add its own fallback fonts in clinic.yaml.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest
from conftest import (
    REPO,
    assert_no_crash,
    copy_clinic,
    explain,
    fill_missing_images,
    run,
    squash,
)

from handouts.invariants import check_pdf
from handouts.load import visit as load_visit

NAMES = {
    "turkish": "İpek Yıldız Şahinoğlu",
    "vietnamese": "Nguyễn Thị Ánh Tuyết",
    "greek": "Γιώργος Παπαδόπουλος",
    "cyrillic": "Дмитрий Шостакович",
    "polish": "Łucja Wąsowska-Żółć",
}
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core


def _fonts_in(data: bytes) -> set[str]:
    import io

    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def _text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


@pytest.mark.parametrize("language", list(NAMES))
def test_names_print_in_handouts_through_the_fallback_chain(clinic, library, language):
    from handouts import build

    name = NAMES[language]
    visit = load_visit.visit_from_options(library, patient=name, therapist=name, note=f"Well done, {name}!",
                                     program="core-activation", date="2026-11-21")
    data, warnings = build.render_routine_pdf(clinic, library, visit)
    assert warnings == []
    assert check_pdf(data) == []  # no .notdef box, nothing small, nothing off the page
    assert squash(name) in squash(_text(data))


@pytest.mark.parametrize("language", ["vietnamese", "greek", "cyrillic", "turkish"])
def test_names_print_on_guide_covers_and_calls_to_action(clinic, tmp_path, language):
    out = tmp_path / "g.pdf"
    result = run(["guide", "back-pain-tips", "--for", NAMES[language], "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    data = out.read_bytes()
    assert [v for v in check_pdf(data, stop_heading=None) if v.rule == "notdef"] == []
    assert squash(NAMES[language]) in squash(_text(data))


def test_fallback_words_keep_bold_and_are_set_whole_in_one_face(clinic, library):
    """Bold text (the card title) uses the fallback's bold face; a word the body font cannot draw whole
    is set in one face, not letter by letter."""
    from handouts import build
    from handouts.render import fonts
    from handouts.theme import build_theme

    theme = build_theme(library.clinic, clinic)
    fonts.register(theme)
    assert fonts.runs("Nguyễn Anh", fonts.active_chain()) == [(1, "Nguyễn "), (0, "Anh")]
    visit = load_visit.visit_from_options(library, patient=NAMES["vietnamese"], exercises=["bridge"], date="2026-11-21")
    data, _ = build.render_routine_pdf(clinic, library, visit)
    assert {"FiraSans-Regular", "AtkinsonHyperlegible-Bold"} <= _fonts_in(data)


def test_a_chinese_name_fails_cleanly_naming_option_and_characters(clinic, tmp_path):
    out = tmp_path / "h.pdf"
    result = run(["routine", "--program", "core-activation", "--patient", "王小明", "--note", "Go → home ✓",
                  "-o", out], clinic)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert ("error: --patient: no font can print U+738B (王), U+5C0F (小), U+660E (明); write it another way, "
            "or add a font that has them under fonts.fallbacks in content/clinic.yaml") in result.stderr
    assert "error: --note: no font can print U+2713 (✓); " in result.stderr  # → is in the fallback font
    assert not out.exists()


def test_a_visit_file_names_its_own_field(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: 王小明\nprogram: core-activation\ndate: 2026-11-21\n", encoding="utf-8")
    result = run(["routine", visit, "-o", tmp_path / "h.pdf"], clinic)
    assert result.exit_code == 65, explain(result)
    assert f"{visit}: patient: no font can print U+738B (王)" in result.stderr


@pytest.fixture
def clinic_copy(tmp_path) -> Path:
    root = copy_clinic(REPO, tmp_path / "clinic")
    fill_missing_images(root)
    (root / "fonts").mkdir()
    return root


def _set_fonts(root: Path, fonts_yaml: str) -> int:
    """Append a fonts: block to clinic.yaml; return the line number of its first key."""
    clinic = root / "content" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    clinic.write_text(text + "fonts:\n" + fonts_yaml, encoding="utf-8")
    return len(text.splitlines()) + 2


@pytest.mark.skipif(not DEJAVU.is_file(), reason="needs Debian's fonts-dejavu-core")
def test_a_clinic_adds_its_own_fallback_font(clinic_copy, tmp_path):
    shutil.copy(DEJAVU, clinic_copy / "fonts" / "DejaVuSans.ttf")
    out = tmp_path / "h.pdf"
    refused = run(["routine", "--exercise", "bridge", "--note", "Done ✓", "-o", out], clinic_copy)
    assert refused.exit_code == 65, explain(refused)
    _set_fonts(clinic_copy, "  fallbacks: [fonts/DejaVuSans.ttf]\n")
    assert run(["check"], clinic_copy).exit_code == 0
    built = run(["routine", "--exercise", "bridge", "--note", "Done ✓", "-o", out], clinic_copy)
    assert built.exit_code == 0, explain(built)
    data = out.read_bytes()
    assert check_pdf(data) == [] and "DejaVuSans" in _fonts_in(data) and "✓" in _text(data)


FONT_MISTAKES = [
    # (fonts: block, field, what the message must say)
    ("  family: Atkinsn Hyperlegible\n", "fonts.family",
     "the font family 'Atkinsn Hyperlegible' is not installed; did you mean 'Atkinson Hyperlegible'?"),
    ("  family: Comic Sans Deluxe\n", "fonts.family",
     ("install it with: pip install fontpkg-comic-sans-deluxe (if handouts was installed with pipx: "
      "pipx inject handouts fontpkg-comic-sans-deluxe)")),
    ("  regular: fonts/Brand.otf\n", "fonts.regular",
     ("fonts/Brand.otf is an OpenType font with PostScript (CFF) outlines, which cannot be embedded in the PDF; "
      "use the family's TrueType (.ttf) files")),
    ("  regular: fonts/logo.ttf\n", "fonts.regular", "fonts/logo.ttf is not a font file"),
    ("  regular: fonts/Brand.woff2\n", "fonts.regular", "is a web font (WOFF)"),
    ("  family: Noto Sans\n", "fonts.family", "is installed only as a variable font"),
    ("  fallbacks: [Atkinson Hyperlegible, Fira Sanz]\n", "fonts.fallbacks[1]", "did you mean 'Fira Sans'?"),
]


@pytest.mark.parametrize("fonts_yaml, field, message", FONT_MISTAKES, ids=lambda x: x if len(x) < 30 else None)
@pytest.mark.parametrize("command", ["check", "routine"])
def test_font_mistakes_are_one_located_error_with_the_fix(clinic_copy, tmp_path, fonts_yaml, field, message,
                                                          command):
    (clinic_copy / "fonts" / "Brand.otf").write_bytes(b"OTTO\x00\x09\x00\x80" + b"\x00" * 200)
    (clinic_copy / "fonts" / "Brand.woff2").write_bytes(b"wOF2" + b"\x00" * 200)
    (clinic_copy / "fonts" / "logo.ttf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    line = _set_fonts(clinic_copy, fonts_yaml)
    args = ["check"] if command == "check" else ["routine", "--exercise", "bridge", "-o", tmp_path / "h.pdf"]
    result = run(args, clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    errors = [x for x in result.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 1, explain(result)
    assert re.match(rf"error: content/clinic.yaml:{line}:\d+: {re.escape(field)}: ", errors[0]), errors
    assert message in errors[0]


def test_a_damaged_ttf_is_an_error_not_a_traceback(clinic_copy, tmp_path):
    (clinic_copy / "fonts" / "Broken.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 40)
    _set_fonts(clinic_copy, "  regular: fonts/Broken.ttf\n")
    result = run(["routine", "--exercise", "bridge", "-o", tmp_path / "h.pdf"], clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert "error: content/clinic.yaml: fonts: the font file Broken.ttf could not be read" in result.stderr
