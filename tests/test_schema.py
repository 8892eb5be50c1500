"""Schema: located trees -> model objects, each problem with file:line:col, field path and a clear message."""

from __future__ import annotations

import os

import pytest

from handouts import build
from handouts.load import fields, schema
from handouts.load import visit as load_visit
from handouts.errors import ContentError
from handouts.load.folder import scan_library
from handouts.model import Dosage

PROBE = "content/exercises/probe.yaml"

VALID = """\
name: Probe
position: standing
steps:
  - Stand tall.
dosage:
  sets: 2
  reps: 10
"""


def scan(root, rel: str, text: str, *, check_images: bool = True):
    """Write `text` to `root/rel` and return the problems reported for that file."""
    path = root / rel
    path.write_text(text, encoding="utf-8")
    library, problems = scan_library(root, check_images=check_images)
    return [p for p in problems if p.file == rel and not p.warning], library


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# -- dosage ---------------------------------------------------------------------------------------------

def test_bad_number_in_existing_exercise_reports_file_line_col(clinic_copy):
    rel = "content/exercises/bridge.yaml"
    text = (clinic_copy / rel).read_text(encoding="utf-8")
    assert "  reps: 10\n" in text
    text = text.replace("  reps: 10\n", "  reps: ten\n", 1)
    line = text.splitlines().index("  reps: ten") + 1
    problems, _ = scan(clinic_copy, rel, text)
    assert str(only(problems)).startswith(f"{rel}:{line}:9: dosage.reps: expected a whole number, got 'ten'")


def test_valid_probe_has_no_problems(clinic_copy):
    problems, library = scan(clinic_copy, PROBE, VALID)
    assert problems == []
    assert library.exercises["probe"].dosage == Dosage(sets=2, reps=10)


@pytest.mark.parametrize("value, message", [
    ("ten", "expected a whole number, got 'ten'"),
    ("1.5", "expected a whole number, got '1.5'"),
    ("-1", "expected a whole number, got '-1'"),
    ("1e3", "expected a whole number, got '1e3'"),
    ("0x10", "expected a whole number, got '0x10'"),
    ("1_000", "expected a whole number, got '1_000'"),
    ("9" * 40, "expected a whole number, got '" + "9" * 40 + "'"),
    ("'١٠'", "expected a whole number, got '١٠'"),  # Arabic-Indic digits are not accepted as numbers
    ("[10]", "expected a whole number, got a list"),
    ("0", "must be between 1 and 200, got 0"),
    ("201", "must be between 1 and 200, got 201"),
])
def test_reps_messages(clinic_copy, value, message):
    problems, _ = scan(clinic_copy, PROBE, VALID.replace("reps: 10", f"reps: {value}"))
    p = only(problems)
    assert (p.line, p.col, p.field) == (7, 9, "dosage.reps")
    # Reps also take ranges and words; the message says so after the first sentence.
    assert p.message == message or p.message.startswith(message + "; also allowed: a range like 10-15")


@pytest.mark.parametrize("key, low, high", [
    ("sets", 1, 20), ("reps", 1, 200), ("hold", 1, 600), ("rest", 0, 600), ("per_day", 1, 12), ("per_week", 1, 7),
])
def test_dosage_ranges(clinic_copy, key, low, high):
    for value, ok in ((low, True), (high, True), (high + 1, False)) + (((low - 1, False),) if low > 0 else ()):
        text = VALID.replace("dosage:\n  sets: 2\n  reps: 10\n", f"dosage:\n  {key}: {value}\n")
        problems, _ = scan(clinic_copy, PROBE, text)
        if ok:
            assert problems == [], (key, value, problems)
        else:
            p = only(problems)
            unit = " seconds" if key in ("hold", "rest") else ""
            assert p.message == f"must be between {low} and {high}{unit}, got {value}{unit}"
            assert (p.line, p.field) == (6, f"dosage.{key}")


def test_quoted_number_is_accepted(clinic_copy):
    problems, library = scan(clinic_copy, PROBE, VALID.replace("reps: 10", 'reps: "12"'))
    assert problems == [] and library.exercises["probe"].dosage.reps == 12


@pytest.mark.parametrize("value, expected", [("each", "each"), ("Each", "each"), ("ALTERNATING", "alternating"),
                                             ("left", "left"), ("right", "right"), ("both", "both")])
def test_side_choices_accepted(clinic_copy, value, expected):
    problems, library = scan(clinic_copy, PROBE, VALID + f"  side: {value}\n")
    assert problems == []
    assert library.exercises["probe"].dosage.side == expected


