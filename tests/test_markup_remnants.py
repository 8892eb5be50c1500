"""#11 guarantee 6: content that looks like markup prints exactly as typed, and `check` warns about each
piece with file:line:col (imported text often carries HTML remnants: `<li>`, `li>`, `&amp;`, `&nbsp;`)."""

from __future__ import annotations

import re

from conftest import REPO, copy_clinic, explain, fill_missing_images, pdf_facts, run

STEPS = """\
steps:
  - "<li>Lie on your back with your knees bent.</li>"
  - li> Breathe out as you lift your hips.
  - Keep your knees apart &amp; your feet flat.
  - Hold&nbsp;for a moment, then lower slowly.
  - "If pain < 3 & no swelling, do one more (Tom & Jerry <3)."
  - "See <https://brightwater-pt.example.com/bridge> for a video."
# a comment with <li> is never printed
"""


def test_markup_remnants_print_as_typed_and_check_warns_with_place(tmp_path):
    root = copy_clinic(REPO, tmp_path / "clinic")
    fill_missing_images(root)
    (root / "content" / "exercises" / "imported.yaml").write_text(
        "name: Imported bridge\nposition: lying on back\n" + STEPS, encoding="utf-8")
    first = 4  # the line of the first step

    checked = run(["check"], root)
    assert checked.exit_code == 0, explain(checked)
    found = [line for line in checked.stderr.splitlines() if "looks like HTML" in line]
    expected = [(first, "<li>"), (first, "</li>"), (first + 1, "li>"), (first + 2, "&amp;"), (first + 3, "&nbsp;")]
    assert len(found) == len(expected), checked.stderr
    for line, (number, piece) in zip(found, expected):
        assert re.match(rf"content/exercises/imported.yaml:{number}:\d+: warning: '{re.escape(piece)}' looks like "
                        "HTML left over from an import; it prints exactly as written", line), line

    out = tmp_path / "h.pdf"
    built = run(["routine", "--exercise", "imported", "-o", out], root)
    assert built.exit_code == 0, explain(built)
    text = pdf_facts(out).all_text
    for piece in ("<li>Lie on your back", "</li>", "li> Breathe", "&amp; your feet", "Hold&nbsp;for"):
        assert piece in text, piece
