"""Theme: clinic branding -> plain numbers (points), RGB colours and font file paths.

One parser for colours and one for lengths live here; `render/` turns a Theme into reportlab
styles. Defaults ship in the package; a clinic overrides only what it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

POINTS_PER = {"pt": 1.0, "in": 72.0, "mm": 72.0 / 25.4, "cm": 72.0 / 2.54}
PAGE_POINTS = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898)}
_COLOR_RE = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LENGTH_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(pt|in|mm|cm)\s*$")

RGB = tuple[float, float, float]


def parse_color(text: str) -> RGB:
    """'#1F6F8B' or '#1F8' -> (r, g, b) in 0..1. Raises ValueError with a message for the user."""
    match = _COLOR_RE.match(text.strip())
    if not match:
        raise ValueError(f"expected a colour like '#1F6F8B', got {text!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return tuple(int(digits[i : i + 2], 16) / 255.0 for i in (0, 2, 4))  # type: ignore[return-value]


def parse_length(text: str) -> float:
    """'18mm', '0.5in', '12pt' -> points. Raises ValueError with a message for the user."""
    match = _LENGTH_RE.match(text)
    if not match:
        raise ValueError(f"expected a length like '12pt', '0.5in' or '18mm', got {text!r}")
    return float(match.group(1)) * POINTS_PER[match.group(2)]


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path
    italic: Path
    bold_italic: Path


@dataclass(frozen=True)
class Theme:
    page_width: float
    page_height: float
    margin: float
    primary: RGB
    accent: RGB
    text: RGB
    light: RGB
    fonts: FontFiles
    body_size: float  # points; at least 12 for patient-facing text
    small_size: float  # footer and captions
    # Text colours that read on what they are drawn on (handouts.palette): `primary`/`accent` are
    # fills; text in those colours uses these, and text on those fills uses on_primary/on_accent.
    primary_text: RGB = (0.0, 0.0, 0.0)
    accent_text: RGB = (0.0, 0.0, 0.0)
    on_primary: RGB = (1.0, 1.0, 1.0)
    on_accent: RGB = (1.0, 1.0, 1.0)
    colour_notes: tuple[str, ...] = ()  # what the palette adjusted, for `check`
    layout: str = "standard"  # model.LAYOUTS: render/ sizes its styles and cards from it
    greyscale: bool = False
    warning: RGB = (0.70, 0.14, 0.09)  # the STOP box
    warning_light: RGB = (1.0, 0.95, 0.94)  # the STOP box's body
    note_light: RGB = (1.0, 0.97, 0.90)  # a therapist's note on a card
    muted: RGB = (0.35, 0.38, 0.41)  # the footer's disclaimer

    @property
    def frame_width(self) -> float:
        return self.page_width - 2 * self.margin


def packaged_font_files(family: str) -> FontFiles:
    """Font files of a family installed as a fontpkg package (e.g. Atkinson Hyperlegible).

    The answer is cached: importing fontpkg alone costs several milliseconds of a build that
    should take a fraction of a second, and the files of an installed family do not move.
    """
    import json

    from handouts import cache

    note = cache.root() / "fonts" / (re.sub(r"[^a-z0-9]+", "-", family.lower()) + ".json")
    try:
        paths = [Path(p) for p in json.loads(note.read_text())]
        if len(paths) == 4 and all(p.is_file() for p in paths):
            return FontFiles(*paths)
    except (OSError, ValueError, TypeError):
        pass
    import fontpkg

    fam = _fontpkg_family(family)

    def pick(weight: int, style: str) -> Path:
        return Path(fontpkg.select_file(fam, weight, style, True).path)

    files = FontFiles(pick(400, "normal"), pick(700, "normal"), pick(400, "italic"), pick(700, "italic"))
    cache.write(note, json.dumps([str(p) for p in (files.regular, files.bold, files.italic,
                                                    files.bold_italic)]).encode())
    return files


def _fontpkg_family(family: str):
    """The fontpkg Family for `family`.

    fontpkg's registry scans the entry points of every installed distribution (about 30 ms, a tenth
    of a whole handout build), so the package named by fontpkg's convention (fontpkg-<slug>, module
    fontpkg_<slug>) is tried first; the registry is the fallback for anything else.
    """
    import importlib
    import importlib.resources
    import json

    import fontpkg

    module_name = "fontpkg_" + fontpkg.slugify(family).replace("-", "_")
    try:
        module = importlib.import_module(module_name)
        root = importlib.resources.files(module)
        meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
        return fontpkg.family_from_metadata(meta, root)
    except (ImportError, OSError, ValueError, KeyError):
        return fontpkg.family(family)


def clinic_palette(clinic):
    """The contrast-safe colours for a clinic (a model.Clinic): see handouts.palette."""
    from handouts.palette import safe_palette

    c = clinic.colors
    return safe_palette(parse_color(c.primary), parse_color(c.accent), parse_color(c.text), parse_color(c.light))


def build_theme(clinic, root: Path, page_size: str | None = None) -> Theme:
    """The theme for `clinic` (a model.Clinic) whose files live under `root`."""
    fonts = clinic.fonts
    if fonts.regular:
        regular = root / fonts.regular
        files = FontFiles(
            regular,
            root / fonts.bold if fonts.bold else regular,
            root / fonts.italic if fonts.italic else regular,
            root / fonts.bold_italic if fonts.bold_italic else (root / fonts.bold if fonts.bold else regular),
        )
    else:
        files = packaged_font_files(fonts.family)
    width, height = PAGE_POINTS[page_size or clinic.page_size]
    colours = clinic_palette(clinic)
    return Theme(
        page_width=width,
        page_height=height,
        margin=parse_length("0.5in"),
        primary=colours.primary,
        accent=colours.accent,
        text=colours.text,
        light=colours.light,
        primary_text=colours.primary_text,
        accent_text=colours.accent_text,
        on_primary=colours.on_primary,
        on_accent=colours.on_accent,
        colour_notes=colours.notes,
        fonts=files,
        body_size=float(max(12, clinic.font_size)),
        small_size=9.5,
    )


LAYOUT_BODY = {"compact": 12.0, "large-print": 18.0}  # body text, points; standard uses the clinic's font_size


def for_layout(theme: Theme, layout: str, greyscale: bool = False) -> Theme:
    """`theme` for one handout's layout (model.LAYOUTS), in shades of grey when `greyscale`."""
    theme = replace(theme, layout=layout, body_size=LAYOUT_BODY.get(layout, theme.body_size))
    return in_grey(theme) if greyscale else theme


