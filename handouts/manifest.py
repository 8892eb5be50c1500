"""Manifest: the CSV record of a batch, one line per row built or failed. Batch writes it; mail reads
it to find each row's PDF (the addresses stay in the recipient list). Knows nothing of how PDFs are
made or sent.

Lines are appended and flushed one by one, so a batch killed at any point leaves a manifest that
says exactly which rows were built; a line cut short by the kill is skipped when read.
"""

from __future__ import annotations

import csv
import errno
import os
from pathlib import Path

from handouts.errors import OutputError
from handouts.load.recipients import neutralise

# recipient: the row's fingerprint (load/fingerprint.py), so `email` sends each PDF only to its person;
# pdf_sha256: the PDF as built, so a file replaced, swapped or half-renamed afterwards is never sent
FIELDS = ("row", "id", "file", "status", "input_hash", "message", "recipient", "pdf_sha256")


def read(path: Path) -> dict[int, dict]:
    """The last entry recorded for each row."""
    entries: dict[int, dict] = {}
    if not path.is_file():
        return entries
    with open(path, newline="", encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            extra = record.pop(None, None) or []  # rows appended to a manifest from before a column existed
            for name, value in zip((f for f in FIELDS if f not in record), extra):
                record[name] = value
            try:
                entries[int(record["row"])] = record
            except (KeyError, TypeError, ValueError):
                continue  # a line cut short by a kill
    return entries


def cannot_write(where: Path, exc: OSError) -> OutputError:
    """A full disk or a read-only folder stops the whole batch (exit 73): every row would fail alike."""
    reason = "no space left on the disk" if exc.errno == errno.ENOSPC else (exc.strerror or type(exc).__name__)
    return OutputError(f"cannot write in {where}: {reason}; rows built so far are kept, run again to continue")


class Writer:
    """Appends one line per row to a manifest (created 0600 with its header)."""

    def __init__(self, path: Path):
        try:
            new = not path.exists() or path.stat().st_size == 0
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.fh = os.fdopen(fd, "a", newline="", encoding="utf-8")
            if not new:
                self.fh.write("\n")  # a line cut short by a kill must not swallow the next one
            self.writer = csv.writer(self.fh)
            if new:
                self.writer.writerow(FIELDS)
                self.fh.flush()
        except OSError as exc:
            raise cannot_write(path.parent, exc) from None
        self.path = path

    def record(self, row: int, row_id: str, file: str, status: str, input_hash: str, message: str = "",
               recipient: str = "", pdf_sha256: str = "") -> None:
        """`recipient`: the row's fingerprint (load/fingerprint.py); `pdf_sha256`: the PDF's SHA-256."""
        cells = (str(row), row_id, file, status, input_hash, message, recipient, pdf_sha256)
        try:
            self.writer.writerow([neutralise(c) for c in cells])
            self.fh.flush()  # in the kernel before the rename: a killed process loses nothing
        except OSError as exc:
            raise cannot_write(self.path.parent, exc) from None

    def close(self) -> None:
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
        except OSError as exc:
            raise cannot_write(self.path.parent, exc) from None
        finally:
            try:
                self.fh.close()
            except OSError:
                pass




def file_sha256(path: Path) -> str:
    """The SHA-256 of a file ('' when it cannot be read)."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
