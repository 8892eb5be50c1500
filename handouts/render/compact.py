"""The compact layout (the fridge sheet): a Routine -> flowables, one row per exercise.

Each row has the two pictures stacked small on the left and, beside them, the name and position,
the dosage and the numbered steps, all at 12 pt or more. Page 1 starts with who and when, the
whole "STOP and call us if" box with the clinic's phone, then the therapist's note. Left out on
purpose (see `routine --help`): the program's purpose and goals, picture captions, tips, video
codes and the "Too easy? / Too hard?" line. A row is never split across pages, unless it is taller
than a page: then its steps continue on the next page, one paragraph each (never shrunk).
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import HRFlowable, KeepTogether, Spacer, Table, TableStyle

from handouts.images import Prepared
from handouts.model import Dosage, Routine, RoutineEntry
from handouts.render.cards import entry_words, second_language
from handouts.render.flowables import Picture
from handouts.render.layout import body_height, picture_box
from handouts.render.styles import Styles
from handouts.render.text import Paragraph, both, label, para
from handouts.theme import Theme
from handouts import i18n
from handouts.wording import shared_how_often

SEP = "&nbsp;&nbsp;·&nbsp;&nbsp;"


def compact_story(routine: Routine, theme: Theme, st: Styles, pictures: dict[str, Prepared]) -> list:
    words = i18n.words(routine.language)
    day = words.language.long_date(routine.date) if routine.date else "_" * 10
    who = [f"<b>{label(words, 'routine.patient')}:</b> {para(routine.patient) or '_' * 14}",
           f"<b>{label(words, 'routine.date')}:</b> {para(day)}"]
    if routine.therapist:
        who.append(f"<b>{label(words, 'routine.therapist')}:</b> {para(routine.therapist)}")
    other = routine.also.title if routine.also and words.bilingual else ""
    story = [Paragraph(both(routine.title, other), st.h1), Paragraph(SEP.join(who), st.body), Spacer(1, 4)]
    # The STOP box before the therapist's note: however long the note, the box is on page 1.
    story += [KeepTogether([_warning_box(routine, theme, st, words)]), Spacer(1, 4)]
    if routine.note:
        story.append(Paragraph(f"<b>{label(words, 'card.note')}</b> {para(routine.note)}", st.note))
    # How often, said once when every exercise shares it (a line saved on every row).
    often = shared_how_often((e.dosage for e in routine.entries), words.main)
    if often:
        other = (shared_how_often((e.dosage for e in routine.also.entries), words.catalogues[1])
                 if routine.also and words.bilingual else "")
        story.append(Paragraph(f"<b>{both(often, other)}</b>", st.body))
    for number, entry in enumerate(routine.entries, start=1):
        dosage = replace(entry.dosage, per_day=None, per_week=None) if often else entry.dosage
        story += _row(number, entry, dosage, theme, st, pictures, words)
    return story


def _row(number: int, entry: RoutineEntry, dosage: Dosage, theme: Theme, st: Styles,
         pictures: dict[str, Prepared], words: i18n.Words) -> list:
    ex = entry.exercise
    box_w, box_h = picture_box("compact")
    images: list = []
    for pic in ex.images[:2]:
        prepared = pictures[pic.file]
        scale = min(box_w / prepared.width, box_h / prepared.height)
        images += [Picture(str(prepared.path), prepared.width * scale, prepared.height * scale), Spacer(1, 3)]
    # A bilingual handout: `alt` is the same row in the second language, printed in italics after the main.
    alt, _ = second_language(entry, words)
    name, position, dose_markup = entry_words(entry, words, dosage)
    text = [Paragraph(f"<b>{number}.&nbsp;{name}</b>{SEP}{para(position)}", st.compact_name),
            Paragraph(dose_markup, st.dosage)]
    # The steps (and the therapist's note) run on in one paragraph, each number in bold: no line is
    # left half empty after a short step. Bilingual: each step, then the same step in italics.
    alt_steps = alt.exercise.steps if alt else ()
    run_on = []
    for i, step in enumerate(ex.steps, 1):
        other = alt_steps[i - 1] if i <= len(alt_steps) and alt_steps[i - 1] != step else ""
        run_on.append(f"<b>{i}.</b>&nbsp;{para(step)}" + (f" <i>/ {para(other)}</i>" if other else ""))
    if entry.note:
        other = alt.note if alt and alt.note != entry.note else ""
        run_on.append(f"<b>{label(words, 'card.note_short')}</b> <i>{para(entry.note)}</i>"
                      + (f" <i>/ {para(other)}</i>" if other else ""))
    row = _table(images, text + [Paragraph("&nbsp; ".join(run_on), st.body)], box_w, theme, rule=True)
    if row.wrap(theme.frame_width, 1e9)[1] <= body_height(theme.page_height, theme.margin) - 1:
        return [row]
    # Taller than a page (very long steps or note): the name, dosage and pictures, then each step as its
    # own paragraph under the text column, so the row continues on the next page between steps.
    indent = box_w + 6 if images else 0
    flowing = ParagraphStyle(f"compact_flow_{indent:g}", parent=st.body, leftIndent=indent, spaceAfter=2)
    return [_table(images, text, box_w, theme, rule=False)] + [Paragraph(part, flowing) for part in run_on] + [
        HRFlowable(width="100%", thickness=0.8, color=Color(*theme.primary), spaceBefore=3, spaceAfter=0)]


def _table(images: list, text: list, box_w: float, theme: Theme, rule: bool) -> Table:
    if images:
        row = Table([[images[:-1], text]], colWidths=[box_w + 6, theme.frame_width - box_w - 6])
    else:  # a text row across the page: no empty picture column
        row = Table([[text]], colWidths=[theme.frame_width])
    row.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ] + ([("LINEBELOW", (0, 0), (-1, -1), 0.8, Color(*theme.primary))] if rule else [])))
    return row


def _warning_box(r: Routine, theme: Theme, st: Styles, words: i18n.Words) -> Table:
    """The STOP box with its signs in two columns, split where the columns come out most even."""
    red = Color(*theme.warning)
    half = theme.frame_width / 2
    alt = r.also.warning_signs if r.also else ()
    signs = [Paragraph("•&nbsp;" + both(sign, alt[n] if n < len(alt) else ""), st.bullet)
             for n, sign in enumerate(r.warning_signs)]
    heights = [p.wrap(half - 12, 10_000)[1] + 2 for p in signs]
    cut = min(range(len(signs) + 1), key=lambda k: (max(sum(heights[:k]), sum(heights[k:])), -k))
    rows = [[Paragraph(label(words, "routine.stop"), st.warn_title), ""], [signs[:cut], signs[cut:]]]
    rows.append([Paragraph(f"<b>{label(words, 'routine.call', phone=r.clinic.phone)}</b>", st.body), ""])
    box = Table(rows, colWidths=[half, half])
    box.setStyle(TableStyle([
        ("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, -1), (-1, -1)),
        ("BACKGROUND", (0, 0), (-1, 0), red),
        ("BACKGROUND", (0, 1), (-1, -1), Color(*theme.warning_light)),
        ("BOX", (0, 0), (-1, -1), 2, red),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
    ]))
    return box
