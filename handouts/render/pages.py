"""Pages: the branded header and footer on every page, and "Page X of Y" numbering.

The footer needs the total page count, which is only known once layout has finished, so the canvas
keeps each page's state and draws the footers when the document is saved (one layout pass).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from handouts.render.fonts import draw_string, string_width
from handouts.render.layout import FOOTER_HEIGHT, FRAME_PADDING, HEADER_HEIGHT
from handouts.theme import Theme

# Streams are only Flate-compressed: ASCII85 on top makes files ~20% larger and builds slower.
rl_config.useA85 = 0


@dataclass
class Branding:
    """What the header and footer print; every field is clinic text, never patient data."""

    theme: Theme
    font: str
    clinic_name: str
    tagline: str
    phone: str
    website: str
    disclaimer: str
    logo_path: str | None = None
    logo_size: tuple[float, float] = (0.0, 0.0)
    sample: bool = False  # made from the bundled demo clinic
    words: object = None  # i18n.Words: the labels' language (English when not given)

    def __post_init__(self):
        if self.words is None:
            from handouts import i18n

            self.words = i18n.words("en")


def branding(clinic, theme: Theme, font: str, logo, disclaimer: str = "", words=None) -> Branding:
    """The header and footer of every page of a clinic's documents; `logo` is its prepared picture,
    `words` the labels' language (i18n.Words; English when not given)."""
    from handouts.render.layout import fit_size, logo_box

    out = Branding(theme, font, clinic.name, clinic.tagline, clinic.phone, clinic.website, disclaimer,
                   sample=clinic.sample, words=words)
    if logo is not None:
        out.logo_path = str(logo.path)
        out.logo_size = fit_size(logo, *logo_box())
    return out

SAMPLE_RED = (0.70, 0.14, 0.09)  # the warning box's red: 6.5:1 on white


def draw_sample_mark(canvas, theme: Theme, font: str, words=None) -> None:
    """The line across the top of every page made from the bundled demo clinic, so its name and
    phone number are never mistaken for a real clinic's. `words`: an i18n.Words (English when None)."""
    from handouts import i18n

    text = (words or i18n.words("en")).text("page.sample")  # one language: a bilingual line would not fit
    canvas.saveState()
    canvas.setFillColorRGB(*theme.warning)  # SAMPLE_RED, or its grey in a greyscale handout
    size = _fit(text, font + "-Bold", 11, theme.frame_width, canvas)
    canvas.setFont(font + "-Bold", size)
    canvas.drawCentredString(theme.page_width / 2, theme.page_height - theme.margin + 10, text)
    canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float, canvas) -> float:
    """The largest size <= `size` at which `text` fits `width` (headers never overflow the page)."""
    while size > 6 and string_width(text, font, size) > width:
        size -= 0.5
    return size


def draw_header(canvas, b: Branding) -> None:
    t = b.theme
    top = t.page_height - t.margin
    x = t.margin
    canvas.saveState()
    if b.logo_path:
        w, h = b.logo_size
        canvas.drawImage(ImageReader(b.logo_path), x, top - h, w, h)
        x += w + 10
    large = t.layout == "large-print"  # the furniture a low-vision reader needs most, larger too
    phone_size = 18.0 if large else 15.0
    phone_width = string_width(b.phone, b.font + "-Bold", phone_size)
    room = t.page_width - t.margin - x - phone_width - 16
    name_size = _fit(b.clinic_name, b.font + "-Bold", 17, room, canvas)
    canvas.setFillColorRGB(*t.primary_text)
    draw_string(canvas, x, top - 20, b.clinic_name, b.font + "-Bold", name_size)
    if b.tagline:
        canvas.setFillColorRGB(*t.text)
        size = _fit(b.tagline, b.font, 11, room, canvas)
        draw_string(canvas, x, top - 36, b.tagline, b.font, size)
    canvas.setFillColorRGB(*t.primary_text)
    canvas.setFont(b.font, 10)
    canvas.drawRightString(t.page_width - t.margin, top - 10, b.words.joined("page.questions"))
    draw_string(canvas, t.page_width - t.margin, top - 28, b.phone, b.font + "-Bold", phone_size, "right")
    canvas.setStrokeColorRGB(*t.accent)
    canvas.setLineWidth(2.5)
    y = t.page_height - t.margin - HEADER_HEIGHT + 8
    canvas.line(t.margin, y, t.page_width - t.margin, y)
    canvas.restoreState()


def draw_footer(canvas, b: Branding, page: int, total: int) -> None:
    t = b.theme
    canvas.saveState()
    y = t.margin + FOOTER_HEIGHT - 12
    canvas.setStrokeColorRGB(*t.light)
    canvas.setLineWidth(1)
    canvas.line(t.margin, y + 8, t.page_width - t.margin, y + 8)
    canvas.setFillColorRGB(*t.text)
    label_size = 16 if t.layout == "large-print" else 11
    canvas.setFont(b.font + "-Bold", label_size)
    label = b.words.joined("page.page_of", page=page, total=total)
    canvas.drawRightString(t.page_width - t.margin, y - 6, label)
    canvas.setFont(b.font, 10)
    if b.website:  # left of the page number, never under it
        room = t.frame_width - string_width(label, b.font + "-Bold", label_size) - 12
        site = b.website[:120]
        draw_string(canvas, t.margin, y - 6, site, b.font, _fit(site, b.font, 10, room, canvas))
    if b.disclaimer:
        size = _fit(b.disclaimer, b.font, t.small_size, t.frame_width, canvas)
        canvas.setFillColorRGB(*t.muted)
        draw_string(canvas, t.margin, t.margin + 2, b.disclaimer, b.font, size)
    canvas.restoreState()


def numbered_canvas(branding: Branding):
    """A Canvas class that stamps header and footer ("Page X of Y") on every page at save time."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                draw_header(self, branding)
                draw_footer(self, branding, number, total)
                if branding.sample:
                    draw_sample_mark(self, branding.theme, branding.font, branding.words)
                super().showPage()
            super().save()

    return NumberedCanvas


def document(buffer, theme: Theme, title: str, author: str) -> BaseDocTemplate:
    """A one-frame document with fixed metadata and invariant (reproducible) output."""
    body_top = theme.page_height - theme.margin - HEADER_HEIGHT
    body_bottom = theme.margin + FOOTER_HEIGHT
    frame = Frame(theme.margin, body_bottom, theme.frame_width, body_top - body_bottom,
                  leftPadding=0, rightPadding=0, topPadding=FRAME_PADDING, bottomPadding=FRAME_PADDING, id="body")
    doc = BaseDocTemplate(
        buffer,
        pagesize=(theme.page_width, theme.page_height),
        leftMargin=theme.margin, rightMargin=theme.margin, topMargin=theme.margin, bottomMargin=theme.margin,
        title=title, author=author, subject="", keywords="", creator="handouts", producer="handouts",
        invariant=1,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc
