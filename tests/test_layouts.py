"""Layouts that fit the patient (#14): standard, compact, large-print, and greyscale with any of them.

Every fact is measured from the built PDF (handouts.measure, handouts.invariants), not from the
layout code: page counts, text sizes in the body band, page fill, picture widths, colours, contrast.
"""

from __future__ import annotations

import re

import pytest

from conftest import CLINIC_PHONE, REPO, explain, pdf_facts, run, squash
from handouts.invariants import check_pdf
from handouts.measure import average_fill, drawn_colours, low_contrast, page_facts
from handouts.wording import position_text

FIRST_FOUR = ["--remove", "lower-back-rotation", "--remove", "cat-cow", "--remove", "clamshell", "--remove", "bird-dog"]
STOP, CALL = "STOPandcallusif:", "Call" + squash(CLINIC_PHONE)


def build(clinic, tmp_path, *args, name="h.pdf", code=0):
    out = tmp_path / name
    result = run(["routine", *args, "--patient", "Maria Gómez", "--therapist", "jordan-lee", "--date", "2026-11-21",
                  "-o", out, "--overwrite"], clinic)
    assert result.exit_code == code, explain(result)
    return out, result


def steps_of(library, program):
    return [library.exercises[item.id] for item in library.programs[program].items]


# -- compact ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("program", ["core-activation", "core-strength"])
@pytest.mark.parametrize("size", ["letter", "a4"])
def test_compact_puts_the_8_exercise_program_on_2_pages(clinic, library, tmp_path, program, size):
    out, result = build(clinic, tmp_path, "--program", program, "--layout", "compact", "--page-size", size)
    facts = page_facts(out)
    assert len(facts) <= 2, [round(f.fill, 2) for f in facts]
    assert "compact layout aims" not in result.stderr
    body = "".join(f.body_text for f in facts)
    assert STOP in facts[0].body_text and CALL in facts[0].body_text  # the warning box, whole, with the phone
    for ex in steps_of(library, program):
        assert squash(ex.name) in body
        for step in ex.steps:  # every step kept, at 12 pt or more
            assert squash(step) in body, step
    assert min(f.smallest_body_text for f in facts) >= 12.0
    # Both pictures of every exercise, smaller than on a standard card.
    widths = [w for f in facts for w in f.picture_widths]
    assert len(widths) == 2 * len(library.programs[program].items) and max(widths) < 100
    assert check_pdf(out) == []


@pytest.mark.parametrize("program", ["core-activation", "core-strength"])
def test_compact_with_4_exercises_is_one_page(clinic, tmp_path, program):
    removals = FIRST_FOUR if program == "core-activation" else [
        "--remove", "dead-bug", "--remove", "marching-bridge", "--remove", "bird-dog", "--remove", "forearm-plank"]
    out, _ = build(clinic, tmp_path, "--program", program, "--layout", "compact", *removals)
    facts = page_facts(out)
    assert len(facts) == 1 and STOP in facts[0].body_text and CALL in facts[0].body_text
    assert check_pdf(out) == []


def test_compact_says_how_often_once_and_leaves_out_what_help_says(clinic, tmp_path):
    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--layout", "compact")
    body = "".join(f.body_text for f in page_facts(out))
    assert body.count(squash("Do each exercise once a day, 5 days a week.")) == 1
    assert "onceaday" not in body.replace(squash("Do each exercise once a day"), "")
    assert "Tooeasy?" not in body and "Tip:" not in body  # compact leaves these out, as --help says
    help_text = " ".join(run(["routine", "--help"], clinic).output.split())
    assert "Compact is a poor fit for more than 10 exercises" in help_text
    assert "leaves out the program's purpose and goals, picture captions, tips, video codes" in help_text


def test_compact_warns_when_the_program_is_too_long(clinic, tmp_path):
    extra = [arg for ident in ("prone-swimmers", "superman", "side-plank", "forearm-plank") for arg in ("--exercise", ident)]
    out, result = build(clinic, tmp_path, "--program", "core-activation", "--layout", "compact", *extra)
    pages = len(page_facts(out))
    assert pages > 2
    assert f"the compact layout aims for 2 pages but these 12 exercises need {pages}" in result.stderr
    assert "use --layout standard" in result.stderr


