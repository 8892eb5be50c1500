"""QR codes: a URL -> its module matrix (rows of 0/1), cached on disk.

segno does the encoding. Choosing the best mask costs a few milliseconds per code, a noticeable part
of a one-second handout, and the matrix for a URL never changes, so it is kept in the cache folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from handouts import cache

Matrix = tuple[tuple[int, ...], ...]
QR_SIZES = frozenset(range(21, 178, 4))  # modules per side of QR versions 1 to 40


def matrix(url: str, folder: Path | None = None) -> Matrix:
    key = hashlib.sha256(("qr1:m:" + url).encode()).hexdigest()[:32]
    path = (folder or cache.root() / "qr") / f"{key}.qr"
    try:
        rows = tuple(tuple(int(c) for c in line) for line in path.read_text().split())
        # A damaged entry (cut short, edited) must never print as a QR code that does not scan.
        if len(rows) in QR_SIZES and all(len(row) == len(rows) and set(row) <= {0, 1} for row in rows):
            return rows
    except (OSError, ValueError):
        pass
    import segno

    rows = tuple(tuple(int(bool(v)) for v in row) for row in segno.make(url, error="m", micro=False).matrix)
    cache.write(path, "\n".join("".join(map(str, row)) for row in rows).encode())
    return rows
