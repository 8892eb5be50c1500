"""A clinic can name its own TTF files instead of the packaged Atkinson Hyperlegible."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import reportlab

from conftest import REPO, copy_clinic, explain, fill_missing_images, run

VERA = Path(reportlab.__file__).parent / "fonts"


def _fonts_in(pdf: Path) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _clinic_with(tmp_path: Path, fonts_yaml: str) -> Path:
    root = copy_clinic(REPO, tmp_path / "clinic")
    fill_missing_images(root)
    (root / "fonts").mkdir()
    shutil.copy(VERA / "Vera.ttf", root / "fonts" / "Clinic-Regular.ttf")
    shutil.copy(VERA / "VeraBd.ttf", root / "fonts" / "Clinic-Bold.ttf")
    clinic = root / "content" / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8") + fonts_yaml, encoding="utf-8")
    return root


def test_clinic_ttf_files_are_embedded(tmp_path):
    root = _clinic_with(tmp_path, "fonts:\n  regular: fonts/Clinic-Regular.ttf\n  bold: fonts/Clinic-Bold.ttf\n")
    out = tmp_path / "h.pdf"
    result = run(["routine", "--program", "core-activation", "--patient", "Zoë", "-o", out], root)
    assert result.exit_code == 0, explain(result)
    fonts = _fonts_in(out)
    assert any("BitstreamVeraSans-Roman" in f for f in fonts), fonts
    assert any("BitstreamVeraSans-Bold" in f for f in fonts), fonts
    assert not any("Atkinson" in f for f in fonts), fonts


def test_default_is_atkinson_hyperlegible(clinic, tmp_path):
    out = tmp_path / "h.pdf"
    assert run(["routine", "--program", "core-activation", "-o", out], clinic).exit_code == 0
    assert any("AtkinsonHyperlegible" in f for f in _fonts_in(out))


def test_missing_or_escaping_font_file_is_reported(tmp_path):
    root = _clinic_with(tmp_path, "fonts:\n  regular: fonts/Nope.ttf\n  bold: ../Clinic-Bold.ttf\n")
    result = run(["check"], root)
    assert result.exit_code == 65, explain(result)
    assert re.search(r"content/clinic.yaml:\d+:\d+: fonts.regular: file not found: fonts/Nope.ttf", result.stderr)
    assert "content/clinic.yaml" in result.stderr and "fonts.bold" in result.stderr and "'..'" in result.stderr
