"""Check: a loaded clinic folder -> everything a build would refuse, and the warnings (`handouts check`).

Beyond what loading finds (every file, field and reference), each picture is decoded and measured
against the box it prints in, and every printed character is looked up in the clinic's font.
"""

from __future__ import annotations

from pathlib import Path

from handouts import fit, images
from handouts.errors import Problem
from handouts.glyphs import content_glyph_warnings
from handouts.model import Library, Picture
from handouts.theme import build_theme


def check_library(root: Path, library: Library, problems: list[Problem]) -> list[Problem]:
    """`problems` (what loading `library` found) and every problem of its pictures and glyphs."""
    from handouts.leftovers import scan as demo_leftovers
    from handouts.render.layout import guide_pictures, logo_box, picture_box

    problems += demo_leftovers(root)  # the demo's name and numbers in a clinic of its own: warnings
    bad_paths = {(p.file, p.line) for p in problems}
    for ex in library.exercises.values():
        for pic in ex.images:
            if (pic.where.file, pic.where.line) in bad_paths:
                continue
            problems += _image_check(root, pic, picture_box(), library.clinic.image_dpi)
    if library.clinic.logo and ("content/clinic.yaml", library.clinic.logo.where.line) not in bad_paths:
        problems += _image_check(root, library.clinic.logo, logo_box(), library.clinic.image_dpi)
    from handouts.theme import font_problems

    unusable_fonts = font_problems(library.clinic, root)
    problems += unusable_fonts
    if library.guides and not unusable_fonts:
        theme = build_theme(library.clinic, root)
        for guide in library.guides.values():
            for pic, box in guide_pictures(library, guide, theme.frame_width, theme.page_height):
                if pic.where.file.startswith("content/guides/") and (pic.where.file, pic.where.line) not in bad_paths:
                    problems += _image_check(root, pic, box, library.clinic.image_dpi)
    from handouts.load.remnants import remnant_warnings

    problems += remnant_warnings(root)  # HTML-looking text left over from an import
    if not any(p.field.startswith("fonts.") for p in problems):
        problems += content_glyph_warnings(root, library)
    from handouts.load.importing import review_warnings
    from handouts.readability import reading_problems

    problems += reading_problems(library)
    problems += review_warnings(library)  # fields an importer guessed, for a person to review
    if library.clinic.email_delivery is not None:  # the strict address check `handouts email` makes
        from handouts.mail.smtp import settings_problems

        problems += settings_problems(library.clinic.email_delivery)
    return problems


def _image_check(root: Path, pic: Picture, box: tuple[float, float], dpi: int) -> list[Problem]:
    """Problems with one picture: unusable (error), animated or too coarse for print (warnings)."""
    w = pic.where
    try:
        prepared = images.prepare(root / pic.file, *box, dpi=dpi, inside=root)
        _, width, height = images.inspect(root / pic.file)
    except images.ImageProblem as exc:
        return [Problem(f"{pic.file}: {exc}", w.file, w.line, w.col, w.field)]
    out = []
    if prepared.warning:
        out.append(Problem(f"{pic.file}: {prepared.warning}", w.file, w.line, w.col, w.field, warning=True))
    printed = images.printed_dpi((width, height), box)
    if printed < fit.MIN_PRINT_DPI:
        out.append(Problem(f"{pic.file}: will print at about {printed:.0f} dpi (below {fit.MIN_PRINT_DPI}); "
                           f"use a larger image", w.file, w.line, w.col, w.field, warning=True))
    return out
