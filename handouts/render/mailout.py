"""Mail-out: every reader's guide of a batch, in row order, in one PDF for a print shop.

Each guide of a batch is the shared guide's bytes plus a small update with the reader's own objects
(see splice.py). Concatenated naively, 2,000 guides would hold the shared pictures and fonts 2,000
times (about 800 MB); here the shared objects are written once, and each reader adds only copies of
the page dictionaries (so that the contents links of their copy lead to their own pages), their
link annotations, and their personal objects. A file that does not share the batch's base (a guide
laid out from scratch, e.g. for a very long name) is copied whole, objects renumbered.

No outline: a print shop needs pages; the contents links inside each copy still work.
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from handouts.render.splice import Update, shared_prefix

INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


class _Reader(Update):
    """Renumbering for one reader's file: shared base objects keep their numbers, pages map to this
    copy's pages, anything else gets a new number in the mail-out."""

    def __init__(self, out: _Mailout, reader: PdfReader, shared: set[int]):
        super().__init__(out.size, reader, {})
        self.out, self.shared = out, shared

    def number_of(self, ref: IndirectObject) -> int:
        if ref.idnum in self.page_map:
            return self.page_map[ref.idnum]
        if ref.idnum in self.shared:
            self.out.need_shared(ref.idnum)
            return ref.idnum
        return super().number_of(ref)


class _Shared(Update):
    """The base's own objects: they keep their numbers and refer only to each other."""

    def __init__(self, out: _Mailout):
        super().__init__(out.size, None, {})
        self.out = out

    def number_of(self, ref: IndirectObject) -> int:
        self.out.need_shared(ref.idnum)
        return ref.idnum


class _Mailout:
    def __init__(self, fh, base: bytes | None):
        self.fh, self.offsets, self.base_bytes = fh, {}, base or b""
        self.base = PdfReader(io.BytesIO(base)) if base else None
        self.base_size = int(self.base.trailer["/Size"]) if self.base else 1
        self.size = self.base_size + 2  # the catalog and the page tree come right after the base's numbers
        self.catalog, self.pages = self.base_size, self.base_size + 1
        self.kids: list[int] = []
        self.wanted: list[int] = []
        self.written: set[int] = set()
        fh.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def need_shared(self, number: int) -> None:
        if number not in self.written:
            self.written.add(number)
            self.wanted.append(number)

    def add(self, data: bytes, shared: bool) -> None:
        reader = PdfReader(io.BytesIO(data))
        redefined = _redefined(data, len(self.base_bytes)) if shared else set()
        pages = [page.indirect_reference.idnum for page in reader.pages]
        ids = set(range(1, self.base_size)) - redefined - set(pages) if shared else set()
        copy = _Reader(self, reader, ids)
        copy.page_map = {number: copy.size + i for i, number in enumerate(pages)}
        copy.size += len(pages)
        for number, page in zip(pages, reader.pages):
            entries = {k: page.raw_get(k) for k in page if k not in ("/Parent", "/Annots")}
            for key in INHERITED:  # from the old page tree, which is not copied
                if key not in entries and page.get_inherited(key, None) is not None:
                    entries[key] = page.get_inherited(key, None)
            entries["/Parent"] = IndirectObject(self.pages, 0, None)
            annots = page.get("/Annots")
            if annots:  # copied for each reader: their destinations are this copy's pages
                entries["/Annots"] = ArrayObject(copy.new_object(_own(a.get_object())) for a in annots)
            copy.put(copy.page_map[number], DictionaryObject({NameObject(k): v for k, v in entries.items()}))
            self.kids.append(copy.page_map[number])
        self.drain(copy)
        self.size = copy.size
        self._write_shared()

    def drain(self, update: Update) -> None:
        while update.queue:
            number, obj = update.queue.pop(0)
            self.offsets[number] = self.fh.tell()
            body = io.BytesIO()
            body.write(b"%d 0 obj\n" % number)
            update.write_object(obj, body)
            body.write(b"\nendobj\n")
            self.fh.write(body.getvalue())

    def _write_shared(self) -> None:
        base = _Shared(self)
        while self.wanted:
            number = self.wanted.pop(0)
            base.queue.append((number, self.base.get_object(number)))
            self.drain(base)

    def finish(self, info: DictionaryObject | None) -> None:
        fh = self.fh
        for number, body in ((self.pages, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                b" ".join(b"%d 0 R" % k for k in self.kids), len(self.kids))),
                (self.catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % self.pages)):
            self.offsets[number] = fh.tell()
            fh.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        info_ref = b""
        if info is not None:
            number = self.size
            self.size += 1
            self.offsets[number] = fh.tell()
            body = io.BytesIO()
            Update(self.size, None, {}).write_object(info, body)
            fh.write(b"%d 0 obj\n%s\nendobj\n" % (number, body.getvalue()))
            info_ref = b"/Info %d 0 R " % number
        xref = fh.tell()
        fh.write(b"xref\n0 %d\n" % self.size)
        for number in range(self.size):  # numbers not used are free entries
            if number in self.offsets:
                fh.write(b"%010d 00000 n\r\n" % self.offsets[number])
            else:
                fh.write(b"0000000000 65535 f\r\n")
        fh.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
                 % (self.size, self.catalog, info_ref, xref))


def write_mailout(pdfs, fh) -> int:
    """Write the PDFs (bytes, given in order by an iterable) into `fh` as one PDF. Returns the page count."""
    out = info = None
    for data in pdfs:
        if out is None:
            out = _Mailout(fh, shared_prefix(data))
            found = PdfReader(io.BytesIO(data)).trailer.get("/Info")
            info = _plain(found.get_object()) if found is not None else None
        out.add(data, bool(out.base_bytes) and data.startswith(out.base_bytes))
    if out is None:
        raise ValueError("no PDFs to merge")
    out.finish(info)
    return len(out.kids)


def _own(annotation: DictionaryObject) -> DictionaryObject:
    """A reader's own copy of a link annotation (its /P and /Dest are renumbered when written)."""
    return DictionaryObject({NameObject(k): annotation.raw_get(k) for k in annotation})


def _plain(info: DictionaryObject) -> DictionaryObject:
    """Document information of the guide (title, author: the clinic's; no reader data), direct values only."""
    return DictionaryObject({NameObject(k): v.get_object() for k, v in info.items()})


def _redefined(data: bytes, base_length: int) -> set[int]:
    """Object numbers that the update after the base redefines (its cross-reference subsections)."""
    numbers = set()
    tail = data[base_length:]
    start = tail.rfind(b"\nxref\n")
    section = tail[start + 6: tail.index(b"trailer", start)] if start >= 0 else b""
    for first, count in re.findall(rb"(?m)^(\d+) (\d+)\r?$", section.decode("latin-1").encode("latin-1")):
        numbers.update(range(int(first), int(first) + int(count)))
    return numbers
