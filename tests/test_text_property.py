"""Whatever a therapist types as a patient name or note is printed exactly as typed, or refused clearly.

Builds call handouts.build directly (no CLI) with a library loaded once, and a one-exercise visit, so each
hypothesis example is quick.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import DATE, norm, squash
from handouts import build
from handouts.load import visit as load_visit
from handouts.errors import ContentError

# Deterministic (derandomize, no example database): the same examples on every run and every machine.
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

SPECIAL = list("<>&;\"'")
printable = st.characters(categories=("L", "N", "P", "S", "Zs"), max_codepoint=0x2FF) | st.sampled_from(SPECIAL)
names = st.text(printable, min_size=1, max_size=40)
notes = st.text(printable | st.just("\n"), min_size=1, max_size=200)

MARKUP_LIKE = [
    "if pain < 3 & no swelling",
    "Tom & Jerry <3",
    "R&D",
    "x<y>z",
    "<b>unclosed",
    '<img src="/etc/passwd"/>',
    "&#99999999;",
    "if a<b and c>d",
    "</b>",
    "<u><i>x</u></i>",
    "<para>nested<para>x</para></para>",
    '<font size="100000">big</font>',
    '<font color="[[getattr(pow, Word(\'__globals__\'))]] and \'red\'">x</font>',
    '<a href="javascript:alert(1)">click</a>',
    "<script>alert(1)</script>",
    "&amp; &lt; &gt; &quot;",
    "1 <2> 3",
    "O'Brien \"Bud\"; 5 > 4",
]


@pytest.fixture(scope="session")
def theme(library, clinic):
    from handouts.theme import build_theme

    return build_theme(library.clinic, clinic, "letter")


@pytest.fixture(scope="session")
def render(library, clinic):
    """name, note -> (page-1 text, patient-column text, PDF bytes) for a one-exercise handout."""
    import pypdfium2 as pdfium

    from handouts.theme import build_theme

    theme = build_theme(library.clinic, clinic, "letter")
    column_right = theme.margin + theme.frame_width * 0.38  # the Patient cell of the front block

    def do(name: str = "", note: str = ""):
        visit = load_visit.visit_from_options(library, patient=name, note=note, exercises=("bridge",), date=DATE)
        data, _warnings = build.render_routine_pdf(clinic, library, visit)
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            textpage = page.get_textpage()
            page_text = textpage.get_text_range()
            column = textpage.get_text_bounded(left=0, bottom=0, right=column_right - 2, top=page.get_size()[1])
        finally:
            pdf.close()
        return page_text, column, data

    return do


def printable_only(theme, text: str) -> str:
    """`text` without the characters the clinic font cannot draw (those are warned about, not printed)."""
    from handouts.render.fonts import missing_glyphs

    missing = set(missing_glyphs(theme, text))
    return "".join(c for c in text if c not in missing)


# -- the property ----------------------------------------------------------------------------------

@SETTINGS
@given(name=names, note=notes)
@example(name="Tom & Jerry <3", note="if pain < 3 & no swelling")
@example(name="R&D", note="x<y>z")
@example(name="<b>unclosed", note='<img src="/etc/passwd"/>')
@example(name="&#99999999;", note="line one\n\nline   three\n")
@example(name="Zoë Ångström-Øre", note="¾ of the way · 90° · ½ hour; “quotes” — dash")
def test_names_and_notes_print_exactly(render, theme, name, note):
    name = printable_only(theme, name).strip()
    note = printable_only(theme, note).strip()
    page_text, column, _ = render(name, note)
    assert squash(note) in squash(page_text)
    assert squash(name) in squash(column)


@pytest.mark.parametrize("text", MARKUP_LIKE)
def test_markup_like_text_prints_literally(render, text):
    page_text, column, data = render(name=text, note=f"Note: {text} (end)")
    assert norm(f"Note: {text} (end)") in norm(page_text)
    assert squash(text) in squash(column)
    assert b"/URI" not in data and b"javascript" not in data


def test_note_line_structure_is_kept(render):
    page_text, _, _ = render(note="First line\nSecond  line with   spaces\nThird")
    lines = [norm(line) for line in page_text.splitlines()]
    assert "First line" in lines and "Second line with spaces" in lines and "Third" in lines


def test_markup_never_opens_local_files(clinic, cache_dir, tmp_path):
    """An audit hook in a fresh process sees every open(): none may touch /etc/passwd."""
    script = textwrap.dedent(f"""
        import sys
        opened = []
        sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
        from pathlib import Path
        from handouts import build
        from handouts.load import folder
        from handouts.load import visit as load_visit
        root = Path({str(clinic)!r})
        library = folder.load_library(root)
        text = '<img src="/etc/passwd"/> <img src="{clinic}/images/exercises/bridge-end.png"/>'
        visit = load_visit.visit_from_options(library, patient=text, note=text, exercises=("bridge",), date="{DATE}")
        build.render_routine_pdf(root, library, visit)
        bad = [p for p in opened if "passwd" in p]
        print("BAD" if bad else "OK", bad)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={"HANDOUTS_CACHE": str(cache_dir), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK"), proc.stdout


# -- control characters and right-to-left text are refused, never crash ---------------------------

words = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=12)  # never stripped away
bad_chars = st.characters(categories=("Cc", "Cf"), exclude_characters="\n\t") | st.characters(
    min_codepoint=0x0590, max_codepoint=0x06FF).filter(lambda c: unicodedata.bidirectional(c) in ("R", "AL"))


@SETTINGS
@given(before=words, bad=bad_chars, after=words, field=st.sampled_from(["patient", "note", "therapist"]))
def test_control_and_rtl_text_refused(library, before, bad, after, field):
    value = before + bad + after
    with pytest.raises(ContentError) as info:
        load_visit.visit_from_options(library, exercises=("bridge",), **{field: value})
    problems = info.value.problems
    assert len(problems) == 1 and problems[0].field == f"--{field}"
    assert value.strip() not in str(info.value)


@pytest.mark.parametrize("value", ["Maria\x00", "Maria\x07", "\x1b[31mMaria", "Ma\u200bria", "\u202eairaM",
                                   "Maria\u2066x", "مريم", "מרים", "Ma\x7fria", "Ma\x85ria", "Ma\x1fria"])
def test_control_and_rtl_exit_65_in_the_cli(clinic, tmp_path, value):
    from conftest import assert_no_crash, explain, run

    out = tmp_path / "x.pdf"
    for option in ("--patient", "--note"):
        result = run(["routine", "--exercise", "bridge", option, value, "-o", out], clinic)
        assert_no_crash(result)
        assert result.exit_code == 65, explain(result)
        assert not out.exists()


def test_characters_no_font_has_are_refused(library, clinic):
    """A character no font of the chain has (CJK, emoji) is an error naming the option and the character."""
    visit = load_visit.visit_from_options(library, patient="Mei 美 😀", exercises=("bridge",), date=DATE)
    with pytest.raises(ContentError) as caught:
        build.render_routine_pdf(clinic, library, visit)
    [problem] = caught.value.problems
    assert problem.field == "--patient" and not problem.warning
    assert "U+7F8E (美), U+1F600 (😀)" in problem.message
