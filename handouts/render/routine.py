"""The end-of-visit handout: a Routine -> PDF bytes.

Page 1 carries the patient block, the program's purpose, the "STOP and call us if..." box, the goals
and the therapist's note; then one card per exercise (render/cards.py: a card moves whole to the next
page, and only a card taller than a page splits, between steps, never shrunk).

The STOP box comes before the goals and the note because it is the one safety message of the
handout: it must be whole and on page 1, and the note (up to 5,000 characters, typed at the end of
a visit) and the goals vary in length where the box must not move. The box never splits; a box
longer than a page splits between signs, and every part repeats the heading and the phone line.
"""

from __future__ import annotations

import io

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from handouts.images import Prepared
from handouts.model import Routine
from handouts.render import fonts
from handouts.render.cards import exercise_card
from handouts.render.flowables import stacked_height
from handouts.render.layout import body_height
from handouts.render.compact import compact_story
from handouts.render.largeprint import large_print_story
from handouts.render.logsheet import log_sheets
from handouts.render.pages import branding, document, numbered_canvas
from handouts.render.styles import Styles
from handouts.render.text import Paragraph, both, label, para
from handouts.theme import Theme
from handouts import i18n


def render_routine(routine: Routine, theme: Theme, pictures: dict[str, Prepared], logo: Prepared | None,
                   qr_codes: dict | None = None) -> bytes:
    """Lay out and draw `routine`.

    `pictures` maps each picture's file (as written in content) to its prepared image; `qr_codes`
    maps each video URL to its QR matrix (handouts.qr).
    """
    font = fonts.register(theme)
    st = Styles(theme, font)
    clinic = routine.clinic
    words = i18n.words(routine.language)
    marks = branding(clinic, theme, font, logo, clinic.disclaimer, words=words)
    buffer = io.BytesIO()
    doc = document(buffer, theme, title=words.text("routine.document_title", clinic=clinic.name), author=clinic.name)
    max_height = body_height(theme.page_height, theme.margin) - 1
    if routine.layout == "large-print":
        story = large_print_story(routine, theme, st, pictures, qr_codes or {},
                                  WarningBox(routine, theme, st, words, max_height))
    elif routine.layout == "compact":
        story = compact_story(routine, theme, st, pictures)
    else:
        story = _front(routine, theme, st, words)
        for number, entry in enumerate(routine.entries, start=1):
            story.append(exercise_card(f"{number}.", entry, theme, st, pictures, qr_codes or {}, max_height,
                                       words=words))
    story += log_sheets(routine, theme, st, body_height(theme.page_height, theme.margin))
    doc.build(story, canvasmaker=numbered_canvas(marks))
    return buffer.getvalue()


def _front(r: Routine, theme: Theme, st: Styles, words: i18n.Words) -> list:
    other = r.also  # a bilingual handout: the same texts in the second language, in italics
    story = [Paragraph(both(r.title, other.title if other else ""), st.h1)]
    blank = "_" * 22
    cells = [
        [Paragraph(label(words, "routine.patient"), st.label), Paragraph(label(words, "routine.date"), st.label),
         Paragraph(label(words, "routine.therapist"), st.label)],
        [Paragraph(para(r.patient) or blank, st.value),
         Paragraph(para(words.language.long_date(r.date)) if r.date else blank, st.value),
         Paragraph(para(r.therapist) or blank, st.value)],
    ]
    width = theme.frame_width
    block = Table(cells, colWidths=[width * 0.38, width * 0.28, width * 0.34])
    block.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), Color(*theme.light)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, 0), 8),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
    ]))
    story += [block, Spacer(1, 8)]
    purpose = [Paragraph(both(r.purpose, other.purpose if other else ""), st.body)] if r.purpose else []
    page_body = body_height(theme.page_height, theme.margin)
    box = WarningBox(r, theme, st, words, page_body - 1)
    # The box on page 1 (README: "whole and on page 1"): after the purpose when both fit; else before
    # it; else (long or many signs) it starts on page 1 and continues between signs on the next page,
    # never leaving page 1 nearly empty.
    head, tall = stacked_height(story, width), box.wrap(width, page_body)[1]
    if head + stacked_height(purpose, width) + 10 + tall <= page_body - 1:
        story += purpose + [Spacer(1, 10), box]
    elif head + 10 + tall <= page_body - 1:
        story += [Spacer(1, 10), box, Spacer(1, 8)] + purpose
    else:
        box.max_height = page_body - head - 12
        story += [Spacer(1, 10), box, Spacer(1, 8)] + purpose
    if r.goals:
        story.append(Paragraph(label(words, "routine.goals"), st.h2))
        alt = other.goals if other else ()
        story += [Paragraph("•&nbsp;&nbsp;" + both(goal, alt[n] if n < len(alt) else ""), st.bullet)
                  for n, goal in enumerate(r.goals)]
    if r.note:
        # A bordered paragraph, not a table cell: a long note continues on the next page.
        heading = Paragraph(label(words, "routine.note"), st.label)
        heading.keepWithNext = 1  # never alone at a page's foot
        story += [Spacer(1, 8), heading, Paragraph(para(r.note), st.note)]
    story.append(Spacer(1, 12))
    return story


