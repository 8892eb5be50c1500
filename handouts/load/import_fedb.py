"""free-exercise-db (github.com/yuhonas/free-exercise-db) records -> exercise drafts (see importing.py).

Reads its `exercises.json` (a list of records), or a folder holding one (also `dist/exercises.json`),
or a folder of per-exercise JSON files (`exercises/<id>.json`, upstream's layout). Each record gives:
steps from `instructions`, equipment, region from the primary muscles, tags from category, force,
mechanic and level, and a body position guessed from the name and the first steps (recorded in
`source.guessed` so `check` and `list --review` ask a person to confirm it).

The dataset's text is public domain (the Unlicense); the origin of its photos is unknown, so they are
copied only when asked (`with_images`), and that warning is written into each file's `source:`.
"""

from __future__ import annotations

import json
from pathlib import Path

from handouts.errors import ContentError, InputMissing, Problem
from handouts.load.importing import Draft

DATASET = "free-exercise-db"
URL = "https://github.com/yuhonas/free-exercise-db"
LICENCE = "The Unlicense (public domain), for the text"
IMAGES_WARNING = ("Photos of unknown origin: the free-exercise-db maintainer says their origin is unknown, and "
                  "the dataset it derives from (wrkout/exercises.json) says its images were taken from the "
                  "internet and advises against commercial use. Replace them before printing for patients.")
MAX_BYTES = 50_000_000

# Body regions, in the demo library's words, for the dataset's muscle names.
REGIONS = {
    "abdominals": "core", "abductors": "hips", "adductors": "hips", "glutes": "hips", "lower back": "low back",
    "middle back": "mid back", "lats": "mid back", "traps": "neck", "neck": "neck", "shoulders": "shoulders",
    "chest": "chest", "biceps": "arms", "triceps": "arms", "forearms": "arms", "quadriceps": "thighs",
    "hamstrings": "thighs", "calves": "calves",
}

# (words, position), most specific first; matched in the name, then in the first two steps.
POSITION_HINTS = (
    (("half-kneeling", "half kneeling", "kneel on one knee", "one knee on the floor"), "half-kneeling"),
    (("hands and knees", "all fours", "quadruped"), "hands and knees"),
    (("kneel",), "kneeling"),
    (("side bridge", "side plank", "on your side", "side-lying", "side lying"), "side-lying"),
    (("face down on a", "facedown on a", "face down on the bench", "lie face down on a hyperextension"),
     "lying face down on a bench"),
    (("lie on a flat bench", "lie back on a flat bench", "lie on the bench", "lying on a flat bench"),
     "lying face up on a bench"),
    (("prone", "face down", "facedown", "on your stomach"), "lying on stomach"),
    (("on your back", "lie flat", "lay flat", "lying position", "supine", "lie down", "lay on the floor",
      "lie on the floor", "lying on the floor", "lie straight", "lie on your back", "lying"), "lying on back"),
    (("on an exercise ball", "on a ball", "on the ball"), "sitting on a ball"),
    (("seat yourself", "seated", "sit on", "sit up", "sit with", "sit next", "sitting"), "sitting"),
    (("on one leg", "single-leg stance"), "standing on one leg"),
    (("against a wall", "facing a wall"), "standing at a wall"),
    (("stand", "upright"), "standing"),
)


def guess_position(name: str, steps: list[str]) -> str:
    """The position the exercise starts in, from words in its name, else its first two steps;
    'standing' when nothing says otherwise."""
    for text in (name.lower(), " ".join(steps[:2]).lower()):
        for words, position in POSITION_HINTS:
            if any(w in text for w in words):
                return position
    return "standing"


def read_records(src: Path) -> tuple[list[tuple[str, dict]], Path]:
    """(origin, record) pairs from `src`, and the folder pictures are found from."""
    if not src.exists():
        raise InputMissing(f"{src}: no such file or folder")
    if src.is_dir():
        for candidate in (src / "exercises.json", src / "dist" / "exercises.json"):
            if candidate.is_file():
                return read_records(candidate)[0], src
        files = sorted((src / "exercises").glob("*.json")) or sorted(src.glob("*.json"))
        if not files:
            raise InputMissing(f"{src}: no exercises.json and no per-exercise .json files in it")
        return [(str(f), rec) for f in files for _, rec in _load(f, single=True)], src
    return _load(src, single=False), src.parent


