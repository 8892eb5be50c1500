"""Acceptance: `handouts check` finds ten seeded mistakes in ten files, each with its file and line, in one run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import assert_no_crash, explain, run

FIXTURES = Path(__file__).parent / "fixtures" / "bad"


def edit(root: Path, rel: str, pattern: str, replacement: str) -> int:
    """Replace the first line matching `pattern` (a regex) with `replacement`; return its 1-based line."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        if re.search(pattern, line):
            lines[index] = re.sub(pattern, lambda _: replacement, line, count=1)
            path.write_text("\n".join(lines), encoding="utf-8")
            return index + 1
    raise AssertionError(f"{rel}: no line matches {pattern!r}; has the demo content changed?")


def append(root: Path, rel: str, text: str) -> int:
    """Append one line; return its 1-based line number."""
    path = root / rel
    body = path.read_text(encoding="utf-8")
    if not body.endswith("\n"):
        body += "\n"
    path.write_text(body + text + "\n", encoding="utf-8")
    return body.count("\n") + 1


def seed_ten_mistakes(root: Path) -> list[tuple[str, str, int, str]]:
    """Ten mistakes, each in its own file: (what, file, expected line, text expected on the message line)."""
    seeded = []

    rel = "content/exercises/bridge.yaml"
    line = edit(root, rel, r"^  sets: ", "\tsets: ")
    seeded.append(("tab indentation", rel, line, "tab"))

    rel = "content/exercises/cat-cow.yaml"
    first = next(i for i, l in enumerate((root / rel).read_text().splitlines(), 1) if l.startswith("purpose:"))
    line = append(root, rel, "purpose: Said twice.")
    seeded.append(("duplicate key", rel, line, f"duplicate key 'purpose' (first given on line {first})"))

    rel = "content/exercises/clamshell.yaml"
    line = edit(root, rel, r"^  reps: \S+", "  reps: ten")
    seeded.append(("bad number", rel, line, "dosage.reps: expected a whole number, got 'ten'"))

    rel = "content/exercises/superman.yaml"
    line = append(root, rel, "titel: Superman")
    seeded.append(("unknown key", rel, line, "unknown key 'titel'"))

    rel = "content/programs/core-strength.yaml"
    line = edit(root, rel, r"^  - glute-kickback$", "  - glute-kickbak")
    seeded.append(("unknown exercise id", rel, line, "unknown exercise id 'glute-kickbak'"))

    rel = "content/exercises/side-plank.yaml"
    line = edit(root, rel, r"file: \S+", "file: images/exercises/side-plank-missing.png")
    seeded.append(("missing image", rel, line, "images/exercises/side-plank-missing.png"))

    rel = "content/exercises/forearm-plank.yaml"
    line = edit(root, rel, r"file: \S+", "file: ../outside.png")
    seeded.append(("path with ..", rel, line, "'..'"))

    rel = "content/exercises/prone-swimmers.yaml"
    edit(root, rel, r"^name: ", "name: &n ")
    line = edit(root, rel, r"^position: .*", "position: *n")
    seeded.append(("alias", rel, line, "aliases (*n) are not allowed"))

    rel = "content/exercises/glute-kickback.yaml"
    (root / rel).write_text("", encoding="utf-8")
    seeded.append(("empty file", rel, 1, "empty"))

    rel = "content/exercises/dead-bug-arm-reach.yaml"
    (root / rel).write_text("- name: Dead bug arm reach\n- position: lying on back\n", encoding="utf-8")
    seeded.append(("top-level list", rel, 1, "expected a mapping"))

    assert len({s[1] for s in seeded}) == 10
    return seeded


def test_clean_demo_check_exits_0(clinic):
    result = run(["check"], clinic)
    assert result.exit_code == 0, explain(result)
    assert result.stdout.startswith("ok: ")
    assert "error" not in result.output


