"""A clinic's own exercise list (CSV from a spreadsheet) -> exercise drafts (see importing.py).

One row per exercise; the first line names the columns (any order, any case):

    id          optional; made from the name when empty
    name        required
    position    required: one of the positions `check` knows (lying on back, sitting, standing, ...)
    steps       required: one step per line inside the cell, or steps separated by |
    purpose     one sentence: what it is for
    region, tags, equipment            lists: separated by , or ; or |
    tips, mistakes, precautions        lists: one per line, or separated by |
    sets, reps, hold, rest, duration, side, per_day, per_week, load    the dosage, as in exercise files
    video       https:// address (printed as a QR code)
    image1, caption1, image2, caption2 pictures: paths inside the clinic folder, e.g. images/knee/slide-1.jpg

Encodings and delimiters are handled as for recipient lists (load/charsets.py: UTF-8 with or without
BOM, UTF-16 with BOM, Excel's cp1252 and Mac Roman; comma, semicolon or tab). Every bad cell is reported as `FILE#row N: column: message`
and its row skipped; each value is checked by the same rules as an exercise file.
"""

from __future__ import annotations

import re
from pathlib import Path

from handouts import model as m
from handouts.errors import ContentError, Problem
from handouts.files import require_input_file
from handouts.load import fields, folder, recipients, schema
from handouts.load.importing import Draft, slug
from handouts.load.yamlfile import YList, YMap

LIST_SPLIT = re.compile(r"[,;|\n]")
LINES_SPLIT = re.compile(r"[|\n]")
TEXT = ("name", "position", "purpose", "video")
LISTS = {"region": LIST_SPLIT, "tags": LIST_SPLIT, "equipment": LIST_SPLIT,
         "steps": LINES_SPLIT, "tips": LINES_SPLIT, "mistakes": LINES_SPLIT, "precautions": LINES_SPLIT}
PICTURES = ("image1", "caption1", "image2", "caption2")
COLUMNS = ("id", *TEXT, *LISTS, *m.DOSAGE_KEYS, *PICTURES)
COLUMNS = tuple(dict.fromkeys(c for c in COLUMNS if not c.endswith(("_max", "_open"))))
REQUIRED = ("name", "position", "steps")


