"""Only what one handout uses: clinic folder + the ids a handout names -> a Library holding just those.

A handout reads clinic.yaml, its program or guide, the exercises they name, and the exercises those
name as progressions or regressions; it checks their image and font paths. So a handout costs the same
whatever the size of the library, and a broken file it does not use cannot stop it (`check` and
batches still read everything). Knows nothing of reportlab or Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import ContentError, Problem
from handouts.load import fields, folder, schema
from handouts.model import Library, Location


@dataclass
class Used:
    """A loaded subset and the content files it was read from (relative, forward slashes)."""

    library: Library
    files: set[str] = field(default_factory=set)


def content_file(root: Path, kind: str, ident: str) -> Path | None:
    """content/<kind>/<ident>.yaml (or .yml) if it exists."""
    if not fields.ID_RE.match(ident or ""):
        return None
    for suffix in folder.SUFFIXES:
        path = root / "content" / kind / f"{ident}{suffix}"
        if path.is_file():
            return path
    return None


def load_used(root: Path, *, programs=(), exercises=(), guides=(), check_images: bool = True) -> Used:
    """Read the clinic settings and the named programs, guides and exercises (with every exercise they
    name). Raises ContentError with every problem in those files. An id with no file is left out, and
    then every clean item of the library is loaded, so the caller's "unknown id" message can suggest the
    closest real one (a typo is the one case that pays for the whole library)."""
    problems: list[Problem] = []
    used: set[str] = set()
    clinic = folder.read_clinic_file(root, problems)
    used.add("content/clinic.yaml")

    def read(kind: str, ident: str, reader_fn):
        path = content_file(root, kind, ident)
        if path is None:
            return None, True
        used.add(folder.display(root, path))
        tree, reader = folder.read_tree(root, path)
        item = reader_fn(reader, tree, ident) if tree is not None else None
        problems.extend(reader.problems)
        return (item if not any(not p.warning for p in reader.problems) else None), False

    missing = False
    progs, guide_map, exs = {}, {}, {}
    wanted = list(dict.fromkeys(exercises))
    refs: list[tuple[str, Location]] = []  # exercise ids written in used files, with where
    for ident in dict.fromkeys(programs):
        item, absent = read("programs", ident, schema.read_program)
        missing |= absent
        if item:
            progs[ident] = item
            refs += [(i.id, i.where) for i in item.items]
    for ident in dict.fromkeys(guides):
        item, absent = read("guides", ident, schema.read_guide)
        missing |= absent
        if item:
            guide_map[ident] = item
            refs += [(s.exercise, Location(s.where.file, s.where.line, s.where.col, f"{s.where.field}.exercise"))
                     for s in item.sections if s.exercise]
    # The named exercises, then (one level) the exercises they name as progressions and regressions:
    # those are printed by name, so they are part of what the handout uses.
    seen: set[str] = set()
    for depth in (0, 1):
        wanted += [ref for ref, _ in refs if content_file(root, "exercises", ref)]
        for ident in dict.fromkeys(wanted):
            if ident in seen:
                continue
            seen.add(ident)
            item, absent = read("exercises", ident, schema.read_exercise)
            missing |= absent and depth == 0
            if item:
                exs[ident] = item
                if depth == 0:
                    refs += list(zip(item.progressions + item.regressions, item.refs_at))
        wanted = []
    known = None
    for ref, at in dict.fromkeys(refs):
        if content_file(root, "exercises", ref) is None:
            known = known if known is not None else _ids(root, "exercises")
            problems.append(Problem(f"unknown exercise id '{ref}'{fields.did_you_mean(ref, known)}",
                                    at.file, at.line, at.col, at.field))
    if check_images:
        problems += _path_problems(root, clinic, exs.values(), guide_map.values())
    errors = [p for p in problems if not p.warning]
    if errors or clinic is None:
        raise ContentError(problems=errors)
    if missing:  # the caller reports the unknown id; give it every clean id to suggest from
        full, _ = folder.scan_library(root, check_images=False)
        if full is not None:
            exs = {**full.exercises, **exs}
            progs = {**full.programs, **progs}
            guide_map = {**full.guides, **guide_map}
    return Used(Library(clinic=clinic, exercises=exs, programs=progs, guides=guide_map), used)


def _ids(root: Path, kind: str) -> list[str]:
    """Every id of content/<kind> (file names only), to suggest the closest one for a typo."""
    folder_path = root / "content" / kind
    if not folder_path.is_dir():
        return []
    return sorted(p.stem for p in folder_path.iterdir() if p.suffix in folder.SUFFIXES)


def _path_problems(root: Path, clinic, exercises, guides) -> list[Problem]:
    out = folder.image_problems(root, [clinic.logo] if clinic and clinic.logo else [])
    for ex in exercises:
        out += folder.image_problems(root, ex.images)
    for g in guides:
        out += folder.image_problems(root, folder.guide_pictures(g))
    if clinic is not None:
        out += folder.font_path_problems(root, clinic)
    return out


def elsewhere_note(root: Path, used: set[str]) -> str | None:
    """One line for stderr when content this handout does not use has problems, else None."""
    from handouts.load import index

    bad = index.load(root).files_with_problems(used)
    if not bad:
        return None
    files = "1 other content file has" if len(bad) == 1 else f"{len(bad)} other content files have"
    return (f"note: {files} problems (e.g. {bad[0]}); this handout does not use them. "
            f"Run 'handouts check' to see them.")