def _load(path: Path, single: bool) -> list[tuple[str, dict]]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ContentError(problems=[Problem(f"file is {size:,} bytes; the limit is {MAX_BYTES:,}", str(path))])
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise InputMissing(f"{path}: cannot read the file ({exc.strerror})") from None
    except ValueError as exc:
        raise ContentError(problems=[Problem(f"not valid JSON ({getattr(exc, 'msg', 'unreadable')})", str(path),
                                             getattr(exc, "lineno", 0), getattr(exc, "colno", 0))]) from None
    if single:
        data = [data]
    if not isinstance(data, list):
        raise ContentError(problems=[Problem("expected a list of exercise records (free-exercise-db format)",
                                             str(path))])
    name = path.name
    return [(f"{name}#{n}" if not single else name, rec) for n, rec in enumerate(data, 1)]


def _texts(value) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [" ".join(str(v).split()) for v in values if v is not None and str(v).strip()]


def drafts(src: Path, *, with_images: bool = False) -> tuple[list[Draft], list[Problem]]:
    """A draft per usable record; each record that cannot become an exercise is listed with why."""
    records, base = read_records(src)
    out, skipped = [], []
    for origin, rec in records:
        if not isinstance(rec, dict):
            skipped.append(Problem("not an exercise record (expected a JSON object)", origin))
            continue
        record_id = str(rec.get("id") or "").strip()
        shown = f"{origin} ({record_id})" if record_id else origin
        name = " ".join(str(rec.get("name") or "").split())
        steps = _texts(rec.get("instructions"))
        if not name:
            skipped.append(Problem("has no name", shown))
            continue
        if not steps:
            skipped.append(Problem(f"'{name}' has no instructions, so there are no steps to print", shown))
            continue
        muscles = _texts(rec.get("primaryMuscles"))
        regions = list(dict.fromkeys(REGIONS.get(m.lower(), m.lower()) for m in muscles))
        tags = list(dict.fromkeys(t.lower() for t in _texts([rec.get(k) for k in ("category", "force", "mechanic",
                                                                                    "level")])))
        equipment = [e for e in _texts(rec.get("equipment")) if e.lower() != "body only"]
        source = {"dataset": DATASET, "record": record_id, "licence": LICENCE, "url": URL, "guessed": ["position"]}
        doc: dict = {"name": name, "position": guess_position(name, steps)}
        if regions:
            doc["region"] = regions
        if tags:
            doc["tags"] = tags
        if equipment:
            doc["equipment"] = equipment
        pictures = []
        if with_images:
            doc["images"], pictures, missing = _pictures(base, rec, record_id)
            if not doc["images"]:
                del doc["images"]
            skipped += [Problem(f"picture not found, imported without it: {rel}", shown) for rel in missing]
            if pictures:
                source["images"] = IMAGES_WARNING
        doc["steps"] = steps
        doc["source"] = source
        header = (f"Imported from {DATASET} (record {record_id}) by 'handouts import'.\n"
                  "The body position was guessed from the name and steps: check it, then remove\n"
                  "'position' from source.guessed.")
        out.append(Draft(shown, name, doc, record=record_id, dataset=DATASET, pictures=pictures, header=header))
    return out, skipped


def _pictures(base: Path, rec: dict, record_id: str):
    """(images entries, files to copy, missing names) for a record's first two pictures."""
    entries, copies, missing = [], [], []
    for n, rel in enumerate(_texts(rec.get("images"))[:2]):
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            missing.append(rel)
            continue
        found = next((p for p in (base / "images" / rel, base / "exercises" / rel, base / rel,
                                  base.parent / "exercises" / rel) if p.is_file()), None)
        if found is None:
            missing.append(rel)
            continue
        target = f"images/imported/{DATASET}/{_safe(record_id) or 'record'}/{n}{found.suffix.lower()}"
        entries.append({"file": target, "caption": "Start position" if n == 0 else "End position"})
        copies.append((found, target))
    return entries, copies, missing


def _safe(text: str) -> str:
    from handouts.load.importing import slug

    return slug(text) if text else ""
