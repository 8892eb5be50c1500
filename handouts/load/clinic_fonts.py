"""Fonts of clinic.yaml: the family or font files a clinic prints in, and its fallback fonts (packaged
family names or .ttf files inside the clinic folder) for characters the main font lacks -> model.Fonts,
with the place of each name so font set-up errors point at the line that named the font.
"""

from __future__ import annotations

from handouts import model as m
from handouts.load.fields import MAX_SHORT, Reader
from handouts.load.yamlfile import YMap


def read_fonts(r: Reader, c: YMap) -> m.Fonts:
    """The `fonts` mapping of a clinic file (its defaults when absent)."""
    fonts = m.Fonts()
    if c.get("fonts") is not None:
        fkeys = ("family", "regular", "bold", "italic", "bold_italic", "fallbacks")
        fm = r.mapping(c["fonts"], "fonts", fkeys, at=c.value_at["fonts"])
        if fm is not None:
            family = r.text(fm, "family", "fonts", MAX_SHORT)
            files = {k: r.file_path(fm[k], fm.value_at[k], f"fonts.{k}") for k in fkeys[1:5] if fm.get(k) is not None}
            if any(files.values()) and not files.get("regular"):
                r.add("'regular' is required when font files are given", (fm.line, fm.col), "fonts.regular")
            places = [(k, r.location(fm.value_at[k], f"fonts.{k}")) for k, v in files.items() if v]
            if family:
                places.append(("family", r.location(fm.value_at["family"], "fonts.family")))
            # Each fallback is a packaged family name or a .ttf file inside the clinic folder.
            fallbacks = []
            for value, at, path in r.items(fm, "fallbacks", "fonts"):
                text = r.text_value(value, at, path, MAX_SHORT)
                if text and text.lower().endswith((".ttf", ".otf", ".ttc", ".woff", ".woff2")):
                    text = r.file_path(value, at, path)
                if text:
                    fallbacks.append(text)
                    places.append((f"fallbacks[{len(fallbacks) - 1}]", r.location(at, path)))
            fonts = m.Fonts(family=family or m.Fonts.family, places=tuple(places), fallbacks=tuple(fallbacks),
                            **{k: v for k, v in files.items() if v})
    return fonts