@pytest.mark.parametrize("value, hint", [("eech", "each"), ("bothh", "both"), ("lefft", "left"), ("sideways", None), ("both sides", None)])
def test_side_choices_refused(clinic_copy, value, hint):
    problems, _ = scan(clinic_copy, PROBE, VALID + f"  side: {value}\n")
    p = only(problems)
    assert (p.line, p.col, p.field) == (8, 9, "dosage.side")
    assert p.message.startswith(f"expected one of: left, right, each, both, alternating; got '{value}'")
    if hint:
        assert p.message.endswith(f"did you mean '{hint}'?")


def test_unknown_dosage_key_did_you_mean(clinic_copy):
    problems, _ = scan(clinic_copy, PROBE, VALID + "  repss: 3\n")
    p = only(problems)
    assert str(p) == f"{PROBE}:8:3: dosage.repss: unknown key 'repss'; did you mean 'reps'?"


def test_dosage_must_be_a_mapping(clinic_copy):
    text = VALID.replace("dosage:\n  sets: 2\n  reps: 10\n", "dosage: 2x10\n")
    p = only(scan(clinic_copy, PROBE, text)[0])
    assert (p.line, p.field) == (5, "dosage")
    assert "expected a mapping" in p.message and "'2x10'" in p.message


# -- positions and keys ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["lying on back", "lying on stomach", "side-lying", "hands and knees",
                                   "sitting", "standing", "Standing", "  sitting  "])
def test_position_choices_accepted(clinic_copy, value):
    problems, _ = scan(clinic_copy, PROBE, VALID.replace("position: standing", f"position: '{value}'"))
    assert problems == []


@pytest.mark.parametrize("value, hint", [("lying on bak", "lying on back"), ("stand", "standing"),
                                         ("kneelin", "kneeling"), ("supine", None)])
def test_position_choices_refused(clinic_copy, value, hint):
    problems, _ = scan(clinic_copy, PROBE, VALID.replace("position: standing", f"position: {value}"))
    p = only(problems)
    assert (p.line, p.col, p.field) == (2, 11, "position")
    assert "expected one of: lying on back, lying on stomach, side-lying, hands and knees, sitting, standing" in p.message
    assert (f"did you mean '{hint}'?" in p.message) if hint else ("did you mean" not in p.message)


def test_unknown_key_nmae_suggests_name(clinic_copy):
    problems, _ = scan(clinic_copy, PROBE, VALID.replace("name: Probe", "name: Probe\nnmae: Probe"))
    p = only(problems)
    assert str(p) == f"{PROBE}:2:1: nmae: unknown key 'nmae'; did you mean 'name'?"


def test_unknown_key_titel_in_program_suggests_title(clinic_copy):
    rel = "content/programs/probe-program.yaml"
    problems, _ = scan(clinic_copy, rel, "title: P\ntitel: Q\nexercises: [bridge]\n")
    p = only(problems)
    assert str(p) == f"{rel}:2:1: titel: unknown key 'titel'; did you mean 'title'?"


@pytest.mark.parametrize("key", ["titel", "title"])
def test_unknown_key_titel_in_exercise_suggests_name(clinic_copy, key):
    """Programs have a 'title', exercises a 'name': a 'title' (or 'titel') in an exercise should point there."""
    problems, _ = scan(clinic_copy, PROBE, VALID + f"{key}: Probe\n")
    p = only(problems)
    assert (p.line, p.col, p.field) == (8, 1, key)
    assert p.message.startswith(f"unknown key '{key}'")
    assert "did you mean 'name'?" in p.message


def test_every_problem_of_a_file_is_reported(clinic_copy):
    """One run shows every problem: a bad video address is reported even when the position is also wrong."""
    text = "nmae: Probe\nposition: stand\nsteps:\n  - ok\ndosage:\n  sets: many\n  side: eech\nvideo: http://x.org/v\n"
    problems, _ = scan(clinic_copy, PROBE, text)
    fields = sorted(p.field for p in problems)
    assert fields == sorted(["nmae", "name", "position", "dosage.sets", "dosage.side", "video"]), problems
    assert all(p.line > 0 for p in problems if p.field != "name")


def test_empty_steps_reported_alongside_other_problems(clinic_copy):
    """An empty step list is reported in the same run as an unrelated mistake, not only after it is fixed."""
    text = "name: Probe\nposition: standing\nsteps: []\nnmae: x\n"
    problems, _ = scan(clinic_copy, PROBE, text)
    assert sorted(p.field for p in problems) == ["nmae", "steps"], problems


