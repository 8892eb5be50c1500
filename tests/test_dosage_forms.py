"""Dosage and positions as clinicians write them (#14): ranges, times with units, open reps, more
positions and the clinician's own position words, the "Too easy? / Too hard?" line."""

from __future__ import annotations

import pytest

from conftest import explain, norm, pdf_facts, run
from handouts.load.folder import scan_library
from handouts.model import Dosage
from handouts.wording import dosage_text, position_text, try_line

PROBE = "content/exercises/probe.yaml"
BASE = "name: Probe\nposition: standing\nsteps:\n  - Stand tall.\ndosage:\n"


def scan(root, text: str):
    (root / PROBE).write_text(text, encoding="utf-8")
    library, problems = scan_library(root, check_images=False)
    return [p for p in problems if p.file == PROBE and not p.warning], library


def dosage_of(root, lines: str) -> Dosage:
    problems, library = scan(root, BASE + lines)
    assert problems == [], [str(p) for p in problems]
    return library.exercises["probe"].dosage


@pytest.mark.parametrize("lines, dosage, words", [
    ("  reps: 10-15\n", Dosage(reps=10, reps_max=15), "10 to 15 times"),
    ("  reps: 10 – 15\n", Dosage(reps=10, reps_max=15), "10 to 15 times"),
    ("  reps: 10 to 15\n", Dosage(reps=10, reps_max=15), "10 to 15 times"),
    ("  sets: 2-3\n  reps: 8-12\n", Dosage(sets=2, sets_max=3, reps=8, reps_max=12), "2 to 3 sets of 8 to 12"),
    ("  sets: 2\n  reps: 10-15\n", Dosage(sets=2, reps=10, reps_max=15), "2 sets of 10 to 15"),
    ("  hold: 30 seconds\n", Dosage(hold=30), "hold 30 seconds"),
    ("  hold: 30s\n", Dosage(hold=30), "hold 30 seconds"),
    ("  hold: 20-30 seconds\n", Dosage(hold=20, hold_max=30), "hold 20 to 30 seconds"),
    ("  hold: 1 minute\n", Dosage(hold=60), "hold 1 minute"),
    ("  hold: 5\n", Dosage(hold=5), "hold 5 seconds"),  # a bare number is seconds, as before
    ("  duration: 10 minutes\n", Dosage(duration=600), "for 10 minutes"),
    ("  duration: 10min\n", Dosage(duration=600), "for 10 minutes"),
    ("  duration: 10-15 min\n", Dosage(duration=600, duration_max=900), "for 10 to 15 minutes"),
    ("  duration: 1.5 minutes\n", Dosage(duration=90), "for 90 seconds"),
    ("  sets: 2\n  reps: 10\n  rest: 1 minute\n", Dosage(sets=2, reps=10, rest=60),
     "2 sets of 10 · rest 1 minute between sets"),
    ("  reps: as many as you comfortably can\n", Dosage(reps_open="as-many-as-comfortable"),
     "as many times as you comfortably can"),
    ("  reps: As many as you can\n", Dosage(reps_open="as-many-as-comfortable"),
     "as many times as you comfortably can"),
    ("  sets: 2\n  reps: until tired\n", Dosage(sets=2, reps_open="until-tired"),
     "2 sets, each until your muscles feel tired"),
    ("  reps: until-tired\n", Dosage(reps_open="until-tired"), "repeat until your muscles feel tired"),
    ("  sets: 1\n  reps: until tired\n", Dosage(sets=1, reps_open="until-tired"),
     "1 set, repeat until your muscles feel tired"),  # not '1 set, each until ...'
])
def test_clinician_dosage_reads_and_prints_in_words(clinic_copy, lines, dosage, words):
    assert dosage_of(clinic_copy, lines) == dosage
    assert dosage_text(dosage) == words


@pytest.mark.parametrize("lines, line, col, field, message", [
    ("  reps: ten\n", 6, 9, "dosage.reps", "expected a whole number, got 'ten'; also allowed: a range like 10-15, "
                                            "'as many as you comfortably can', 'until tired'"),
    ("  reps: until tird\n", 6, 9, "dosage.reps", "did you mean 'until tired'?"),
    ("  reps: 15-10\n", 6, 9, "dosage.reps", "write the smaller number first, e.g. 10-15; got 15-10"),
    ("  reps: 10-10\n", 6, 9, "dosage.reps", "a range needs two different numbers"),
    ("  reps: 10-300\n", 6, 9, "dosage.reps", "must be between 1 and 200, got 300"),
    ("  sets: 2-three\n", 6, 9, "dosage.sets", "expected a whole number, got '2-three'"),
    ("  hold: 30 secnds\n", 6, 9, "dosage.hold", "unknown unit 'secnds' in '30 secnds'; use seconds or minutes "
                                                 "(s, min); did you mean 'seconds'?"),
    ("  hold: 20 minutes\n", 6, 9, "dosage.hold", "must be between 1 and 600 seconds, got 1200 seconds"),
    ("  duration: 10\n", 6, 13, "dosage.duration", "give a unit, e.g. '10 minutes' or '30 seconds'; got '10'"),
    ("  duration: 5 hours\n", 6, 13, "dosage.duration", "unknown unit 'hours'"),
    ("  rest: 1.25 seconds\n", 6, 9, "dosage.rest", "expected whole seconds, got '1.25 seconds'"),
    ("  per_day: 1-2\n", 6, 12, "dosage.per_day", "expected one whole number, got '1-2'"),
    ("  durration: 10 minutes\n", 6, 3, "dosage.durration", "unknown key 'durration'; did you mean 'duration'?"),
])
def test_bad_dosage_values_have_place_and_hint(clinic_copy, lines, line, col, field, message):
    problems, _ = scan(clinic_copy, BASE + lines)
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert (p.line, p.col, p.field) == (line, col, field) and message in p.message, str(p)