class WarningBox(Flowable):
    """The "STOP and call us if" box, signs [first, last). It moves whole to the next page rather
    than split; only a box taller than a page splits, between signs, each part a whole box with
    the heading and the phone line."""

    def __init__(self, r: Routine, theme: Theme, st: Styles, words: i18n.Words, max_height: float,
                 first: int = 0, last: int | None = None):
        super().__init__()
        self.r, self.theme, self.st, self.words, self.max_height = r, theme, st, words, max_height
        self.first, self.last = first, len(r.warning_signs) if last is None else last
        self._made: tuple[float, Table, float] | None = None

    def _table(self, width: float, first: int, last: int) -> tuple[Table, float]:
        table = _warning_box(self.r, self.theme, self.st, self.words, range(first, last))
        return table, table.wrap(width, 1e9)[1]

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        if self._made is None or self._made[0] != avail_width:
            self._made = (avail_width, *self._table(avail_width, self.first, self.last))
        self.width, self.height = avail_width, self._made[2]
        return self.width, self.height

    def split(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        self.wrap(avail_width, avail_height)
        if self.height <= self.max_height:
            return []
        fits = max((last for last in range(self.first + 1, self.last)
                    if self._table(avail_width, self.first, last)[1] <= avail_height), default=0)
        if not fits:
            return []
        return [WarningBox(self.r, self.theme, self.st, self.words, self.max_height, self.first, fits),
                WarningBox(self.r, self.theme, self.st, self.words, self.max_height, fits, self.last)]

    def draw(self):
        self._made[1].drawOn(self.canv, 0, 0)


def _warning_box(r: Routine, theme: Theme, st: Styles, words: i18n.Words, which=None) -> Table:
    """The box with the signs numbered in `which` (default: all), its heading and the phone line; a
    part after the first says "(continued)" after the heading."""
    red = Color(*theme.warning)
    which = range(len(r.warning_signs)) if which is None else which
    heading = label(words, "routine.stop") + (f" {label(words, 'card.continued')}" if which and which[0] > 0 else "")
    rows = [[Paragraph(heading, st.warn_title)]]
    alt = r.also.warning_signs if r.also else ()
    rows += [[Paragraph("•&nbsp;&nbsp;" + both(r.warning_signs[n], alt[n] if n < len(alt) else ""), st.bullet)]
             for n in which]
    rows.append([Paragraph(f"<b>{label(words, 'routine.call', phone=r.clinic.phone)}</b>", st.body)])
    box = Table(rows, colWidths=[theme.frame_width])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), red),
        ("BACKGROUND", (0, 1), (-1, -1), Color(*theme.warning_light)),
        ("BOX", (0, 0), (-1, -1), 2, red),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))
    return box


