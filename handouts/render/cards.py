"""The exercise card, shared by routine handouts and guides' "Try this" boxes.

Title bar; start and end pictures side by side with the dosage (and a QR code for a video) beside
them; numbered steps; the therapist's note. A card is one unsplittable block. A card without pictures
is a text card: the dosage runs as a band across it instead of sitting beside an empty frame.
"""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.platypus import Paragraph, Table, TableStyle

from handouts.images import Prepared
from handouts.model import RoutineEntry
from handouts.render.flowables import Picture, QRCode, Unsplittable
from handouts.render.layout import CARD_PADDING, PICTURE_GAP, QR_SIZE, fit_size, picture_box
from handouts.render.styles import Styles
from handouts.render.text import both, label as label_markup, para
from handouts.theme import Theme
from handouts.wording import dosage_text, position_text, try_line


def _pictures(entry: RoutineEntry, st: Styles, pictures: dict[str, Prepared]) -> Table:
    box_w, box_h = picture_box()
    images, captions = [], []
    alt = entry.also.exercise.images if entry.also else ()
    for n, pic in enumerate(entry.exercise.images[:2]):
        prepared = pictures[pic.file]
        w, h = fit_size(prepared, box_w, box_h)
        images.append(Picture(str(prepared.path), w, h))
        captions.append(Paragraph(both(pic.caption, alt[n].caption if n < len(alt) else ""), st.caption))
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


def _text_band(side: list, inner: float, right_width: float) -> Table:
    """A card without pictures (e.g. imported as text): "How much" and the dosage on the left of one band
    across the card, the QR code (if any) on its right, so the card reads as designed that way."""
    words, qr = [f for f in side if not isinstance(f, Table)], [f for f in side if isinstance(f, Table)]
    cells, widths = [words], [inner]
    if qr:
        cells, widths = [words, qr], [inner - right_width + CARD_PADDING, right_width - CARD_PADDING]
    band = Table([cells], colWidths=widths)
    band.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return band


def exercise_card(label: str, entry: RoutineEntry, theme: Theme, st: Styles, pictures: dict[str, Prepared],
                  qr_codes: dict, max_height: float, words=None):
    """Title bar; pictures with the dosage and QR code beside them; numbered steps; the note.
    `words` (an i18n.Words) gives the labels' language; English when not given."""
    from handouts import i18n

    words = words or i18n.words("en")
    ex = entry.exercise
    # A bilingual handout: `alt` is the same card in the second language, printed in italics after the main.
    alt, second = (entry.also, words.catalogues[1]) if entry.also and words.bilingual else (None, None)
    primary = Color(*theme.primary)
    inner = theme.frame_width - 2 * CARD_PADDING
    name = para(ex.name) + (f" <i>/ {para(alt.exercise.name)}</i>" if alt and alt.exercise.name != ex.name else "")
    position = position_text(ex.position, ex.position_label, words.main)
    if alt:
        position = " / ".join(dict.fromkeys((position, position_text(ex.position, alt.exercise.position_label, second))))
    title = Table([[Paragraph(f"{para(label)}&nbsp;&nbsp;{name}", st.card_title),
                    Paragraph(para(position), st.card_position)]],
                  colWidths=[inner * 0.68, inner * 0.32])
    title.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    dose = dosage_text(entry.dosage, words.main)
    left_width = 2 * (picture_box()[0] + PICTURE_GAP)
    right_width = theme.frame_width - left_width - 2 * CARD_PADDING
    if alt and dose:
        dose_markup = both(dose, dosage_text(alt.dosage, second))
    else:
        dose_markup = para(dose) if dose else label_markup(words, "card.as_shown")
    side = [Paragraph(label_markup(words, "card.how_much"), st.label), Paragraph(dose_markup, st.dosage)]
    if ex.video and ex.video in qr_codes:
        qr = Table([[QRCode(qr_codes[ex.video], QR_SIZE), Paragraph(label_markup(words, "card.scan_video"), st.small)]],
                   colWidths=[QR_SIZE + 8, right_width - QR_SIZE - 8 - CARD_PADDING])
        qr.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("TOPPADDING", (0, 0), (-1, -1), 6)]))
        side.append(qr)
    alt_steps = alt.exercise.steps if alt else ()
    steps = [Paragraph(f"<b>{i}.</b>&nbsp;&nbsp;{both(step, alt_steps[i - 1] if i <= len(alt_steps) else '')}",
                       st.step) for i, step in enumerate(ex.steps, 1)]
    if ex.tips:
        alt_tip = alt.exercise.tips[0] if alt and alt.exercise.tips else ""
        tip = Paragraph(f"<b>{label_markup(words, 'card.tip')}</b> {both(ex.tips[0], alt_tip)}", st.tip)
        # Beside the pictures when there is room (no QR code), else under the steps.
        (steps if ex.video in qr_codes or not ex.images else side).append(tip)
    also = try_line(entry.harder, entry.easier, words.main)
    if also:
        steps.append(Paragraph(both(also, try_line(alt.harder, alt.easier, second) if alt else ""), st.tip))
    if ex.images:
        media, shade = [_pictures(entry, st, pictures), side], [("BACKGROUND", (1, 1), (1, 1), Color(*theme.light))]
    else:  # a text card: the dosage band runs across the card, no empty picture frame
        media, shade = [_text_band(side, inner, right_width), ""], [("SPAN", (0, 1), (-1, 1)),
                                                                     ("BACKGROUND", (0, 1), (-1, 1), Color(*theme.light))]
    rows = [[title, ""], media, [steps, ""]]
    style = [
        ("SPAN", (0, 0), (-1, 0)),
        ("SPAN", (0, 2), (-1, 2)),
        ("BACKGROUND", (0, 0), (-1, 0), primary),
        *shade,
        ("BOX", (0, 0), (-1, -1), 1.2, primary),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CARD_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CARD_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 1), (-1, 1), 6),
    ]
    if entry.note:
        rows.append([Paragraph(f"<b>{label_markup(words, 'card.note')}</b> {para(entry.note)}", st.body), ""])
        style += [("SPAN", (0, 3), (-1, 3)), ("BACKGROUND", (0, 3), (-1, 3), Color(*theme.note_light)),
                  ("LINEABOVE", (0, 3), (-1, 3), 0.8, Color(*theme.accent))]
    card = Table(rows, colWidths=[left_width + CARD_PADDING, right_width + CARD_PADDING])
    card.setStyle(TableStyle(style))
    # A card is one block: it moves whole to the next page, shrunk only if taller than a page.
    return Unsplittable(card, max_height)
