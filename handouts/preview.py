"""Preview: PDF bytes -> page images, and exercise pictures -> thumbnails, for the composer (web/).

pypdfium2 rasterizes (a maintained wheel of PDFium, the engine of Chromium's own PDF viewer, so the
preview shows what the browser's Print shows); images.py encodes. Nothing is written to disk: page
images of a patient's handout live in memory only.
"""

from __future__ import annotations

from pathlib import Path

from handouts import images

THUMB_BOX_PT = (72.0, 48.0)  # one inch wide: a recognisable start picture in a result list
THUMB_DPI = 144  # sharp on a high-density screen


class PagedPdf:
    """One PDF opened once; each page rasterized on demand at `dpi` (default: crisp at ~560 px wide)."""

    def __init__(self, data: bytes, dpi: int = 72):
        import pypdfium2

        self.doc = pypdfium2.PdfDocument(data)
        self.count = len(self.doc)
        self.dpi = dpi

    def page_png(self, index: int) -> bytes:
        page = self.doc[index]
        try:
            bitmap = page.render(scale=self.dpi / 72, rev_byteorder=True, fill_color=(255, 255, 255, 255))
            return images.png_from_raw(bitmap.buffer, (bitmap.width, bitmap.height), bitmap.mode, bitmap.stride)
        finally:
            page.close()

    def close(self) -> None:
        self.doc.close()


def thumbnail(root: Path, picture_file: str) -> bytes:
    """A small copy of a picture of the clinic folder (prepared once, then from the image cache)."""
    prepared = images.prepare(root / picture_file, *THUMB_BOX_PT, dpi=THUMB_DPI, inside=root)
    return prepared.path.read_bytes()
