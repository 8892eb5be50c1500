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
    def __init__(self, base: bytes, pages: list[tuple[int, str]]):
        """`base`: the whole guide with its personal parts blank. `pages`: (page index, "overlay" or
        "replace") for each page that differs between readers, in the order of the personal PDF:
        an overlay is drawn over the shared page; a replaced page is swapped in whole."""
        self.writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base)))
        count = len(self.writer.pages)
        self.page_count = count
        self.pages = [(index % count, how) for index, how in pages]
        for index, how in self.pages:
            if how == "replace":
                # The shared version of a replaced page is never printed: drop its objects once.
                page = self.writer.pages[index]
                for key in PAGE_KEYS:
                    if key in page:
                        del page[key]
        if any(how == "replace" for _, how in self.pages):
            self.writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        pages_ = self.writer.pages
        self.saved = {i: {k: (pages_[i].raw_get(k) if k in pages_[i] else None) for k in PAGE_KEYS}
                      for i, _ in self.pages}
        self.object_count = len(self.writer._objects)

    def assemble(self, personal: bytes) -> bytes:
        """The guide with the reader's `personal` pages put in place."""
        reader = PdfReader(io.BytesIO(personal))
        if len(reader.pages) != len(self.pages):
            raise ValueError("personal pages do not match the shared guide")
        writer = self.writer
        try:
            for (index, how), source in zip(self.pages, reader.pages):
                target = writer.pages[index]
                if how == "overlay":
                    self._overlay(target, source)
                else:
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