def test_a_visit_change_replaces_the_whole_part():
    # reps: 8 over a default of 10-15 is 8, not 8-15; until-tired over 10-15 drops the numbers.
    default = Dosage(sets=2, reps=10, reps_max=15, hold=20, hold_max=30)
    assert default.overlaid(Dosage(reps=8)) == Dosage(sets=2, reps=8, hold=20, hold_max=30)
    assert default.overlaid(Dosage(reps_open="until-tired")).reps is None
    assert default.overlaid(Dosage(hold=5)).hold_max is None


@pytest.mark.parametrize("value, words", [
    ("kneeling", "Kneeling"), ("half-kneeling", "Kneeling on one knee"), ("standing on one leg", "Standing on one leg"),
    ("sitting on a ball", "Sitting on an exercise ball"), ("lying face down on a bench", "Lying face down on a bench"),
])
def test_new_positions_print_in_words(clinic_copy, value, words):
    problems, library = scan(clinic_copy, BASE.replace("standing", value) + "  reps: 5\n")
    assert problems == []
    assert position_text(library.exercises["probe"].position) == words


def test_unknown_position_gets_did_you_mean(clinic_copy):
    problems, _ = scan(clinic_copy, BASE.replace("standing", "half kneelng") + "  reps: 5\n")
    assert [(p.line, p.field) for p in problems] == [(2, "position")]
    assert "did you mean 'half-kneeling'?" in problems[0].message


def test_position_label_is_printed_instead(clinic_copy):
    text = BASE.replace("position: standing", "position: other\nposition_label: Standing in a doorway")
    problems, library = scan(clinic_copy, text + "  reps: 5\n")
    assert problems == []
    ex = library.exercises["probe"]
    assert position_text(ex.position, ex.position_label) == "Standing in a doorway"


def test_position_other_needs_a_label(clinic_copy):
    problems, _ = scan(clinic_copy, BASE.replace("standing", "other") + "  reps: 5\n")
    assert [(p.line, p.col, p.field) for p in problems] == [(2, 11, "position")]
    assert "position 'other' needs position_label" in problems[0].message


def test_try_line_words():
    assert try_line(("Marching bridge",), ("Pelvic tilt",)) == \
        "Too easy? Try: Marching bridge. Too hard? Try: Pelvic tilt."
    assert try_line((), ("Pelvic tilt",)) == "Too hard? Try: Pelvic tilt."
    assert try_line((), ()) == ""


def test_handout_prints_ranges_durations_label_and_try_line(clinic_copy, tmp_path):
    rel = clinic_copy / "content/exercises/bridge.yaml"
    text = rel.read_text(encoding="utf-8").replace("position: lying on back",
                                                   "position: other\nposition_label: Lying on a firm bed")
    rel.write_text(text, encoding="utf-8")
    out = tmp_path / "h.pdf"
    result = run(["routine", "--exercise", "bridge:sets=2,reps=10-15,hold=20-30s,rest=1min",
                  "--exercise", "clamshell:reps=as-many-as-you-can,duration=2min", "--date", "2026-11-21",
                  "-o", out], clinic_copy)
    assert result.exit_code == 0, explain(result)
    page = norm(" ".join(pdf_facts(out).texts))
    for words in ("2 sets of 10 to 15", "hold 20 to 30 seconds", "rest 1 minute between sets",
                  "as many times as you comfortably can", "for 2 minutes", "Lying on a firm bed",
                  "Too easy? Try: Marching bridge. Too hard? Try: Pelvic tilt."):
        assert words in page, words


def test_routine_help_documents_the_command_line_forms(clinic):
    result = run(["routine", "--help"], clinic)
    assert result.exit_code == 0
    help_text = norm(result.output)
    for form in ("reps=10-15", "hold=30s", "duration=10min", "reps=until-tired", "--log-sheet", "--log-weeks"):
        assert form in help_text, form

