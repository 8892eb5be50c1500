"""The exercise card, shared by routine handouts and guides' "Try this" boxes.

Title bar; start and end pictures side by side with the dosage (and a QR code for a video) beside
them; numbered steps; the therapist's note. A card that fits on a page never splits: it moves whole
to the next page. A card taller than a page splits between steps (never shrunk): the name, pictures
and dosage stay together with the first steps, and each later part starts with "Name (continued)".
A card without pictures is a text card: the dosage runs as a band across it instead of sitting
beside an empty frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, Table, TableStyle

from handouts.images import Prepared
from handouts.model import Dosage, RoutineEntry
from handouts.render.flowables import Picture, QRCode
from handouts.render.layout import CARD_PADDING, PICTURE_GAP, QR_SIZE, fit_size, picture_box
from handouts.render.styles import Styles
from handouts.render.text import Paragraph, both, label as label_markup, para
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


def second_language(entry: RoutineEntry, words):
    """(the same entry in a bilingual handout's second language, that language's catalogue), else
    (None, None)."""
    return (entry.also, words.catalogues[1]) if entry.also and words.bilingual else (None, None)


def entry_words(entry: RoutineEntry, words, dosage: Dosage | None = None) -> tuple[str, str, str]:
    """(name markup, position text, dosage markup) of an exercise in the handout's language(s): in a
    bilingual handout the second language follows in italics. `dosage` replaces the entry's (compact
    leaves out how often when the whole sheet says it once)."""
    ex, dosage = entry.exercise, dosage or entry.dosage
    alt, second = second_language(entry, words)
    name = para(ex.name)
    position = position_text(ex.position, ex.position_label, words.main)
    dose = dosage_text(dosage, words.main)
    dose_markup = para(dose) if dose else label_markup(words, "card.as_shown")
    if alt:
        if alt.exercise.name != ex.name:
            name += f" <i>/ {para(alt.exercise.name)}</i>"
        position = " / ".join(dict.fromkeys((position, position_text(ex.position, alt.exercise.position_label, second))))
        if dose:
            same_often = replace(alt.dosage, per_day=dosage.per_day, per_week=dosage.per_week)
            dose_markup = both(dose, dosage_text(same_often, second))
    return name, position, dose_markup


def exercise_card(label: str, entry: RoutineEntry, theme: Theme, st: Styles, pictures: dict[str, Prepared],
                  qr_codes: dict, max_height: float, words=None) -> ExerciseCard:
    """Title bar; pictures with the dosage and QR code beside them; numbered steps; the note.
    `words` (an i18n.Words) gives the labels' language; English when not given."""
    from handouts import i18n

    words = words or i18n.words("en")
    ex = entry.exercise
    # A bilingual handout: `alt` is the same card in the second language, printed in italics after the main.
    alt, second = second_language(entry, words)
    inner = theme.frame_width - 2 * CARD_PADDING
    name, position, dose_markup = entry_words(entry, words)
    continued = label_markup(words, "card.continued")
    left_width = 2 * (picture_box()[0] + PICTURE_GAP)
    right_width = theme.frame_width - left_width - 2 * CARD_PADDING
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
    note = ([Paragraph(f"<b>{label_markup(words, 'card.note')}</b> {both(entry.note, alt.note if alt else '')}",
                       st.body)] if entry.note else [])
    parts = CardParts(
        title=lambda more: _title(f"{para(label)}&nbsp;&nbsp;{name}" + (f" {continued}" if more else ""), position,
                                  inner, st),
        media=media, media_style=shade,
        units=_pieces(steps, inner, max_height) + [("note", n) for n in _pieces(note, inner, max_height)],
        widths=[left_width + CARD_PADDING, right_width + CARD_PADDING],
        primary=Color(*theme.primary), accent=Color(*theme.accent), note_light=Color(*theme.note_light))
    return ExerciseCard(parts, 0, len(parts.units), max_height)


def _title(markup: str, position: str, inner: float, st: Styles) -> Table:
    title = Table([[Paragraph(markup, st.card_title), Paragraph(para(position), st.card_position)]],
                  colWidths=[inner * 0.68, inner * 0.32])
    title.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return title


