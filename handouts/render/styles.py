"""Paragraph styles for a Theme. Patient-facing body text is never below 12 pt."""

from __future__ import annotations

from reportlab.lib.colors import Color, white
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from handouts.theme import Theme

WARNING_RED = (0.70, 0.14, 0.09)


# Sizes (points) of everything but body text, per layout. Large print follows the American Council
# of the Blind / APH guidance (18 pt body, headings larger, about 1.5 line spacing); compact keeps
# every text at 12 pt or more.
SIZES = {
    "standard": dict(small=10.5, caption=10, h1=22, h2=15, card_title=16, card_position=11, warn_title=16,
                     leading=1.3, step_leading=1.18),
    "compact": dict(small=12, caption=12, h1=17, h2=14, card_title=13, card_position=12, warn_title=13,
                    leading=1.12, step_leading=1.12),
    "large-print": dict(small=18, caption=18, h1=28, h2=22, card_title=22, card_position=18, warn_title=22,
                        leading=1.5, step_leading=1.5),
}


class Styles:
    """Paragraph styles for a theme and its layout; body text is never below 12 pt."""

    def __init__(self, theme: Theme, font: str):
        size = theme.body_size
        z = SIZES[theme.layout]
        ink = Color(*theme.text)
        primary = Color(*theme.primary)  # fills and rules
        heading = Color(*theme.primary_text)  # text in the brand colour: a readable shade of it
        on_primary = Color(*theme.on_primary)  # text on a primary fill: black or white
        self.font = font
        self.body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * z["leading"], textColor=ink)
        indent = size * 1.3
        self.step = ParagraphStyle("step", parent=self.body, leading=size * z["step_leading"], leftIndent=indent,
                                   firstLineIndent=-indent, spaceAfter=2)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=z["small"], leading=z["small"] * 1.24)
        self.caption = ParagraphStyle("caption", parent=self.small, alignment=TA_CENTER, fontSize=z["caption"],
                                      leading=z["caption"] * 1.2)
        self.label = ParagraphStyle("label", parent=self.small, fontName=font + "-Bold", textColor=heading,
                                    spaceAfter=2)
        self.value = ParagraphStyle("value", parent=self.body, fontSize=size + 1, leading=(size + 1) * 1.25)
        self.h1 = ParagraphStyle("h1", parent=self.body, fontName=font + "-Bold", fontSize=z["h1"],
                                 leading=z["h1"] * 1.23, textColor=heading, spaceAfter=6)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontName=font + "-Bold", fontSize=z["h2"],
                                 leading=z["h2"] * 1.27, textColor=heading, spaceBefore=8, spaceAfter=4)
        self.card_title = ParagraphStyle("card_title", parent=self.body, fontName=font + "-Bold",
                                         fontSize=z["card_title"], leading=z["card_title"] * 1.19, textColor=on_primary)
        self.card_position = ParagraphStyle("card_position", parent=self.small, textColor=on_primary,
                                            alignment=TA_RIGHT, fontSize=z["card_position"],
                                            leading=z["card_position"] * 1.24)
        self.compact_name = ParagraphStyle("compact_name", parent=self.body, textColor=heading,
                                           fontSize=z["card_title"], leading=z["card_title"] * 1.2, spaceAfter=1)
        self.small_center = ParagraphStyle("small_center", parent=self.small, alignment=TA_CENTER)
        self.card_position_left = ParagraphStyle("card_position_left", parent=self.card_position, alignment=0)
        self.dosage = ParagraphStyle("dosage", parent=self.body, fontName=font + "-Bold", leading=size * 1.2)
        self.warn_title = ParagraphStyle("warn_title", parent=self.body, fontName=font + "-Bold",
                                         fontSize=z["warn_title"], leading=z["warn_title"] * 1.25, textColor=white)
        self.tip = ParagraphStyle("tip", parent=self.body, spaceBefore=4)
        self.note = ParagraphStyle("note", parent=self.body, backColor=Color(*theme.light), borderColor=primary,
                                   borderWidth=1.2, borderPadding=(6, 8, 8, 8), leftIndent=8, rightIndent=8,
                                   spaceBefore=6, spaceAfter=10)
        # The log sheet: dark text only (it is photocopied), never below body size.
        self.log_cell = ParagraphStyle("log_cell", parent=self.body, leading=size * 1.15)
        self.log_cell_bold = ParagraphStyle("log_cell_bold", parent=self.log_cell, fontName=font + "-Bold")
        self.log_head = ParagraphStyle("log_head", parent=self.log_cell_bold, alignment=TA_CENTER)
        self.log_right = ParagraphStyle("log_right", parent=self.log_cell, alignment=TA_RIGHT)
        self.log_number = ParagraphStyle("log_number", parent=self.log_cell, alignment=TA_CENTER,
                                         fontSize=max(12, z["small"]), leading=max(12, z["small"]) * 1.2)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=14, firstLineIndent=-14, spaceAfter=2)