@pytest.mark.parametrize("text, field, line, message", [
    ("position: standing\nsteps: [a]\n", "name", 1, "'name' is required"),
    ("name: P\nsteps: [a]\n", "position", 1, "'position' is required"),
    ("name: P\nposition: standing\n", "steps", 1, "'steps' is required"),
    ("name: P\nposition: standing\nsteps: []\n", "steps", 3, "give at least one step"),
    ("name: P\nposition: standing\nsteps: Do it.\n", "steps", 3, "expected a list"),
    ("name: [a, b]\nposition: standing\nsteps: [a]\n", "name", 1, "expected text, got a list"),
    ("name: " + "x" * 201 + "\nposition: standing\nsteps: [a]\n", "name", 1, "the limit is 200"),
    ("name: P\nposition: standing\nsteps: [a]\nvideo: http://example.com/v\n", "video", 4, "https://"),
    ("name: P\nposition: standing\nsteps: [a]\nvideo: javascript:alert(1)\n", "video", 4, "https://"),
])
def test_exercise_shape_problems(clinic_copy, text, field, line, message):
    p = only(scan(clinic_copy, PROBE, text)[0])
    assert (p.field, p.line) == (field, line), str(p)
    assert message in p.message


def test_top_level_list_and_empty_file(clinic_copy):
    p = only(scan(clinic_copy, PROBE, "- name: P\n- position: standing\n")[0])
    assert (p.line, p.col) == (1, 1) and "expected a mapping" in p.message and "a list" in p.message
    p = only(scan(clinic_copy, PROBE, "")[0])
    assert p.line == 1 and "empty" in p.message


def test_file_name_must_be_an_id(clinic_copy):
    rel = "content/exercises/Bad Name.yaml"
    problems, _ = scan(clinic_copy, rel, VALID)
    assert "file name must be an id" in only(problems).message


# -- paths ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, message", [
    ("/etc/passwd", "absolute paths are not allowed"),
    ("~/.ssh/id_rsa", "absolute paths are not allowed"),
    ("../outside.png", "escapes the clinic folder"),
    ("images/../../etc/passwd", "escapes the clinic folder"),
    ("images/exercises/..", "escapes the clinic folder"),
    ("'images\\exercises\\bridge-start.png'", "forward slashes"),
    ("'\\\\server\\share\\x.png'", "forward slashes"),
    ("'C:/images/x.png'", "forward slashes"),
    ("'c:x.png'", "forward slashes"),
    ('"images/a\\0b.png"', "U+0000"),
    ("images/exercises/nope.png", "file not found: images/exercises/nope.png"),
    ("images/exercises", "not a file"),
])
def test_image_path_checks(clinic_copy, value, message):
    text = VALID + f"images:\n  - file: {value}\n    caption: c\n"
    p = only(scan(clinic_copy, PROBE, text)[0])
    assert (p.line, p.col, p.field) == (9, 11, "images[0].file"), str(p)
    assert message in p.message


@pytest.mark.parametrize("value", ["", "a\x00b", "/x", "~x", "..", "a/../b", "a\\b", "C:x", "\\\\srv\\x"])
def test_path_problem_refuses(value):
    assert fields.path_problem(value)


def test_path_problem_nul_named():
    assert "NUL" in fields.path_problem("images/a\x00.png")


@pytest.mark.parametrize("value", ["images/x.png", "images/exercises/bridge-start.png", "a..b.png", "images/.hidden.png"])
def test_path_problem_accepts(value):
    assert fields.path_problem(value) is None


