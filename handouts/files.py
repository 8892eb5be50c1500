"""Files: atomic, private writes. A reader never sees half a PDF, and nothing is replaced silently.

Recipe: a temp file in the target folder (mkstemp creates it 0600 whatever the umask), write, fsync,
then link (no overwrite) or os.replace (overwrite), then fsync the folder. A temp file left by a
killed run is named after its process and removed by the next run once that process is gone.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from handouts.errors import OutputError

TEMP_PREFIX = ".handouts-"
TEMP_SUFFIX = ".tmp"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_temps(folder: Path) -> int:
    """Remove temp files in `folder` whose writing process no longer exists; return how many."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
            continue
        pid_text = name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            try:
                os.unlink(folder / name)
                removed += 1
            except OSError:
                pass
    return removed


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700, whatever the umask."""
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700)
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
    except FileExistsError:
        pass
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {exc.strerror}") from None


def write_atomic(path: Path, data: bytes, *, overwrite: bool = False, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically with permissions `mode`. Raises OutputError."""
    folder = path.parent if str(path.parent) else Path(".")
    make_private_folder(folder)
    clean_stale_temps(folder)
    if path.exists() and not overwrite:
        raise OutputError(f"{path} already exists; use --overwrite to replace it")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the file appeared meanwhile: never replace silently
            finally:
                os.unlink(tmp)
        _fsync_folder(folder)
    except FileExistsError:
        raise OutputError(f"{path} already exists; use --overwrite to replace it") from None
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        reason = "no space left on the disk" if exc.errno == errno.ENOSPC else exc.strerror
        raise OutputError(f"cannot write {path}: {reason}") from None


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
