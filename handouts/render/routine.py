"""The end-of-visit handout: a Routine -> PDF bytes.

Page 1 carries the patient block, program purpose, goals, the therapist's note and the
"Stop and call us if..." box; then one card per exercise. A card never splits across pages: it is a
single unsplittable flowable, shrunk only in the rare case that it is taller than a whole page.
"""

from __future__ import annotations

import io

from reportlab import rl_config
from reportlab.lib.colors import Color, white
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from handouts.images import Prepared
from handouts.model import Routine, RoutineEntry
from handouts.render import fonts
from handouts.render.flowables import Picture, QRCode, Unsplittable
from handouts.render.layout import CARD_PADDING, PICTURE_GAP, QR_SIZE, picture_box
from handouts.render.pages import Branding, document, numbered_canvas
from handouts.render.text import hexcolor, para
from handouts.theme import Theme
from handouts.wording import dosage_text, long_date, position_text

# Streams are only Flate-compressed: ASCII85 on top makes files ~20% larger and builds slower.
rl_config.useA85 = 0
WARNING_RED = (0.70, 0.14, 0.09)


class Styles:
    """Paragraph styles for a theme; body text is never below 12 pt."""

    def __init__(self, theme: Theme, font: str):
        size = theme.body_size
        ink = Color(*theme.text)
        primary = Color(*theme.primary)
        self.font = font
        self.body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.3, textColor=ink)
        self.step = ParagraphStyle("step", parent=self.body, leading=size * 1.18, leftIndent=17, firstLineIndent=-17,
                                   spaceAfter=2)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=10.5, leading=13)
        self.caption = ParagraphStyle("caption", parent=self.small, alignment=TA_CENTER, fontSize=10, leading=12)
        self.label = ParagraphStyle("label", parent=self.small, fontName=font + "-Bold", textColor=primary,
                                    spaceAfter=2)
        self.value = ParagraphStyle("value", parent=self.body, fontSize=size + 1, leading=(size + 1) * 1.25)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=font + "-Bold", fontSize=22, leading=27,
                                 textColor=primary, spaceAfter=6)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=font + "-Bold", fontSize=15, leading=19,
                                 textColor=primary, spaceBefore=8, spaceAfter=4)
        self.card_title = ParagraphStyle("card_title", parent=self.body, fontName=font + "-Bold", fontSize=16,
                                         leading=19, textColor=white)
        self.card_position = ParagraphStyle("card_position", parent=self.small, textColor=white,
                                            alignment=TA_RIGHT, fontSize=11)
        self.dosage = ParagraphStyle("dosage", parent=self.body, fontName=font + "-Bold", leading=size * 1.2)
        self.warn_title = ParagraphStyle("warn_title", parent=self.body, fontName=font + "-Bold", fontSize=16,
                                         leading=20, textColor=white)
        self.tip = ParagraphStyle("tip", parent=self.body, spaceBefore=4)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=14, firstLineIndent=-14, spaceAfter=2)


def render_routine(routine: Routine, theme: Theme, pictures: dict[str, Prepared], logo: Prepared | None,
                   qr_codes: dict | None = None) -> bytes:
    """Lay out and draw `routine`.

    `pictures` maps each picture's file (as written in content) to its prepared image; `qr_codes`
    maps each video URL to its QR matrix (handouts.qr).
    """
    font = fonts.register(theme)
    st = Styles(theme, font)
    clinic = routine.clinic
    branding = Branding(theme, font, clinic.name, clinic.tagline, clinic.phone, clinic.website, clinic.disclaimer)
    if logo is not None:
        branding.logo_path = str(logo.path)
        branding.logo_size = _fit_size(logo, 110.0, 42.0)
    buffer = io.BytesIO()
    doc = document(buffer, theme, title=f"Home exercise program – {clinic.name}", author=clinic.name)
    story = _front(routine, theme, st)
    for number, entry in enumerate(routine.entries, start=1):
        story.append(_card(number, entry, theme, st, pictures, qr_codes or {}, doc))
        story.append(Spacer(1, 8))
    doc.build(story, canvasmaker=numbered_canvas(branding))
    return buffer.getvalue()


def _fit_size(prepared: Prepared, box_w: float, box_h: float) -> tuple[float, float]:
    scale = min(box_w / prepared.width, box_h / prepared.height)
    return prepared.width * scale, prepared.height * scale


def _front(r: Routine, theme: Theme, st: Styles) -> list:
    story = [Paragraph(para(r.title), st.h1)]
    blank = "_" * 22
    cells = [
        [Paragraph("Patient", st.label), Paragraph("Date", st.label), Paragraph("Therapist", st.label)],
        [Paragraph(para(r.patient) or blank, st.value),
         Paragraph(long_date(r.date) if r.date else blank, st.value),
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
        story.append(Paragraph(para(r.purpose), st.body))
    if r.goals:
        story.append(Paragraph("Your goals", st.h2))
        story += [Paragraph("•&nbsp;&nbsp;" + para(goal), st.bullet) for goal in r.goals]
    if r.note:
        story.append(Spacer(1, 8))
        story.append(_boxed([Paragraph("A note from your therapist", st.label), Paragraph(para(r.note), st.body)],
                            theme, Color(*theme.light), Color(*theme.primary)))
    story.append(Spacer(1, 10))
    story.append(_warning_box(r, theme, st))
    story.append(Spacer(1, 12))
    return story


def _boxed(flowables: list, theme: Theme, background, border) -> Table:
    box = Table([[flowables]], colWidths=[theme.frame_width])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("BOX", (0, 0), (-1, -1), 1.2, border),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("RIGHTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
    ]))
    return box


