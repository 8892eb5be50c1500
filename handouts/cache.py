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
    """Store `data` at `path` atomically and durably (folders 0700, files 0600, whatever the umask;
    a temp file in the same folder, fsync, rename): a reader never finds half an entry, even after a
    crash. Temp files of killed processes are removed on the next write. False if it could not be."""
    from handouts.errors import OutputError
    from handouts.files import TEMP_PREFIX, TEMP_SUFFIX, clean_stale_temps, make_private_folder

    tmp = None
    try:
        make_private_folder(path.parent)
        clean_stale_temps(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return True
    except (OSError, OutputError):
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False
