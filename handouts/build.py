"""Build: a loaded Library + a Visit (or a guide id and a reader's values) -> PDF bytes and warnings.

compose -> prepare pictures and QR codes -> render, with `Warm` keeping what was prepared for the
next build. Every picture problem is reported together; nothing is written here (the caller writes
the bytes, atomically). No click, no SMTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from handouts import compose, fit, images, qr
from handouts.errors import ContentError, Problem
from handouts.glyphs import field_glyph_warnings, glyph_problems, guide_glyph_warnings
from handouts.model import Library, Picture, Visit
from handouts.render.guard import layout_errors
from handouts.theme import Theme, build_theme, for_layout


@dataclass
class Warm:
    """What a long-lived caller (handouts.api.Clinic) keeps between builds so that the next handout
    neither re-prepares a picture nor re-encodes a QR code nor rebuilds a theme. Empty it (forget)
    when the content changes."""

    pictures: dict[tuple, images.Prepared] = field(default_factory=dict)  # (file, box, dpi) -> prepared
    codes: dict[str, qr.Matrix] = field(default_factory=dict)  # URL -> QR matrix
    themes: dict[str | None, Theme] = field(default_factory=dict)  # page size -> theme
    guides: dict[tuple, "GuideRenderer"] = field(default_factory=dict)  # (id, page size, language, fallback) -> renderer

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


def render_routine_pdf(root: Path, library: Library, visit: Visit, source: str = "",
                       warm: Warm | None = None, fallback: bool = False) -> tuple[bytes, list[Problem]]:
    """PDF bytes of the handout for `visit`, and any warnings. `warm` keeps prepared pictures, QR
    codes and themes for the next call. With `fallback`, text without a translation into the
    visit's language prints in the clinic's language (each one a warning)."""
    from handouts.render.layout import logo_box, picture_box
    from handouts.render.routine import render_routine

    warm = warm if warm is not None else Warm()
    fell_back: list[Problem] = []
    routine = compose.compose_routine(library, visit, source, fallback=fallback, warnings=fell_back)
    theme = for_layout(warm.theme(library.clinic, root, routine.page_size), routine.layout, routine.greyscale)
    pics = [p for e in routine.entries for p in e.exercise.images[:2]]
    program = library.programs.get(visit.program) if visit.program else None
    if program is not None:  # its words in the handout's language: the ones printed
        program = compose.in_language(library, program, compose.language_of(library, routine.language), True, None)
    uncovered = glyph_problems(routine, theme, program, source)
    if uncovered:
        raise ContentError(problems=uncovered)
    warnings: list[Problem] = list(fell_back)
    dpi = library.clinic.image_dpi
    prepared = prepare_pictures(root, pics, picture_box(routine.layout), dpi, warnings, warm)
    if routine.layout == "large-print":  # `check` judges pictures at the standard card's smaller size
        warnings += fit.soft_pictures(pics, prepared, picture_box(routine.layout), "in large print")
    logo = library.clinic.logo
    logo_prepared = prepare_pictures(root, [logo], logo_box(), dpi, warnings, warm)[logo.file] if logo else None
    codes = {e.exercise.video: warm.qr(e.exercise.video) for e in routine.entries if e.exercise.video}
    with layout_errors(source or "the handout"):
        data = render_routine(routine, theme, prepared, logo_prepared, codes)
    return data, warnings + fit.compact_fit(routine, fit.page_count(data))


def default_output(visit: Visit) -> Path:
    """A file name that carries no patient data: the date and a random part.

    Not a hash of the visit: someone who guessed a patient's name, the date and the program could
    otherwise confirm whose handout a file is. (The PDF's bytes stay deterministic.)
    """
    import secrets

    day = (visit.date or dt.date.today()).isoformat()
    return Path(f"handout-{day}-{secrets.token_hex(4)}.pdf")


class GuideRenderer:
    """One guide for many readers: content, pictures, QR codes and the shared pages are prepared
    once; each reader then costs only their own pages (see render/splice.py)."""

    def __init__(self, root: Path, library: Library, guide_id: str, page_size: str | None = None,
                 warm: Warm | None = None, language: str | None = None, fallback: bool = False):
        from handouts.render.layout import guide_pictures, logo_box

        self.root, self.library, self.guide_id = root, library, guide_id
        self.language, self.fallback = language, fallback
        self.page_size = page_size
        guide = library.guides.get(guide_id)
        neutral = {name: "Reader" for name, _ in guide.placeholder_at} if guide else {}
        fell_back: list[Problem] = []
        doc = self._compose(neutral, fell_back)  # raises: unknown id (with a did-you-mean), missing translations
        guide = doc.guide  # in the guide's language: the words printed
        warm = warm if warm is not None else Warm()
        self.page_size = doc.page_size
        self.theme = theme = warm.theme(library.clinic, root, self.page_size)
        dpi = library.clinic.image_dpi
        uncovered = guide_glyph_warnings(theme, library, guide)
        if uncovered:
            raise ContentError(problems=uncovered)
        self.warnings: list[Problem] = list(fell_back)
        self.pictures: dict[str, images.Prepared] = {}
        for pic, box in guide_pictures(library, guide, theme.frame_width, theme.page_height):
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

    def _compose(self, fields: dict[str, str], warnings: list[Problem] | None = None) -> compose.GuideDoc:
        return compose.compose_guide(self.library, self.guide_id, fields, self.page_size, language=self.language,
                                     fallback=self.fallback, warnings=warnings)

    def full(self, fields: dict[str, str]) -> bytes:
        """The whole guide for one reader, laid out from scratch."""
        return self.render(self._compose(fields))

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
            self._neutral = self._compose(neutral)
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
        doc = self._compose(fields)
        with layout_errors(f"content/guides/{self.guide_id}.yaml"):
            personal = render_guide(doc, self.theme, self.pictures, self.logo, self.codes, part="personal",
                                    last_page=self._assembler.page_count)
        try:
            return self._assembler.assemble(personal)
        except ValueError:  # e.g. a very long name pushed the call to action onto a second page
            return self.full(fields)


def render_guide_pdf(root: Path, library: Library, guide_id: str, fields: dict[str, str],
                     page_size: str | None = None, warm: Warm | None = None, language: str | None = None,
                     fallback: bool = False) -> tuple[bytes, list[Problem]]:
    """PDF bytes of guide `guide_id` personalised with `fields` in `language`, and any warnings. With
    `warm`, the guide's pictures, codes and theme are prepared once for every later call."""
    # Unknown id, missing fields or translations are reported before any picture is prepared.
    doc = compose.compose_guide(library, guide_id, fields, page_size, language=language, fallback=fallback)
    warm = warm if warm is not None else Warm()
    key = (guide_id, page_size, language, fallback)
    renderer = warm.guides.get(key) or GuideRenderer(root, library, guide_id, page_size, warm, language, fallback)
    warm.guides[key] = renderer
    field_glyph_warnings(renderer.theme, fields)  # raises for what no font prints
    return renderer.render(doc), renderer.warnings
