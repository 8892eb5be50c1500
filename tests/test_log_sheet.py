"""The weekly log sheet (#14): exercises x 7 days with tick boxes, a pain 0-10 row, the scale's
words, notes, the reminder to bring it back; one page per week."""

from __future__ import annotations

import pytest

from conftest import explain, norm, pdf_facts, run

CORE_STRENGTH = ["Dead bug", "Marching bridge", "Bird dog", "Forearm plank", "Side plank (knees bent)", "Superman",
                 "Swimmers", "Glute kickback"]


def build(clinic, tmp_path, *args):
    out = tmp_path / "log.pdf"
    result = run(["routine", *args, "--date", "2026-11-21", "-o", out, "--overwrite"], clinic)
    assert result.exit_code == 0, explain(result)
    return pdf_facts(out)


def test_log_sheet_lists_every_exercise_seven_days_and_a_pain_row(clinic, tmp_path):
    from handouts.invariants import check_pdf

    facts = build(clinic, tmp_path, "--program", "core-strength", "--log-sheet")
    without = build(clinic, tmp_path, "--program", "core-strength")
    assert facts.pages == without.pages + 1  # the 8-exercise log fits one page
    page = norm(facts.texts[-1])
    assert "My exercise log" in page and "Week of November 21, 2026" in page
    for name in CORE_STRENGTH:
        assert name in page, name
    days = ["Sat Nov 21", "Sun Nov 22", "Mon Nov 23", "Tue Nov 24", "Wed Nov 25", "Thu Nov 26", "Fri Nov 27"]
    for day in days:
        assert day in page, day
    assert "Pain today (0 to 10)" in page
    assert "0 = no pain" in page and "5 = moderate pain" in page and "10 = worst pain possible" in page
    assert "Notes" in page and "Bring this sheet to your next visit." in page
    assert check_pdf(tmp_path / "log.pdf") == []


def test_log_weeks_prints_one_sheet_per_week(clinic, tmp_path):
    facts = build(clinic, tmp_path, "--program", "core-activation", "--log-weeks", "3")
    without = build(clinic, tmp_path, "--program", "core-activation")
    assert facts.pages == without.pages + 3
    pages = [norm(t) for t in facts.texts[-3:]]
    assert "Week 1 of 3: Week of November 21, 2026" in pages[0]
    assert "Week 2 of 3: Week of November 28, 2026" in pages[1] and "Sat Nov 28" in pages[1]
    assert "Week 3 of 3: Week of December 5, 2026" in pages[2]


@pytest.mark.parametrize("program_says, visit_says, sheets", [
    (None, "yes", 1), ("yes", None, 1), ("yes", "no", 0), (None, None, 0),
])
def test_visit_and_program_ask_for_a_log_sheet(clinic_copy, tmp_path, program_says, visit_says, sheets):
    program = clinic_copy / "content/programs/core-activation.yaml"
    if program_says:
        program.write_text(program.read_text(encoding="utf-8") + f"log_sheet: {program_says}\n", encoding="utf-8")
    visit = tmp_path / "visit.yaml"
    visit.write_text("program: core-activation\n" + (f"log_sheet: {visit_says}\n" if visit_says else ""),
                     encoding="utf-8")
    facts = build(clinic_copy, tmp_path, str(visit))
    assert sum("My exercise log" in t for t in facts.texts) == sheets


@pytest.mark.parametrize("line, message", [
    ("log_sheet: maybe", "2:12: log_sheet: expected one of: yes, no; got 'maybe'"),
    ("log_weeks: 20", "2:12: log_weeks: must be between 1 and 12, got 20"),
    ("log_sheets: yes", "2:1: log_sheets: unknown key 'log_sheets'; did you mean 'log_sheet'?"),
])
def test_bad_log_values_in_a_visit_file_are_located(clinic, tmp_path, line, message):
    visit = tmp_path / "visit.yaml"
    visit.write_text(f"program: core-activation\n{line}\n", encoding="utf-8")
    result = run(["routine", str(visit), "-o", tmp_path / "x.pdf"], clinic)
    assert result.exit_code == 65 and f"{visit}:{message}" in result.stderr, explain(result)


def test_log_weeks_out_of_range_on_the_command_line(clinic, tmp_path):
    result = run(["routine", "--program", "core-activation", "--log-weeks", "0", "-o", tmp_path / "x.pdf"], clinic)
    assert result.exit_code == 2 and "--log-weeks" in result.output + result.stderr


def test_large_print_log_sheet_is_one_page_at_18pt(clinic, tmp_path):
    from handouts.invariants import check_pdf
    from handouts.measure import page_facts

    out = tmp_path / "big.pdf"
    result = run(["routine", "--program", "core-strength", "--layout", "large-print", "--log-sheet", "--date",
                  "2026-11-21", "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    last = page_facts(out)[-1]
    assert last.body_text.startswith("Myexerciselog") and "Bringthissheettoyournextvisit." in last.body_text
    assert all(name.replace(" ", "") in last.body_text for name in CORE_STRENGTH)
    assert last.smallest_body_text >= 18 and check_pdf(out) == []


def test_a_bilingual_log_sheet_is_in_both_languages(clinic, tmp_path):
    """Names, weekdays and the week's date in both languages (they were in the first language only)."""
    facts = build(clinic, tmp_path, "--program", "core-activation", "--log-sheet", "--language", "es+en")
    without = build(clinic, tmp_path, "--program", "core-activation", "--language", "es+en")
    assert facts.pages == without.pages + 1  # still one page
    page = norm(facts.texts[-1])
    assert "Semana del 21 de noviembre de 2026 / Week of November 21, 2026" in page
    for name in ("Puente / Bridge", "Perro de caza / Bird dog", "sáb Sat", "vie Fri"):  # weekdays one under the other
        assert name in page, name
    assert "Dolor hoy (0 a 10) / Pain today (0 to 10)" in page