def test_symlink_leading_outside_is_refused(clinic_copy, tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes((clinic_copy / "images/exercises/bridge-start.png").read_bytes())
    os.symlink(outside, clinic_copy / "images/exercises/link.png")
    text = VALID + "images:\n  - file: images/exercises/link.png\n"
    p = only(scan(clinic_copy, PROBE, text)[0])
    assert p.line == 9 and p.field == "images[0].file"
    assert "outside the clinic folder" in p.message


def test_symlink_inside_is_accepted(clinic_copy):
    os.symlink(clinic_copy / "images/exercises/bridge-start.png", clinic_copy / "images/exercises/link.png")
    problems, _ = scan(clinic_copy, PROBE, VALID + "images:\n  - file: images/exercises/link.png\n")
    assert problems == []


def test_unknown_progression_has_a_line(clinic_copy):
    problems, _ = scan(clinic_copy, PROBE, VALID + "progressions: [bridge, brigde]\n")
    p = only(problems)
    assert (p.line, p.field) == (8, "progressions[1]"), str(p)
    assert "unknown exercise id 'brigde'; did you mean 'bridge'?" in p.message


# -- clinic and program ---------------------------------------------------------------------------

def test_clinic_colour_and_required(clinic_copy):
    rel = "content/clinic.yaml"
    problems, library = scan(clinic_copy, rel, "name: C\ncolors:\n  primary: '#12345G'\n")
    fields = {p.field: p for p in problems}
    assert set(fields) == {"phone", "colors.primary"}, problems
    assert fields["colors.primary"].line == 3
    assert library is None


def test_program_unknown_exercise_with_line(clinic_copy):
    rel = "content/programs/probe-program.yaml"
    problems, _ = scan(clinic_copy, rel, "title: P\nexercises:\n  - bridge\n  - id: brigde\n")
    p = only(problems)
    assert str(p) == f"{rel}:4:9: exercises[1].id: unknown exercise id 'brigde'; did you mean 'bridge'?"


# -- text from the command line (patient, note, therapist) -------------------------------------------

@pytest.mark.parametrize("value, code", [
    ("Maria\x00Gómez", "U+0000"), ("Maria\x07", "U+0007"), ("\x1b[31mMaria", "U+001B"), ("Maria\rGómez", "U+000D"),
    ("Maria\u202eGómez", "U+202E"), ("Ma\u200dria", "U+200D"), ("Maria\u200b", "U+200B"), ("Ma\u00adria", "U+00AD"),
])
@pytest.mark.parametrize("option", ["patient", "note", "therapist"])
def test_control_characters_refused(library, option, value, code):
    with pytest.raises(ContentError) as info:
        load_visit.visit_from_options(library, program="core-activation", **{option: value})
    p = only(info.value.problems)
    assert p.field == f"--{option}"
    assert code in p.message and "control" in p.message
    assert value not in str(info.value)


@pytest.mark.parametrize("value", ["שלום כהן", "محمد", "Maria \u05d0"])
def test_rtl_refused(library, value):
    with pytest.raises(ContentError) as info:
        load_visit.visit_from_options(library, program="core-activation", patient=value)
    p = only(info.value.problems)
    assert p.field == "--patient" and "right-to-left" in p.message


@pytest.mark.parametrize("value", ["Zoë O'Brien-Smith", "José & María <3", "Łukasz Żółć", "Anne-Marie\tLee"])
def test_ordinary_names_accepted(library, value):
    visit = load_visit.visit_from_options(library, program="core-activation", patient=value)
    assert visit.patient == value.strip()


def test_note_keeps_newlines(library):
    visit = load_visit.visit_from_options(library, program="core-activation", note="Line one\nLine two")
    assert visit.note == "Line one\nLine two"


def test_bad_date_option(library):
    with pytest.raises(ContentError) as info:
        load_visit.visit_from_options(library, program="core-activation", date="2026-02-30")
    p = only(info.value.problems)
    assert p.field == "--date" and "2026-11-21" in p.message and "'2026-02-30'" in p.message


# -- --exercise option ------------------------------------------------------------------------------------

def read_option(spec: str):
    r = fields.Reader(f"--exercise {spec.split(':', 1)[0]}")
    return load_visit.read_exercise_option(r, spec), r.problems


@pytest.mark.parametrize("spec, dosage", [
    ("dead-bug:sets=2,reps=8,side=each", Dosage(sets=2, reps=8, side="each")),
    ("dead-bug", Dosage()),
    ("dead-bug:", Dosage()),
    (" dead-bug : sets = 3 , reps = 12 ", Dosage(sets=3, reps=12)),
    ("dead-bug:sets=2,,reps=3,", Dosage(sets=2, reps=3)),
    ("dead-bug:side=Alternating", Dosage(side="alternating")),
    ("dead-bug:hold=30,rest=0,per_day=2,per_week=7", Dosage(hold=30, rest=0, per_day=2, per_week=7)),
    ("dead-bug:load=light band (yellow)", Dosage(load="light band (yellow)")),
])
def test_exercise_option_parsing(spec, dosage):
    item, problems = read_option(spec)
    assert problems == []
    assert item.id == "dead-bug" and item.dosage == dosage


@pytest.mark.parametrize("spec, field, message", [
    ("dead-bug:sets=two", "sets", "expected a whole number, got 'two'"),
    ("dead-bug:sets=0", "sets", "must be between 1 and 20, got 0"),
    ("dead-bug:sets", "sets", "expected key=value, got 'sets'"),
    ("dead-bug:sets=", "sets", "expected key=value, got 'sets='"),
    ("dead-bug:sets=2,sets=3", "sets", "'sets' given twice"),
    ("dead-bug:sest=2", "sest", "unknown key 'sest'; did you mean 'sets'?"),
    ("dead-bug:side=eech", "side", "did you mean 'each'?"),
    ("Dead_Bug:sets=2", "", "expected an id (lower-case letters, digits and hyphens), got 'Dead_Bug'"),
])
def test_exercise_option_errors(spec, field, message):
    item, problems = read_option(spec)
    p = only(problems)
    assert p.field == field and message in p.message, str(p)
    assert p.file.startswith("--exercise ")


def test_exercise_option_error_names_the_option(library):
    with pytest.raises(ContentError) as info:
        load_visit.visit_from_options(library, exercises=["dead-bug:reps=ten", "nope:sets=2"])
    lines = info.value.lines()
    assert any(line.startswith("--exercise dead-bug: reps: expected a whole number, got 'ten'") for line in lines), lines
    assert any(line.startswith("--exercise nope") and "unknown exercise id 'nope'" in line for line in lines), lines
