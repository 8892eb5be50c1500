"""Catalogue §5 rows 1-12 (YAML and the schema) through the real CLI, with the whole error contract:
the exact exit code, `file:line:col` (or a field path), no traceback, no output file, nothing
existing replaced (the command is aimed at an existing PDF *with* --overwrite), no patient data in
the messages.

Already covered elsewhere (referenced, not repeated): the strict reader's unit behaviour
(test_yaml_strict.py: tabs, quotes, colons, duplicate keys, aliases incl. billion laughs and
merge keys, tags, nesting, size, UTF-8, NUL, BOM, empty files, scalars kept as text), schema
messages and did-you-mean (test_schema.py), and the same broken files through `check` with their
exact messages (test_check_seeded.py::test_negative_fixture over tests/fixtures/bad/). Here each of
those fixtures also goes through `routine` twice: as a content file the handout needs, and as the
visit file itself.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest

from conftest import REPO, explain, norm, pdf_facts, run
from reliability_support import CANARY, output_folder, refused, routine_refused, snapshot

EXIT_DATAERR, EXIT_NOINPUT = 65, 66
FIXTURES = REPO / "tests" / "fixtures" / "bad"
# Fixtures whose problem is in the YAML itself, so the message is the same whatever file holds it.
YAML_LEVEL = ["alias", "bad-utf8", "colon-in-value", "deep-nesting", "duplicate-key", "empty", "nul-byte",
              "only-comment", "python-tag", "tab-indent", "top-level-list", "two-documents", "unclosed-quote"]
ALL_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.yaml"))


def expected_lines(stem: str, shown: str) -> list[str]:
    return (FIXTURES / f"{stem}.expected").read_text(encoding="utf-8").replace("{file}", shown).splitlines()


@pytest.fixture(scope="module")
def shared_clinic(clinic, tmp_path_factory):
    """One clinic copy for this module; each test adds content/exercises/zz-bad.yaml and removes it."""
    from conftest import copy_clinic

    return copy_clinic(clinic, tmp_path_factory.mktemp("yaml") / "clinic")


@pytest.fixture
def bad_exercise(shared_clinic):
    path = shared_clinic / "content" / "exercises" / "zz-bad.yaml"
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize("stem", ALL_FIXTURES)
def test_broken_content_file_stops_routine_with_its_exact_place(shared_clinic, bad_exercise, tmp_path, stem):
    """Any broken exercise file a handout uses stops it (strict: nothing is silently left out), with
    the same exact lines `check` gives, and the existing PDF survives even --overwrite. (A broken file
    the handout does not use no longer stops it: #11 guarantee 8, tests/test_library_scale.py.)"""
    bad_exercise.write_bytes((FIXTURES / f"{stem}.yaml").read_bytes())
    rel = "content/exercises/zz-bad.yaml"
    result = routine_refused(shared_clinic, tmp_path, ["--exercise", "bridge", "--exercise", "zz-bad",
                                                       "--patient", CANARY], EXIT_DATAERR,
                             re.escape(expected_lines(stem, rel)[0]), secret=CANARY)
    errors = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
    assert errors == expected_lines(stem, rel), result.stderr


@pytest.mark.parametrize("stem", YAML_LEVEL)
def test_broken_visit_file_gives_the_same_place(clinic, tmp_path, stem):
    visit = tmp_path / "visit.yaml"
    visit.write_bytes((FIXTURES / f"{stem}.yaml").read_bytes())
    result = routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR, re.escape(expected_lines(stem, str(visit))[0]))
    errors = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
    assert errors == expected_lines(stem, str(visit)), result.stderr


def test_row_3_duplicate_patient_names_both_lines_and_neither_name(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text(f"patient: {CANARY}\nprogram: core-activation\npatient: {CANARY} Jr\n", encoding="utf-8")
    routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR,
                    rf"{re.escape(str(visit))}:3:1: duplicate key 'patient' \(first given on line 1\)", secret=CANARY)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"{names[i]}: &{names[i]} [" + ", ".join([f"*{names[i - 1]}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_row_4_billion_laughs_refused_at_line_2_fast_and_small(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text(billion_laughs(), encoding="utf-8")
    start = time.perf_counter()
    routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR,
                    rf"{re.escape(str(visit))}:2:\d+: aliases \(\*a\) are not allowed")
    assert time.perf_counter() - start < 1.0
    from handouts.load.yamlfile import load_bytes

    tracemalloc.start()
    try:
        load_bytes(billion_laughs().encode(), "visit.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"{peak / 2**20:.1f} MB to refuse a billion laughs"


def test_row_5_python_tag_never_runs(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: !!python/object/apply:os.system [touch pwned]\nprogram: core-activation\n",
                     encoding="utf-8")
    routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR,
                    rf"{re.escape(str(visit))}:1:10: YAML tags such as 'tag:yaml.org,2002:python/object/apply:os.system'")
    assert not (tmp_path / "pwned").exists()


def test_row_6_values_yaml_would_change_print_exactly_as_written(clinic, tmp_path):
    """`NO`, `01234`, `3.10`, `yes`, `12:30`, `1:20:30`, `0o17`, `.nan`: every one printed as typed."""
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: NO\ntherapist: 3.10\nprogram: core-activation\n"
                     "note: 01234 yes off 12:30 1:20:30 0o17 .nan ~x\n", encoding="utf-8")
    result = run(["routine", visit, "--date", "2026-11-21", "-o", tmp_path / "h.pdf"], clinic)
    assert result.exit_code == 0, explain(result)
    page = norm(pdf_facts(tmp_path / "h.pdf").texts[0])
    for value in ("NO", "3.10", "01234 yes off 12:30 1:20:30 0o17 .nan ~x"):
        assert value in page, (value, page)


