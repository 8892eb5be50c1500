"""Loader: a clinic folder -> a checked Library, or every problem found in it.

Reads content/clinic.yaml, content/exercises/*.yaml, content/programs/*.yaml and content/guides/*.yaml
with the strict YAML reader, builds the model with the schema, then checks everything that spans
files: exercise ids used by programs, progressions and guides, and that every image path names a
file inside the clinic folder. Knows nothing of reportlab or Pillow.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from handouts import facts
from handouts.load import fields, schema
from handouts.errors import ContentError, InputMissing, Problem
from handouts.model import Library, Location, Picture
from handouts.load.yamlfile import MAX_FILE_BYTES, load_bytes

SUFFIXES = (".yaml", ".yml")


def demo_root() -> Path:
    """The bundled demo clinic: inside the installed package, or the top of a source checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_demo"
    if (packaged / "content").is_dir():
        return packaged
    return package.parent


DEMO_NOTICE = "note: using the bundled demo clinic; run `handouts init DIR` to start your own"


def is_demo(root: Path) -> bool:
    """True when `root` is the bundled demo clinic (whose name and phone number are not a real clinic's)."""
    try:
        return root.resolve() == demo_root().resolve()
    except OSError:
        return False


def find_root(explicit: str | os.PathLike | None = None, start: Path | None = None) -> Path:
    """--root, then $HANDOUTS_ROOT, then the first folder holding content/clinic.yaml from the current
    folder upwards (as git and mkdocs find theirs), then the bundled demo."""
    for candidate, origin in ((explicit, "--root"), (os.environ.get("HANDOUTS_ROOT"), "HANDOUTS_ROOT")):
        if candidate:
            root = Path(candidate).expanduser()
            try:
                found = (root / "content").is_dir()
            except OSError as exc:  # e.g. a name too long: is_dir() raises rather than answers
                raise InputMissing(f"{origin}: cannot use '{str(root)[:120]}': {exc.strerror}") from None
            if not found:
                hint = (f"; did you mean its parent folder, '{root.parent}'?"
                        if root.name == "content" and (root / "clinic.yaml").is_file() else "")
                raise InputMissing(f"{origin}: '{root}' is not a clinic folder (it has no content/ folder){hint}")
            return root.resolve()
    here = Path(os.path.abspath(start or _logical_cwd()))  # '..' taken away as the shell does
    for folder in (here, *here.parents):
        try:
            if (folder / "content" / "clinic.yaml").is_file():
                return folder
        except OSError:  # an unreadable folder on the way up is not a clinic
            continue
    # A folder being set up (content/ but no clinic.yaml yet) is used, so `check` says what is missing.
    if (here / "content").is_dir():
        return here
    return demo_root()


def _logical_cwd() -> Path:
    """The current folder as the user reached it: a shell's $PWD keeps symbolic links (cd into a
    linked content/ folder walks up to the folder holding the link, as `cd ..` would); else the
    physical one."""
    cwd = Path.cwd()
    shell = os.environ.get("PWD", "")
    try:
        if shell and os.path.isabs(shell) and os.path.samefile(shell, cwd):
            return Path(shell)
    except OSError:
        pass
    return cwd