def test_compact_row_without_pictures_is_a_text_row(clinic_copy, tmp_path):
    """An exercise with no pictures (an imported one, say) is a row of text across the page, not text
    beside an empty picture column."""
    (clinic_copy / "content" / "exercises" / "wall-sit.yaml").write_text(
        "name: Wall sit\nposition: standing\nsteps:\n  - Stand with your back against a wall.\n"
        "  - Slide down until your knees bend a little.\n", encoding="utf-8")
    out, _ = build(clinic_copy, tmp_path, "--exercise", "wall-sit", "--exercise", "bridge", "--layout", "compact")
    facts = pdf_facts(out)
    height = facts.sizes[0][1]
    strip = squash(facts.bounded_text(0, 36, 0, 36 + 72, height))  # where a row's pictures stand
    assert "1.Wallsit" in strip and "1.Standwith" in strip  # the text row starts at the margin
    assert "2.Bridge" not in strip  # a row with pictures keeps its text beside them
    assert check_pdf(out) == []


def test_compact_row_taller_than_a_page_continues_between_steps(clinic_copy, tmp_path):
    """A very long exercise used to stop the build ('a block is too large to fit on one page')."""
    step = " ".join(["Move slowly and keep breathing while you hold the position steady."] * 12)
    steps = "".join(f"  - Step {n}. {step}\n" for n in range(1, 11))
    (clinic_copy / "content" / "exercises" / "long-one.yaml").write_text(
        f"name: Long one\nposition: standing\nsteps:\n{steps}", encoding="utf-8")
    out, _ = build(clinic_copy, tmp_path, "--exercise", "long-one", "--exercise", "bridge", "--layout", "compact")
    facts = page_facts(out)
    body = "".join(f.body_text for f in facts)
    assert len(facts) >= 2 and all(squash(f"Step {n}.") in body for n in range(1, 11))
    assert min(f.smallest_body_text for f in facts) >= 12.0  # continued, never shrunk
    assert check_pdf(out) == []


def test_compact_keeps_the_stop_box_on_page_1_whatever_the_note(clinic, tmp_path):
    note = "Please do these exercises slowly and stop if anything hurts more than a little. " * 60
    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--layout", "compact", "--note", note)
    first = page_facts(out)[0].body_text
    assert STOP in first and CALL in first
    assert check_pdf(out) == []


# -- large print ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("signs", [6, 10])
def test_large_print_a_long_stop_box_starts_on_page_1(clinic_copy, tmp_path, signs):
    """Many long warning signs: the box used to move whole to page 2, leaving page 1 with the title alone."""
    sign = ("You have new pain, numbness, tingling or weakness that spreads down one or both of your legs "
            "and does not go away after rest, sign")
    lines = "".join(f"  - {sign} {n}.\n" for n in range(1, signs + 1))
    (clinic_copy / "content" / "programs" / "warn.yaml").write_text(
        f"title: Long warnings\nexercises: [bridge, clamshell]\nwarning_signs:\n{lines}", encoding="utf-8")
    out, _ = build(clinic_copy, tmp_path, "--program", "warn", "--layout", "large-print")
    facts = page_facts(out)
    assert STOP in facts[0].body_text and "sign1." in facts[0].body_text and facts[0].fill > 0.8
    assert "Patient" in facts[0].body_text and "MariaGómez" in facts[0].body_text  # who, on page 1 too
    body = "".join(f.body_text for f in facts)
    assert all(f"sign{n}." in body for n in range(1, signs + 1))
    assert min(f.smallest_body_text for f in facts) >= 18.0
    assert check_pdf(out) == []  # each part of the box has its heading and the phone line


