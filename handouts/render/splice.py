"""Splice: a guide's shared pages (rendered once per batch) + one reader's personal pages -> PDF.

Most pages of a personalised guide are the same for every reader. A batch renders the whole guide
once with its personal parts blank (the *base*), and per reader only the two pages that differ (the
cover band and the call to action). Each reader's file is the base's bytes, unchanged, followed by
an incremental update (ISO 32000-1 §7.5.6) that holds only that reader's objects:

- a Form XObject with the reader's cover band (and its fonts) drawn over the shared cover;
- the reader's whole call-to-action page when its text differs between readers (or a form drawn
  over the shared one when only the headline does);
- new versions of those page dictionaries (same object numbers, so the contents links, the outline
  and the metadata are the base's), and a cross-reference section whose trailer points back (/Prev)
  to the base's.

So the per-reader work is a parse of the small personal PDF and a few kilobytes of output; nothing
of one reader can reach another's file, since each update is made from that reader's PDF alone.

pypdf parses (public API only); the update section is written here: it is a few hundred bytes of
well-specified syntax (§7.5.4 cross-reference table, §7.5.5 trailer).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zlib

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

PAGE_KEYS = ("/Contents", "/Resources", "/Annots")
FORM_NAME = "/HandoutsPersonal"
# Drawn around the shared page's own content so its graphics state cannot leak into the form.
_PLAIN = (NumberObject, FloatObject, NameObject)
HEAD, TAIL = b"q\n", b"\nQ\nq " + FORM_NAME.encode() + b" Do Q\n"


class GuideAssembler:
    def __init__(self, base: bytes, pages: list[tuple[int, str]]):
        """`base`: the whole guide with its personal parts blank. `pages`: (page index, "overlay" or
        "replace") for each page that differs between readers, in the order of the personal PDF:
        an overlay is drawn over the shared page; a replaced page is swapped in whole."""
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base)))
        count = len(writer.pages)
        self.page_count = count
        self.pages = [(index % count, how) for index, how in pages]
        if any(how == "replace" for _, how in self.pages):
            # The shared version of a replaced page is never printed: drop its objects once.
            for index, how in self.pages:
                if how == "replace":
                    for key in PAGE_KEYS:
                        if key in writer.pages[index]:
                            del writer.pages[index][key]
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
        self.base = out.getvalue()
        reader = PdfReader(io.BytesIO(self.base))
        self.prev = _startxref(self.base)
        trailer = reader.trailer
        self.size = int(trailer["/Size"])
        self.root = trailer.raw_get("/Root").idnum
        self.info = trailer.raw_get("/Info").idnum if "/Info" in trailer else None
        ids = trailer.get("/ID")
        self.first_id = bytes(ids[0].original_bytes) if ids else hashlib.md5(self.base).digest()
        # What the update needs of each shared page: its object number and its own entries.
        self.shared = []
        for index, _ in self.pages:
            page = reader.pages[index]
            entries = {key: page.raw_get(key) for key in page}
            if "/Resources" in entries:  # resolved once: the update writes a copy with the form added
                entries["/Resources"] = _resolved(page["/Resources"])
            self.shared.append((page.indirect_reference.idnum, entries))

    def assemble(self, personal: bytes) -> bytes:
        """The guide with the reader's `personal` pages put in place: base + incremental update."""
        reader = PdfReader(io.BytesIO(personal))
        if len(reader.pages) != len(self.pages):
            raise ValueError("personal pages do not match the shared guide")
        update = Update(self.size, reader, {page.indirect_reference.idnum: number
                                     for page, (number, _) in zip(reader.pages, self.shared)})
        for (_, how), (number, entries), source in zip(self.pages, self.shared, reader.pages):
            page = dict(entries)
            if how == "overlay":
                form = update.new_object(_form(source))
                resources = DictionaryObject(page.get("/Resources") or {})
                xobjects = DictionaryObject(_resolved(resources.get("/XObject") or DictionaryObject()))
                xobjects[NameObject(FORM_NAME)] = form
                resources[NameObject("/XObject")] = xobjects
                page["/Resources"] = resources
                original = page.get("/Contents")
                parts = list(original) if isinstance(original, ArrayObject) else [original] if original else []
                page["/Contents"] = ArrayObject([update.new_object(_stream(HEAD)), *parts,
                                                 update.new_object(_stream(TAIL))])
            else:
                for key in PAGE_KEYS:
                    page.pop(key, None)
                    if key in source:
                        page[key] = source.raw_get(key)
            update.put(number, DictionaryObject({NameObject(k): v for k, v in page.items()}))
        return self.base + update.finish(len(self.base), self.prev, self.root, self.info, self.first_id)


