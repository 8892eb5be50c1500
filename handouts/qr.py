"""QR codes: a URL -> its module matrix (rows of 0/1), cached on disk.

segno does the encoding. Choosing the best mask costs a few milliseconds per code, a noticeable part
of a one-second handout, and the matrix for a URL never changes, so it is kept in the cache folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from handouts import cache

Matrix = tuple[tuple[int, ...], ...]


def matrix(url: str, folder: Path | None = None) -> Matrix:
    key = hashlib.sha256(("qr1:m:" + url).encode()).hexdigest()[:32]
    path = (folder or cache.root() / "qr") / f"{key}.qr"
    try:
        return tuple(tuple(int(c) for c in line) for line in path.read_text().split())
    except (OSError, ValueError):
        pass
    import segno

    rows = tuple(tuple(int(bool(v)) for v in row) for row in segno.make(url, error="m", micro=False).matrix)
    cache.write(path, "\n".join("".join(map(str, row)) for row in rows).encode())
    return rows
