"""Build: load -> check -> compose -> prepare images -> render -> write. No click, no SMTP.

Everything is read and checked before anything is written (a handout is never half built), and
every problem found is reported together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from handouts import compose, images, qr
from handouts.load import folder
from handouts.load.visit import visit_from_options
from handouts.errors import ContentError, Problem
from handouts.model import Library, Picture, Routine, Visit
from handouts.render.guard import layout_errors
from handouts.theme import Theme, build_theme


MIN_PRINT_DPI = 150


@dataclass
class Warm:
    """What a long-lived caller (handouts.api.Clinic) keeps between builds so that the next handout
    neither re-prepares a picture nor re-encodes a QR code nor rebuilds a theme. Empty it (forget)
    when the content changes."""

    pictures: dict[tuple, images.Prepared] = field(default_factory=dict)  # (file, box, dpi) -> prepared
    codes: dict[str, qr.Matrix] = field(default_factory=dict)  # URL -> QR matrix
    themes: dict[str | None, Theme] = field(default_factory=dict)  # page size -> theme
    guides: dict[tuple, "GuideRenderer"] = field(default_factory=dict)  # (guide id, page size) -> renderer

    def forget(self, files: set[str] | None = None) -> None:
        """Drop everything, or with `files` only the pictures prepared from those files (and what
        holds them: themes and guide renderers are cheap to build again)."""
        if files is None:
            self.pictures.clear()
            self.codes.clear()
        else:
            for key in [k for k in self.pictures if k[0] in files]:
                del self.pictures[key]
        self.themes.clear()
        self.guides.clear()

    def theme(self, clinic, root: Path, page_size: str | None) -> Theme:
        if page_size not in self.themes:
            self.themes[page_size] = build_theme(clinic, root, page_size)
        return self.themes[page_size]

    def qr(self, url: str) -> qr.Matrix:
        if url not in self.codes:
            self.codes[url] = qr.matrix(url)
        return self.codes[url]


def prepare_pictures(root: Path, pics: list[Picture], box: tuple[float, float], dpi: int = images.DEFAULT_DPI,
                     warnings: list[Problem] | None = None, warm: Warm | None = None) -> dict[str, images.Prepared]:
    """Prepare every picture; raise ContentError naming each unusable file and where it was used.

    Warnings (e.g. only the first frame of an animated GIF is used) are appended to `warnings`.
    With `warm`, a picture prepared before for the same box is taken from memory.
    """
    out, problems = {}, []
    kept = warm.pictures if warm is not None else {}
    for pic in pics:
        if pic.file in out:
            continue
        w = pic.where
        key = (pic.file, box, dpi)
        try:
            out[pic.file] = prepared = kept.get(key) or images.prepare(root / pic.file, *box, dpi=dpi, inside=root)
        except images.ImageProblem as exc:
            problems.append(Problem(f"{pic.file}: {exc}", w.file, w.line, w.col, w.field))
            continue
        if warm is not None:
            kept[key] = prepared
        if prepared.warning and warnings is not None:
            warnings.append(Problem(f"{pic.file}: {prepared.warning}", w.file, w.line, w.col, w.field, warning=True))
    if problems:
        raise ContentError(problems=problems)
    return out


def glyph_warnings(routine: Routine, theme: Theme, program=None) -> list[Problem]:
    """A warning for each character of the handout the font cannot print (it would show as an empty
    box): what was typed for this visit (these warnings have no file), and the content it prints
    (clinic, `program`, exercises)."""
    fields = [("", 0, "patient", routine.patient), ("", 0, "note", routine.note),
              ("", 0, "therapist", routine.therapist)]
    fields += [("", 0, f"exercise {e.exercise.id} note", e.note) for e in routine.entries]
    texts = clinic_texts(routine.clinic) + (program_texts(program) if program else [])
    for e in routine.entries:
        texts += exercise_texts(e.exercise)
    return _glyph_problems(theme, fields + texts)


def clinic_texts(c) -> list[tuple[str, int, str, str]]:
    """(file, line, field, text) of everything a clinic file can print."""
    f, line = "content/clinic.yaml", 0
    out = [(f, line, key, getattr(c, key)) for key in ("name", "tagline", "phone", "website", "email", "address",
                                                      "disclaimer")]
    for i, t in enumerate(c.therapists):
        out += [(f, line, f"therapists[{i}].name", t.name), (f, line, f"therapists[{i}].credentials", t.credentials)]
    return out


def exercise_texts(ex) -> list[tuple[str, int, str, str]]:
    f = ex.where.file
    out = [(f, 0, "name", ex.name), (f, 0, "purpose", ex.purpose), (f, 0, "dosage.load", ex.dosage.load or "")]
    for key in ("steps", "tips", "mistakes", "precautions"):
        out += [(f, 0, f"{key}[{i}]", text) for i, text in enumerate(getattr(ex, key))]
    out += [(p.where.file or f, p.where.line, f"images[{i}].caption", p.caption) for i, p in enumerate(ex.images)]
    return out


def program_texts(prog) -> list[tuple[str, int, str, str]]:
    f = prog.where.file
    out = [(f, 0, "title", prog.title), (f, 0, "purpose", prog.purpose)]
    for key in ("goals", "warning_signs"):
        out += [(f, 0, f"{key}[{i}]", text) for i, text in enumerate(getattr(prog, key))]
    out += [(item.where.file or f, item.where.line, f"exercises[{i}].note", item.note)
            for i, item in enumerate(prog.items)]
    return out


def guide_texts(g) -> list[tuple[str, int, str, str]]:
    f = g.where.file
    out = [(f, 0, key, getattr(g, key)) for key in ("title", "subtitle", "prepared_for", "disclaimer")]
    if g.intro:
        out.append((f, g.intro.where.line, "intro", g.intro.source))
    for i, s in enumerate(g.sections):
        at = f"sections[{i}]"
        out += [(f, s.where.line, f"{at}.heading", s.heading), (f, s.body.where.line, f"{at}.body", s.body.source)]
        if s.image:
            out.append((f, s.image.where.line, f"{at}.image.caption", s.image.caption))
    if g.author:
        a = g.author
        out += [(f, 0, "author.name", a.name), (f, 0, "author.credentials", a.credentials)]
        if a.bio:
            out.append((f, a.bio.where.line, "author.bio", a.bio.source))
    if g.cta:
        out += [(f, g.cta.where.line, "cta.headline", g.cta.headline), (f, g.cta.where.line, "cta.phone", g.cta.phone)]
        if g.cta.text:
            out.append((f, g.cta.text.where.line, "cta.text", g.cta.text.source))
    return out


def _glyph_problems(theme: Theme, texts) -> list[Problem]:
    """One warning per (file, line, field, text) holding characters the theme's font cannot draw."""
    from handouts.render.fonts import missing_glyphs

    out, seen = [], set()
    for file, line, field_path, text in texts:
        missing = missing_glyphs(theme, text) if text else []
        if missing and (file, field_path, text) not in seen:
            seen.add((file, field_path, text))
            codes = ", ".join(f"U+{ord(c):04X}" for c in missing[:8]) + (", ..." if len(missing) > 8 else "")
            out.append(Problem(f"the font has no glyph for {codes}; they will print as boxes", file, line, 0,
                               field_path, warning=True))
    return out


