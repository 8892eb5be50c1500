"""Fonts: register a Theme's TTF files with reportlab once per process; report missing glyphs."""

from __future__ import annotations

from handouts.theme import Theme

_registered: dict[tuple, str] = {}


def register(theme: Theme) -> str:
    """Register the theme's four faces as one family; return the family's regular font name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    f = theme.fonts
    key = (str(f.regular), str(f.bold), str(f.italic), str(f.bold_italic))
    if key in _registered:
        return _registered[key]
    base = f"Handouts{len(_registered)}"
    names = {"": f.regular, "-Bold": f.bold, "-Italic": f.italic, "-BoldItalic": f.bold_italic}
    for suffix, path in names.items():
        pdfmetrics.registerFont(TTFont(base + suffix, str(path)))
    for bold, italic, suffix in ((0, 0, ""), (1, 0, "-Bold"), (0, 1, "-Italic"), (1, 1, "-BoldItalic")):
        addMapping(base, bold, italic, base + suffix)
    _registered[key] = base
    return base


def missing_glyphs(theme: Theme, text: str) -> list[str]:
    """Characters of `text` the theme's regular face cannot draw (whitespace ignored)."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(register(theme)).face
    covered = face.charToGlyph
    return sorted({c for c in text if not c.isspace() and ord(c) not in covered})
