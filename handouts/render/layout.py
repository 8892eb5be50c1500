"""Layout sizes shared by compose-time image preparation and rendering. Plain numbers (points).

Kept free of reportlab so the build can ask how large an image will be drawn before rendering.
"""

from __future__ import annotations

from handouts.model import Library, Picture

HEADER_HEIGHT = 52.0
FOOTER_HEIGHT = 36.0
CARD_PADDING = 7.0
PICTURE_GAP = 6.0
PICTURE_WIDTH = 135.0  # each of the two pictures on an exercise card (about 1.9 inches)
PICTURE_HEIGHT = 90.0
QR_SIZE = 62.0
LOGO_BOX = (110.0, 42.0)  # the logo is prepared for and drawn in this box in the page header


FRAME_PADDING = 4.0  # top and bottom padding inside the body frame


def body_height(page_height: float, margin: float) -> float:
    """The height available to flowables on a page with the branded header and footer."""
    return page_height - 2 * margin - HEADER_HEIGHT - FOOTER_HEIGHT - 2 * FRAME_PADDING


# Each of an exercise's two pictures per layout: compact shrinks them beside the steps, large print
# gives them most of the page width.
PICTURE_BOXES = {"standard": (PICTURE_WIDTH, PICTURE_HEIGHT), "compact": (72.0, 48.0), "large-print": (190.0, 118.0)}


def picture_box(layout: str = "standard") -> tuple[float, float]:
    """The box an exercise picture is fitted into, in points."""
    return PICTURE_BOXES[layout]


def logo_box() -> tuple[float, float]:
    return LOGO_BOX


def fit_size(prepared, box_w: float, box_h: float) -> tuple[float, float]:
    """The size (points) a prepared picture is drawn at to fit the box, keeping its proportions."""
    scale = min(box_w / prepared.width, box_h / prepared.height)
    return prepared.width * scale, prepared.height * scale


def guide_boxes(frame_width: float, page_height: float) -> dict[str, tuple[float, float]]:
    """Boxes (points) that guide pictures are fitted into, by role."""
    return {
        "cover": (frame_width, page_height * 0.42),
        "top": (frame_width, 230.0),
        "side": (frame_width * 0.42, 220.0),
        "author": (160.0, 160.0),
    }


def section_box(frame_width: float, page_height: float, placement: str, with_card: bool) -> tuple[float, float]:
    """The box for a guide section's picture; smaller when a "Try this" card shares the page."""
    if with_card:
        return (frame_width, 130.0) if placement == "top" else (frame_width * 0.34, 150.0)
    return guide_boxes(frame_width, page_height)["top" if placement == "top" else "side"]


def guide_pictures(library: Library, guide, frame_width: float, page_height: float) -> list[tuple[Picture, tuple[float, float]]]:
    """Every picture a guide prints, with the box (points) it is fitted into."""
    boxes = guide_boxes(frame_width, page_height)
    out = [(guide.cover_image, boxes["cover"])] if guide.cover_image else []
    if guide.author and guide.author.photo:
        out.append((guide.author.photo, boxes["author"]))
    for s in guide.sections:
        if s.image:
            out.append((s.image, section_box(frame_width, page_height, s.placement, bool(s.exercise))))
        if s.exercise and s.exercise in library.exercises:
            out += [(p, picture_box()) for p in library.exercises[s.exercise].images[:2]]
    return out