def content_glyph_warnings(root: Path, library: Library) -> list[Problem]:
    """Characters in any content file that the clinic's font cannot draw (for `check`)."""
    theme = build_theme(library.clinic, root)
    texts = clinic_texts(library.clinic)
    for ex in library.exercises.values():
        texts += exercise_texts(ex)
    for prog in library.programs.values():
        texts += program_texts(prog)
    for g in library.guides.values():
        texts += guide_texts(g)
    return _glyph_problems(theme, texts)


def render_routine_pdf(root: Path, library: Library, visit: Visit, source: str = "",
                       warm: Warm | None = None) -> tuple[bytes, list[Problem]]:
    """PDF bytes of the handout for `visit`, and any warnings. `warm` keeps prepared pictures, QR
    codes and themes for the next call."""
    from handouts.render.layout import logo_box, picture_box
    from handouts.render.routine import render_routine

    warm = warm if warm is not None else Warm()
    routine = compose.compose_routine(library, visit, source)
    theme = warm.theme(library.clinic, root, routine.page_size)
    pics = [p for e in routine.entries for p in e.exercise.images[:2]]
    warnings = glyph_warnings(routine, theme, library.programs.get(visit.program) if visit.program else None)
    dpi = library.clinic.image_dpi
    prepared = prepare_pictures(root, pics, picture_box(), dpi, warnings, warm)
    logo = library.clinic.logo
    logo_prepared = prepare_pictures(root, [logo], logo_box(), dpi, warnings, warm)[logo.file] if logo else None
    codes = {e.exercise.video: warm.qr(e.exercise.video) for e in routine.entries if e.exercise.video}
    with layout_errors(source or "the handout"):
        return render_routine(routine, theme, prepared, logo_prepared, codes), warnings