def _pieces(flowables: list, width: float, max_height: float) -> list:
    """`flowables` as units a card may split between. A paragraph taller than a third of a page (a
    5,000-character step) is cut into pieces between its lines, so a part of the card with its name
    bar and at least one unit always fits on an empty page."""
    out = []
    limit = max_height / 3
    for flowable in flowables:
        queue = [flowable]
        while queue:
            item = queue.pop(0)
            _, height = item.wrap(width, 1e9)
            pieces = item.split(width, limit) if height > limit else []
            if len(pieces) > 1:
                out.append(pieces[0])
                queue = pieces[1:] + queue
            else:
                out.append(item)
    return out


@dataclass
class CardParts:
    """What every part of one card is made from; `units` are the steps (and tip) then the note."""

    title: object  # continued: bool -> the title bar
    media: list  # [pictures, dosage and QR code] (or the text card's band): the first part only
    media_style: list  # its table style commands, for row 1
    units: list  # step paragraphs, then ("note", paragraph) pairs
    widths: list[float]
    primary: Color
    accent: Color
    note_light: Color

    def table(self, first: int, last: int) -> Table:
        """The part of the card holding units[first:last]: the full head on the first part."""
        units = self.units[first:last]
        steps = [u for u in units if not isinstance(u, tuple)]
        notes = [u[1] for u in units if isinstance(u, tuple)]
        rows = [[self.title(first > 0), ""]]
        style = [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), self.primary),
                 ("BOX", (0, 0), (-1, -1), 1.2, self.primary), ("VALIGN", (0, 1), (-1, -1), "TOP"),
                 ("LEFTPADDING", (0, 0), (-1, -1), CARD_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), CARD_PADDING),
                 ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
        if first == 0:
            rows.append(self.media)
            style += [*self.media_style, ("TOPPADDING", (0, 1), (-1, 1), 6)]
        if steps:
            rows.append([steps, ""])
            style.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
        if notes:
            rows.append([notes, ""])
            at = len(rows) - 1
            style += [("SPAN", (0, at), (-1, at)), ("BACKGROUND", (0, at), (-1, at), self.note_light),
                      ("LINEABOVE", (0, at), (-1, at), 0.8, self.accent)]
        card = Table(rows, colWidths=self.widths)
        card.setStyle(TableStyle(style))
        return card


class ExerciseCard(Flowable):
    """Units [first, last) of a card. Moves whole to the next page when it fits on a page; only a
    card taller than a page splits, between units, into parts that each fill what room there is."""

    def __init__(self, parts: CardParts, first: int, last: int, max_height: float):
        super().__init__()
        self.parts, self.first, self.last, self.max_height = parts, first, last, max_height
        self.spaceAfter = 8
        self._made: tuple[float, Table, float] | None = None

    def _table(self, avail_width: float) -> tuple[Table, float]:
        # Platypus asks again on each page it tries; a part's size depends only on the width.
        if self._made is None or self._made[0] != avail_width:
            table = self.parts.table(self.first, self.last)
            self._made = (avail_width, table, table.wrap(avail_width, 1e9)[1])
        return self._made[1], self._made[2]

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        _, self.height = self._table(avail_width)
        self.width = avail_width
        return self.width, self.height

    def split(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        _, height = self._table(avail_width)
        if height <= self.max_height:
            return []  # a card that fits on a page is never split: it moves on whole
        fits = 0
        for last in range(self.first + 1, self.last):
            if self.parts.table(self.first, last).wrap(avail_width, 1e9)[1] > avail_height:
                break
            fits = last
        # The name bar never stands alone with a single line: at least two units, or wait a page.
        if fits == 0 or (self.first == 0 and fits - self.first < 2 and avail_height < self.max_height):
            return []
        return [ExerciseCard(self.parts, self.first, fits, self.max_height),
                ExerciseCard(self.parts, fits, self.last, self.max_height)]

    def draw(self):
        table, _ = self._table(self.width)
        table.drawOn(self.canv, 0, 0)
