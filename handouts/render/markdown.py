"""Markdown blocks (handouts.markdown) -> reportlab flowables. Every span is escaped here."""

from __future__ import annotations

from html import escape as _escape

from reportlab.platypus import ListFlowable, ListItem

from handouts.load.markdown import Block, Span
from handouts.render.text import Paragraph, para


def spans_markup(spans: tuple[Span, ...], link_color: str) -> str:
    """Paragraph markup for spans: text escaped, only <b>, <i>, <br/> and checked links added."""
    out = []
    for s in spans:
        text = "<br/>" if s.text == "\n" else para(s.text)
        if s.bold:
            text = f"<b>{text}</b>"
        if s.italic:
            text = f"<i>{text}</i>"
        if s.href:  # scheme checked at load time: https, mailto or tel only
            text = f'<a href="{_escape(s.href, quote=True)}" color="{link_color}"><u>{text}</u></a>'
        out.append(text)
    return "".join(out)


def flowables(blocks: tuple[Block, ...], body, heading, link_color: str) -> list:
    """Flowables for `blocks` in the given body and sub-heading styles."""
    out = []
    for b in blocks:
        if b.kind == "para":
            out.append(Paragraph(spans_markup(b.spans, link_color), body))
        elif b.kind == "heading":
            out.append(Paragraph(spans_markup(b.spans, link_color), heading))
        else:
            items = [ListItem(flowables(item, body, heading, link_color) or [Paragraph("", body)])
                     for item in b.items]
            numbered = b.kind == "numbers"
            out.append(ListFlowable(items, bulletType="1" if numbered else "bullet", start=b.start if numbered else "•",
                                    bulletFontName=body.fontName, bulletFontSize=body.fontSize,
                                    leftIndent=18, bulletDedent=14 if numbered else 12, spaceBefore=0, spaceAfter=4))
    return out
