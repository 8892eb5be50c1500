"""Paragraph styles for a Theme. Patient-facing body text is never below 12 pt."""

from __future__ import annotations

from reportlab.lib.colors import Color, white
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from handouts.theme import Theme

WARNING_RED = (0.70, 0.14, 0.09)


class Styles:
    """Paragraph styles for a theme; body text is never below 12 pt."""

    def __init__(self, theme: Theme, font: str):
        size = theme.body_size
        ink = Color(*theme.text)
        primary = Color(*theme.primary)  # fills and rules
        heading = Color(*theme.primary_text)  # text in the brand colour: a readable shade of it
        on_primary = Color(*theme.on_primary)  # text on a primary fill: black or white
        self.font = font
        self.body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.3, textColor=ink)
        self.step = ParagraphStyle("step", parent=self.body, leading=size * 1.18, leftIndent=17, firstLineIndent=-17,
                                   spaceAfter=2)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=10.5, leading=13)
        self.caption = ParagraphStyle("caption", parent=self.small, alignment=TA_CENTER, fontSize=10, leading=12)
        self.label = ParagraphStyle("label", parent=self.small, fontName=font + "-Bold", textColor=heading,
                                    spaceAfter=2)
        self.value = ParagraphStyle("value", parent=self.body, fontSize=size + 1, leading=(size + 1) * 1.25)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=font + "-Bold", fontSize=22, leading=27,
                                 textColor=heading, spaceAfter=6)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=font + "-Bold", fontSize=15, leading=19,
                                 textColor=heading, spaceBefore=8, spaceAfter=4)
        self.card_title = ParagraphStyle("card_title", parent=self.body, fontName=font + "-Bold", fontSize=16,
                                         leading=19, textColor=on_primary)
        self.card_position = ParagraphStyle("card_position", parent=self.small, textColor=on_primary,
                                            alignment=TA_RIGHT, fontSize=11)
        self.dosage = ParagraphStyle("dosage", parent=self.body, fontName=font + "-Bold", leading=size * 1.2)
        self.warn_title = ParagraphStyle("warn_title", parent=self.body, fontName=font + "-Bold", fontSize=16,
                                         leading=20, textColor=white)
        self.tip = ParagraphStyle("tip", parent=self.body, spaceBefore=4)
        self.note = ParagraphStyle("note", parent=self.body, backColor=Color(*theme.light), borderColor=primary,
                                   borderWidth=1.2, borderPadding=(6, 8, 8, 8), leftIndent=8, rightIndent=8,
                                   spaceBefore=6, spaceAfter=10)
        # The log sheet: dark text only (it is photocopied), never below body size.
        self.log_cell = ParagraphStyle("log_cell", parent=self.body, leading=size * 1.15)
        self.log_cell_bold = ParagraphStyle("log_cell_bold", parent=self.log_cell, fontName=font + "-Bold")
        self.log_head = ParagraphStyle("log_head", parent=self.log_cell_bold, alignment=TA_CENTER)
        self.log_right = ParagraphStyle("log_right", parent=self.log_cell, alignment=TA_RIGHT)
        self.log_number = ParagraphStyle("log_number", parent=self.log_cell, alignment=TA_CENTER, fontSize=12,
                                         leading=14)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=14, firstLineIndent=-14, spaceAfter=2)