def default_output(visit: Visit) -> Path:
    """A file name that carries no patient data: the date and a random part.

    Not a hash of the visit: someone who guessed a patient's name, the date and the program could
    otherwise confirm whose handout a file is. (The PDF's bytes stay deterministic.)
    """
    import secrets

    day = (visit.date or dt.date.today()).isoformat()
    return Path(f"handout-{day}-{secrets.token_hex(4)}.pdf")


def check(root: Path) -> tuple[Library | None, list[Problem]]:
    """Every problem in a clinic folder: files, references, image paths and the images themselves."""
    library, problems = folder.scan_library(root)
    if library is None:
        return None, problems
    return library, check_library(root, library, problems)


def check_library(root: Path, library: Library, problems: list[Problem]) -> list[Problem]:
    """`problems` (what loading `library` found) and every problem of its pictures and glyphs."""
    bad_paths = {(p.file, p.line) for p in problems}
    from handouts.render.layout import logo_box, picture_box

    for ex in library.exercises.values():
        for pic in ex.images:
            if (pic.where.file, pic.where.line) in bad_paths:
                continue
            problems += _image_check(root, pic, picture_box(), library.clinic.image_dpi)
    if library.clinic.logo and ("content/clinic.yaml", library.clinic.logo.where.line) not in bad_paths:
        problems += _image_check(root, library.clinic.logo, logo_box(), library.clinic.image_dpi)
    if library.guides:
        theme = build_theme(library.clinic, root)
        for guide in library.guides.values():
            for pic, box in guide_pictures(library, guide, theme):
                if pic.where.file.startswith("content/guides/") and (pic.where.file, pic.where.line) not in bad_paths:
                    problems += _image_check(root, pic, box, library.clinic.image_dpi)
    if not any(p.field.startswith("fonts.") for p in problems):
        problems += content_glyph_warnings(root, library)
    from handouts.readability import reading_problems

    problems += reading_problems(library)
    return problems


def _image_check(root: Path, pic: Picture, box: tuple[float, float], dpi: int) -> list[Problem]:
    """Problems with one picture: unusable (error), animated or too coarse for print (warnings)."""
    w = pic.where
    try:
        prepared = images.prepare(root / pic.file, *box, dpi=dpi, inside=root)
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


def guide_pictures(library: Library, guide, theme: Theme) -> list[tuple[Picture, tuple[float, float]]]:
    """Every picture a guide prints, with the box (points) it is fitted into."""
    from handouts.render.layout import guide_boxes, picture_box, section_box

    boxes = guide_boxes(theme.frame_width, theme.page_height)
    out = [(guide.cover_image, boxes["cover"])] if guide.cover_image else []
    if guide.author and guide.author.photo:
        out.append((guide.author.photo, boxes["author"]))
    for s in guide.sections:
        if s.image:
            out.append((s.image, section_box(theme.frame_width, theme.page_height, s.placement, bool(s.exercise))))
        if s.exercise and s.exercise in library.exercises:
            out += [(p, picture_box()) for p in library.exercises[s.exercise].images[:2]]
    return out


