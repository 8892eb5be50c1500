"""The on-disk cache: prepared images, QR matrices and resolved font paths.

Everything here can be rebuilt from the content; entries are written atomically (temp file and
rename), so concurrent processes race harmlessly to identical bytes. A cache that cannot be
written only costs time.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path


def root() -> Path:
    """$HANDOUTS_CACHE, else the platform's cache folder (platformdirs): $XDG_CACHE_HOME/handouts or
    ~/.cache/handouts on Linux, ~/Library/Caches/handouts on macOS, %LOCALAPPDATA%\\handouts\\Cache on
    Windows."""
    explicit = os.environ.get("HANDOUTS_CACHE")
    if explicit:
        return Path(explicit)
    env = os.environ
    return _platform_root(env.get("XDG_CACHE_HOME"), env.get("HOME"), env.get("LOCALAPPDATA"))


@functools.lru_cache(maxsize=4)
def _platform_root(*_environment) -> Path:
    """platformdirs' answer, asked once per environment (a build asks for the cache root often)."""
    from platformdirs import user_cache_path

    return user_cache_path("handouts", appauthor=False)


def write(path: Path, data: bytes) -> bool:
    """Store `data` at `path` atomically and durably (folders 0700, files 0600, whatever the umask;
    a temp file in the same folder, fsync, rename): a reader never finds half an entry, even after a
    crash. Temp files of killed processes are removed on the next write. False if it could not be."""
    from handouts.errors import OutputError
    from handouts.files import clean_stale_temps, durable_temp, make_private_folder

    try:
        make_private_folder(path.parent)
        clean_stale_temps(path.parent)
        os.replace(durable_temp(path.parent, data), path)
        return True
    except (OSError, OutputError):
        return False
