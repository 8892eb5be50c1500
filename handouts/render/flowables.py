"""Flowables of our own (subclassing reportlab's Flowable, hence its method names)."""

from __future__ import annotations

from reportlab.platypus import Flowable


def stacked_height(flowables: list, width: float) -> float:
    """How tall `flowables` are one under the other at `width` (with their space before and after):
    for deciding, before layout, what fits on a page."""
    return sum(f.wrap(width, 100_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


class QRCode(Flowable):
    """A QR code (a module matrix from handouts.qr) drawn as one filled path.

    Dark runs of each row are merged into rectangles. reportlab's own QR widget draws every module
    as a separate shape and imports every barcode type; a handout with three codes was several
    times slower with it.
    """

    def __init__(self, matrix, size: float):
        super().__init__()
        self.matrix = matrix
        self.width = self.height = size

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        return self.width, self.height

    def draw(self):
        n = len(self.matrix)
        cell = self.width / n
        path = self.canv.beginPath()
        for row_index, row in enumerate(self.matrix):
            y = self.height - (row_index + 1) * cell
            start = None
            for col, dark in enumerate(list(row) + [0]):
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    path.rect(start * cell, y, (col - start) * cell, cell)
                    start = None
        self.canv.setFillColorRGB(0, 0, 0)
        self.canv.drawPath(path, stroke=0, fill=1)


class Picture(Flowable):
    """A prepared image file drawn at a fixed size.

    Drawn through an ImageReader rather than a path: reportlab names a path-drawn image after
    the path string, so the cache folder's location would change the PDF's bytes; an
    ImageReader's image is named after its pixels, which keeps output identical everywhere.
    """

    def __init__(self, path: str, width: float, height: float):
        from reportlab.lib.utils import ImageReader

        super().__init__()
        self.reader = ImageReader(path)
        self.width, self.height = width, height

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


class Ghost(Flowable):
    """Takes exactly the space of another flowable but draws nothing.

    Batch builds render only a guide's personal parts per recipient: the cover is drawn with the
    shared parts (picture, title) as ghosts, so the personal band lands exactly where a full build
    puts it, and is then laid over the shared cover.
    """

    def __init__(self, content: Flowable):
        super().__init__()
        self.content = content
        # A ghost of a heading still marks its place: bookmarks and contents entries must exist
        # in the shared pages even where the heading's text is drawn per reader.
        for name in ("key", "outline_title"):
            if hasattr(content, name):
                setattr(self, name, getattr(content, name))

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        self.width, self.height = self.content.wrap(avail_width, avail_height)
        return self.width, self.height

    def getSpaceBefore(self):  # noqa: N802 - reportlab protocol
        return self.content.getSpaceBefore()

    def getSpaceAfter(self):  # noqa: N802 - reportlab protocol
        return self.content.getSpaceAfter()

    def draw(self):
        pass


class FixedHeight(Flowable):
    """Content in a box of fixed height, so what follows never moves.

    A guide's call-to-action headline carries the reader's name; in a fixed box, a long name cannot
    push the rest of the page down, so that page can be shared by every reader of a batch.
    `make(size)` builds the content at a font size; the first of `sizes` (largest first) whose
    content fits the box is drawn: a long name wraps onto the box's lines first, and the text is
    set smaller (re-wrapped, never scaled) only when those lines are not enough.
    """

    def __init__(self, make, height: float, sizes):
        super().__init__()
        self.make, self.box_height, self.sizes = make, height, list(sizes)
        self.content = make(self.sizes[0])
        for name in ("key", "outline_title"):
            if hasattr(self.content, name):
                setattr(self, name, getattr(self.content, name))

    def wrap(self, avail_width, avail_height):  # noqa: D102 - reportlab protocol
        self.width = avail_width
        self.height = self.box_height
        return self.width, self.height

    def draw(self):
        for size in self.sizes:
            content = self.make(size)
            width, height = content.wrap(self.width, 10_000_000)
            if height <= self.box_height:
                break
        scale = min(1.0, self.box_height / height) if height else 1.0  # only past the smallest size
        canvas = self.canv
        canvas.saveState()
        canvas.translate((self.width - width * scale) / 2, self.box_height - height * scale)
        canvas.scale(scale, scale)
        content.drawOn(canvas, 0, 0)
        canvas.restoreState()