class GuideRenderer:
    """One guide for many readers: content, pictures, QR codes and the shared pages are prepared
    once; each reader then costs only their own pages (see render/splice.py)."""

    def __init__(self, root: Path, library: Library, guide_id: str, page_size: str | None = None,
                 warm: Warm | None = None):
        from handouts.render.layout import logo_box

        guide = library.guides.get(guide_id)
        if guide is None:
            compose.compose_guide(library, guide_id, {})  # raises: unknown id, with a did-you-mean
        warm = warm if warm is not None else Warm()
        self.root, self.library, self.guide_id = root, library, guide_id
        self.page_size = page_size or library.clinic.page_size
        self.theme = theme = warm.theme(library.clinic, root, self.page_size)
        dpi = library.clinic.image_dpi
        self.warnings: list[Problem] = guide_glyph_warnings(theme, library, guide)
        self.pictures: dict[str, images.Prepared] = {}
        for pic, box in guide_pictures(library, guide, theme):
            self.pictures.update(prepare_pictures(root, [pic], box, dpi, self.warnings, warm))
        logo = library.clinic.logo
        self.logo = prepare_pictures(root, [logo], logo_box(), dpi, self.warnings, warm)[logo.file] if logo else None
        urls = [library.exercises[s.exercise].video for s in guide.sections
                if s.exercise in library.exercises and library.exercises[s.exercise].video]
        if guide.cta and guide.cta.booking_url:
            urls.append(guide.cta.booking_url)
        self.codes = {url: warm.qr(url) for url in urls}
        self.personal = bool(guide.placeholder_at)
        self._assembler = None
        self._neutral = None

    def full(self, fields: dict[str, str]) -> bytes:
        """The whole guide for one reader, laid out from scratch."""
        return self.render(compose.compose_guide(self.library, self.guide_id, fields, self.page_size))

    def render(self, doc: compose.GuideDoc) -> bytes:
        """The whole guide for a document composed already (compose.compose_guide)."""
        from handouts.render.guide import render_guide

        with layout_errors(f"content/guides/{self.guide_id}.yaml"):
            return render_guide(doc, self.theme, self.pictures, self.logo, self.codes)

    def prepare_shared(self) -> None:
        """Render the shared pages now (a batch does this before starting its workers)."""
        from handouts.render.splice import GuideAssembler
        from handouts.render.guide import render_guide

        if self._assembler is None:
            neutral = {name: "Reader" for name, _ in self.library.guides[self.guide_id].placeholder_at}
            self._neutral = compose.compose_guide(self.library, self.guide_id, neutral, self.page_size)
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


def guide_glyph_warnings(theme: Theme, library: Library, guide) -> list[Problem]:
    """Characters of a guide's content (and the clinic and exercises it prints) the font lacks."""
    texts = clinic_texts(library.clinic) + guide_texts(guide)
    for s in guide.sections:
        if s.exercise in library.exercises:
            texts += exercise_texts(library.exercises[s.exercise])
    return _glyph_problems(theme, texts)


def field_glyph_warnings(theme: Theme, fields: dict[str, str]) -> list[Problem]:
    """Characters of one reader's values (e.g. --for NAME) the font lacks."""
    return _glyph_problems(theme, [("", 0, name, value) for name, value in sorted(fields.items())])


def render_guide_pdf(root: Path, library: Library, guide_id: str, fields: dict[str, str],
                     page_size: str | None = None, warm: Warm | None = None) -> tuple[bytes, list[Problem]]:
    """PDF bytes of guide `guide_id` personalised with `fields`, and any warnings. With `warm`, the
    guide's pictures, codes and theme are prepared once for every later call."""
    # Unknown id and missing fields are reported before any picture is prepared.
    doc = compose.compose_guide(library, guide_id, fields, page_size)
    warm = warm if warm is not None else Warm()
    key = (guide_id, page_size)
    renderer = warm.guides.get(key) or GuideRenderer(root, library, guide_id, page_size, warm)
    warm.guides[key] = renderer
    return renderer.render(doc), renderer.warnings + field_glyph_warnings(renderer.theme, fields)


def render_routine_for_row(root: Path, library: Library, program: str, fields: dict[str, str],
                           options: dict) -> tuple[bytes, list[Problem]]:
    """One patient row of a routine batch (patient, date, therapist and note columns): PDF bytes and
    warnings about the row's own values (characters the font cannot print)."""
    visit = visit_from_options(library, patient=fields.get("patient", ""), program=program,
                               note=fields.get("note", ""), therapist=fields.get("therapist", ""),
                               date=fields.get("date") or options.get("date"), page_size=options.get("page_size"))
    if visit.date is None:
        visit = Visit(**{**visit.__dict__, "date": dt.date.today()})
    data, warnings = render_routine_pdf(root, library, visit)
    return data, [w for w in warnings if not w.file]  # the row's own values; content is checked once
