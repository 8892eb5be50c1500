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

_TOKENS = re.compile(r"\s+|\S+")
_FACES = ("", "-Bold", "-Italic", "-BoldItalic")


class Chain:
    """A theme's fonts in order, body font first. A fallback is registered with reportlab (parsing
    four TTF files, tens of milliseconds) only when some text needs it: most handouts never do."""

    def __init__(self, files: tuple[FontFiles, ...]):
        self.files = files
        self._names: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.files)

    def name(self, index: int) -> str:
        if index not in self._names:
            self._names[index] = _family(self.files[index])
        return self._names[index]

    def covers(self, index: int, text: str) -> bool:
        coverage = _coverage[self.name(index)]
        return all(ord(c) in coverage for c in text)

    def coverage(self, index: int) -> frozenset[int]:
        """The code points font `index` of the chain draws."""
        return _coverage[self.name(index)]


# The chain of the document being drawn: text.para() and draw_string() pick faces from it.
current_chain: ContextVar[Chain | None] = ContextVar("current_chain", default=None)
_NO_CHAIN = Chain(())


def active_chain() -> Chain:
    """The chain of the document being drawn (an empty one outside any document)."""
    return current_chain.get() or _NO_CHAIN


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
    """Register the theme's body font (once per process) and make the theme's chain the chain of the
    document being drawn; return the body family's name (faces: name, name-Bold, -Italic, -BoldItalic)."""
    chain = _chain(theme)
    current_chain.set(chain)
    return chain.name(0)


def _chain(theme: Theme) -> Chain:
    key = (theme.fonts, theme.fallbacks)
    if key not in _chains:
        _chains[key] = Chain((theme.fonts,) + theme.fallbacks)
    return _chains[key]


_chains: dict[tuple, Chain] = {}


def runs(text: str, chain: Chain) -> list[tuple[int, str]]:
    """`text` as (index in `chain`, piece) runs: whole words in one face where any face has them all."""
    if not len(chain):
        return [(0, text)] if text else []
    out: list[tuple[int, str]] = []
    for token in _TOKENS.findall(text):
        if token.isspace() or chain.covers(0, token):
            pieces = [(out[-1][0] if out and token.isspace() else 0, token)]
        else:
            whole = next((i for i in range(1, len(chain)) if chain.covers(i, token)), None)
            pieces = [(whole, token)] if whole is not None else [(_face_for(c, chain), c) for c in token]
        for index, piece in pieces:
            if out and out[-1][0] == index:
                out[-1] = (index, out[-1][1] + piece)
            else:
                out.append((index, piece))
    return out


def _face_for(char: str, chain: Chain) -> int:
    return next((i for i in range(len(chain)) if chain.covers(i, char)), 0)


def missing_glyphs(theme: Theme, text: str) -> list[str]:
    """Characters of `text` that no font of the theme's chain can draw (whitespace ignored)."""
    chain = _chain(theme)
    left = {ord(c) for c in text if not c.isspace()}
    for i in range(len(chain)):  # set differences: most texts are all in the body font
        left -= chain.coverage(i)
        if not left:
            return []
    return list(dict.fromkeys(c for c in text if ord(c) in left))


def face(font: str, index: int, chain: Chain) -> str:
    """The face of chain member `index` matching `font` ("Handouts0-Bold" -> "Handouts1-Bold")."""
    if index == 0 or not len(chain):
        return font
    body = chain.name(0)
    suffix = font[len(body):] if font.startswith(body) else ""
    return chain.name(index) + suffix


def string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chain = active_chain()
    return sum(stringWidth(piece, face(font, i, chain), size) for i, piece in runs(text, chain))


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float, anchor: str = "left") -> None:
    """canvas.drawString for user text: each run in the face of the chain that has its letters."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chain = active_chain()
    if anchor != "left":
        width = string_width(text, font, size)
        x -= width if anchor == "right" else width / 2
    for index, piece in runs(text, chain):
        name = face(font, index, chain)
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += stringWidth(piece, name, size)
