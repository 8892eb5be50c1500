"""Build: load -> check -> compose -> prepare images -> render -> write. No click, no SMTP.

Everything is read and checked before anything is written (a handout is never half built), and
every problem found is reported together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from handouts import compose, images, loader, qr, schema
from handouts.errors import ContentError, Problem
from handouts.files import write_atomic
from handouts.model import Library, Picture, Routine, Visit
from handouts.theme import Theme, build_theme


MIN_PRINT_DPI = 150


@contextmanager
def layout_errors(what: str):
    """reportlab's layout errors as a ContentError. Its own message quotes the text of the block
    (patient names and notes), so only the kind of failure is kept."""
    from reportlab.platypus.doctemplate import LayoutError

    try:
        yield
    except LayoutError:
        raise ContentError(problems=[Problem("a block is too large to fit on one page; shorten the longest "
                                             "note, step or paragraph", what)]) from None


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


def prepare_pictures(root: Path, pics: list[Picture], box: tuple[float, float], dpi: int = images.DEFAULT_DPI,
                     warnings: list[Problem] | None = None) -> dict[str, images.Prepared]:
    """Prepare every picture; raise ContentError naming each unusable file and where it was used.

    Warnings (e.g. only the first frame of an animated GIF is used) are appended to `warnings`.
    """
    out, problems = {}, []
    for pic in pics:
        if pic.file in out:
            continue
        w = pic.where
        try:
            out[pic.file] = prepared = images.prepare(root / pic.file, *box, dpi=dpi)
        except images.ImageProblem as exc:
            problems.append(Problem(f"{pic.file}: {exc}", w.file, w.line, w.col, w.field))
            continue
        if prepared.warning and warnings is not None:
            warnings.append(Problem(f"{pic.file}: {prepared.warning}", w.file, w.line, w.col, w.field, warning=True))
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
    warnings = glyph_warnings(routine, theme)
    dpi = library.clinic.image_dpi
    prepared = prepare_pictures(root, pics, picture_box(), dpi, warnings)
    logo = library.clinic.logo
    logo_prepared = prepare_pictures(root, [logo], logo_box(), dpi, warnings)[logo.file] if logo else None
    codes = {e.exercise.video: qr.matrix(e.exercise.video) for e in routine.entries if e.exercise.video}
    with layout_errors(source or "the handout"):
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
            problems += _image_check(root, pic, picture_box(), library.clinic.image_dpi)
    if library.clinic.logo and ("content/clinic.yaml", library.clinic.logo.where.line) not in bad_paths:
        problems += _image_check(root, library.clinic.logo, logo_box(), library.clinic.image_dpi)
    return library, problems


def _image_check(root: Path, pic: Picture, box: tuple[float, float], dpi: int) -> list[Problem]:
    """Problems with one picture: unusable (error), animated or too coarse for print (warnings)."""
    w = pic.where
    try:
        prepared = images.prepare(root / pic.file, *box, dpi=dpi)
        _, width, height = images.inspect(root / pic.file)
    except images.ImageProblem as exc:
        return [Problem(f"{pic.file}: {exc}", w.file, w.line, w.col, w.field)]
    out = []
    if prepared.warning:
        out.append(Problem(f"{pic.file}: {prepared.warning}", w.file, w.line, w.col, w.field, warning=True))
    printed = images.printed_dpi((width, height), box)
    if printed < MIN_PRINT_DPI:
        out.append(Problem(f"{pic.file}: will print at about {printed:.0f} dpi (below {MIN_PRINT_DPI}); "
                           f"use a larger image", w.file, w.line, w.col, w.field, warning=True))
    return out


def render_guide_pdf(root: Path, library: Library, guide_id: str, fields: dict[str, str],
                     page_size: str | None = None) -> tuple[bytes, list[Problem]]:
    """PDF bytes of guide `guide_id` personalised with `fields`, and any warnings."""
    from handouts.render.guide import render_guide
    from handouts.render.layout import guide_boxes, logo_box, picture_box, section_box

    doc = compose.compose_guide(library, guide_id, fields, page_size)
    theme = build_theme(library.clinic, root, doc.page_size)
    boxes = guide_boxes(theme.frame_width, theme.page_height)
    dpi = library.clinic.image_dpi
    warnings: list[Problem] = []
    g = doc.guide
    prepared: dict[str, images.Prepared] = {}
    wanted = [([g.cover_image] if g.cover_image else [], boxes["cover"]),
              ([g.author.photo] if g.author and g.author.photo else [], boxes["author"])]
    for s in g.sections:
        if s.image:
            wanted.append(([s.image], section_box(theme.frame_width, theme.page_height, s.placement,
                                                  s.exercise is not None)))
    cards = [p for gs in doc.sections if gs.exercise for p in gs.exercise.exercise.images[:2]]
    wanted.append((cards, picture_box()))
    for pics, box in wanted:
        prepared.update(prepare_pictures(root, pics, box, dpi, warnings))
    logo = library.clinic.logo
    logo_prepared = prepare_pictures(root, [logo], logo_box(), dpi, warnings)[logo.file] if logo else None
    urls = [gs.exercise.exercise.video for gs in doc.sections if gs.exercise and gs.exercise.exercise.video]
    if g.cta and g.cta.booking_url:
        urls.append(g.cta.booking_url)
    codes = {url: qr.matrix(url) for url in urls}
    with layout_errors(f"content/guides/{guide_id}.yaml"):
        return render_guide(doc, theme, prepared, logo_prepared, codes), warnings


def build_guide(root: Path, library: Library, guide_id: str, fields: dict[str, str], output: Path | None, *,
                page_size: str | None = None, overwrite: bool = False) -> Result:
    data, warnings = render_guide_pdf(root, library, guide_id, fields, page_size)
    path = output or Path(f"{guide_id}.pdf")
    write_atomic(path, data, overwrite=overwrite)
    return Result(path, 0, warnings)