def display(root: Path, path: Path) -> str:
    """A path as shown in messages: relative to the clinic folder, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_tree(root: Path, path: Path, shown: str | None = None) -> tuple[object, fields.Reader]:
    """Parse one file; YAML problems land on the returned reader, named `shown` (default: relative
    to the clinic folder)."""
    reader = fields.Reader(shown or display(root, path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # refused before reading: a 20 MB file must not be parsed at all
            reader.add(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", (1, 1))
            return None, reader
        data = path.read_bytes()
    except OSError as exc:
        reader.add(f"cannot read the file ({exc.strerror})")
        return None, reader
    tree, problems = load_bytes(data, reader.file)
    reader.problems.extend(problems)
    if not problems and tree is None:
        reader.add("the file is empty; expected a mapping (key: value lines)", (1, 1))
    return tree, reader


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith("."))


def _load_each(root: Path, folder: str, read, problems: list[Problem], broken: set[str] | None = None) -> dict:
    """Read every file of content/<folder>; ids whose file has problems go into `broken`."""
    out = {}
    for path in _files(root / "content" / folder):
        tree, reader = read_tree(root, path)
        ident = path.stem
        if not fields.ID_RE.match(ident):
            reader.add("file name must be an id: lower-case letters, digits and hyphens, e.g. dead-bug.yaml")
        elif tree is not None:
            item = read(reader, tree, ident)
            if item is not None and not reader.problems:
                out[ident] = item
        if reader.problems and broken is not None:
            broken.add(ident)
        problems.extend(reader.problems)
    return out


def load_library(root: Path, *, check_images: bool = True, guides: bool = True) -> Library:
    """Load and cross-check a clinic folder. Raises ContentError listing every problem.

    With guides=False the guides are not read at all: a broken guide must not stop a therapist
    printing an exercise handout (`check` still reports it).
    """
    library, problems = scan_library(root, check_images=check_images, guides=guides)
    errors = [p for p in problems if not p.warning]
    if errors or library is None:
        raise ContentError(problems=errors)
    return library


def read_clinic_file(root: Path, problems: list[Problem]):
    """content/clinic.yaml -> Clinic (marked as the sample when it is the bundled demo), or None; its
    problems are appended to `problems`."""
    clinic_path = root / "content" / "clinic.yaml"
    if not clinic_path.is_file():
        problems.append(Problem("file is missing; every clinic folder needs one (run 'handouts init')",
                                "content/clinic.yaml"))
        return None
    tree, reader = read_tree(root, clinic_path)
    clinic = schema.read_clinic(reader, tree) if tree is not None else None
    if clinic is not None and is_demo(root):
        clinic = replace(clinic, sample=True)
    problems.extend(reader.problems)
    return clinic


def scan_library(root: Path, *, check_images: bool = True, guides: bool = True) -> tuple[Library | None, list[Problem]]:
    """Load a clinic folder and return (library or None, all problems found).

    Guides come last (their files, references and pictures), so scan_guides can add them later.
    """
    problems: list[Problem] = []
    clinic = read_clinic_file(root, problems)
    # A reference to an exercise whose own file is broken is not a second problem: that file's
    # error is already reported, and "unknown id" would send the reader looking in the wrong place.
    broken: set[str] = set()
    exercises = _load_each(root, "exercises", schema.read_exercise, problems, broken)
    known = exercises.keys() | broken
    programs = _load_each(root, "programs", schema.read_program, problems)

    for ex in exercises.values():
        for ref, at in zip(ex.progressions + ex.regressions, ex.refs_at):
            if ref not in known:
                problems.append(problem_at(at, unknown_text(ref, exercises, "exercise")))
        if check_images:
            problems.extend(image_problems(root, ex.images))
    for prog in programs.values():
        for item in prog.items:
            if item.id not in known:
                problems.append(problem_at(item.where, unknown_text(item.id, exercises, "exercise")))
    if clinic is not None and check_images:
        problems.extend(image_problems(root, [clinic.logo] if clinic.logo else []))
        problems.extend(font_path_problems(root, clinic))
    if clinic is not None:
        problems.extend(fact_problems(clinic, programs, {}))
    found = {}
    if guides:
        found, guide_problems = scan_guides(root, exercises, clinic, check_images=check_images)
        problems += guide_problems
    if clinic is None:
        return None, problems
    return Library(clinic=clinic, exercises=exercises, programs=programs, guides=found), problems


def scan_guides(root: Path, exercises: dict, clinic, *, check_images: bool = True) -> tuple[dict, list[Problem]]:
    """The guides of a clinic folder whose exercises (and clinic, when readable) are loaded already, and
    every problem in them."""
    problems: list[Problem] = []
    guides = _load_each(root, "guides", schema.read_guide, problems)
    known = {path.stem for path in _files(root / "content" / "exercises")}  # broken files are known ids too
    for guide in guides.values():
        for section in guide.sections:
            if section.exercise and section.exercise not in known:
                at = Location(section.where.file, section.where.line, section.where.col,
                              f"{section.where.field}.exercise")
                problems.append(problem_at(at, unknown_text(section.exercise, exercises, "exercise")))
        if check_images:
            problems.extend(image_problems(root, guide_pictures(guide)))
    if clinic is not None:
        problems.extend(fact_problems(clinic, {}, guides))
        guides = {k: _clinic_defaults(g, clinic) for k, g in guides.items()}
    return guides, problems


def fact_problems(clinic, programs: dict, guides: dict) -> list[Problem]:
    """`{clinic.email}` used where clinic.yaml has no email: an error at the place it is used."""
    out = []

    def test(text: str, where: Location) -> None:
        why = facts.missing_problem(text, clinic)
        if why:
            out.append(problem_at(where, why))

    for prog in programs.values():
        for key in ("title", "purpose"):
            test(getattr(prog, key), Location(prog.where.file, field=key))
        for key in ("goals", "warning_signs"):
            for i, text in enumerate(getattr(prog, key)):
                test(text, Location(prog.where.file, field=f"{key}[{i}]"))
    for guide in guides.values():
        texts = [s.body for s in guide.sections] + [guide.intro, guide.author.bio if guide.author else None,
                                                    guide.cta.text if guide.cta else None]
        for text in filter(None, texts):
            test(text.source, text.where)
        test(guide.prepared_for, Location(guide.where.file, field="prepared_for"))
        if guide.cta:
            test(guide.cta.headline, Location(guide.where.file, guide.cta.where.line, field="cta.headline"))
    return out


def _clinic_defaults(guide, clinic):
    """A guide's call to action uses the clinic's booking page unless it names its own."""
    if guide.cta and not guide.cta.booking_url and clinic.booking_url:
        return replace(guide, cta=replace(guide.cta, booking_url=clinic.booking_url))
    return guide


def font_path_problems(root: Path, clinic) -> list[Problem]:
    """Font files named in clinic.yaml that are missing or lead outside the clinic folder."""
    out = []
    for kind, at in clinic.fonts.places:
        rel = at_file(clinic.fonts, kind) if kind != "family" else None
        why = inside_problem(root, rel) if rel else None  # None: a packaged family name, not a file
        if why:
            out.append(problem_at(at, why))
    return out


def at_file(fonts, key: str) -> str | None:
    """The font file named under `key` of clinic.yaml's fonts ("regular", "fallbacks[1]"), or None
    when that key names a packaged family."""
    if key.startswith("fallbacks["):
        name = fonts.fallbacks[int(key[len("fallbacks["):-1])]
        return name if name.lower().endswith((".ttf", ".otf", ".ttc", ".woff", ".woff2")) else None
    return getattr(fonts, key)


def inside_problem(root: Path, rel: str) -> str | None:
    """Why `rel` does not name a readable file inside `root` (symlinks followed), or None."""
    why = fields.path_problem(rel)
    if why:
        return why
    try:
        target = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return f"file not found: {rel}"
    if not target.is_relative_to(root.resolve()):
        return f"path leads outside the clinic folder (through a link?): {rel}"
    if not target.is_file():
        return f"not a file: {rel}"
    return None


def image_problems(root: Path, pictures) -> list[Problem]:
    out = []
    for pic in pictures:
        why = inside_problem(root, pic.file)
        if why:
            out.append(problem_at(pic.where, why))
    return out


def unknown_text(ident: str, known, kind: str) -> str:
    return f"unknown {kind} id '{ident}'{fields.did_you_mean(ident, known)}"


def problem_at(where, message: str) -> Problem:
    return Problem(message, where.file, where.line, where.col, where.field)


def guide_pictures(guide) -> list[Picture]:
    pics = [guide.cover_image] if guide.cover_image else []
    pics += [s.image for s in guide.sections if s.image]
    if guide.author and guide.author.photo:
        pics.append(guide.author.photo)
    return pics
