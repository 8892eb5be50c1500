"""`handouts show ID` (#16): an exercise, program or guide at a glance, and as JSON."""

from __future__ import annotations

import json

from conftest import explain, run


def test_show_an_exercise(clinic):
    result = run(["show", "bridge"], clinic)
    assert result.exit_code == 0, explain(result)
    out = result.stdout
    assert out.startswith("Bridge   exercise bridge  (content/exercises/bridge.yaml)\n")
    assert "  Position:       Lying on your back\n" in out
    assert "  Dosage:         2 sets of 10 · hold 3 seconds · rest 30 seconds between sets" in out
    assert "    1. Lie on your back with your knees bent. Put your feet flat, hip-width apart.\n" in out
    assert "    1. images/exercises/bridge-start.png (Start - lying on back, knees bent)\n" in out
    assert "  Harder:         Marching bridge (marching-bridge)\n" in out
    assert "  Easier:         Pelvic tilt (pelvic-tilt)\n" in out


def test_show_a_program_with_each_dosage_in_words(clinic):
    result = run(["show", "core-activation"], clinic)
    assert result.exit_code == 0, explain(result)
    assert "    5. Lower back rotation (lower-back-rotation): 3 times · hold 20 seconds · each side · once a day" \
        in result.stdout
    assert "Note: Keep this gentle." in result.stdout
    data = json.loads(run(["show", "core-activation", "--json"], clinic).stdout)
    assert data["kind"] == "program" and len(data["exercises"]) == 8
    assert data["exercises"][0]["id"] == "pelvic-tilt" and data["exercises"][0]["dosage"].startswith("2 sets of 10")


def test_show_a_guide(clinic):
    result = run(["show", "back-pain-tips", "--json"], clinic)
    assert result.exit_code == 0, explain(result)
    data = json.loads(result.stdout)
    assert data["kind"] == "guide" and len(data["sections"]) == 9
    assert data["sections"][0]["exercise"] == "Pelvic tilt (pelvic-tilt)"


def test_show_an_imported_exercise_names_its_source_and_what_to_review(exercise_db, clinic_copy):
    run(["import", "free-exercise-db", exercise_db], clinic_copy)
    result = run(["show", "3-4-sit-up"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "  Pictures:       none (printed as a text card)\n" in result.stdout
    assert "  Source:         free-exercise-db, record 3_4_Sit-Up (The Unlicense (public domain), for the text)" \
        in result.stdout
    assert "  To review:      position (guessed by the importer)\n" in result.stdout


def test_show_unknown_id_and_a_broken_file(clinic_copy):
    result = run(["show", "brige"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert "error: show: no exercise, program or guide has the id 'brige'; did you mean 'bridge'?" in result.stderr
    path = clinic_copy / "content" / "exercises" / "bridge.yaml"
    path.write_text(path.read_text().replace("reps: 10", "reps: ten"))
    result = run(["show", "bridge"], clinic_copy)
    line = path.read_text().splitlines().index("  reps: ten") + 1
    assert result.exit_code == 65 and f"bridge.yaml:{line}:9: dosage.reps" in result.stderr, explain(result)


def test_a_missing_picture_is_marked(clinic_copy):
    (clinic_copy / "images" / "exercises" / "bridge-end.png").unlink()
    result = run(["show", "bridge"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "    2. images/exercises/bridge-end.png (End - hips lifted in a straight line)  [file not found]\n" \
        in result.stdout


# -- a card without pictures is a text card -------------------------------------------------------------

def _how_much_columns(pdf) -> list[str]:
    """The text in the left half of each page (under the header): where 'How much' sits."""
    from conftest import pdf_facts

    facts = pdf_facts(pdf)
    return [facts.bounded_text(i, 0, 0, w / 2, h - 120) for i, (w, h) in enumerate(facts.sizes)]


def test_a_card_without_pictures_is_a_text_card(clinic_copy, tmp_path):
    """Imported exercises come without pictures: the dosage runs across the card (left half of the
    page), not beside an empty picture frame (right half), and the layout invariants hold."""
    from handouts.invariants import check_pdf

    path = clinic_copy / "content" / "exercises" / "bridge.yaml"
    text = path.read_text()
    start, end = text.index("images:\n"), text.index("steps:\n")
    path.write_text(text[:start] + text[end:])
    out = tmp_path / "text-card.pdf"
    result = run(["routine", "--exercise", "bridge", "--exercise", "clamshell", "-o", out, "--date", "2026-11-21"],
                 clinic_copy)
    assert result.exit_code == 0, explain(result)
    left = " ".join(" ".join(t.split()) for t in _how_much_columns(out))
    # bridge's dosage is in the left half; clamshell (with pictures) keeps its dosage on the right
    assert "How much 2 sets of 10 · hold 3 seconds" in left
    assert left.count("How much") == 1
    assert "Tip: Breathe out as you lift." in left  # the tip moves under the steps
    assert check_pdf(out) == []