class Update:
    """The objects of one incremental update, numbered from the base's /Size on.

    Objects come from two files: the base (whose numbers stay as they are) and one reader's
    personal PDF (renumbered as they are reached; its pages map to the base's pages)."""

    def __init__(self, size: int, personal: PdfReader, page_map: dict[int, int]):
        self.size, self.personal, self.page_map = size, personal, page_map
        self.numbers: dict[int, int] = {}  # personal object number -> number in the update
        self.queue: list[tuple[int, object]] = []

    def new_object(self, obj) -> IndirectObject:
        number = self.size
        self.size += 1
        self.queue.append((number, obj))
        return IndirectObject(number, 0, None)  # type: ignore[arg-type]

    def put(self, number: int, obj) -> None:
        self.queue.append((number, obj))

    def number_of(self, ref: IndirectObject) -> int:
        if ref.pdf is not self.personal:  # the base's own objects keep their numbers
            return ref.idnum
        if ref.idnum in self.page_map:
            return self.page_map[ref.idnum]
        if ref.idnum not in self.numbers:
            self.numbers[ref.idnum] = number = self.size
            self.size += 1
            self.queue.append((number, ref.get_object()))
        return self.numbers[ref.idnum]

    def finish(self, base_length: int, prev: int, root: int, info: int | None, first_id: bytes) -> bytes:
        out = io.BytesIO()
        out.write(b"\n")
        offsets = {}
        while self.queue:
            number, obj = self.queue.pop(0)
            offsets[number] = base_length + out.tell()
            out.write(b"%d 0 obj\n" % number)
            self.write_object(obj, out)
            out.write(b"\nendobj\n")
        xref = base_length + out.tell()
        out.write(b"xref\n")
        numbers = sorted(offsets)
        runs: list[list[int]] = []
        for number in numbers:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        for run in runs:  # one subsection per run of consecutive numbers; 20-byte entries
            out.write(b"%d %d\n" % (run[0], len(run)))
            out.write(b"".join(b"%010d 00000 n\r\n" % offsets[n] for n in run))
        # The file's permanent identifier stays; the second changes with the content (§14.4).
        second = hashlib.md5(out.getvalue()).hexdigest().encode()
        out.write(b"trailer\n<< /Size %d /Root %d 0 R " % (self.size, root))
        if info is not None:
            out.write(b"/Info %d 0 R " % info)
        out.write(b"/ID [<%s> <%s>] /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
                  % (first_id.hex().encode(), second, prev, xref))
        return out.getvalue()

    def write_object(self, obj, out) -> None:
        if isinstance(obj, IndirectObject):
            out.write(b"%d 0 R" % self.number_of(obj))
        elif isinstance(obj, StreamObject):
            data = _raw_stream_data(obj)
            entries = {k: v for k, v in obj.items() if k != "/Length"}
            entries["/Length"] = len(data)
            self._write_dict(entries, out)
            out.write(b"\nstream\n" + data + b"\nendstream")
        elif isinstance(obj, DictionaryObject):
            self._write_dict(obj, out)
        elif isinstance(obj, NameObject):
            out.write(_name(obj))
        elif isinstance(obj, ArrayObject) and all(isinstance(x, _PLAIN) for x in obj):
            obj.write_to_stream(out)  # e.g. a font's /Widths: nothing to renumber
        elif isinstance(obj, ArrayObject):
            out.write(b"[")
            for item in obj:
                out.write(b" ")
                self.write_object(item, out)
            out.write(b" ]")
        elif isinstance(obj, int) and not hasattr(obj, "write_to_stream"):
            out.write(b"%d" % obj)
        else:
            obj.write_to_stream(out)

    def _write_dict(self, entries, out) -> None:
        out.write(b"<<")
        for key, value in entries.items():
            out.write(b"\n" + _name(key) + b" ")
            self.write_object(value, out)
        out.write(b"\n>>")


def _form(page) -> StreamObject:
    """`page`'s content as a Form XObject with the page's resources and size (§8.10)."""
    contents = page.raw_get("/Contents")
    parts = [p.get_object() for p in (contents if isinstance(contents, ArrayObject) else [contents])]
    if len(parts) == 1 and isinstance(parts[0], StreamObject):
        content = parts[0]
        data = _raw_stream_data(content)  # still compressed: passed through as it is
        entries = {k: content.raw_get(k) for k in ("/Filter", "/DecodeParms") if k in content}
    else:
        data = zlib.compress(b"\n".join(p.get_data() for p in parts))
        entries = {"/Filter": NameObject("/FlateDecode")}
    form = StreamObject.initialize_from_dictionary({
        "__streamdata__": data,
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): page.mediabox,
        NameObject("/Resources"): page.raw_get("/Resources"),
        **{NameObject(k): v for k, v in entries.items()},
    })
    return form


@functools.lru_cache(maxsize=4096)
def _name(name: str) -> bytes:
    """A name as written in a PDF (escapes and all); the same few names recur in every update."""
    buffer = io.BytesIO()
    NameObject(name).write_to_stream(buffer)
    return buffer.getvalue()


def _stream(data: bytes) -> StreamObject:
    return StreamObject.initialize_from_dictionary({"__streamdata__": data})


def _resolved(obj) -> DictionaryObject:
    """A dictionary given directly or by reference, as a new direct dictionary (entries unresolved)."""
    obj = obj.get_object() if isinstance(obj, IndirectObject) else obj
    return DictionaryObject({key: obj.raw_get(key) for key in obj})


def _raw_stream_data(stream: StreamObject) -> bytes:
    """A stream's bytes as stored (still encoded). pypdf has no public accessor for them; its
    public write_to_stream writes '<<dict>>\\nstream\\n' + the bytes + '\\nendstream' (§7.3.8),
    and a serialised dictionary cannot hold a raw newline (pypdf escapes it in strings and names)."""
    buffer = io.BytesIO()
    stream.write_to_stream(buffer)
    text = buffer.getvalue()
    start = text.index(b"\nstream\n") + len(b"\nstream\n")
    return text[start: -len(b"\nendstream")]


def shared_prefix(pdf: bytes) -> bytes | None:
    """The shared guide's bytes at the start of a reader's file, or None for a file in one piece."""
    end = pdf.find(b"%%EOF")
    if end < 0:
        return None
    end += len(b"%%EOF")
    end += 2 if pdf[end:end + 2] == b"\r\n" else 1 if pdf[end:end + 1] in (b"\n", b"\r") else 0
    return pdf[:end] if pdf[end:].strip() else None


def _startxref(pdf: bytes) -> int:
    match = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf[-64:])
    if not match or not pdf[int(match.group(1)):].startswith(b"xref"):
        raise ValueError("the shared guide must end with a classic cross-reference table")
    return int(match.group(1))
