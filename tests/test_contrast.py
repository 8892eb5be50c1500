"""Issue #10 §5: whatever brand colours a clinic picks, every text drawn reads at 4.5:1 or more
against what it is drawn on (3:1 at 18 pt and up), and `check` says what it adjusted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import explain, run
from contrast_support import poor_contrast

GRID = {
    "pale": {"primary": "#FFD700", "accent": "#FFF59D", "text": "#1E2A32", "light": "#FFFDE7"},
    "dark": {"primary": "#0B1F3A", "accent": "#2B0A3D", "text": "#000000", "light": "#2A2A2A"},
    "saturated": {"primary": "#FF0000", "accent": "#00C853", "text": "#0000FF", "light": "#00FFFF"},
    "grey": {"primary": "#777777", "accent": "#999999", "text": "#888888", "light": "#BBBBBB"},
}

VISIT = """\
patient: Maria Gómez
date: 2026-11-21
therapist: jordan-lee
program: core-activation
remove: [lower-back-rotation, pelvic-tilt, dead-bug-toe-tap]
exercises:
  - id: bird-dog
    note: Go slow. Keep your back still.
note: Walk for 10 minutes each day.
log_sheet: yes
"""


def set_colours(root: Path, colours: dict[str, str]) -> None:
    path = root / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    block = "colors:\n" + "".join(f'  {k}: "{v}"\n' for k, v in colours.items())
    text, n = re.subn(r"(?m)^colors:\n(?:  .*\n)+", block, text)
    assert n == 1
    path.write_text(text, encoding="utf-8")


def short_guide(root: Path) -> None:
    """The demo guide with two of its tips (one with a "Try this" card, one with a tel: link): every
    kind of page and text the guide draws, at a fraction of the time."""
    path = root / "content" / "guides" / "back-pain-tips.yaml"
    guide = yaml.safe_load(path.read_text(encoding="utf-8"))
    guide["sections"] = [guide["sections"][0], guide["sections"][8]]
    path.write_text(yaml.safe_dump(guide, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("name", GRID)
def test_every_drawn_text_is_readable_whatever_the_brand_colours(clinic_copy, tmp_path, name):
    set_colours(clinic_copy, GRID[name])
    short_guide(clinic_copy)
    visit = tmp_path / "visit.yaml"
    visit.write_text(VISIT, encoding="utf-8")
    handout, guide = tmp_path / "h.pdf", tmp_path / "g.pdf"
    result = run(["routine", visit, "-o", handout], clinic_copy)
    assert result.exit_code == 0, explain(result)
    result = run(["guide", "back-pain-tips", "--for", "Maria", "-o", guide], clinic_copy)
    assert result.exit_code == 0, explain(result)
    for path in (handout, guide):
        poor, checked = poor_contrast(path.read_bytes())
        assert checked > 1500, f"{path.name}: only {checked} characters checked"
        assert poor == [], f"{name} {path.name}:\n" + "\n".join(map(str, poor))


def test_the_checker_sees_poor_contrast(clinic_copy, tmp_path, monkeypatch):
    """Without the palette (brand colours used as given, white on every fill) the pale grid fails:
    the grid test above cannot pass by measuring nothing."""
    from handouts import palette

    def as_given(primary, accent, text, light):
        return palette.Palette(primary, accent, light, text, primary, accent, palette.WHITE, palette.WHITE)

    monkeypatch.setattr(palette, "safe_palette", as_given)
    set_colours(clinic_copy, GRID["pale"])
    out = tmp_path / "h.pdf"
    result = run(["routine", "--exercise", "bird-dog", "-o", out], clinic_copy)
    assert result.exit_code == 0, explain(result)
    poor, _ = poor_contrast(out.read_bytes())
    texts = " ".join(p.text for p in poor)
    assert "BrightwaterPhysicalTherapy" in texts  # gold on white in the header
    assert any(p.fg == (1.0, 1.0, 1.0) and p.ratio < 2 for p in poor)  # white on gold card titles


def test_palette_keeps_good_colours_and_derives_readable_shades():
    from handouts.palette import BLACK, WHITE, contrast, safe_palette
    from handouts.theme import parse_color

    orange = safe_palette(*(parse_color(c) for c in ("#1F6F8B", "#F29E4C", "#1E2A32", "#EAF3F7")))
    assert orange.primary_text == parse_color("#1F6F8B") and orange.on_primary == WHITE
    assert orange.accent_text != parse_color("#F29E4C")  # orange text is 2.2:1 on white: a darker orange
    assert contrast(orange.accent_text, WHITE) >= 4.5 and orange.on_accent == BLACK
    gold = safe_palette(*(parse_color(c) for c in ("#FFD700", "#FFD700", "#1E2A32", "#FFFFFF")))
    assert gold.primary == parse_color("#FFD700")  # the fill stays the brand colour
    assert contrast(gold.primary_text, WHITE) >= 4.5
    r, g, b = gold.primary_text
    assert r > b and g > b  # still a gold-brown, not black
    assert gold.on_primary == BLACK
    assert any("colors.primary #FFD700" in n and "1.4:1" in n for n in gold.notes)


def test_the_demo_colours_need_no_adjustment(library):
    from handouts.theme import clinic_palette

    assert clinic_palette(library.clinic).notes == ()


def test_check_says_what_it_adjusted(clinic_copy):
    set_colours(clinic_copy, GRID["pale"])
    result = run(["check"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "note: content/clinic.yaml: colors.primary #FFD700 is hard to read as text (contrast 1.4:1 on white)" \
        in result.stderr
    assert "text on it is black" in result.stderr
    strict = run(["check", "--strict"], clinic_copy)  # an adjusted colour is handled, not a problem
    assert not [line for line in strict.stderr.splitlines() if line.startswith("error") and "colors" in line]


@pytest.mark.parametrize("line, field", [("  primary: #FFD700\n", "colors.primary"), ("tagline:\n", "tagline"),
                                         ("  accent: ~\n", "colors.accent")])
def test_an_empty_value_is_a_located_error_with_the_quoting_hint(clinic_copy, line, field):
    path = clinic_copy / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    key = line.strip().split(":")[0]
    text = re.sub(rf"(?m)^\s*{key}:.*\n", line, text, count=1)
    path.write_text(text, encoding="utf-8")
    number = text[:text.index(line)].count("\n") + 1
    result = run(["check"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert re.search(rf"content/clinic\.yaml:{number}:\d+: {re.escape(field)}: no value after the colon", result.stderr)
    assert 'write colours in quotes, e.g. primary: "#FFD700"' in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1, errors  # one problem, not also "'x' is required"
