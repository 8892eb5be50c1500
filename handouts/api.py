"""The public Python API: open a clinic folder once, then build handouts and guides to bytes, and check.

The command line and the web composer are built on it; integrators use it the same way:

    from handouts import Clinic
    clinic = Clinic.open("~/my-clinic")                  # reads and checks the content once
    visit = clinic.visit(program="core-activation", patient="Maria Gómez", therapist="jordan-lee")
    pdf = clinic.routine(visit)                          # PDF bytes; write them where you like
    guide = clinic.guide("back-pain-tips", {"name": "Maria"})

A Clinic stays warm: prepared pictures, QR codes, fonts and themes are kept in memory, so the next
handout costs only its own layout. Content is not re-read behind the caller's back: call refresh()
(cheap, a stat of each file) before a build when the files may have changed. One Clinic may be
shared between threads; its builds run one at a time (reportlab keeps process-wide state).

Every error is a handouts.errors.HandoutsError: ContentError (with .problems, each with its file,
line, column and field) for bad content or options, InputMissing for a folder that is not a clinic
folder, ConfigError for unusable settings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from handouts import build
from handouts.check import check_library
from handouts.errors import ContentError, Problem
from handouts.load import folder
from handouts.load import visit as load_visit
from handouts.model import Library, ProgramItem, Visit

__all__ = ["Clinic", "Visit"]



class Clinic:
    """A clinic folder, loaded and checked, ready to build many handouts and guides."""

    def __init__(self, root: Path, library: Library, problems: list[Problem], stamps: dict[Path, tuple]):
        """Use Clinic.open(root)."""
        self.root = root
        self._library = library
        self._problems = problems
        self._stamps = stamps
        # Guides are read when first needed: a handout does not print them, and reading their
        # Markdown is most of the time it takes to open a clinic.
        self._guides_read = False
        self._warm = build.Warm()
        self._lock = threading.RLock()

    # -- opening and reloading ----------------------------------------------------------------------
    @classmethod
    def open(cls, root: str | os.PathLike | None = None) -> Clinic:
        """Read and check the clinic folder `root` once.

        With root=None the folder is found as the command line finds it: $HANDOUTS_ROOT, else the
        current folder if it holds content/, else the bundled demo clinic. Problems in single files
        do not stop the opening (see .problems); a folder that is not a clinic folder raises
        InputMissing, and an unreadable content/clinic.yaml raises ContentError.
        """
        path = folder.find_root(root)
        library, problems, stamps = _scan(path)
        return cls(path, library, problems, stamps)

    @property
    def library(self) -> Library:
        """Everything loaded: clinic settings, exercises, programs and guides (files with errors left out)."""
        with self._lock:
            self._read_guides()
            return self._library

    @property
    def problems(self) -> list[Problem]:
        """The content problems found when the folder was (re)loaded: every error, each with its place."""
        with self._lock:
            self._read_guides()
            return list(self._problems)

    def _read_guides(self) -> None:
        if not self._guides_read:
            guides, problems = folder.scan_guides(self.root, self._library.exercises, self._library.clinic)
            self._library = dataclasses.replace(self._library, guides=guides)
            self._problems = self._problems + problems
            self._stamps.update({p: s for p, s in _stamp(self.root, self._library).items() if p not in self._stamps})
            self._guides_read = True

    def refresh(self) -> bool:
        """Reload the content if any of its files changed since it was read; True if anything changed.

        Only a stat of each file (content/, pictures, fonts): cheap enough to call before every build.
        Pictures whose files did not change stay prepared. Raises ContentError when content/clinic.yaml
        can no longer be read; the Clinic then keeps what it had.
        """
        with self._lock:
            now = _stamp(self.root, self._library)
            if now == self._stamps:
                return False
            changed = {p for p in now.keys() | self._stamps.keys() if now.get(p) != self._stamps.get(p)}
            library, problems, stamps = _scan(self.root)
            self._library, self._problems, self._stamps = library, problems, stamps
            self._guides_read = False
            self._warm.forget({folder.display(self.root, p) for p in changed})
            return True

    # -- checking -----------------------------------------------------------------------------------
    def check(self) -> list[Problem]:
        """What `handouts check` reports: every error and warning in the folder, pictures decoded.

        Warnings have `.warning` set (e.g. an image too coarse for print, a character the font lacks).
        """
        with self._lock:
            self._read_guides()
            return check_library(self.root, self._library, list(self._problems))

    # -- building -----------------------------------------------------------------------------------
    def visit(self, file: str | os.PathLike | None = None, *, patient: str = "", program: str | None = None,
              exercises: Iterable[ProgramItem | str] = (), remove: Iterable[str] = (), note: str = "",
              therapist: str = "", date: dt.date | str | None = None, page_size: str | None = None,
              log_sheet: bool | None = None, log_weeks: int | None = None, layout: str | None = None,
              greyscale: bool | None = None, language: str | None = None) -> Visit:
        """A checked Visit, as `handouts routine` makes one from its options.

        `file` is a visit file (YAML); the other arguments override what it says (exercises and
        remove add to it). Exercises are ProgramItem objects or "id[:key=value,...]" strings, e.g.
        "dead-bug:sets=2,reps=8" (one id given as text is a list of one). `log_sheet` adds the
        weekly log sheet (`log_weeks` of them, 1 to 12); `layout` is standard, compact or
        large-print; `page_size` letter or a4; `greyscale` draws for a black-and-white printer;
        `language` is e.g. "es", "es-MX" or "es+en" (bilingual; default: the clinic's). The date
        defaults to today.

        Raises ContentError naming each bad option (unknown program or exercise ids with a
        did-you-mean, values out of range).
        """
        # One id given as text is a list of one (not a list of its letters).
        exercises = (exercises,) if isinstance(exercises, (str, ProgramItem)) else tuple(exercises)
        remove = (remove,) if isinstance(remove, str) else tuple(remove)
        ids = [e.id if isinstance(e, ProgramItem) else str(e).partition(":")[0].strip() for e in exercises] + list(remove)
        _refuse(self._errors_in(program, ids))
        return load_visit.visit_with_options(
            self._library, Path(file) if file is not None else None, patient=patient, program=program,
            exercises=tuple(exercises), remove=tuple(remove), note=note, therapist=therapist, date=date,
            page_size=page_size, log_sheet=log_sheet, log_weeks=log_weeks, layout=layout, greyscale=greyscale,
            language=language)

    def routine(self, visit: Visit, *, source: str = "", fallback: bool = False,
                warnings: list[Problem] | None = None) -> bytes:
        """The end-of-visit handout for `visit`, as PDF bytes.

        Raises ContentError when a file this handout uses has an error (clinic.yaml, its program, its
        exercises; a broken file it does not use does not matter), or when the visit names what the
        library does not have. Pass a list as
        `warnings` to receive the warnings (e.g. characters the font cannot print). `source` names the
        visit file in messages. With `fallback`, text without a translation into the visit's language
        prints in the clinic's language (each one a warning); without it that is an error.
        """
        _refuse(self._visit_problems(visit, source))
        with self._lock:
            program = self._library.programs.get(visit.program) if visit.program else None
            ids = [item.id for item in (program.items if program else ())] + [e.id for e in visit.exercises]
            named = [self._library.exercises[i] for i in ids if i in self._library.exercises]
            ids += [ref for ex in named for ref in ex.progressions + ex.regressions]  # printed by name
            _refuse(self._errors_in(visit.program, ids))
            data, found = build.render_routine_pdf(self.root, self._library, visit, source, self._warm, fallback)
        if warnings is not None:
            warnings.extend(found)
        return data

    def guide(self, guide_id: str, fields: Mapping[str, str] | None = None, *, page_size: str | None = None,
              language: str | None = None, fallback: bool = False, warnings: list[Problem] | None = None) -> bytes:
        """Guide `guide_id` personalised with `fields` (e.g. {"name": "Maria"}), as PDF bytes.

        Raises ContentError for an unknown id (with a did-you-mean), a placeholder without a value, or
        an error in a file the guide uses (clinic.yaml, the guide's file, the exercises its "Try this"
        cards show; a broken file it does not use does not matter). `page_size` is "letter" or "a4"
        (default: the clinic's); `language` and `fallback` as for routine (default: the clinic's language).
        """
        if page_size is not None:
            from handouts.model import PAGE_SIZES

            wanted = page_size.strip().lower() if isinstance(page_size, str) else page_size
            if wanted not in PAGE_SIZES:
                raise ContentError(problems=[Problem(f"expected one of: {', '.join(PAGE_SIZES)}; got {page_size!r}",
                                                     field="page_size")])
            page_size = wanted
        with self._lock:
            self._read_guides()
            guide = self._library.guides.get(guide_id)
            ids = [s.exercise for s in guide.sections if s.exercise] if guide else []
            _refuse(self._errors_in(None, ids, guide_id))
            data, found = build.render_guide_pdf(self.root, self._library, guide_id, dict(fields or {}),
                                                 page_size, self._warm, language, fallback)
        if warnings is not None:
            warnings.extend(found)
        return data

    def _visit_problems(self, visit: Visit, source: str) -> list[Problem]:
        """What is wrong with a Visit made by hand (Visit is a plain dataclass): the checks
        clinic.visit() and visit files make, so a bad value is a ContentError, never a crash."""
        import datetime as dt

        from handouts.model import LAYOUTS, PAGE_SIZES

        if not isinstance(visit, Visit):
            return [Problem(f"expected a Visit (clinic.visit(...) makes one), got {type(visit).__name__}")]
        bad = []
        if not all(isinstance(item, ProgramItem) for item in visit.exercises):
            bad.append(("exercises", "expected ProgramItem objects (clinic.visit(exercises=['id', ...]) makes them)"))
        if not all(isinstance(ident, str) for ident in visit.remove) or isinstance(visit.remove, str):
            bad.append(("remove", "expected a tuple of exercise ids"))
        if visit.date is not None and not isinstance(visit.date, dt.date):
            bad.append(("date", f"expected a datetime.date, got {type(visit.date).__name__}"))
        for name, value, choices in (("page_size", visit.page_size, PAGE_SIZES), ("layout", visit.layout, LAYOUTS)):
            if value is not None and value not in choices:
                bad.append((name, f"expected one of: {', '.join(choices)}; got {value!r}"))
        weeks = visit.log_weeks
        most = load_visit.MAX_LOG_WEEKS
        if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= most):
            bad.append(("log_weeks", f"expected a whole number from 1 to {most}, got {weeks!r}"))
        if bad:
            return [Problem(message, source, field=name) for name, message in bad]
        return load_visit.visit_problems(visit, self._library, source)

    def _errors_in(self, program: str | None, exercises: Iterable[str], guide: str | None = None) -> list[Problem]:
        """The problems in the files a handout of `program` and `exercises` (or guide `guide`) uses:
        clinic.yaml, the program's or guide's file, the exercises' files. A broken file it does not use
        cannot stop it (guarantee 8; `check` reports it)."""
        used = {("content", "clinic")}
        used |= {("content/programs", program)} if program else set()
        used |= {("content/guides", guide)} if guide else set()
        used |= {("content/exercises", ident) for ident in exercises}
        return [p for p in self._problems if (Path(p.file).parent.as_posix(), Path(p.file).stem) in used]

    def __repr__(self) -> str:
        lib = self.library
        return (f"<Clinic {str(self.root)!r}: {len(lib.exercises)} exercises, {len(lib.programs)} programs, "
                f"{len(lib.guides)} guides, {len(self._problems)} problems>")


def _refuse(problems: list[Problem]) -> None:
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(problems=errors)


def _scan(root: Path) -> tuple[Library, list[Problem], dict[Path, tuple]]:
    # Stat first: a file changed while it is read is then seen as changed by the next refresh().
    before = _stamp(root, None)
    library, problems = folder.scan_library(root, guides=False)
    if library is None:  # nothing can be built: report everything, the guides too
        raise ContentError(problems=folder.scan_library(root)[1])
    before.update({p: s for p, s in _stamp(root, library).items() if p not in before})
    return library, problems, before


def _stamp(root: Path, library: Library | None) -> dict[Path, tuple]:
    """(size, mtime, inode) of every file under content/ and every picture and font file named."""
    paths = [p for p in (root / "content").rglob("*")]
    if library is not None:
        c = library.clinic
        named = [c.logo.file] if c.logo else []
        named += [f for f in (c.fonts.regular, c.fonts.bold, c.fonts.italic, c.fonts.bold_italic) if f]
        named += [p.file for ex in library.exercises.values() for p in ex.images]
        named += [p.file for g in library.guides.values() for p in folder.guide_pictures(g)]
        paths += [root / name for name in named]
    out = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode):
            out[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out
