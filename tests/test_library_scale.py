"""A handout reads only what it uses (#16, #11 guarantee 8); the library index behind list, search and
completion (#16): filters, --json, staleness, and never trusted for correctness."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from conftest import DATE, explain, run


def routine(root: Path, tmp_path: Path, *extra):
    return run(["routine", "--program", "core-activation", "--patient", "Ann", "--date", DATE,
                "-o", tmp_path / "out.pdf", "--overwrite", *extra], root)


def break_unrelated(root: Path) -> None:
    """An exercise no program uses, broken, and a broken program: not part of core-activation."""
    (root / "content" / "exercises" / "zz-broken.yaml").write_text("name: Broken\nposition: upside down\n")
    (root / "content" / "programs" / "half-written.yaml").write_text("title: Knee phase 1\n")


def test_broken_unrelated_content_does_not_block_a_handout(clinic_copy, tmp_path):
    break_unrelated(clinic_copy)
    result = routine(clinic_copy, tmp_path)
    assert result.exit_code == 0, explain(result)
    assert (tmp_path / "out.pdf").is_file()
    assert "2 other content files have problems" in result.stderr
    assert "Run 'handouts check' to see them." in result.stderr
    # check (and so batches) still validate everything
    checked = run(["check"], clinic_copy)
    assert checked.exit_code == 65, explain(checked)
    assert "content/exercises/zz-broken.yaml" in checked.stderr
    assert "content/programs/half-written.yaml:1:1: exercises: 'exercises' is required" in checked.stderr


def test_broken_unrelated_content_does_not_block_a_guide(clinic_copy, tmp_path):
    break_unrelated(clinic_copy)
    result = run(["guide", "back-pain-tips", "--for", "Sam", "-o", tmp_path / "g.pdf"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "2 other content files have problems" in result.stderr


def test_a_clean_library_gets_no_note(clinic_copy, tmp_path):
    result = routine(clinic_copy, tmp_path)
    assert result.exit_code == 0, explain(result)
    assert "other content" not in result.stderr


def test_a_broken_exercise_the_handout_uses_still_stops_it(clinic_copy, tmp_path):
    break_unrelated(clinic_copy)
    bridge = clinic_copy / "content" / "exercises" / "bridge.yaml"
    bridge.write_text(bridge.read_text().replace("reps: 10", "reps: ten"))
    result = routine(clinic_copy, tmp_path)
    assert result.exit_code == 65, explain(result)
    line = bridge.read_text().splitlines().index("  reps: ten") + 1
    assert f"content/exercises/bridge.yaml:{line}:9: dosage.reps: expected a whole number, got 'ten'" in result.stderr
    assert "zz-broken" not in result.stderr and "half-written" not in result.stderr  # only what it uses
    assert not (tmp_path / "out.pdf").exists()


def test_a_broken_progression_of_a_used_exercise_stops_it(clinic_copy, tmp_path):
    """bridge names marching-bridge as its progression: the handout prints it, so it is used."""
    path = clinic_copy / "content" / "exercises" / "marching-bridge.yaml"
    path.write_text(path.read_text().replace("position:", "positoin:"))
    result = run(["routine", "--exercise", "bridge", "-o", tmp_path / "o.pdf"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert "content/exercises/marching-bridge.yaml" in result.stderr


def test_a_broken_clinic_file_stops_every_handout(clinic_copy, tmp_path):
    path = clinic_copy / "content" / "clinic.yaml"
    path.write_text(path.read_text().replace("font_size:", "font_sise:", 1) if "font_size:" in path.read_text()
                    else path.read_text() + "font_sise: 13\n")
    result = routine(clinic_copy, tmp_path)
    assert result.exit_code == 65, explain(result)
    assert "content/clinic.yaml" in result.stderr and "did you mean 'font_size'" in result.stderr


def test_typos_in_ids_still_suggest_the_closest_one(clinic_copy, tmp_path):
    break_unrelated(clinic_copy)
    result = run(["routine", "--program", "core-activatoin", "-o", tmp_path / "o.pdf"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert "--program: unknown program id 'core-activatoin'; did you mean 'core-activation'?" in result.stderr
    result = run(["routine", "--exercise", "bridg", "-o", tmp_path / "o.pdf"], clinic_copy)
    assert "unknown exercise id 'bridg'; did you mean 'bridge'?" in result.stderr
    result = run(["guide", "back-pain-tip", "-o", tmp_path / "g.pdf"], clinic_copy)
    assert "unknown guide id 'back-pain-tip'; did you mean 'back-pain-tips'?" in result.stderr


def test_a_visit_file_reads_only_what_it_names(clinic_copy, tmp_path):
    break_unrelated(clinic_copy)
    visit = tmp_path / "visit.yaml"
    visit.write_text(f"patient: Ann\ndate: {DATE}\nprogram: core-strength\nremove: [superman]\n"
                     "exercises:\n  - id: clamshell\n    dosage: {sets: '1'}\n")
    result = run(["routine", visit, "-o", tmp_path / "o.pdf"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "other content files have problems" in result.stderr


# -- list, the index, --json ------------------------------------------------------------------------

def listed(root: Path, *args) -> list[dict]:
    result = run(["list", "exercises", "--json", *args], root)
    assert result.exit_code == 0, explain(result)
    return json.loads(result.stdout)


def test_list_filters(clinic):
    assert {e["id"] for e in listed(clinic, "--position", "side-lying")} == {"clamshell", "side-plank"}
    hips = {e["id"] for e in listed(clinic, "--region", "hips")}
    assert "bridge" in hips and "pelvic-tilt" not in hips
    both = {e["id"] for e in listed(clinic, "--tag", "glutes", "--tag", "beginner")}
    assert both == {"bridge", "clamshell"}
    # a program's exercises, in the program's order
    program = [e["id"] for e in listed(clinic, "--program", "core-activation")]
    assert program[:3] == ["pelvic-tilt", "abdominal-draw-in", "dead-bug-toe-tap"] and len(program) == 8
    bridge = next(e for e in listed(clinic, "--search", "bridge") if e["id"] == "bridge")
    assert bridge["name"] == "Bridge" and bridge["file"] == "content/exercises/bridge.yaml"
    assert bridge["position"] == "lying on back" and "glutes" in bridge["tags"]


def test_list_unknown_position_region_and_tag(clinic):
    """A misspelt filter used to say only 'no exercises match'."""
    result = run(["list", "exercises", "--position", "kneling"], clinic)
    assert result.exit_code == 65 and "unknown position 'kneling'; did you mean 'kneeling'?" in result.stderr
    printed = [e["id"] for e in listed(clinic, "--position", "Lying on your back")]  # as a handout prints it
    assert printed == [e["id"] for e in listed(clinic, "--position", "lying on back")] and "bridge" in printed
    result = run(["list", "exercises", "--tag", "cor"], clinic)
    assert result.exit_code == 0 and "no exercise has tag 'cor'; did you mean 'core'?" in result.stderr
    result = run(["list", "exercises", "--region", "knee"], clinic)  # a real region the library lacks
    assert result.exit_code == 0 and "no exercise has region 'knee'" in result.stderr


def test_list_unknown_program_and_wrong_kind(clinic):
    result = run(["list", "exercises", "--program", "core-activatoin"], clinic)
    assert result.exit_code == 65 and "did you mean 'core-activation'?" in result.stderr, explain(result)
    result = run(["list", "programs", "--region", "knee"], clinic)
    assert result.exit_code == 65 and "use them with 'list exercises'" in result.stderr, explain(result)


def test_list_shows_clean_files_and_names_the_broken(clinic_copy):
    break_unrelated(clinic_copy)
    result = run(["list", "exercises"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "bridge" in result.stdout and "zz-broken" not in result.stdout
    assert "1 exercise is not listed because of problems in their files (e.g. content/exercises/zz-broken.yaml)" \
        in result.stderr


def test_index_follows_every_change(clinic_copy):
    path = clinic_copy / "content" / "exercises" / "bridge.yaml"
    assert listed(clinic_copy, "--search", "Bridge")[0]["name"] == "Bridge"
    path.write_text(path.read_text().replace("{en: Bridge,", "{en: Bridgy,"))  # same size, same second
    assert "Bridgy" in [e["name"] for e in listed(clinic_copy, "--search", "bridg")]
    old = os.stat(path)
    path.write_text(path.read_text().replace("{en: Bridgy,", "{en: Bridgo,"))
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))  # same size AND same mtime as before
    # Racy entries (written within 2 s of the change) are re-read, so even this is seen.
    assert "Bridgo" in [e["name"] for e in listed(clinic_copy, "--search", "bridg")]
    path.unlink()
    assert "bridge" not in [e["id"] for e in listed(clinic_copy)]
    (clinic_copy / "content" / "exercises" / "new-one.yaml").write_text("name: New one\nposition: sitting\n"
                                                                         "steps: [Sit.]\n")
    assert "new-one" in [e["id"] for e in listed(clinic_copy)]


def test_a_stale_or_damaged_index_is_never_trusted(clinic_copy, tmp_path):
    from handouts.load import index

    listed(clinic_copy)
    store = index.index_path(clinic_copy)
    data = json.loads(store.read_text())
    entry = data["entries"]["content/exercises/bridge.yaml"]
    entry.update(name="Wrong name", racy=False)
    store.write_text(json.dumps(data))
    # The index is only a list: the handout reads bridge.yaml itself.
    result = run(["routine", "--exercise", "bridge", "-o", tmp_path / "o.pdf"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    time.sleep(0.01)
    bridge = clinic_copy / "content" / "exercises" / "bridge.yaml"
    bridge.write_text(bridge.read_text() + "\n")  # any change to the file replaces its entry
    assert listed(clinic_copy, "--search", "bridge")[0]["name"] == "Bridge"
    store.write_bytes(b"\x00not json")
    assert len(listed(clinic_copy)) == 16


def test_check_json(clinic_copy):
    break_unrelated(clinic_copy)
    result = run(["check", "--json"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["counts"]["exercises"] == 16
    mine = [p for p in data["problems"] if p["file"] == "content/programs/half-written.yaml"]
    assert mine == [{"severity": "error", "file": "content/programs/half-written.yaml", "line": 1, "column": 1,
                     "field": "exercises", "message": "'exercises' is required"}]


def test_shell_completion_of_ids(clinic, monkeypatch):
    from click.testing import CliRunner

    from handouts.cli import main

    def complete(words: str) -> list[str]:
        env = {"_HANDOUTS_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) -
                                                                                                 (0 if words.endswith(" ") else 1))}
        result = CliRunner().invoke(main, [], prog_name="handouts", env=env)
        assert result.exit_code == 0 and result.exception is None or isinstance(result.exception, SystemExit)
        return [line.split(",", 1)[1] for line in result.stdout.splitlines()]

    monkeypatch.setenv("HANDOUTS_ROOT", str(clinic))
    assert complete("handouts routine --program core-a") == ["core-activation"]
    assert complete("handouts routine --exercise dead-bug-") == ["dead-bug-arm-reach", "dead-bug-toe-tap"]
    assert complete("handouts routine --therapist ") == ["jordan-lee", "sam-ortiz", "priya-nair"]
    assert complete("handouts guide back") == ["back-pain-tips"]
    assert complete("handouts list exercises --program core-s") == ["core-strength"]
    assert complete("handouts batch routine --program core-a") == ["core-activation"]
    assert complete("handouts batch guide back") == ["back-pain-tips"]
