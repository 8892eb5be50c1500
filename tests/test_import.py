"""`handouts import` (#16): free-exercise-db and a clinic's CSV list -> clean exercise files.

The exercise-db sample (../shared/exercise-db) is real content nobody here wrote; its photos are read
from there only, never copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import DATE, explain, run

SKIPPED = {"Iron_Cross", "Side_Bridge"}  # no instructions upstream
RENAMED = {"superman": "superman-2", "dead-bug": "dead-bug-2", "glute-kickback": "glute-kickback-2"}


def exercise_files(root: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in (root / "content" / "exercises").iterdir()}


@pytest.fixture(scope="module")
def imported(exercise_db, tmp_path_factory, cache_dir):
    """The demo clinic plus all of exercise-db, imported text-only."""
    from conftest import REPO, copy_clinic, fill_missing_images

    root = copy_clinic(REPO, tmp_path_factory.mktemp("imported") / "clinic")
    fill_missing_images(root)
    before = set(exercise_files(root))
    result = run(["import", "free-exercise-db", exercise_db / "exercises.json"], root)
    return root, result, set(exercise_files(root)) - before


def test_exercise_db_gives_61_exercises_and_lists_the_2_it_skips(imported):
    root, result, new = imported
    assert result.exit_code == 0, explain(result)
    assert len(new) == 61
    for record in SKIPPED:
        assert f"({record}): '{record.replace('_', ' ')}' has no instructions, so there are no steps to print" \
            in result.stderr
    assert "wrote 61 exercise files" in result.stdout and "61 new" in result.stdout and "2 skipped" in result.stdout
    # ids from names; clashes with the demo's own exercises are renamed visibly
    assert {"3-4-sit-up.yaml", "90-90-hamstring.yaml", "farmers-walk.yaml", "worlds-greatest-stretch.yaml"} <= new
    for taken, given in RENAMED.items():
        assert f"-> {given} (the id {taken} is taken)" in result.stderr
        assert f"{given}.yaml" in new
    assert not (root / "images" / "imported").exists()  # text only by default


def test_an_imported_file_holds_its_source_and_what_was_guessed(imported):
    root, _, _ = imported
    doc = yaml.safe_load((root / "content" / "exercises" / "3-4-sit-up.yaml").read_text(encoding="utf-8"))
    assert doc["name"] == "3/4 Sit-Up" and doc["position"] == "lying on back"
    assert doc["steps"][3].endswith("going only ¾ of the way down.")
    assert doc["region"] == ["core"] and doc["tags"] == ["strength", "pull", "compound", "beginner"]
    assert doc["source"] == {"dataset": "free-exercise-db", "record": "3_4_Sit-Up",
                             "licence": "The Unlicense (public domain), for the text",
                             "url": "https://github.com/yuhonas/free-exercise-db", "guessed": ["position"]}
    assert "images" not in doc
    pullover = yaml.safe_load((root / "content" / "exercises" / "straight-arm-dumbbell-pullover.yaml").read_text())
    assert all("\n" not in step for step in pullover["steps"])  # a line break inside a step is a space
    assert pullover["equipment"] == ["dumbbell"]


def test_check_is_clean_and_asks_to_review_guessed_positions(imported):
    root, _, _ = imported
    result = run(["check"], root)
    assert result.exit_code == 0, explain(result)
    assert "61 imported exercises have a body position the importer guessed" in result.stderr
    review = run(["list", "exercises", "--review", "--json"], root)
    assert len(json.loads(review.stdout)) == 61


def test_reimporting_changes_nothing(imported, exercise_db):
    root, _, _ = imported
    before = exercise_files(root)
    result = run(["import", "free-exercise-db", exercise_db], root)  # the folder this time
    assert result.exit_code == 0, explain(result)
    assert "wrote 0 exercise files" in result.stdout and "61 unchanged" in result.stdout
    assert "renamed" not in result.stderr
    assert exercise_files(root) == before


def test_a_handout_of_20_imported_exercises_keeps_the_layout_invariants(imported, tmp_path):
    from handouts.invariants import check_pdf

    root, _, new = imported
    ids = sorted(name.removesuffix(".yaml") for name in new)[:20]
    out = tmp_path / "twenty.pdf"
    result = run(["routine", *[a for i in ids for a in ("--exercise", i)], "--patient", "Ann", "--date", DATE,
                  "-o", out], root)
    assert result.exit_code == 0, explain(result)
    assert check_pdf(out) == []


def test_edited_files_are_not_overwritten_without_overwrite(exercise_db, clinic_copy):
    run(["import", "free-exercise-db", exercise_db], clinic_copy)
    path = clinic_copy / "content" / "exercises" / "plank.yaml"
    edited = path.read_text().replace("position: lying on stomach", "position: hands and knees")
    path.write_text(edited)
    files = exercise_files(clinic_copy)
    result = run(["import", "free-exercise-db", exercise_db], clinic_copy)
    assert result.exit_code == 73, explain(result)
    assert "exists: content/exercises/plank.yaml differs from exercises.json#48 (Plank)" in result.stderr
    assert "1 exercise file(s) exist and differ; nothing was written" in result.stderr
    assert exercise_files(clinic_copy) == files
    dry = run(["import", "free-exercise-db", exercise_db, "--dry-run", "--overwrite"], clinic_copy)
    assert "replace: content/exercises/plank.yaml  (Plank)" in dry.stdout and path.read_text() == edited
    result = run(["import", "free-exercise-db", exercise_db, "--overwrite"], clinic_copy)
    assert result.exit_code == 0 and "1 replaced" in result.stdout, explain(result)
    assert "position: lying on stomach" in path.read_text()


def test_dry_run_writes_nothing(exercise_db, clinic_copy):
    files = exercise_files(clinic_copy)
    result = run(["import", "free-exercise-db", exercise_db, "--dry-run"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "new: content/exercises/3-4-sit-up.yaml  (3/4 Sit-Up)" in result.stdout
    assert "would write 61 exercise files" in result.stdout
    assert exercise_files(clinic_copy) == files


def test_with_images_warns_and_records_it(exercise_db, clinic_copy):
    result = run(["import", "free-exercise-db", exercise_db, "--with-images"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "Photos of unknown origin" in result.stderr and "advises against commercial use" in result.stderr
    doc = yaml.safe_load((clinic_copy / "content" / "exercises" / "plank.yaml").read_text())
    assert doc["images"] == [{"file": "images/imported/free-exercise-db/plank/0.jpg", "caption": "Start position"},
                             {"file": "images/imported/free-exercise-db/plank/1.jpg", "caption": "End position"}]
    assert doc["source"]["images"].startswith("Photos of unknown origin")
    assert (clinic_copy / "images/imported/free-exercise-db/plank/0.jpg").read_bytes() == \
        (exercise_db / "images/Plank/0.jpg").read_bytes()


def test_a_folder_of_per_exercise_files(exercise_db, clinic_copy, tmp_path):
    records = json.loads((exercise_db / "exercises.json").read_text(encoding="utf-8"))
    folder = tmp_path / "db" / "exercises"
    folder.mkdir(parents=True)
    for record in records[:5]:
        (folder / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    result = run(["import", "free-exercise-db", tmp_path / "db"], clinic_copy)
    assert result.exit_code == 0 and "5 new" in result.stdout, explain(result)


@pytest.mark.parametrize("data, message", [
    (b"{", "not valid JSON"),
    (b'{"name": "x"}', "expected a list of exercise records (free-exercise-db format)"),
])
def test_unreadable_dataset(clinic_copy, tmp_path, data, message):
    src = tmp_path / "exercises.json"
    src.write_bytes(data)
    result = run(["import", "free-exercise-db", src], clinic_copy)
    assert result.exit_code == 65 and message in result.stderr, explain(result)


def test_missing_dataset(clinic_copy, tmp_path):
    result = run(["import", "free-exercise-db", tmp_path / "nope.json"], clinic_copy)
    assert result.exit_code == 66 and "no such file or folder" in result.stderr, explain(result)


def test_slugs():
    from handouts.load.importing import slug

    assert slug("3/4 Sit-Up") == "3-4-sit-up"
    assert slug("Farmer's Walk") == "farmers-walk"
    assert slug("Élévation du bassin") == "elevation-du-bassin"
    assert slug("Butt Lift (Bridge)") == "butt-lift-bridge"
    assert slug("???") == "exercise"
    assert len(slug("x" * 200)) == 60
