"""Fonts: a Theme's font chain -> registered reportlab fonts; text -> runs per font; missing glyphs.

The chain is the body family, then the fallbacks (the clinic's own, then the packaged one; see
theme.FALLBACK_FAMILY). A word the body font cannot draw whole is drawn in the first fallback that
has all its letters (so "Nguyễn" is one face, not three); a character no font has is reported
before anything is drawn (build.py), never printed as an empty box.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from handouts.errors import ContentError, Problem
from handouts.theme import FontFiles, Theme

_families: dict[tuple, str] = {}  # font files -> registered family name
_coverage: dict[str, frozenset[int]] = {}  # family name -> code points its regular face draws
# The chain of the document being drawn: text.para() and draw_string() pick faces from it.
current_chain: ContextVar[tuple[str, ...]] = ContextVar("current_chain", default=())

_TOKENS = re.compile(r"\s+|\S+")
_FACES = ("", "-Bold", "-Italic", "-BoldItalic")


def _family(files: FontFiles) -> str:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = (str(files.regular), str(files.bold), str(files.italic), str(files.bold_italic))
    if key not in _families:
        base = f"Handouts{len(_families)}"
        for suffix, path in zip(_FACES, (files.regular, files.bold, files.italic, files.bold_italic)):
            try:
                font = TTFont(base + suffix, str(path))
            except Exception:  # noqa: BLE001 - reportlab's TTFError and struct errors of a damaged file
                raise ContentError(problems=[Problem(
                    f"the font file {path.name} could not be read (damaged, or not a TrueType font); "
                    "replace it with the family's .ttf file", "content/clinic.yaml", field="fonts")]) from None
            pdfmetrics.registerFont(font)
        for bold, italic, suffix in ((0, 0, ""), (1, 0, "-Bold"), (0, 1, "-Italic"), (1, 1, "-BoldItalic")):
            addMapping(base, bold, italic, base + suffix)
        _coverage[base] = frozenset(pdfmetrics.getFont(base).face.charToGlyph)
        _families[key] = base
    return _families[key]


def register(theme: Theme) -> str:
    """Register the theme's chain (once per process) and make it the chain of the document being
    drawn; return the body family's name (its faces: name, name-Bold, name-Italic, name-BoldItalic)."""
    chain = _chain(theme)
    current_chain.set(chain)
    return chain[0]


def _chain(theme: Theme) -> tuple[str, ...]:
    """The registered family names of the theme's chain, body font first."""
    return (_family(theme.fonts),) + tuple(_family(f) for f in theme.fallbacks)


def runs(text: str, chain: tuple[str, ...]) -> list[tuple[int, str]]:
    """`text` as (index in `chain`, piece) runs: whole words in one face where any face has them all."""
    if not chain:
        return [(0, text)] if text else []
    out: list[tuple[int, str]] = []
    for token in _TOKENS.findall(text):
        if token.isspace():
            pieces = [(out[-1][0] if out else 0, token)]
        else:
            whole = next((i for i, name in enumerate(chain) if all(ord(c) in _coverage[name] for c in token)), None)
            pieces = [(whole, token)] if whole is not None else [(_face_for(c, chain), c) for c in token]
        for index, piece in pieces:
            if out and out[-1][0] == index:
                out[-1] = (index, out[-1][1] + piece)
            else:
                out.append((index, piece))
    return out


def _face_for(char: str, chain: tuple[str, ...]) -> int:
    return next((i for i, name in enumerate(chain) if ord(char) in _coverage[name]), 0)


def missing_glyphs(theme: Theme, text: str) -> list[str]:
    """Characters of `text` that no font of the theme's chain can draw (whitespace ignored)."""
    chain = _chain(theme)
    return list(dict.fromkeys(c for c in text if not c.isspace() and not any(ord(c) in _coverage[n] for n in chain)))


def face(font: str, index: int, chain: tuple[str, ...]) -> str:
    """The face of chain member `index` matching `font` ("Handouts0-Bold" -> "Handouts1-Bold")."""
    if index == 0 or not chain:
        return font
    suffix = font[len(chain[0]):] if font.startswith(chain[0]) else ""
    return chain[index] + suffix


def string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chain = current_chain.get()
    return sum(stringWidth(piece, face(font, i, chain), size) for i, piece in runs(text, chain))


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float, anchor: str = "left") -> None:
    """canvas.drawString for user text: each run in the face of the chain that has its letters."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chain = current_chain.get()
    if anchor != "left":
        width = string_width(text, font, size)
        x -= width if anchor == "right" else width / 2
    for index, piece in runs(text, chain):
        name = face(font, index, chain)
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += stringWidth(piece, name, size)
