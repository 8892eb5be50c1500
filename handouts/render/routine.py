"""The end-of-visit handout: a Routine -> PDF bytes.

Page 1 carries the patient block, program purpose, goals, the therapist's note and the
"Stop and call us if..." box; then one card per exercise. A card never splits across pages: it is a
single unsplittable flowable, shrunk only in the rare case that it is taller than a whole page.
"""

from __future__ import annotations

import io

from reportlab.lib.colors import Color
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from handouts.images import Prepared
from handouts.model import Routine
from handouts.render import fonts
from handouts.render.cards import exercise_card
from handouts.render.layout import body_height
from handouts.render.compact import compact_story
from handouts.render.largeprint import large_print_story
from handouts.render.logsheet import log_sheets
from handouts.render.pages import branding, document, numbered_canvas
from handouts.render.styles import Styles
from handouts.render.text import both, label, para
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
    if routine.layout == "large-print":
        story = large_print_story(routine, theme, st, pictures, qr_codes or {}, _warning_box(routine, theme, st, words))
    elif routine.layout == "compact":
        story = compact_story(routine, theme, st, pictures)
    else:
        story = _front(routine, theme, st, words)
        for number, entry in enumerate(routine.entries, start=1):
            story.append(exercise_card(f"{number}.", entry, theme, st, pictures, qr_codes or {},
                                       body_height(theme.page_height, theme.margin) - 1, words=words))
            story.append(Spacer(1, 8))
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
    if r.purpose:
        story.append(Paragraph(both(r.purpose, other.purpose if other else ""), st.body))
    if r.goals:
        story.append(Paragraph(label(words, "routine.goals"), st.h2))
        alt = other.goals if other else ()
        story += [Paragraph("•&nbsp;&nbsp;" + both(goal, alt[n] if n < len(alt) else ""), st.bullet)
                  for n, goal in enumerate(r.goals)]
    if r.note:
        # A bordered paragraph, not a table cell: a long note continues on the next page.
        story += [Spacer(1, 8), Paragraph(label(words, "routine.note"), st.label),
                  Paragraph(para(r.note), st.note)]
    story.append(Spacer(1, 10))
    story.append(_warning_box(r, theme, st, words))
    story.append(Spacer(1, 12))
    return story


def _warning_box(r: Routine, theme: Theme, st: Styles, words: i18n.Words) -> Table:
    red = Color(*theme.warning)
    rows = [[Paragraph(label(words, "routine.stop"), st.warn_title)]]
    alt = r.also.warning_signs if r.also else ()
    rows += [[Paragraph("•&nbsp;&nbsp;" + both(sign, alt[n] if n < len(alt) else ""), st.bullet)]
             for n, sign in enumerate(r.warning_signs)]
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