@pytest.mark.parametrize("visit", ["examples/visit.yaml", "--program=core-strength"])
def test_large_print_body_is_18pt_one_exercise_per_page_stop_box_on_page_1(clinic, library, tmp_path, visit):
    args = [str(REPO / visit)] if visit.endswith(".yaml") else [visit]
    out, _ = build(clinic, tmp_path, *args, "--layout", "large-print")
    facts = page_facts(out)
    assert min(f.smallest_body_text for f in facts) >= 18.0
    assert STOP in facts[0].body_text and CALL in facts[0].body_text
    titles = [re.findall(r"(?<![0-9])([1-9])\.([A-Z][a-z]+)", f.body_text) for f in facts]
    names = {squash(e.name) for e in library.exercises.values()}
    per_page = [[t for t in page if any(n.startswith(t[1]) for n in names)] for page in titles]
    assert all(len(p) <= 1 for p in per_page), per_page  # never two exercises on one page
    assert sum(len(p) for p in per_page) >= 7
    exercise_pages = [f for f, p in zip(facts, per_page) if p]
    assert all(f.largest_body_text >= 22 for f in exercise_pages)  # headings 22 pt or more
    widths = [w for f in facts for w in f.picture_widths]
    assert min(widths) > 150  # larger than a standard card's 135 pt pictures
    assert check_pdf(out, min_size=9.5) == []


def test_large_print_exercise_continued_on_a_second_page_says_which(clinic, tmp_path):
    out, _ = build(clinic, tmp_path, str(REPO / "examples/visit.yaml"), "--layout", "large-print")
    facts = page_facts(out)
    continued = [f.body_text for f in facts if "(continued)" in f.body_text]
    assert continued, "no exercise of the demo visit runs onto a second page any more: pick a longer one"
    for text in continued:  # the page starts with the exercise's own title bar
        assert re.match(r"[1-9]\.[A-Za-z-]+\(continued\)", text), text[:40]
    assert check_pdf(out) == []


def test_large_print_line_spacing_is_about_one_and_a_half():
    from handouts.render.styles import SIZES

    assert SIZES["large-print"]["leading"] == SIZES["large-print"]["step_leading"] == 1.5


# -- standard ---------------------------------------------------------------------------------------------

def test_standard_fills_its_pages_without_splitting_cards(clinic, library, tmp_path):
    outs = [build(clinic, tmp_path, "--program", p, name=f"{p}.pdf")[0] for p in ("core-activation", "core-strength")]
    outs.append(build(clinic, tmp_path, str(REPO / "examples/visit.yaml"), name="visit.pdf")[0])
    assert average_fill(outs) >= 0.75, [[round(f.fill, 2) for f in page_facts(o)] for o in outs]
    for out in outs:
        facts = page_facts(out)
        for ex in library.exercises.values():  # a card's name and its last step on the same page
            # The card's title bar: number, name, then its position.
            title = re.compile(r"[0-9]\." + re.escape(squash(ex.name) + squash(position_text(ex.position))))
            pages = [i for i, f in enumerate(facts) if title.search(f.body_text)]
            if pages:
                assert squash(ex.steps[-1]) in facts[pages[0]].body_text, ex.id
        assert check_pdf(out) == []


# -- greyscale ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["standard", "compact", "large-print"])
def test_greyscale_draws_only_greys(clinic, tmp_path, layout):
    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--layout", layout, "--greyscale", "--log-sheet")
    colours = drawn_colours(out)
    assert colours and all(r == g == b for r, g, b in colours), sorted(colours)


def test_greyscale_includes_the_demo_clinics_sample_mark(clinic, tmp_path, monkeypatch):
    from handouts.load import folder

    monkeypatch.setattr(folder, "demo_root", lambda: clinic)  # this copy is "the bundled demo": pages say SAMPLE
    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--greyscale")
    assert "SAMPLE from the demo clinic" in pdf_facts(out).texts[0]
    colours = drawn_colours(out)
    assert all(r == g == b for r, g, b in colours), sorted(colours)


def test_greyscale_keeps_every_text_at_4_5_to_1_even_with_pale_clinic_colours(clinic_copy, tmp_path):
    clinic_yaml = clinic_copy / "content/clinic.yaml"
    text = clinic_yaml.read_text(encoding="utf-8")
    pale = re.sub(r"primary: .*", 'primary: "#8FC1D4"', re.sub(r"text: .*", 'text: "#707070"', text, count=1), count=1)
    clinic_yaml.write_text(pale, encoding="utf-8")
    out, _ = build(clinic_copy, tmp_path, str(REPO / "examples/visit.yaml"), "--greyscale", "--log-sheet")
    assert low_contrast(out) == []


