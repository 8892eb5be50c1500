"""What every importer shares: drafts of exercise files -> a checked plan -> files in the clinic folder.

An importer turns outside records into `Draft`s (an exercise as a plain dict, ready to be written as
YAML, and the pictures to copy). `plan()` gives each an id made from its name, resolves clashes with the
library visibly (`-2`, `-3`, listed), recognises a record imported before (same dataset and record id in
`source:`, so re-importing is idempotent), and runs every draft through the same strict reader `check`
uses, so what is written is clean. `write()` writes only what the plan says, atomically, never over an
existing file unless told.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handouts.errors import OutputError, Problem
from handouts.files import write_atomic
from handouts.load import fields, folder, schema
from handouts.load.yamlfile import load_bytes

MAX_ID = 60  # leaves room for a "-2" suffix within the 64-character id limit


@dataclass
class Draft:
    """One record on its way to becoming content/exercises/<id>.yaml."""

    origin: str  # where the record came from, for messages: "exercises.json#3 (3_4_Sit-Up)", "list.csv#row 4"
    name: str
    doc: dict  # the exercise file as plain data (str, list, dict), in the order it is written
    ident: str = ""  # wanted id; made from the name when empty
    record: str = ""  # the record id in its dataset (source.record), if any
    dataset: str = ""
    pictures: list[tuple[Path, str]] = field(default_factory=list)  # (file to copy, target inside the clinic)
    header: str = ""  # a comment written at the top of the file


@dataclass
class Planned:
    draft: Draft
    ident: str
    action: str  # "new", "unchanged", "replace", "exists"
    text: str
    clash: str = ""  # the id that was taken, when this draft got a suffix


@dataclass
class Plan:
    items: list[Planned] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # records that cannot become an exercise, and why

    def count(self, action: str) -> int:
        return sum(1 for p in self.items if p.action == action)


def slug(name: str) -> str:
    """An id from a name: 'Farmer's Walk (heavy)' -> 'farmers-walk-heavy'; '3/4 Sit-Up' -> '3-4-sit-up'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['\u2019]", "", text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:MAX_ID].rstrip("-") or "exercise"


def dump(draft: Draft) -> str:
    """The file's text: YAML written by PyYAML (every value quoted as it needs), with a header comment."""
    body = yaml.safe_dump(draft.doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    head = "".join(f"# {line}\n".replace("# \n", "#\n") for line in draft.header.splitlines())
    return head + body


def validate(draft: Draft, ident: str, shown: str) -> list[Problem]:
    """Problems `check` would report for this file (read back with the strict loader)."""
    tree, problems = load_bytes(dump(draft).encode("utf-8"), shown)
    reader = fields.Reader(shown)
    reader.problems.extend(problems)
    if tree is not None:
        schema.read_exercise(reader, tree, ident)
    return [p for p in reader.problems if not p.warning]


def plan(root: Path, drafts: list[Draft], *, overwrite: bool = False) -> Plan:
    from handouts.load import index

    out = Plan()
    entries = index.load(root).of_kind("exercise", clean=False)
    taken = {e["id"] for e in entries}
    imported = {(e["dataset"], e["record"]): e["id"] for e in entries if e.get("dataset") and e.get("record")}
    # A clinic's list saved again under another name ('exercises (1).csv') holds the same records: a
    # record found under exactly one other list name is that exercise (it keeps its first list's name).
    lists: dict[str, list[tuple[str, str]]] = {}
    for (dataset, record), ident in imported.items():
        if dataset.lower().endswith((".csv", ".tsv", ".txt")):
            lists.setdefault(record, []).append((dataset, ident))
    for draft in drafts:
        problems = validate(draft, "x", draft.origin)
        if problems:
            out.skipped.append(Problem("; ".join(_field_first(p) for p in problems), draft.origin))
            continue
        wanted = draft.ident or slug(draft.name)
        earlier = imported.get((draft.dataset, draft.record)) if draft.record else None
        if earlier is None and draft.record and draft.dataset.lower().endswith((".csv", ".tsv", ".txt")):
            before = lists.get(draft.record, [])
            if len(before) == 1:
                earlier = before[0][1]
                _renamed(draft, before[0][0])
        if earlier:
            ident, clash = earlier, ""
        elif draft.ident:  # an id given by the user names that exercise: update it, never rename
            ident, clash = draft.ident, ""
        else:
            ident, clash = _free(wanted, taken), ""
            if ident != wanted:
                clash = wanted
        taken.add(ident)
        text = dump(draft)
        path = _existing(root, ident)
        if path is None:
            action = "new"
        elif path.read_text(encoding="utf-8", errors="replace") == text:
            action = "unchanged"
        else:
            action = "replace" if overwrite else "exists"
        out.items.append(Planned(draft, ident, action, text, clash))
    return out


def _renamed(draft: Draft, dataset: str) -> None:
    """`draft` as if it came from the list it was first imported from (so its file is unchanged)."""
    draft.header = draft.header.replace(draft.dataset, dataset)
    draft.dataset = draft.doc["source"]["dataset"] = dataset


def _field_first(p: Problem) -> str:
    return f"{p.field}: {p.message}" if p.field else p.message


def _free(wanted: str, taken: set[str]) -> str:
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _existing(root: Path, ident: str) -> Path | None:
    for suffix in folder.SUFFIXES:
        path = root / "content" / "exercises" / f"{ident}{suffix}"
        if path.exists():
            return path
    return None


def write(root: Path, the_plan: Plan) -> list[Path]:
    """Write the new and replaced files (and copy their pictures); return what was written."""
    written = []
    for item in the_plan.items:
        if item.action not in ("new", "replace"):
            continue
        for source, target in item.draft.pictures:
            dest = root / target
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)
            except OSError as exc:
                raise OutputError(f"{target}: cannot copy the picture ({exc.strerror})") from None
        path = _existing(root, item.ident) or root / "content" / "exercises" / f"{item.ident}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, item.text.encode("utf-8"), overwrite=item.action == "replace", mode=0o644)
        written.append(path)
    return written


def review_warnings(library) -> list[Problem]:
    """One warning (not one per file) when imported exercises still carry fields the importer guessed."""
    guessed = [ex for ex in library.exercises.values() if ex.source and ex.source.guessed]
    if not guessed:
        return []
    some = ", ".join(ex.id for ex in guessed[:3]) + (", ..." if len(guessed) > 3 else "")
    return [Problem(f"{len(guessed)} imported exercises have a body position the importer guessed ({some}); "
                    "review them with 'handouts list exercises --review', then remove 'position' from each "
                    "file's source.guessed", warning=True)]
