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
from handouts.render.guard import layout_errors
from handouts.theme import Theme, build_theme


MIN_PRINT_DPI = 150


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


class GuideRenderer:
    """One guide for many readers: content, pictures, QR codes and the shared pages are prepared
    once; each reader then costs only their own pages (see assemble.py)."""

    def __init__(self, root: Path, library: Library, guide_id: str, page_size: str | None = None):
        from handouts.render.layout import guide_boxes, logo_box, picture_box, section_box

        self.root, self.library, self.guide_id = root, library, guide_id
        guide = library.guides.get(guide_id)
        neutral = {name: "Reader" for name, _ in guide.placeholder_at} if guide else {}
        doc = compose.compose_guide(library, guide_id, neutral, page_size)
        self.page_size = doc.page_size
        self.theme = theme = build_theme(library.clinic, root, doc.page_size)
        boxes = guide_boxes(theme.frame_width, theme.page_height)
        dpi = library.clinic.image_dpi
        self.warnings: list[Problem] = []
        g = doc.guide
        wanted = [([g.cover_image] if g.cover_image else [], boxes["cover"]),
                  ([g.author.photo] if g.author and g.author.photo else [], boxes["author"])]
        for s in g.sections:
            if s.image:
                wanted.append(([s.image], section_box(theme.frame_width, theme.page_height, s.placement,
                                                      s.exercise is not None)))
        wanted.append(([p for gs in doc.sections if gs.exercise for p in gs.exercise.exercise.images[:2]],
                       picture_box()))
        self.pictures: dict[str, images.Prepared] = {}
        for pics, box in wanted:
            self.pictures.update(prepare_pictures(root, pics, box, dpi, self.warnings))
        logo = library.clinic.logo
        self.logo = prepare_pictures(root, [logo], logo_box(), dpi, self.warnings)[logo.file] if logo else None
        urls = [gs.exercise.exercise.video for gs in doc.sections if gs.exercise and gs.exercise.exercise.video]
        if g.cta and g.cta.booking_url:
            urls.append(g.cta.booking_url)
        self.codes = {url: qr.matrix(url) for url in urls}
        self.personal = bool(guide.placeholder_at)
        self._assembler = None
        self._neutral = doc

    def full(self, fields: dict[str, str]) -> bytes:
        """The whole guide for one reader, laid out from scratch."""
        from handouts.render.guide import render_guide

        doc = compose.compose_guide(self.library, self.guide_id, fields, self.page_size)
        with layout_errors(f"content/guides/{self.guide_id}.yaml"):
            return render_guide(doc, self.theme, self.pictures, self.logo, self.codes)

    def prepare_shared(self) -> None:
        """Render the shared pages now (a batch does this before starting its workers)."""
        from handouts.assemble import GuideAssembler
        from handouts.render.guide import render_guide

        if self._assembler is None:
            with layout_errors(f"content/guides/{self.guide_id}.yaml"):
                base = render_guide(self._neutral, self.theme, self.pictures, self.logo, self.codes,
                                    part="shared" if self.personal else "all")
            if not self.personal:
                self._base = base
            from handouts.render.guide import cta_replaced

            pages = [(0, "overlay")]
            if self._neutral.guide.cta:
                pages.append((-1, "replace" if cta_replaced(self._neutral) else "overlay"))
            self._assembler = GuideAssembler(base, pages)

    def reuse(self, fields: dict[str, str]) -> bytes:
        """The same PDF as full(fields), built from the shared pages plus this reader's own."""
        from handouts.render.guide import render_guide

        self.prepare_shared()
        if not self.personal:
            return self._base
        doc = compose.compose_guide(self.library, self.guide_id, fields, self.page_size)
        with layout_errors(f"content/guides/{self.guide_id}.yaml"):
            personal = render_guide(doc, self.theme, self.pictures, self.logo, self.codes, part="personal",
                                    last_page=self._assembler.page_count)
        try:
            return self._assembler.assemble(personal)
        except ValueError:  # e.g. a very long name pushed the call to action onto a second page
            return self.full(fields)


def render_guide_pdf(root: Path, library: Library, guide_id: str, fields: dict[str, str],
                     page_size: str | None = None) -> tuple[bytes, list[Problem]]:
    """PDF bytes of guide `guide_id` personalised with `fields`, and any warnings."""
    compose.compose_guide(library, guide_id, fields, page_size)  # unknown id / missing fields first
    renderer = GuideRenderer(root, library, guide_id, page_size)
    return renderer.full(fields), renderer.warnings


def build_guide(root: Path, library: Library, guide_id: str, fields: dict[str, str], output: Path | None, *,
                page_size: str | None = None, overwrite: bool = False) -> Result:
    data, warnings = render_guide_pdf(root, library, guide_id, fields, page_size)
    path = output or Path(f"{guide_id}.pdf")
    write_atomic(path, data, overwrite=overwrite)
    return Result(path, 0, warnings)


def render_routine_for_row(root: Path, library: Library, program: str, fields: dict[str, str],
                           options: dict) -> bytes:
    """One patient row of a routine batch: patient, date, therapist and note columns."""
    visit = visit_from_options(library, patient=fields.get("patient", ""), program=program,
                               note=fields.get("note", ""), therapist=fields.get("therapist", ""),
                               date=fields.get("date") or options.get("date"), page_size=options.get("page_size"))
    if visit.date is None:
        visit = Visit(**{**visit.__dict__, "date": dt.date.today()})
    data, _ = render_routine_pdf(root, library, visit)
    return data
