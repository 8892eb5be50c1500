"""The large-print layout: a Routine -> flowables, one exercise per page, one column, 18 pt body.

Page 1 carries the title, who and when, and the whole "STOP and call us if" box before anything
else, so the box is always on page 1. Each exercise then starts a page: a title bar, its two
pictures side by side (larger than on a standard card), the dosage, the steps. A long exercise
continues on the next page between steps; text is never scaled down.
"""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, KeepTogether, PageBreakIfNotEmpty, Spacer, Table, TableStyle

from handouts.images import Prepared
from handouts.model import Routine, RoutineEntry
from handouts.render.cards import entry_words, second_language
from handouts.render.flowables import Picture, QRCode, stacked_height
from handouts.render.layout import body_height, picture_box
from handouts.render.styles import Styles
from handouts.render.text import Paragraph, both, label, para
from handouts.theme import Theme
from handouts import i18n
from handouts.wording import try_line

QR_LARGE = 80.0


def large_print_story(routine: Routine, theme: Theme, st: Styles, pictures: dict[str, Prepared], qr_codes: dict,
                      warning_box) -> list:
    page_body = body_height(theme.page_height, theme.margin)
    words = i18n.words(routine.language)
    other = routine.also if routine.also and words.bilingual else None  # the second language, in italics
    title = [Paragraph(both(routine.title, other.title if other else ""), st.h1)]
    who = _who(routine, theme, st, words)
    # The box is whole on page 1: after who and when when they all fit, else (a bilingual box is tall)
    # right under the title, with who and when after it.
    box = warning_box.wrap(theme.frame_width, page_body)[1]
    above = stacked_height(title + who, theme.frame_width) + 10
    if above + box + 10 <= page_body:
        story = title + who + [Spacer(1, 10), KeepTogether([warning_box]), Spacer(1, 10)]
    elif stacked_height(title, theme.frame_width) + box + 2 <= page_body:  # whole under the title; who follows
        story = title + [warning_box, Spacer(1, 10)] + who
    else:
        # Taller than page 1 can hold in any order (long or many signs): after who and when, it starts
        # on page 1 and continues on the next page between signs, each part with its heading and phone.
        warning_box.max_height = page_body - above - 2
        story = title + who + [Spacer(1, 10), warning_box, Spacer(1, 10)]
    if routine.note:
        heading = Paragraph(label(words, "routine.note"), st.h2)
        heading.keepWithNext = 1  # never alone at a page's foot
        story += [heading, Paragraph(para(routine.note), st.note)]
    if routine.purpose:
        story.append(Paragraph(both(routine.purpose, other.purpose if other else ""), st.body))
    if routine.goals:
        alt_goals = other.goals if other else ()
        goals = [Paragraph("•&nbsp;&nbsp;" + both(goal, alt_goals[n] if n < len(alt_goals) else ""), st.bullet)
                 for n, goal in enumerate(routine.goals)]
        story += [KeepTogether([Paragraph(label(words, "routine.goals"), st.h2)] + goals[:1])] + goals[1:]
    for number, entry in enumerate(routine.entries, start=1):
        story += [PageBreakIfNotEmpty()] + _exercise(number, entry, theme, st, pictures, qr_codes, page_body, words)
    return story


def _who(r: Routine, theme: Theme, st: Styles, words: i18n.Words) -> list:
    blank = "_" * 16
    day = para(words.language.long_date(r.date)) if r.date else blank
    rows = [[Paragraph(label(words, key), st.label), Paragraph(value, st.body)] for key, value in (
        ("routine.patient", para(r.patient) or blank), ("routine.date", day),
        ("routine.therapist", para(r.therapist) or blank))]
    block = Table(rows, colWidths=[theme.frame_width * 0.28, theme.frame_width * 0.72])
    block.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), Color(*theme.light)),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 10)]))
    return [block]


class Continued(Flowable):
    """An exercise as one block that may split only between its groups of flowables; the part on
    the next page starts with a "(continued)" title bar, so a page never begins with a step whose
    exercise the reader cannot see."""

    def __init__(self, groups: list[list], heading, page_body: float):
        super().__init__()
        self.groups, self.heading = groups, heading  # heading(): a fresh title-bar flowable
        self.page_body = page_body  # the height of an empty page's body

    def _size(self, group, width) -> float:
        return sum(f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in group)

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        self.width = avail_width
        self.height = sum(self._size(g, avail_width) for g in self.groups)
        return self.width, self.height

    def split(self, avail_width, avail_height):  # noqa: D102 - between groups, never inside one
        used, k = 0.0, 0
        for group in self.groups:
            size = self._size(group, avail_width)
            if used + size > avail_height:
                break
            used, k = used + size, k + 1
        if k == 0:  # not even the first group fits: move to the next page, unless this is an empty
            # page (a group taller than a page: a bilingual exercise, a very long note). Then the group's
            # parts become groups of their own, so the exercise still breaks between whole parts and
            # goes on under a "(continued)" title bar.
            if avail_height < self.page_body - 1:
                return []
            if len(self.groups[0]) > 1:
                finer = Continued([[f] for f in self.groups[0]] + self.groups[1:], self.heading, self.page_body)
                return finer.split(avail_width, avail_height)
            return [f for g in self.groups for f in g]  # one part taller than a page: it flows on its own
        if k == len(self.groups):
            return [self]
        return [Continued(self.groups[:k], self.heading, self.page_body),
                Continued([[self.heading(), Spacer(1, 6)] + self.groups[k]] + self.groups[k + 1:], self.heading,
                          self.page_body)]

    def draw(self):
        y = self.height
        for group in self.groups:
            for f in group:
                _, h = f.wrap(self.width, 10_000)
                y -= f.getSpaceBefore() + h
                f.drawOn(self.canv, 0, y)
                y -= f.getSpaceAfter()


