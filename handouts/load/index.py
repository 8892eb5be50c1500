"""The library index: one small JSON file per clinic folder, in the cache, summarising every content file.

`list`, `show`, search and shell completion read it instead of parsing thousands of YAML files, and a
single handout uses it only to say how many *other* files have problems. It is never trusted for
correctness: builds read the files they use, and `check` reads everything. Each entry is kept right by
the file's size and modification time (nanoseconds); a stale or missing entry is re-read from its file,
so the index is rebuilt piece by piece as files change. An entry written within two seconds of the
file's last change is re-read next time (a second edit in the same clock tick with the same size would
otherwise go unseen). An index that cannot be written only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from handouts import cache
from handouts.load import fields, folder, schema

VERSION = 2
FOLDERS = (("exercises", "exercise"), ("programs", "program"), ("guides", "guide"))
RACY_SECONDS = 2.0


def index_path(root: Path) -> Path:
    key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return cache.root() / "index" / f"{key}.json"


@dataclass
class Index:
    root: Path
    entries: dict[str, dict]  # content file (relative, forward slashes) -> summary

    def of_kind(self, kind: str, *, clean: bool = True) -> list[dict]:
        """Entries of one kind ('exercise', 'program', 'guide') in file-name order (as `check` reads them);
        only clean ones unless told."""
        out = [e for e in self.entries.values() if e["kind"] == kind and (e["errors"] == 0 or not clean)]
        return sorted(out, key=lambda e: e["file"])

    def ids(self, kind: str) -> list[str]:
        return [e["id"] for e in self.of_kind(kind, clean=False)]

    def therapists(self) -> list[tuple[str, str]]:
        clinic = self.entries.get("content/clinic.yaml")
        return [tuple(t) for t in clinic.get("therapists", ())] if clinic else []

    def files_with_problems(self, used: set[str] = frozenset()) -> list[str]:
        """Content files outside `used` that `check` would report: their own errors, or ids they name
        that no file has."""
        known = {kind: {e["id"] for e in self.entries.values() if e["kind"] == kind} for _, kind in FOLDERS}
        out = []
        for file, e in sorted(self.entries.items()):
            if file in used:
                continue
            dangling = [ref for ref in e.get("refs", ()) if ref not in known["exercise"]]
            if e["errors"] or dangling:
                out.append(file)
        return out


def load(root: Path, *, write: bool = True) -> Index:
    """The index of `root`, brought up to date with the files as they are now."""
    path = index_path(root)
    old = _read(path, root)
    entries: dict[str, dict] = {}
    changed = False
    now = time.time()
    for file, full, st in _content_files(root):
        prev = old.get(file)
        if prev and prev["size"] == st.st_size and prev["mtime_ns"] == st.st_mtime_ns and not prev.get("racy"):
            entries[file] = prev
            continue
        entry = summarise(root, full, file)
        entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns, racy=now - st.st_mtime < RACY_SECONDS)
        entries[file] = entry
        changed = True
    if write and (changed or entries.keys() != old.keys()):
        data = {"version": VERSION, "root": str(root.resolve()), "entries": entries}
        cache.write(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    return Index(root, entries)


def _read(path: Path, root: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or data.get("root") != str(root.resolve()):
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _content_files(root: Path):
    """(relative name, path, stat) of clinic.yaml and every file of the content folders."""
    clinic = root / "content" / "clinic.yaml"
    try:
        yield "content/clinic.yaml", clinic, clinic.stat()
    except OSError:
        pass
    for name, _ in FOLDERS:
        try:
            with os.scandir(root / "content" / name) as it:
                found = [d for d in it if d.name.endswith(folder.SUFFIXES) and not d.name.startswith(".")]
        except OSError:
            continue
        for d in sorted(found, key=lambda d: d.name):
            try:
                yield f"content/{name}/{d.name}", Path(d.path), d.stat()
            except OSError:
                continue


def summarise(root: Path, path: Path, file: str) -> dict:
    """What list, show, search and completion need from one file, and how many errors it has."""
    kind = "clinic" if file == "content/clinic.yaml" else dict(FOLDERS)[file.split("/")[1]]
    ident = path.stem
    entry: dict = {"kind": kind, "id": ident, "file": file, "errors": 0}
    tree, reader = folder.read_tree(root, path)
    item = None
    if kind != "clinic" and not fields.ID_RE.match(ident):
        reader.add("file name must be an id")
    elif tree is not None:
        readers = {"clinic": lambda r, t, _: schema.read_clinic(r, t), "exercise": schema.read_exercise,
                   "program": schema.read_program, "guide": schema.read_guide}
        item = readers[kind](reader, tree, ident)
    entry["errors"] = sum(1 for p in reader.problems if not p.warning)
    if item is None:
        return entry
    if kind == "exercise":
        entry.update(name=item.name, position=item.position, region=list(item.region), tags=list(item.tags),
                     equipment=list(item.equipment), images=len(item.images),
                     refs=list(item.progressions + item.regressions))
        if item.source:
            entry.update(dataset=item.source.dataset, record=item.source.record, guessed=list(item.source.guessed))
    elif kind == "program":
        entry.update(title=item.title, exercises=[i.id for i in item.items], refs=[i.id for i in item.items])
    elif kind == "guide":
        refs = [s.exercise for s in item.sections if s.exercise]
        entry.update(title=item.title, sections=len(item.sections), refs=refs)
    else:
        entry.update(name=item.name, therapists=[[t.id, t.name] for t in item.therapists])
    return entry