@pytest.mark.parametrize("value", ["1980-02-30", "2026-13-01", "21/11/2026", "2026-11-21T10:00", "yesterday"])
def test_row_6_impossible_dates_are_schema_errors_with_place(clinic, tmp_path, value):
    visit = tmp_path / "visit.yaml"
    visit.write_text(f"patient: {CANARY}\ndate: {value}\nprogram: core-activation\n", encoding="utf-8")
    routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR,
                    rf"{re.escape(str(visit))}:2:7: date: expected a real date written like 2026-11-21",
                    secret=CANARY)


def test_row_9_five_thousand_digit_number_is_a_schema_error(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text("program: core-activation\nexercises:\n  - id: bridge\n    dosage:\n      reps: "
                     + "9" * 5000 + "\n", encoding="utf-8")
    result = routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR,
                             rf"{re.escape(str(visit))}:5:13: exercises\[0\]\.dosage\.reps: expected a whole number")
    assert len(result.stderr) < 400, "the message repeats the whole number"


def test_row_9_nesting_5000_deep_is_refused_without_recursion_error(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text("note: " + "[" * 5000 + "\n", encoding="utf-8")
    routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR, rf"{re.escape(str(visit))}:1:\d+: nesting deeper than 32")


def test_row_10_twenty_megabyte_visit_file_refused_before_parsing(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    with open(visit, "wb") as fh:
        fh.write(b"note: '" + b"x" * 20_000_000 + b"'\n")
    start = time.perf_counter()
    routine_refused(clinic, tmp_path, [visit], EXIT_DATAERR,
                    rf"{re.escape(str(visit))}:1:1: file is 20,000,009 bytes; the limit is 1,000,000")
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("file, text, place", [
    ("content/programs/zz-bad.yaml", "titel: Core\nexercises: [bridge]\n",
     r"content/programs/zz-bad\.yaml:1:1: titel: unknown key 'titel'; did you mean 'title'\?"),
    ("content/exercises/zz-bad.yaml", "name: X\nposition: standing\nstepz:\n  - Stand.\n",
     r"content/exercises/zz-bad\.yaml:3:1: stepz: unknown key 'stepz'; did you mean 'steps'\?"),
    ("visit", "pateint: Ann\nprogram: core-activation\n",
     r"visit\.yaml:1:1: pateint: unknown key 'pateint'; did you mean 'patient'\?"),
], ids=["program-titel", "exercise-stepz", "visit-pateint"])
def test_row_11_unknown_key_with_did_you_mean(shared_clinic, bad_exercise, tmp_path, file, text, place):
    target = tmp_path / "visit.yaml" if file == "visit" else shared_clinic / file
    target.write_text(text, encoding="utf-8")
    try:
        args = ([target] if file == "visit" else ["--program", "zz-bad"] if "programs" in file
                else ["--exercise", "zz-bad"])  # the handout uses the broken file
        routine_refused(shared_clinic, tmp_path, args, EXIT_DATAERR, place)
    finally:
        if file != "visit":
            target.unlink()


@pytest.mark.parametrize("text, place", [
    ("name: X\nposition: standing\n", r"zz-bad\.yaml:1:1: steps: 'steps' is required"),
    ("name: X\nposition: standing\nsteps: [Stand.]\nimages:\n  - caption: Start\n",
     r"zz-bad\.yaml:5:5: images\[0\]\.file: 'file' is required"),
], ids=["exercise-steps", "image-file"])
def test_row_12_missing_required_key_has_its_field_path(shared_clinic, bad_exercise, tmp_path, text, place):
    bad_exercise.write_text(text, encoding="utf-8")
    routine_refused(shared_clinic, tmp_path, ["--exercise", "zz-bad"], EXIT_DATAERR, place)


def test_row_12_guide_section_without_body(clinic_copy, tmp_path):
    guide = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    text = guide.read_text(encoding="utf-8")
    start = text.index("    body:\n")  # the body with its translations (en: ..., es: ...)
    end = text.index("    image:\n", start)
    guide.write_text(text[:start] + text[end:], encoding="utf-8")
    line = text[:start].count("\n")  # the section item line ("  - heading: ...") is just above
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    result = run(["guide", "back-pain-tips", "--for", CANARY, "-o", existing, "--overwrite"], clinic_copy)
    refused(result, EXIT_DATAERR, rf"content/guides/back-pain-tips\.yaml:{line - 1}:5: sections\[0\]\.body: "
            r"'body' is required", folder, before, secret=CANARY)


def test_a_missing_visit_file_is_66(clinic, tmp_path):
    routine_refused(clinic, tmp_path, [tmp_path / "nope.yaml"], EXIT_NOINPUT, r"nope\.yaml: visit file not found")