def test_greyscale_stop_box_says_stop_and_has_a_border(clinic, tmp_path):
    import pypdfium2 as pdfium

    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--greyscale")
    assert STOP in page_facts(out)[0].body_text
    page = pdfium.PdfDocument(out.read_bytes())[0]
    textpage = page.get_textpage()
    heading = textpage.search("STOP and call us if").get_next()
    call = textpage.search("Call (503)").get_next()
    top = textpage.get_charbox(heading[0])[3]
    bottom = textpage.get_charbox(call[0])[1]
    image = page.render(scale=2, grayscale=True).to_pil().convert("L")
    height = page.get_height()
    x = round(36 * 2)  # the box's left edge: the page margin
    column = [image.getpixel((x + dx, round((height - y) * 2))) for y in range(int(bottom), int(top)) for dx in (0, 1)]
    assert max(min(column[i], column[i + 1]) for i in range(0, len(column), 2)) < 100  # a dark line all along


# -- choosing a layout ------------------------------------------------------------------------------------

def test_layout_comes_from_option_visit_or_clinic(clinic_copy, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text("program: core-activation\nlayout: compact\n", encoding="utf-8")
    out, _ = build(clinic_copy, tmp_path, str(visit))
    assert len(page_facts(out)) <= 2  # the visit file's compact
    out, _ = build(clinic_copy, tmp_path, str(visit), "--layout", "large-print")
    assert min(f.smallest_body_text for f in page_facts(out)) >= 18  # the option wins
    clinic_yaml = clinic_copy / "content/clinic.yaml"
    clinic_yaml.write_text(clinic_yaml.read_text(encoding="utf-8") + "layout: large-print\ngreyscale: yes\n",
                           encoding="utf-8")
    out, _ = build(clinic_copy, tmp_path, "--program", "core-activation")
    assert min(f.smallest_body_text for f in page_facts(out)) >= 18  # the clinic's default
    assert all(r == g == b for r, g, b in drawn_colours(out))


@pytest.mark.parametrize("line, message", [
    ("layout: compakt", "layout: expected one of: standard, compact, large-print; got 'compakt'; "
                        "did you mean 'compact'?"),
    ("greyscale: grey", "greyscale: expected one of: yes, no; got 'grey'"),
])
def test_bad_layout_values_are_located(clinic, tmp_path, line, message):
    visit = tmp_path / "visit.yaml"
    visit.write_text(f"program: core-activation\n{line}\n", encoding="utf-8")
    result = run(["routine", str(visit), "-o", tmp_path / "x.pdf"], clinic)
    assert result.exit_code == 65 and f"{visit}:2:" in result.stderr and message in result.stderr, explain(result)


def test_batch_layout_column(clinic, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("patient,layout\nAnn Lee,large-print\nBo Chan,compact\nCy Diaz,\n", encoding="utf-8")
    result = run(["batch", "routine", "--program", "core-activation", "--recipients", people, "--out",
                  tmp_path / "out"], clinic)
    assert result.exit_code == 0, explain(result)
    built = sorted((tmp_path / "out").glob("handout-*.pdf"))
    assert len(built) == 3
    smallest = [min(f.smallest_body_text for f in page_facts(p)) for p in built]
    pages = [len(page_facts(p)) for p in built]
    assert smallest[0] >= 18 and pages[1] <= 2 and pages[2] > 2  # large print, compact, the clinic's standard


def test_large_print_warns_about_pictures_too_small_for_its_bigger_boxes(clinic_copy, tmp_path):
    from PIL import Image

    rel = "content/exercises/bridge.yaml"
    text = (clinic_copy / rel).read_text(encoding="utf-8")
    first = re.search(r"file: (\S+)", text).group(1)
    Image.new("RGB", (330, 220), (200, 220, 240)).save(clinic_copy / first)  # 176 dpi on a card, 134 in large print
    check = run(["check"], clinic_copy)
    assert check.exit_code == 0 and first not in check.stderr, explain(check)
    _, standard = build(clinic_copy, tmp_path, "--exercise", "bridge")
    assert "dpi" not in standard.stderr
    _, large = build(clinic_copy, tmp_path, "--exercise", "bridge", "--layout", "large-print")
    line = next(x for x in large.stderr.splitlines() if "dpi" in x)
    assert line.startswith(f"{rel}:") and f"{first}: will print at about 134 dpi in large print" in line


def test_large_print_page_numbers_and_phone_are_large_too(clinic, tmp_path):
    """'Page 3 of 14' at 11 pt on a 14-page large-print handout is the page number a low-vision reader
    cannot find; the phone number in the header is 18 pt as well."""
    import math

    import pypdfium2 as pdfium

    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--layout", "large-print")
    doc = pdfium.PdfDocument(out.read_bytes())
    textpage = doc[1].get_textpage()
    text = textpage.get_text_range()
    matrix = pdfium.raw.FS_MATRIX()

    def size_at(needle):
        i = text.index(needle)
        pdfium.raw.FPDFText_GetMatrix(textpage, i, matrix)
        scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
        return pdfium.raw.FPDFText_GetFontSize(textpage, i) * scale

    assert size_at("Page 2 of") >= 16 and size_at(CLINIC_PHONE) >= 18
    assert check_pdf(out, min_size=9.5) == []


@pytest.mark.parametrize("signs", [12, 13, 15])
def test_standard_a_long_stop_box_starts_on_page_1(clinic_copy, tmp_path, signs):
    """A box that fits a page but not what page 1 leaves used to move whole to page 2, leaving page 1
    with the title and the patient block (fill 0.17)."""
    sign = ("You have new pain, numbness, tingling or weakness that spreads down one or both of your legs "
            "and does not go away after rest, sign")
    lines = "".join(f"  - {sign} {n}.\n" for n in range(1, signs + 1))
    (clinic_copy / "content" / "programs" / "warn.yaml").write_text(
        f"title: Long warnings\npurpose: Gentle moves for your back.\nexercises: [bridge, clamshell]\n"
        f"warning_signs:\n{lines}", encoding="utf-8")
    for size in ("letter", "a4"):
        out, _ = build(clinic_copy, tmp_path, "--program", "warn", "--page-size", size, name=f"{size}.pdf")
        facts = page_facts(out)
        assert STOP in facts[0].body_text and facts[0].fill > 0.6, (size, [round(f.fill, 2) for f in facts])
        assert all(f"sign{n}." in "".join(f.body_text for f in facts) for n in range(1, signs + 1))
        assert check_pdf(out) == []


def test_the_note_heading_is_never_alone_at_a_page_foot(clinic_copy, tmp_path):
    """The therapist's note heading used to end page 1 with its note on page 2."""
    from handouts.render.layout import FOOTER_HEIGHT

    note = "Walk every day and keep moving gently. " * 100
    for goals in range(1, 16):  # some number of goals puts the heading at the foot of page 1
        lines = "".join(f"  - Move a little more each day, goal {n}.\n" for n in range(goals))
        (clinic_copy / "content" / "programs" / "goals.yaml").write_text(
            f"title: Goals\nexercises: [bridge]\ngoals:\n{lines}", encoding="utf-8")
        out, _ = build(clinic_copy, tmp_path, "--program", "goals", "--note", note, name=f"g{goals}.pdf")
        body = pdf_facts(out).bounded_text(0, 0, 36 + FOOTER_HEIGHT, 612, 792 - 36 - 52)
        assert not body.rstrip().endswith("A note from your therapist"), goals


def test_large_print_keeps_a_short_exercise_on_one_page(clinic, library, tmp_path):
    """A 5-step exercise used to leave its last step and tip alone on a '(continued)' page (20% full):
    its pictures are now drawn a little smaller (never below 150 pt wide) when that keeps it whole."""
    out, _ = build(clinic, tmp_path, "--program", "core-activation", "--layout", "large-print")
    facts = page_facts(out)
    bridge = library.exercises["bridge"]
    (page,) = [f for f in facts if "4.Bridge" in f.body_text]
    assert all(squash(step) in page.body_text for step in bridge.steps) and "Tip:" in page.body_text
    assert not any("Bridge(continued)" in f.body_text for f in facts)
    assert min(w for f in facts for w in f.picture_widths) >= 150
    assert check_pdf(out, min_size=9.5) == []