def read_rows(path: Path, encoding: str | None = None, delimiter: str | None = None):
    """(header, rows as (number, {column: cell})) with the file's encoding and delimiter worked out."""
    require_input_file(path, "CSV file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(problems=[Problem(f"cannot read the file ({exc.strerror})", str(path))]) from None
    header, table, _, _ = recipients.read_table(data, str(path), encoding, delimiter)
    header = [h.strip().lower() for h in header]
    rows = [(n, dict(zip(header, cells))) for n, cells in table if not isinstance(cells, Problem)]
    problems = [cells for _, cells in table if isinstance(cells, Problem)]
    return header, rows, problems


def header_problems(header: list[str], file: str) -> list[Problem]:
    out, seen = [], set()
    for n, column in enumerate(header, 1):
        if not column:
            out.append(Problem(f"column {n} has no name", f"{file}#header"))
        elif column in seen:
            out.append(Problem(f"column '{column}' appears twice", f"{file}#header"))
        elif column not in COLUMNS:
            hint = fields.did_you_mean(column, COLUMNS) or "; 'handouts import csv --help' lists the columns"
            out.append(Problem(f"unknown column '{column}'{hint}", f"{file}#header"))
        seen.add(column)
    out += [Problem(f"column '{c}' is required", f"{file}#header") for c in REQUIRED if c not in header]
    return out


def drafts(path: Path, root: Path, *, encoding: str | None = None,
           delimiter: str | None = None) -> tuple[list[Draft], list[Problem]]:
    """A draft per good row; every bad cell as `FILE#row N: column: message` (its row is skipped)."""
    file = str(path)
    header, rows, problems = read_rows(path, encoding, delimiter)
    bad_header = header_problems(header, file)
    if bad_header:
        raise ContentError(problems=bad_header)
    out = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        draft, row_problems = _draft(number, {k: v.strip() for k, v in cells.items()}, file, root)
        problems += row_problems
        if draft is not None:
            # Two rows with the same name (and no id) are two records: the second is 'name#2', so
            # importing the list again finds each one's file.
            seen[draft.record] = seen.get(draft.record, 0) + 1
            if seen[draft.record] > 1:
                draft.record = f"{draft.record}#{seen[draft.record]}"
                draft.doc["source"]["record"] = draft.record
            out.append(draft)
    return out, problems


def _draft(number: int, cells: dict[str, str], file: str, root: Path) -> tuple[Draft | None, list[Problem]]:
    place = f"{file}#row {number}"
    problems: list[Problem] = []
    doc: dict = {}
    for column in TEXT:
        if cells.get(column):
            doc[column] = cells[column]
    for column, split in LISTS.items():
        values = [v.strip() for v in split.split(cells.get(column, ""))]
        if any(values):
            doc[column] = [v for v in values if v]
    dosage = {k: cells[k] for k in m.DOSAGE_KEYS if cells.get(k)}
    if dosage:
        doc["dosage"] = dosage
    pictures = []
    for n in ("1", "2"):
        if cells.get(f"image{n}"):
            pictures.append({"file": cells[f"image{n}"], **({"caption": cells[f"caption{n}"]}
                                                             if cells.get(f"caption{n}") else {})})
        elif cells.get(f"caption{n}"):
            problems.append(Problem(f"a caption without a picture; fill image{n} or leave caption{n} empty",
                                    place, field=f"caption{n}"))
    if pictures:
        doc["images"] = pictures
    ident = cells.get("id", "")
    if ident and not fields.ID_RE.match(ident):
        problems.append(Problem(f"expected an id (lower-case letters, digits and hyphens), got '{ident[:60]}'",
                                place, field="id"))
    for column in REQUIRED:
        if not cells.get(column):
            problems.append(Problem("is empty; every exercise needs one", place, field=column))
    if not problems:
        problems += _check(doc, place, root)
    if problems:
        return None, problems
    order = ("name", "position", "purpose", "region", "tags", "equipment", "images", "steps", "tips", "mistakes",
             "precautions", "dosage", "video")
    doc = {k: doc[k] for k in order if k in doc}
    # The list and the row's id (or name) identify the record, so importing the list again after
    # rows were added or moved finds each exercise written before.
    dataset, record = Path(file).name, ident or slug(doc["name"])
    doc["source"] = {"dataset": dataset, "record": record}
    header = f"Imported from {dataset} by 'handouts import csv'."
    return Draft(place, doc["name"], doc, ident=ident, record=record, dataset=dataset, header=header), []


def _check(doc: dict, place: str, root: Path) -> list[Problem]:
    """Each value by the rules of an exercise file, reported by column; picture files must exist."""
    tree = _tree(doc)
    reader = fields.Reader(place)
    schema.read_exercise(reader, tree, "x")
    out = [Problem(p.message, place, field=_column(p.field)) for p in reader.problems if not p.warning]
    for n, pic in enumerate(doc.get("images", ()), 1):
        why = folder.inside_problem(root, pic["file"])
        if why and not any(p.field == f"image{n}" for p in out):
            out.append(Problem(why, place, field=f"image{n}"))
    return out


def _column(field: str) -> str:
    """The CSV column a field path of the exercise schema came from: 'dosage.reps' -> 'reps',
    'steps[2]' -> 'steps (step 3)', 'images[1].file' -> 'image2'."""
    match = re.match(r"^images\[(\d)\]\.(file|caption)", field)
    if match:
        return f"{'image' if match.group(2) == 'file' else 'caption'}{int(match.group(1)) + 1}"
    match = re.match(r"^(\w+)\[(\d+)\]$", field)
    if match:
        noun = {"steps": "step", "tips": "tip", "mistakes": "mistake", "precautions": "precaution"}.get(
            match.group(1), "item")
        return f"{match.group(1)} ({noun} {int(match.group(2)) + 1})"
    return field.split(".")[-1] if field.startswith("dosage.") else field


def _tree(value, line: int = 1):
    """Plain data -> the located tree the schema reads (every place is the row)."""
    if isinstance(value, dict):
        node = YMap(line, 1)
        for k, v in value.items():
            node[k] = _tree(v, line)
            node.key_at[k] = node.value_at[k] = (0, 0)
        return node
    if isinstance(value, list):
        node = YList(line, 1)
        for v in value:
            node.append(_tree(v, line))
            node.item_at.append((0, 0))
        return node
    return value
