"""Assemble: a guide's shared pages (rendered once per batch) + one reader's personal pages -> PDF.

Most pages of a personalised guide are the same for every reader. A batch worker renders the whole
guide once, parses it once with pypdf, and then, per reader, lays the reader's cover band over the
shared cover and puts the reader's call-to-action page in place of the shared one. Page objects
keep their identity, so the contents links, the outline and the metadata are those of a full build.

Objects added for one reader are dropped again before the next, so nothing of one reader can reach
another's file; a test holds this.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

PAGE_KEYS = ("/Contents", "/Resources", "/Annots")


class GuideAssembler:
    def __init__(self, base: bytes, cover: int = 0, replaced: int | None = -1):
        """`base`: the full guide. Page `cover` gets an overlay per reader; page `replaced` (the call
        to action; None if there is none) is replaced by the reader's page."""
        self.writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base)))
        pages = self.writer.pages
        self.cover = cover % len(pages)
        self.replaced = None if replaced is None else replaced % len(pages)
        self.page_count = len(pages)
        if self.replaced is not None:
            # The shared call-to-action page is never printed: drop its objects once, here.
            page = pages[self.replaced]
            for key in PAGE_KEYS:
                if key in page:
                    del page[key]
            self.writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        self.saved = {i: {k: (pages[i].raw_get(k) if k in pages[i] else None) for k in PAGE_KEYS}
                      for i in self._indexes()}
        self.object_count = len(self.writer._objects)

    def _indexes(self) -> list[int]:
        return [self.cover] + ([self.replaced] if self.replaced is not None else [])

    def assemble(self, personal: bytes) -> bytes:
        """The guide with `personal` (page 1: cover band, page 2: call to action) put in place."""
        reader = PdfReader(io.BytesIO(personal))
        if len(reader.pages) != 1 + (self.replaced is not None):
            raise ValueError("personal pages do not match the shared guide")
        writer = self.writer
        try:
            self._overlay(writer.pages[self.cover], reader.pages[0])
            if self.replaced is not None:
                target, source = writer.pages[self.replaced], reader.pages[1]
                for key in PAGE_KEYS:
                    if key in source:
                        target[NameObject(key)] = source.raw_get(key).clone(writer)
            out = io.BytesIO()
            writer.write(out)
            return out.getvalue()
        finally:
            self._restore(reader)

    def _overlay(self, page, personal) -> None:
        """Draw `personal` over `page` as a Form XObject, touching no existing object.

        (pypdf's merge_page rewrites the page's content object in place, which would carry one
        reader's text into the next reader's file.)
        """
        writer = self.writer
        form = DecodedStreamObject()
        contents = personal["/Contents"]  # raw bytes: get_contents() would parse every operator
        parts = contents if isinstance(contents, ArrayObject) else [contents]
        form.set_data(b"\n".join(part.get_object().get_data() for part in parts))
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): personal.mediabox.clone(writer),
            NameObject("/Resources"): personal.raw_get("/Resources").clone(writer),
        })
        form_ref = writer._add_object(form)
        resources = DictionaryObject(page["/Resources"].items())  # a new dict; the shared one is untouched
        xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).items())
        xobjects[NameObject("/HandoutsPersonal")] = form_ref
        resources[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = resources
        head, tail = DecodedStreamObject(), DecodedStreamObject()
        head.set_data(b"q\n")
        tail.set_data(b"\nQ\nq /HandoutsPersonal Do Q\n")
        original = page.raw_get("/Contents")
        parts = list(original) if isinstance(original, ArrayObject) else [original]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(head), *parts, writer._add_object(tail)])

    def _restore(self, reader: PdfReader) -> None:
        # pypdf keeps every object it was given; drop this reader's so the next file holds none.
        writer = self.writer
        for index, saved in self.saved.items():
            page = writer.pages[index]
            for key in PAGE_KEYS:
                if saved[key] is None:
                    if key in page:
                        del page[key]
                else:
                    page[NameObject(key)] = saved[key]
        del writer._objects[self.object_count:]
        writer._id_translated.pop(id(reader), None)
