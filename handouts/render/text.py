"""User text -> Paragraph markup. Everything a user typed is text, never markup.

reportlab's Paragraph parses its input as XML-like markup: on raw text it raises, silently drops
words (`x<y>z` prints "xz"), corrupts (`R&D` prints "R&D;") or even opens local files (`<img>`).
So every user string is escaped here, and line breaks the user typed are kept as <br/>.
"""

from __future__ import annotations

from html import escape as _html_escape


def escape(text: str) -> str:
    """&, < and > as entities (what xml.sax.saxutils.escape does, without importing urllib)."""
    return _html_escape(text, quote=False)


def para(text: str) -> str:
    """Escaped markup for `text`, keeping the user's line breaks."""
    lines = escape(text).split("\n")
    # Spaces before a line break are dropped; all other spaces are the user's and stay.
    return "<br/>".join([line.rstrip() for line in lines[:-1]] + lines[-1:])


def hexcolor(rgb) -> str:
    """(r, g, b) in 0..1 -> '#rrggbb' for use inside escaped markup attributes."""
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def label(words, key: str, **values) -> str:
    """Markup for a fixed label from the catalogue (`words`: an i18n.Words). In a bilingual handout the
    second language follows in italics, so a reader tells the two apart at a glance."""
    texts = words.all(key, **values)
    out = para(texts[0])
    for other in texts[1:]:
        if other != texts[0]:
            out += f" <i>/ {para(other)}</i>"
    return out


def both(main: str, other: str | None) -> str:
    """Markup for content text of a bilingual handout: the main language, then the second one on its
    own line in italics ('' or the same text: only the main one)."""
    out = para(main)
    if other and other != main:
        out += f"<br/><i>{para(other)}</i>"
    return out
