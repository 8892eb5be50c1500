"""QR codes: a URL -> its module matrix (rows of 0/1), cached on disk.

segno does the encoding. Choosing the best mask costs a few milliseconds per code, a noticeable part
of a one-second handout, and the matrix for a URL never changes, so it is kept in the cache folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

Matrix = tuple[tuple[int, ...], ...]


def matrix(url: str, cache: Path | None = None) -> Matrix:
    key = hashlib.sha256(("qr1:m:" + url).encode()).hexdigest()[:32]
    path = (cache or _default_cache()) / f"{key}.qr"
    try:
        return tuple(tuple(int(c) for c in line) for line in path.read_text().split())
    except (OSError, ValueError):
        pass
    import segno

    rows = tuple(tuple(int(bool(v)) for v in row) for row in segno.make(url, error="m", micro=False).matrix)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join("".join(map(str, row)) for row in rows))
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time
    return rows


def _default_cache() -> Path:
    from handouts.images import cache_dir

    return cache_dir().parent / "qr"
