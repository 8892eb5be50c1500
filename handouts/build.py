"""Build: load -> check -> compose -> prepare images -> render -> write. No click, no SMTP.

Everything is read and checked before anything is written (a handout is never half built), and
every problem found is reported together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from handouts import compose, images, loader, qr, schema
from handouts.errors import ContentError, Problem
from handouts.files import write_atomic
from handouts.model import Library, Picture, Routine, Visit
from handouts.theme import Theme, build_theme


@dataclass
class Result:
    path: Path | None
    pages: int = 0
    warnings: list[Problem] = field(default_factory=list)


def visit_from_options(library: Library, *, patient="", program=None, exercises=(), remove=(), note="",
                       therapist="", date=None, page_size=None) -> Visit:
    """A Visit from command-line options; bad options raise ContentError naming the option."""
    problems: list[Problem] = []
    items = []
    for spec in exercises:
        reader = schema.Reader(f"--exercise {spec.split(':', 1)[0]}")
        item = schema.read_exercise_option(reader, spec)
        problems += reader.problems
        if item:
            items.append(item)
    reader = schema.Reader("")
    values = {}
    for option, value in (("--patient", patient), ("--note", note), ("--therapist", therapist)):
        values[option] = reader.text_value(value, (0, 0), option) if value else ""
    day = reader.date_value(date, (0, 0), "--date") if date else None
    problems += reader.problems
    visit = Visit(patient=values["--patient"] or "", program=program, remove=tuple(remove), exercises=tuple(items),
                  note=values["--note"] or "", therapist=values["--therapist"] or "", date=day,
                  page_size=page_size)
    for p in loader.visit_problems(visit, library, ""):
        option = "--program" if p.field == "program" else "--remove" if p.field.startswith("remove") else p.file
        problems.append(Problem(p.message, option))
    if problems:
        raise ContentError(problems=problems)
    return visit


def prepare_pictures(root: Path, pics: list[Picture], box: tuple[float, float]) -> dict[str, images.Prepared]:
    """Prepare every picture; raise ContentError naming each unusable file and where it was used."""
    out, problems = {}, []
    for pic in pics:
        if pic.file in out:
            continue
        try:
            out[pic.file] = images.prepare(root / pic.file, *box)
        except images.ImageProblem as exc:
            w = pic.where
            problems.append(Problem(f"{pic.file}: {exc}", w.file, w.line, w.col, w.field))
    if problems:
        raise ContentError(problems=problems)
    return out


def glyph_warnings(routine: Routine, theme: Theme) -> list[Problem]:
    """A warning for each typed character the font cannot print (it would show as an empty box)."""
    from handouts.render.fonts import missing_glyphs

    fields = {"patient": routine.patient, "note": routine.note, "therapist": routine.therapist}
    fields.update({f"exercise {e.exercise.id} note": e.note for e in routine.entries})
    out = []
    for name, text in fields.items():
        missing = missing_glyphs(theme, text) if text else []
        if missing:
            codes = ", ".join(f"U+{ord(c):04X}" for c in missing[:8])
            out.append(Problem(f"the font has no glyph for {codes}; they will print as boxes", "", 0, 0, name,
                               warning=True))
    return out


def render_routine_pdf(root: Path, library: Library, visit: Visit, source: str = "") -> tuple[bytes, list[Problem]]:
    """PDF bytes of the handout for `visit`, and any warnings."""
    from handouts.render.layout import logo_box, picture_box
    from handouts.render.routine import render_routine

    routine = compose.compose_routine(library, visit, source)
    theme = build_theme(library.clinic, root, routine.page_size)
    pics = [p for e in routine.entries for p in e.exercise.images[:2]]
    prepared = prepare_pictures(root, pics, picture_box())
    logo = library.clinic.logo
    logo_prepared = prepare_pictures(root, [logo], logo_box())[logo.file] if logo else None
    codes = {e.exercise.video: qr.matrix(e.exercise.video) for e in routine.entries if e.exercise.video}
    warnings = glyph_warnings(routine, theme)
    return render_routine(routine, theme, prepared, logo_prepared, codes), warnings


def default_output(visit: Visit) -> Path:
    """A file name that carries no patient data: the date and a short hash of the whole input."""
    day = (visit.date or dt.date.today()).isoformat()
    digest = hashlib.sha256(repr(visit).encode()).hexdigest()[:8]
    return Path(f"handout-{day}-{digest}.pdf")


def build_routine(root: Path, library: Library, visit: Visit, output: Path | None, *, overwrite=False,
                  source: str = "") -> Result:
    data, warnings = render_routine_pdf(root, library, visit, source)
    path = output or default_output(visit)
    write_atomic(path, data, overwrite=overwrite)
    return Result(path, data.count(b"/Type /Page\n") or data.count(b"/Type /Page "), warnings)


def check(root: Path) -> tuple[Library | None, list[Problem]]:
    """Every problem in a clinic folder: files, references, image paths and the images themselves."""
    library, problems = loader.scan_library(root)
    if library is None:
        return None, problems
    bad_paths = {(p.file, p.line) for p in problems}
    from handouts.render.layout import logo_box, picture_box

    for ex in library.exercises.values():
        for pic in ex.images:
            if (pic.where.file, pic.where.line) in bad_paths:
                continue
            problems += _image_check(root, pic, picture_box())
    if library.clinic.logo and ("content/clinic.yaml", library.clinic.logo.where.line) not in bad_paths:
        problems += _image_check(root, library.clinic.logo, logo_box())
    return library, problems


def _image_check(root: Path, pic: Picture, box: tuple[float, float]) -> list[Problem]:
    w = pic.where
    try:
        prepared = images.prepare(root / pic.file, *box)
    except images.ImageProblem as exc:
        return [Problem(f"{pic.file}: {exc}", w.file, w.line, w.col, w.field)]
    out = []
    if prepared.warning:
        out.append(Problem(f"{pic.file}: {prepared.warning}", w.file, w.line, w.col, w.field, warning=True))
    dpi = min(prepared.source_width / (box[0] / 72), prepared.source_height / (box[1] / 72)) \
        if prepared.source_width else None
    if dpi is not None and dpi < 150:
        out.append(Problem(f"{pic.file}: will print at about {dpi:.0f} dpi (below 150); use a larger image",
                           w.file, w.line, w.col, w.field, warning=True))
    return out