def _warning_box(r: Routine, theme: Theme, st: Styles) -> Table:
    red = Color(*WARNING_RED)
    rows = [[Paragraph("STOP and call us if:", st.warn_title)]]
    rows += [[Paragraph("•&nbsp;&nbsp;" + para(sign), st.bullet)] for sign in r.warning_signs]
    rows.append([Paragraph(f"<b>Call {para(r.clinic.phone)}</b>", st.body)])
    box = Table(rows, colWidths=[theme.frame_width])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), red),
        ("BACKGROUND", (0, 1), (-1, -1), Color(1.0, 0.95, 0.94)),
        ("BOX", (0, 0), (-1, -1), 2, red),
        ("LEFTPADDING", (0, 0), (-1, -1), 10),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
    ]))
    return box


def _pictures(entry: RoutineEntry, st: Styles, pictures: dict[str, Prepared]) -> Table:
    box_w, box_h = picture_box()
    images, captions = [], []
    for pic in entry.exercise.images[:2]:
        prepared = pictures[pic.file]
        w, h = _fit_size(prepared, box_w, box_h)
        images.append(Picture(str(prepared.path), w, h))
        captions.append(Paragraph(para(pic.caption), st.caption))
    rows = [images, captions] if images else [[""]]
    widths = [box_w + PICTURE_GAP] * max(1, len(images))
    grid = Table(rows, colWidths=widths, rowHeights=[box_h + 4, None] if images else None)
    grid.setStyle(TableStyle([
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), PICTURE_GAP),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return grid


def _card(number: int, entry: RoutineEntry, theme: Theme, st: Styles, pictures, qr_codes, doc):
    """Title bar; pictures with the dosage and QR code beside them; numbered steps; the note."""
    ex = entry.exercise
    primary = Color(*theme.primary)
    inner = theme.frame_width - 2 * CARD_PADDING
    title = Table([[Paragraph(f"{number}.&nbsp;&nbsp;{para(ex.name)}", st.card_title),
                    Paragraph(para(position_text(ex.position)), st.card_position)]],
                  colWidths=[inner * 0.68, inner * 0.32])
    title.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    dose = dosage_text(entry.dosage)
    left_width = 2 * (picture_box()[0] + PICTURE_GAP)
    right_width = theme.frame_width - left_width - 2 * CARD_PADDING
    side = [Paragraph("How much", st.label),
            Paragraph(para(dose) if dose else "As your therapist showed you", st.dosage)]
    if ex.video and ex.video in qr_codes:
        qr = Table([[QRCode(qr_codes[ex.video], QR_SIZE), Paragraph("Scan with your phone camera to watch a video.", st.small)]],
                   colWidths=[QR_SIZE + 8, right_width - QR_SIZE - 8 - CARD_PADDING])
        qr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("TOPPADDING", (0, 0), (-1, -1), 6)]))
        side.append(qr)
    steps = [Paragraph(f"<b>{i}.</b>&nbsp;&nbsp;{para(step)}", st.step) for i, step in enumerate(ex.steps, 1)]
    if ex.tips:
        tip = Paragraph(f"<b>Tip:</b> {para(ex.tips[0])}", st.tip)
        # Beside the pictures when there is room (no QR code), else under the steps.
        (steps if ex.video in qr_codes else side).append(tip)
    rows = [[title, ""], [_pictures(entry, st, pictures), side], [steps, ""]]
    style = [
        ("SPAN", (0, 0), (-1, 0)),
        ("SPAN", (0, 2), (-1, 2)),
        ("BACKGROUND", (0, 0), (-1, 0), primary),
        ("BACKGROUND", (1, 1), (1, 1), Color(*theme.light)),
        ("BOX", (0, 0), (-1, -1), 1.2, primary),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CARD_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CARD_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 1), (-1, 1), 6),
    ]
    if entry.note:
        rows.append([Paragraph(f"<b>Note from your therapist:</b> {para(entry.note)}", st.body), ""])
        style += [("SPAN", (0, 3), (-1, 3)), ("BACKGROUND", (0, 3), (-1, 3), Color(1.0, 0.97, 0.90)),
                  ("LINEABOVE", (0, 3), (-1, 3), 0.8, Color(*theme.accent))]
    card = Table(rows, colWidths=[left_width + CARD_PADDING, right_width + CARD_PADDING])
    card.setStyle(TableStyle(style))
    # A card is one block: it moves whole to the next page, shrunk only if taller than a page.
    return Unsplittable(card, doc.height - 12)