def _title_bar(text: str, theme: Theme, st: Styles) -> Table:
    bar = Table([[Paragraph(text, st.card_title)]], colWidths=[theme.frame_width])
    bar.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), Color(*theme.primary)),
                             ("LEFTPADDING", (0, 0), (-1, -1), 10), ("TOPPADDING", (0, 0), (-1, -1), 6),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return bar


def _exercise(number: int, entry: RoutineEntry, theme: Theme, st: Styles, pictures: dict[str, Prepared],
              qr_codes: dict, page_body: float, words: i18n.Words) -> list:
    ex = entry.exercise
    width = theme.frame_width
    # A bilingual handout: `alt` is the same exercise in the second language, printed in italics after the main.
    alt, second = second_language(entry, words)
    name, position, dose_markup = entry_words(entry, words)
    name = f"{number}.&nbsp;&nbsp;{name}"
    bar = _title_bar(f"{name}&nbsp;&nbsp;<font size={st.card_position.fontSize}>{para(position)}</font>", theme, st)
    cells = [Paragraph(f"<font color='{_hex(theme.primary_text)}'>{label(words, 'card.how_much')}:</font> "
                       f"{dose_markup}", st.dosage)]
    widths = [width]
    if ex.video and ex.video in qr_codes:  # beside the dosage, so a video never adds a page
        cells.append(Table([[QRCode(qr_codes[ex.video], QR_LARGE)], [Paragraph(label(words, "card.video_scan"), st.small_center)]]))
        widths = [width - QR_LARGE - 30, QR_LARGE + 30]
    how = Table([cells], colWidths=widths)
    how.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), Color(*theme.light)),
                             ("BOX", (0, 0), (-1, -1), 1.2, Color(*theme.primary)),
                             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, -1), (-1, -1), 8)]))
    note = ([Paragraph(f"<b>{label(words, 'card.note')}</b> {both(entry.note, alt.note if alt else '')}", st.note)]
            if entry.note else [])  # with the dosage, where the therapist's change of plan is read first
    alt_steps = alt.exercise.steps if alt else ()
    steps = [Paragraph(f"<b>{i}.</b>&nbsp;&nbsp;{both(step, alt_steps[i - 1] if i <= len(alt_steps) else '')}",
                       st.step) for i, step in enumerate(ex.steps, 1)]
    alt_tip = alt.exercise.tips[0] if alt and alt.exercise.tips else ""
    tail = [Paragraph(f"<b>{label(words, 'card.tip')}</b> {both(ex.tips[0], alt_tip)}", st.tip)] if ex.tips else []
    also = try_line(entry.harder, entry.easier, words.main)
    if also:
        tail.append(Paragraph(both(also, try_line(alt.harder, alt.easier, second) if alt else ""), st.tip))
    # Pictures as large as the layout gives them; a little smaller (never below 86%: still 150 pt wide or
    # more, a tenth larger than on a standard card) when that keeps the whole exercise on one page rather
    # than leaving a page that holds a last step.
    for scale in (1.0, 0.93, 0.86):
        head = [bar, Spacer(1, 6), _pictures(entry, st, pictures, scale), Spacer(1, 4), how, Spacer(1, 6)] + note
        if stacked_height(head + steps + tail, width) <= page_body - 1:
            break
    else:
        head = [bar, Spacer(1, 6), _pictures(entry, st, pictures), Spacer(1, 4), how, Spacer(1, 6)] + note
    # The title stays with its pictures, dosage and first step (never a title alone at a page's foot),
    # and the tip and "Too easy?" line with the last step (never a line alone on a page).
    groups = [head + steps[:1]] + [[step] for step in steps[1:-1]] + ([steps[-1:] + tail] if len(steps) > 1 else [])
    if len(steps) == 1:
        groups[0] += tail
    return [Continued(groups, lambda: _title_bar(f"{name}&nbsp;&nbsp;<font size={st.card_position.fontSize}>"
                                                 f"{label(words, 'card.continued')}</font>", theme, st), page_body)]


def _pictures(entry: RoutineEntry, st: Styles, pictures: dict[str, Prepared], scale: float = 1.0) -> Table:
    box_w, box_h = (side * scale for side in picture_box("large-print"))
    images, captions = [], []
    alt = entry.also.exercise.images if entry.also else ()  # a bilingual handout: captions in both languages
    for n, pic in enumerate(entry.exercise.images[:2]):
        prepared = pictures[pic.file]
        scale = min(box_w / prepared.width, box_h / prepared.height)
        images.append(Picture(str(prepared.path), prepared.width * scale, prepared.height * scale))
        captions.append(Paragraph(both(pic.caption, alt[n].caption if n < len(alt) else ""), st.caption))
    if not images:
        return Spacer(1, 0)
    # The row is as tall as the tallest picture, not the box: wide drawings leave no gap above the captions.
    grid = Table([images, captions], colWidths=[box_w + 10] * len(images),
                 rowHeights=[max(p.height for p in images) + 4, None])
    grid.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                              ("VALIGN", (0, 1), (-1, 1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("LEFTPADDING", (0, 1), (-1, 1), 4), ("RIGHTPADDING", (0, 1), (-1, 1), 4)]))
    return grid


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
