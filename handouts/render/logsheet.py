"""The weekly log sheet: a Routine -> flowables for one page per week, appended after the cards.

A grid of the handout's exercises x 7 days with tick boxes, a pain 0-10 row for each day, the pain
scale with its words at 0, 5 and 10, lines for notes and the reminder to bring the sheet back.
Black lines and dark text on white, so it photocopies and prints in grey.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.colors import Color, black
from reportlab.platypus import Flowable, KeepTogether, PageBreakIfNotEmpty, Spacer, Table, TableStyle

from handouts.model import Routine
from handouts.render.flowables import stacked_height
from handouts.render.styles import Styles
from handouts.render.text import Paragraph, label, para
from handouts.theme import Theme
from handouts import i18n
from handouts.wording import day_heading

GRID_GREY = Color(0.35, 0.35, 0.35)  # 4.5:1 and more on white, also when photocopied


class TickBox(Flowable):
    """An empty square to tick."""

    def __init__(self, size: float):
        super().__init__()
        self.size = size
        self.hAlign = "CENTER"

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        self.canv.setStrokeColor(black)
        self.canv.setLineWidth(1.2)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


def log_sheets(routine: Routine, theme: Theme, st: Styles, page_body: float) -> list:
    """One log page per week (routine.log_weeks), each starting on a new page.

    `page_body` is the height the page leaves for body content: the grid's rows are made as tall as
    fits one page (room to write), and no shorter than a tick box with a little air.
    """
    story = []
    words = i18n.words(routine.language)
    for week in range(routine.log_weeks):
        start = routine.date + dt.timedelta(days=7 * week) if routine.date else None
        story += [PageBreakIfNotEmpty()] + _week(routine, theme, st, week, start, page_body, words)
    return story


def _week(routine: Routine, theme: Theme, st: Styles, week: int, start: dt.date | None, page_body: float,
          words: i18n.Words) -> list:
    texts = []
    for catalogue, language in zip(words.catalogues, _languages(words)):  # one, or two when bilingual
        w = catalogue.text
        when = w("log.week_of", date=language.long_date(start)) if start else w("log.start_blank")
        if routine.log_weeks > 1:
            when = f"{w('log.week_n', n=week + 1, total=routine.log_weeks)}: {when}"
        texts.append(when)
    when = para(texts[0]) + "".join(f" <i>/ {para(t)}</i>" for t in texts[1:] if t != texts[0])
    box = round(st.body.fontSize * 1.3)
    # The tallest rows and the most lines for notes that keep the week on one page; with a long
    # program (or large print) fewer note lines, then the reminder moves up beside the instructions;
    # past that the grid continues on the next page, its heading repeated.
    for lines, reminder_on_top in ((4, False), (3, False), (2, False), (2, True), (1, True)):
        how = label(words, "log.how") + (" <b>" + label(words, "log.bring") + "</b>" if reminder_on_top else "")
        top = [Paragraph(label(words, "log.title"), st.h1), Paragraph(when, st.value), Paragraph(how, st.body),
               Spacer(1, 8)]
        bottom = [Spacer(1, 10), _pain_scale(theme, st, words), Spacer(1, 10), _notes(theme, st, lines, words)]
        if not reminder_on_top:
            bottom += [Spacer(1, 8), Paragraph("<b>" + label(words, "log.bring") + "</b>", st.body)]
        used = stacked_height(top + bottom, theme.frame_width)
        for air in range(16, 4, -2):
            grid = _grid(routine, theme, st, start, box, box + air, words)
            if used + stacked_height([grid], theme.frame_width) <= page_body:
                return top + [grid] + bottom
    # Still too long: the scale, notes and reminder move on together (never lines alone on a page).
    return top + [grid, KeepTogether(bottom)]


def _languages(words: i18n.Words) -> list:
    """The Language of each catalogue: the handout's own, then (bilingual) the second one's, for dates."""
    return [words.language] + [i18n.parse(code) for code in words.language.codes[1:]]


def _grid(routine: Routine, theme: Theme, st: Styles, start: dt.date | None, box: float, row: float,
          words: i18n.Words) -> Table:
    bold = st.log_cell_bold
    if start:
        days = [day_heading(start + dt.timedelta(days=i), words.language) for i in range(7)]
        if st.body.fontSize > 14:  # large print: the month is in the title ("Week of ..."); the day number here
            days = [(a, next((t for t in b.split() if t.isdigit()), b)) for a, b in days]  # '21 nov', 'Nov 21'
        heads = [f"{para(a)}<br/>{para(b)}" for a, b in days]
        if words.bilingual:  # the weekday in both languages, one under the other: 'lun', 'Mon', the date
            second = _languages(words)[1]
            heads = [f"{para(a)}<br/><i>{para(day_heading(start + dt.timedelta(days=i), second)[0])}</i><br/>{para(b)}"
                     for i, (a, b) in enumerate(days)]
        heads = [Paragraph(h, st.log_head) for h in heads]
    else:
        heads = [Paragraph(para(words.text("log.day_n", n=i + 1)), st.log_head) for i in range(7)]
    rows = [[Paragraph(label(words, "log.exercise"), bold)] + heads]
    for number, entry in enumerate(routine.entries, start=1):
        name = para(entry.exercise.name)
        if entry.also and words.bilingual and entry.also.exercise.name != entry.exercise.name:
            name += f" <i>/ {para(entry.also.exercise.name)}</i>"
        rows.append([Paragraph(f"{number}.&nbsp;{name}", st.log_cell)] + [TickBox(box)] * 7)
    rows.append([Paragraph(label(words, "log.pain"), bold)] + [""] * 7)
    # Large print: a wider name column, so names and "Pain today (0 to 10)" keep to one line.
    first = theme.frame_width * (0.38 if st.body.fontSize > 14 else 0.30)
    day = (theme.frame_width - first) / 7
    # Row heights come from the padding, so a long exercise name still wraps onto a second line.
    grid = Table(rows, colWidths=[first] + [day] * 7, repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.8, GRID_GREY),
        ("BOX", (0, 0), (-1, -1), 1.4, black),
        ("BACKGROUND", (0, 0), (-1, 0), Color(*theme.light)),
        ("LINEABOVE", (0, -1), (-1, -1), 1.4, black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (0, -1), 6),
        ("LEFTPADDING", (1, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 1), (-1, -1), (row - box) / 2),
        ("BOTTOMPADDING", (0, 1), (-1, -1), (row - box) / 2),
        ("TOPPADDING", (0, -1), (-1, -1), (row - box) / 2 + 4),  # room to write a number
        ("BOTTOMPADDING", (0, -1), (-1, -1), (row - box) / 2 + 4),
    ]))
    return grid


def _pain_scale(theme: Theme, st: Styles, words: i18n.Words) -> Table:
    """0 1 2 ... 10 in boxes, with the scale's words under 0, 5 and 10."""
    numbers = [Paragraph(f"<b>{n}</b>", st.log_number) for n in range(11)]
    # Each word spans the columns around its number: 0 at the left, 5 in the middle, 10 at the right.
    under = [""] * 11
    under[0] = Paragraph(label(words, "log.scale_0"), st.log_cell)
    under[3] = Paragraph(label(words, "log.scale_5"), st.log_number)
    under[7] = Paragraph(label(words, "log.scale_10"), st.log_right)
    width = theme.frame_width / 11
    scale = Table([[Paragraph(label(words, "log.scale"), st.log_cell_bold)] + [""] * 10, numbers, under],
                  colWidths=[width] * 11)
    scale.setStyle(TableStyle([
        ("SPAN", (0, 0), (-1, 0)),
        ("SPAN", (0, 2), (2, 2)), ("SPAN", (3, 2), (6, 2)), ("SPAN", (7, 2), (10, 2)),
        ("BOX", (0, 1), (-1, 1), 1.2, black),
        ("INNERGRID", (0, 1), (-1, 1), 0.8, GRID_GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
    ]))
    return scale


def _notes(theme: Theme, st: Styles, lines: int, words: i18n.Words) -> Table:
    line = st.body.fontSize * 2
    rows = [[Paragraph(label(words, "log.notes"), st.log_cell_bold)]] + [[""]] * lines
    notes = Table(rows, colWidths=[theme.frame_width], rowHeights=[None] + [line] * lines)
    notes.setStyle(TableStyle([("LINEBELOW", (0, 1), (-1, -1), 0.8, GRID_GREY),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return notes
