"""The on-disk cache: prepared images, QR matrices and resolved font paths.

Everything here can be rebuilt from the content; entries are written atomically (temp file and
rename), so concurrent processes race harmlessly to identical bytes. A cache that cannot be
written only costs time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def root() -> Path:
    """$HANDOUTS_CACHE, else $XDG_CACHE_HOME/handouts, else ~/.cache/handouts."""
    explicit = os.environ.get("HANDOUTS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "handouts"


def write(path: Path, data: bytes) -> bool:
    """Store `data` at `path` atomically (folders 0700, files 0600); False if it could not be."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False