def grey_of(rgb: RGB) -> float:
    """The grey a photocopier makes of `rgb` (Rec. 709 luma of the sRGB values), 0 = black."""
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def in_grey(theme: Theme) -> Theme:
    """Every colour as its grey; the text colours are then chosen again by handouts.palette from
    those greys, so every text keeps 4.5:1 or more on what it is drawn on (tests/test_layouts.py
    measures it on the rendered page, as a photocopier sees it)."""
    from handouts.palette import safe_palette

    def grey(level: float) -> RGB:
        return (level, level, level)

    def as_grey(rgb: RGB) -> RGB:
        return grey(round(grey_of(rgb) * 255) / 255)

    # A photocopy loses contrast: text a little darker and panels a little lighter than 4.5:1 asks.
    def clamp(rgb: RGB, low: float = 0.0, high: float = 1.0) -> RGB:
        return grey(min(max(as_grey(rgb)[0], low), high))

    p = safe_palette(clamp(theme.primary, high=0.38), clamp(theme.accent, high=0.45), clamp(theme.text, high=0.2),
                     clamp(theme.light, low=0.93))
    return replace(
        theme, greyscale=True, primary=p.primary, accent=p.accent, text=p.text, light=p.light,
        primary_text=p.primary_text, accent_text=p.accent_text, on_primary=p.on_primary, on_accent=p.on_accent,
        warning=grey(0.25), warning_light=grey(0.94), note_light=grey(0.95),
        muted=grey(min(grey_of(theme.muted), 0.38)),
    )
