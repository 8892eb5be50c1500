"""User text -> Paragraph markup (and the Paragraph that keeps fallback faces bold). Everything a user
typed is text, never markup.

reportlab's Paragraph parses its input as XML-like markup: on raw text it raises, silently drops
words (`x<y>z` prints "xz"), corrupts (`R&D` prints "R&D;") or even opens local files (`<img>`).
So every user string is escaped here, and line breaks the user typed are kept as <br/>.
"""

from __future__ import annotations

import re
from html import escape as _html_escape

from reportlab.platypus import Paragraph as _Paragraph

_FALLBACK_TAGS = re.compile(r'<(/?)(b|i|strong|em)>|<font face="(Handouts\d+)">')


def escape(text: str) -> str:
    """&, < and > as entities (what xml.sax.saxutils.escape does, without importing urllib)."""
    return _html_escape(text, quote=False)


def para(text: str) -> str:
    """Escaped markup for `text`, keeping the user's line breaks. Words the body font cannot draw
    are set in the fallback face that can (render/fonts.py), keeping bold and italic."""
    from handouts.render.fonts import active_chain, runs

    chain = active_chain()
    lines = breakable(text).split("\n")
    # Spaces before a line break are dropped; all other spaces are the user's and stay.
    lines = [line.rstrip() for line in lines[:-1]] + lines[-1:]
    return "<br/>".join("".join(escape(piece) if index == 0 else f'<font face="{chain.name(index)}">{escape(piece)}</font>'
                                for index, piece in runs(line, chain)) for line in lines)


LONG_WORD = 20  # letters; a part of a word this long may not fit a narrow cell (a name, a title)
_SOFT_HYPHEN = "\u00ad"
_WORD_PARTS = re.compile(rf"[^\W\d_]{{{LONG_WORD},}}")  # runs of letters only: not codes, not addresses


def breakable(text: str) -> str:
    """`text` with soft hyphens inside very long words, so that a word wider than its line breaks with
    a visible hyphen (reportlab otherwise cuts it anywhere, without one), never leaving fewer than
    three letters on either side. A soft hyphen is not drawn where the word is not broken."""
    def soften(match: re.Match) -> str:
        part = match.group(0)
        return part[:3] + "".join(_SOFT_HYPHEN + c for c in part[3:-3]) + part[-3:]

    return _WORD_PARTS.sub(soften, text)


def hexcolor(rgb) -> str:
    """(r, g, b) in 0..1 -> '#rrggbb' for use inside escaped markup attributes."""
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def label(words, key: str, **values) -> str:
    """Markup for a fixed label from the catalogue (`words`: an i18n.Words). In a bilingual handout the
    second language follows in italics, so a reader tells the two apart at a glance."""
    texts = words.all(key, **values)
    others = [t for t in texts[1:] if t != texts[0]]
    first = texts[0]
    if others and first.endswith(":") and all(t.endswith(":") for t in others):
        first = first[:-1]  # 'Consejo / Tip:', not 'Consejo: / Tip:'
    out = para(first)
    for other in others:
        out += f" <i>/ {para(other)}</i>"
    return out


def both(main: str, other: str | None) -> str:
    """Markup for content text of a bilingual handout: the main language, then the second one on its
    own line in italics ('' or the same text: only the main one)."""
    out = para(main)
    if other and other != main:
        out += f"<br/><i>{para(other)}</i>"
    return out


class Paragraph(_Paragraph):
    """reportlab's Paragraph, keeping bold and italic in fallback faces.

    para() marks a word the body font cannot draw with <font face="HandoutsN"> (a fallback family);
    reportlab resets bold and italic inside a face change, so each such tag is given the face
    (HandoutsN-Bold, ...) that the style and the enclosing <b>/<i> tags ask for.
    """

    def __init__(self, text, style=None, *args, **kwargs):
        if style is not None and isinstance(text, str) and '<font face="Handouts' in text:
            text = _weighted(text, style.fontName)
        super().__init__(text, style, *args, **kwargs)


def _weighted(markup: str, font: str) -> str:
    from reportlab.lib.fonts import ps2tt

    _, bold, italic = ps2tt(font)
    depth = {"b": bold, "i": italic}

    def fix(match: re.Match) -> str:
        if match.group(3) is None:
            key = "b" if match.group(2) in ("b", "strong") else "i"
            depth[key] += -1 if match.group(1) else 1
            return match.group(0)
        suffix = {(0, 0): "", (1, 0): "-Bold", (0, 1): "-Italic", (1, 1): "-BoldItalic"}[
            (int(depth["b"] > 0), int(depth["i"] > 0))]
        return f'<font face="{match.group(3)}{suffix}">'

    return _FALLBACK_TAGS.sub(fix, markup)