def test_ten_seeded_mistakes_reported_in_one_run(clinic_copy):
    seeded = seed_ten_mistakes(clinic_copy)
    result = run(["check"], clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    missing = []
    for what, rel, line, words in seeded:
        assert re.search(re.escape(rel) + r":\d+", result.stderr), f"{what}: {rel} not named\n{result.stderr}"
        if not any(f"{rel}:{line}:" in l and words in l for l in lines):
            missing.append(f"{what}: expected '{rel}:{line}:' with {words!r}")
    assert not missing, "\n".join(missing) + "\n--- stderr ---\n" + result.stderr
    assert re.search(r"^\d+ problems found\.$", result.stderr, re.M)
    assert result.stdout == ""


def test_every_error_line_has_a_place(clinic_copy):
    seed_ten_mistakes(clinic_copy)
    result = run(["check"], clinic_copy)
    errors = [l for l in result.stderr.splitlines() if l.startswith("error: ")]
    assert len(errors) >= 10
    unplaced = [l for l in errors if not re.match(r"error: content/[\w/.-]+\.yaml:\d+:", l)]
    assert not unplaced, "\n".join(unplaced)


@pytest.mark.parametrize("ident, pattern, replacement", [
    ("bridge", r"^  reps: \S+", "  reps: ten"),
    ("forearm-plank", r"file: \S+", "file: ../outside.png"),
], ids=["bad-number", "image-path"])
def test_a_broken_exercise_file_does_not_cascade(clinic_copy, ident, pattern, replacement):
    """One mistake in one exercise file gives one error. The programs and exercises that use that id must
    not be told that it is unknown (or offered a different exercise): the file exists, and such messages
    send the user to the wrong file."""
    rel = f"content/exercises/{ident}.yaml"
    edit(clinic_copy, rel, pattern, replacement)
    result = run(["check"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    errors = [l for l in result.stderr.splitlines() if l.startswith("error: ")]
    assert len(errors) == 1 and rel in errors[0], result.stderr


def test_seeded_mistakes_leave_nothing_written(clinic_copy):
    seed_ten_mistakes(clinic_copy)
    before = sorted(p.relative_to(clinic_copy) for p in clinic_copy.rglob("*"))
    run(["check"], clinic_copy)
    assert sorted(p.relative_to(clinic_copy) for p in clinic_copy.rglob("*")) == before


@pytest.mark.parametrize("size", [(120, 80), (80, 120)])
def test_low_resolution_picture_is_a_warning_cold_or_warm(clinic_copy, tmp_path, monkeypatch, size):
    """A small picture is a warning (exit 0), an error with --strict (exit 65), and the same warning
    whether or not the image cache already holds it."""
    from PIL import Image

    Image.new("RGB", size, (200, 120, 40)).save(clinic_copy / "images/exercises/bridge-start.png")
    monkeypatch.setenv("HANDOUTS_CACHE", str(tmp_path / "fresh-cache"))
    cold = run(["check"], clinic_copy)
    warm = run(["check"], clinic_copy)
    assert cold.exit_code == warm.exit_code == 0, explain(cold)
    assert cold.stderr == warm.stderr
    rel = "content/exercises/bridge.yaml"
    assert re.search(re.escape(rel) + r":\d+:\d+: images\[0\]\.file: warning: .*bridge-start\.png.*dpi", warm.stderr)
    strict = run(["check", "--strict"], clinic_copy)
    assert strict.exit_code == 65, explain(strict)
    assert "dpi" in strict.stderr


@pytest.mark.parametrize("size", [1_500_000, 3_000_000])
def test_oversized_file_reports_its_real_size(clinic_copy, size):
    import time

    rel = "content/exercises/huge.yaml"
    (clinic_copy / rel).write_bytes(b"name: " + b"x" * (size - 7) + b"\n")
    start = time.perf_counter()
    result = run(["check"], clinic_copy)
    assert time.perf_counter() - start < 3
    assert result.exit_code == 65, explain(result)
    assert f"error: {rel}:1:1: file is {size:,} bytes; the limit is 1,000,000" in result.stderr


# -- negative fixtures: one broken file each, with its exact expected message -------------------

def negative_fixtures():
    return sorted(p for p in FIXTURES.glob("*.yaml"))


@pytest.mark.parametrize("fixture", negative_fixtures(), ids=lambda p: p.stem)
def test_negative_fixture(clinic_copy, fixture):
    """tests/fixtures/bad/NAME.yaml is checked as content/exercises/NAME.yaml; NAME.expected holds the
    exact error lines ('{file}' stands for the content path)."""
    rel = f"content/exercises/{fixture.stem}.yaml"
    (clinic_copy / rel).write_bytes(fixture.read_bytes())
    expected = fixture.with_suffix(".expected").read_text(encoding="utf-8").replace("{file}", rel).splitlines()
    result = run(["check"], clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    errors = [l for l in result.stderr.splitlines() if l.startswith("error: ")]
    assert errors == expected, result.stderr
