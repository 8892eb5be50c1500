"""`handouts import csv` (#16): a clinic's own exercise list; every bad cell as `FILE#row N: column: message`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from conftest import explain, run

HEADER = ["id", "name", "position", "steps", "sets", "reps", "hold", "side", "video", "image1", "caption1", "region"]
GOOD = {"id": "", "name": "Heel slide", "position": "lying on back",
        "steps": "Lie on your back with both legs straight.\nSlide one heel toward you.\nSlide it back.",
        "sets": "2", "reps": "10-15", "hold": "3s", "side": "each", "video": "", "image1": "", "caption1": "",
        "region": "knee, hip"}


def write_csv(path: Path, rows: list[dict], header=HEADER, encoding="utf-8", delimiter=",") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def test_a_good_list_becomes_clean_exercise_files(clinic_copy, tmp_path):
    rows = [GOOD, {**GOOD, "name": "Wall sit", "position": "standing at a wall", "steps": "Lean on the wall.|Slide "
                   "down a little.|Hold.", "id": "wall-sit", "hold": "30s", "reps": "", "side": ""},
            {**GOOD, "name": "Quad set", "image1": "images/exercises/bridge-start.png", "caption1": "Start"}]
    src = write_csv(tmp_path / "ours.csv", rows)
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "wrote 3 exercise files" in result.stdout
    doc = yaml.safe_load((clinic_copy / "content" / "exercises" / "heel-slide.yaml").read_text())
    assert doc == {"name": "Heel slide", "position": "lying on back", "region": ["knee", "hip"],
                   "steps": ["Lie on your back with both legs straight.", "Slide one heel toward you.", "Slide it back."],
                   "dosage": {"sets": "2", "reps": "10-15", "hold": "3s", "side": "each"},
                   "source": {"dataset": "ours.csv", "record": "heel-slide"}}
    wall = yaml.safe_load((clinic_copy / "content" / "exercises" / "wall-sit.yaml").read_text())
    assert wall["steps"] == ["Lean on the wall.", "Slide down a little.", "Hold."]
    quad = yaml.safe_load((clinic_copy / "content" / "exercises" / "quad-set.yaml").read_text())
    assert quad["images"] == [{"file": "images/exercises/bridge-start.png", "caption": "Start"}]
    assert run(["check"], clinic_copy).exit_code == 0
    again = run(["import", "csv", src], clinic_copy)
    assert again.exit_code == 0 and "3 unchanged" in again.stdout, explain(again)


def test_two_rows_of_one_name_import_again_unchanged(clinic_copy, tmp_path):
    """Two rows with the same name are two exercises (-2); importing the list again changes nothing (it
    used to find both records in one file and refuse the second as 'exists')."""
    src = write_csv(tmp_path / "ours.csv", [GOOD, {**GOOD, "steps": "Bend the knee.|Straighten it."}])
    first = run(["import", "csv", src], clinic_copy)
    assert first.exit_code == 0 and "wrote 2 exercise files" in first.stdout, explain(first)
    second = yaml.safe_load((clinic_copy / "content" / "exercises" / "heel-slide-2.yaml").read_text())
    assert second["source"] == {"dataset": "ours.csv", "record": "heel-slide#2"}
    again = run(["import", "csv", src], clinic_copy)
    assert again.exit_code == 0 and "2 unchanged" in again.stdout, explain(again)


def test_the_same_list_saved_under_another_name_imports_unchanged(clinic_copy, tmp_path):
    """A list re-downloaded as 'ours (1).csv' holds the same records: no duplicate library."""
    rows = [GOOD, {**GOOD, "name": "Quad set", "steps": "Tighten your thigh.|Hold."}]
    src = write_csv(tmp_path / "ours.csv", rows)
    assert run(["import", "csv", src], clinic_copy).exit_code == 0
    copy = write_csv(tmp_path / "ours (1).csv", rows)
    again = run(["import", "csv", copy], clinic_copy)
    assert again.exit_code == 0 and "2 unchanged" in again.stdout, explain(again)
    assert not list((clinic_copy / "content" / "exercises").glob("*-2.yaml"))


def test_an_id_clash_is_renamed_and_listed(clinic_copy, tmp_path):
    src = write_csv(tmp_path / "ours.csv", [{**GOOD, "name": "Bridge"}])
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert f"renamed: {src}#row 1 'Bridge' -> bridge-2 (the id bridge is taken)" in result.stderr
    assert (clinic_copy / "content" / "exercises" / "bridge-2.yaml").is_file()


def positions() -> str:
    from handouts.model import POSITIONS

    return ", ".join(POSITIONS)


# One bad cell per row; each message exactly as the user sees it.
BAD_CELLS = [
    ({"name": ""}, "name: is empty; every exercise needs one"),
    ({"steps": ""}, "steps: is empty; every exercise needs one"),
    ({"position": "upside down"}, None),  # filled in below: the list of positions
    ({"reps": "ten"}, "reps: expected a whole number, got 'ten'; also allowed: a range like 10-15, "
                      "'as many as you comfortably can', 'until tired'"),
    ({"sets": "0"}, "sets: must be between 1 and 20, got 0"),
    ({"hold": "5 parsecs"}, "hold: unknown unit 'parsecs' in '5 parsecs'; use seconds or minutes (s, min); "
                            "did you mean 'secs'?"),
    ({"side": "lefft"}, "side: expected one of: left, right, each, both, alternating; got 'lefft'; "
                        "did you mean 'left'?"),
    ({"video": "www.example.com/v"}, "video: expected a web address starting with https://, "
                                     "got 'www.example.com/v'"),
    ({"image1": "images/nope.jpg"}, "image1: file not found: images/nope.jpg"),
    ({"image1": "../secret.jpg"}, "image1: path escapes the clinic folder ('..'), got '../secret.jpg'"),
    ({"caption1": "Start"}, "caption1: a caption without a picture; fill image1 or leave caption1 empty"),
    ({"id": "Heel Slide"}, "id: expected an id (lower-case letters, digits and hyphens), got 'Heel Slide'"),
    ({"name": "Heel\x07slide"}, "name: contains control or invisible formatting characters (U+0007); remove them"),
    ({"name": "x" * 201}, "name: text is 201 characters; the limit is 200 (split it up)"),
    ({"steps": "Lie down.|" + "y" * 5001}, "steps (step 2): text is 5,001 characters; the limit is 5,000 "
                                            "(split it up)"),
]


@pytest.mark.parametrize("change, message", BAD_CELLS, ids=[next(iter(c)) + str(n) for n, (c, _) in
                                                              enumerate(BAD_CELLS)])
def test_each_bad_cell_kind(clinic_copy, tmp_path, change, message):
    if message is None:
        message = f"position: expected one of: {positions()}; got 'upside down'"
    src = write_csv(tmp_path / "ours.csv", [{**GOOD, "name": "Fine one"}, {**GOOD, **change}])
    files = set((clinic_copy / "content" / "exercises").iterdir())
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert f"skipped: {src}#row 2: {message}\n" in result.stderr, explain(result)
    # the good row is written; the bad one is not
    new = set((clinic_copy / "content" / "exercises").iterdir()) - files
    assert [p.name for p in new] == ["fine-one.yaml"]


def test_header_problems_stop_before_anything_is_read(clinic_copy, tmp_path):
    src = write_csv(tmp_path / "ours.csv", [GOOD], header=["name", "positoin", "steps", "setz", "name", "colour"])
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert f"{src}#header: unknown column 'positoin'; did you mean 'position'?" in result.stderr
    assert f"{src}#header: unknown column 'setz'; did you mean 'sets'?" in result.stderr
    assert f"{src}#header: column 'name' appears twice" in result.stderr
    assert f"{src}#header: unknown column 'colour'; 'handouts import csv --help' lists the columns\n" in result.stderr
    assert f"{src}#header: column 'position' is required" in result.stderr


def test_a_row_with_the_wrong_number_of_cells(clinic_copy, tmp_path):
    src = tmp_path / "ours.csv"
    src.write_text("name,position,steps\nA,standing,Stand.\nB,standing\n", encoding="utf-8")
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert f"skipped: {src}#row 2: has 2 cells but the header names 3 columns" in result.stderr


@pytest.mark.parametrize("encoding, delimiter", [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ",")])
def test_spreadsheet_encodings_and_delimiters(clinic_copy, tmp_path, encoding, delimiter):
    row = {**GOOD, "name": "Élévation du bassin", "steps": "Allongez-vous sur le dos.|Levez le bassin."}
    src = write_csv(tmp_path / "ours.csv", [row], encoding=encoding, delimiter=delimiter)
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 0, explain(result)
    doc = yaml.safe_load((clinic_copy / "content" / "exercises" / "elevation-du-bassin.yaml").read_text())
    assert doc["name"] == "Élévation du bassin"


def test_the_readme_template_imports_cleanly(clinic_copy):
    from conftest import REPO

    result = run(["import", "csv", REPO / "examples" / "exercises.csv"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert run(["check"], clinic_copy).exit_code == 0


def test_a_row_with_two_bad_cells_is_one_skipped_row(clinic_copy, tmp_path):
    src = write_csv(tmp_path / "ours.csv", [GOOD, {**GOOD, "name": "Quad set", "position": "floating", "sets": "many"}])
    result = run(["import", "csv", src], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert result.stderr.count(f"{src}#row 2: ") == 2  # each bad cell listed
    assert "wrote 1 exercise files" in result.stdout and "; 1 skipped" in result.stdout
