"""Files: atomic, private writes. A reader never sees half a PDF, and nothing is replaced silently.

Recipe: a temp file in the target folder (mkstemp creates it 0600 whatever the umask), write, fsync,
then link (no overwrite) or os.replace (overwrite), then fsync the folder. A temp file left by a
killed run is named after its process and removed by the next run once that process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path

from handouts.errors import InputMissing, OutputError

TEMP_PREFIX = ".handouts-"
TEMP_SUFFIX = ".tmp"


def _writer_alive(pid: int, since: float) -> bool:
    """Whether process `pid` may still be writing a temp file last touched at `since` (epoch s).

    Asked through psutil, which answers the same way on Linux, macOS and Windows (os.kill(pid, 0)
    would terminate the process on Windows, and /proc exists only on Linux). A killed process that
    is not yet reaped (a zombie) writes nothing, so it counts as gone; so does a process that started
    after the file was last written: another process that got the same pid."""
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return proc.create_time() <= since + 1.0
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:  # e.g. access denied: someone else's live process
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
        path = folder / name
        try:
            touched = path.lstat().st_mtime
        except OSError:
            continue
        if pid_text.isdigit() and not _writer_alive(int(pid_text), touched):
            try:
                if path.is_dir() and not path.is_symlink():  # a half-made folder (install_folder)
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
                removed += 1
            except OSError:
                pass
    return removed


def exists(path: Path) -> bool:
    """Whether anything (a file, a folder, even a dangling link) is at `path`. Raises OutputError
    when that cannot be told, e.g. for a name longer than the file system allows (Path.exists()
    raises OSError there instead of answering)."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise OutputError(f"cannot use {_shown(path)}: {exc.strerror}") from None
    except ValueError:  # an embedded NUL character
        raise OutputError(f"cannot use {_shown(path)}: the name contains a NUL character") from None
    return True


def require_input_file(path: Path, what: str) -> None:
    """Raise InputMissing unless `path` is a readable file. A name the file system refuses (over
    255 bytes, a NUL) is reported, not raised as OSError from is_file()."""
    try:
        found = path.is_file()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "the name is not usable"
        raise InputMissing(f"{_shown(path)}: cannot read the {what} ({reason})") from None
    if not found:
        raise InputMissing(f"{_shown(path)}: {what} not found")


def _shown(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else text[:60] + "..." + text[-40:]


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700, whatever the umask."""
    missing = []
    probe = folder
    while not exists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700)
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
    except FileExistsError:
        pass
    except OSError as exc:
        raise OutputError(f"cannot create folder {_shown(folder)}: {exc.strerror}") from None


def durable_temp(folder: Path, data: bytes, mode: int = 0o600) -> Path:
    """`data` in a new temp file in `folder`, written, flushed and fsynced, with permissions `mode`:
    ready to be renamed into place. The one recipe every writer uses (files, the cache, batch rows).
    Raises OSError, leaving nothing behind."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode != 0o600:  # mkstemp makes 0600 files whatever the umask
            os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return Path(tmp)


def _discard(path: str | Path) -> None:
    """Remove a temp file of ours if it is still there (best effort: the next run cleans up too)."""
    with contextlib.suppress(OSError):
        os.unlink(path)


# Hard links are missing on FAT/exFAT (USB sticks) and some network shares.
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, getattr(errno, "ENOTSUP", -1),
             getattr(errno, "EOPNOTSUPP", -1)}


def _place_new(tmp: str | Path, path: Path) -> None:
    """Give the finished temp file its final name, never replacing a file that appeared meanwhile.
    Windows: a rename, which refuses an existing name. POSIX: a hard link (refused if the name
    exists); where the disk has no hard links (FAT, some shares), a rename after checking the name.
    The temp file never outlives a failure."""
    try:
        if os.name == "nt":
            os.rename(tmp, path)
            return
        try:
            os.link(tmp, path)
        except OSError as exc:
            if isinstance(exc, FileExistsError) or exc.errno not in _NO_LINKS:
                raise
            if exists(path):
                raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
            os.rename(tmp, path)
            return
    except BaseException:
        _discard(tmp)
        raise
    _discard(tmp)  # linked: the final name holds the file now


def write_atomic(path: Path, data: bytes, *, overwrite: bool = False, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically with permissions `mode`. Raises OutputError."""
    folder = path.parent if str(path.parent) else Path(".")
    make_private_folder(folder)
    clean_stale_temps(folder)
    if exists(path) and not overwrite:
        raise OutputError(f"{_shown(path)} already exists; use --overwrite to replace it")
    tmp = None
    try:
        tmp = durable_temp(folder, data, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
        _fsync_folder(folder)
    except FileExistsError:
        raise OutputError(f"{path} already exists; use --overwrite to replace it") from None
    except OSError as exc:
        if tmp is not None:
            _discard(tmp)
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"cannot write {_shown(path)}: no space left on the disk") from None
        if tmp is None:  # the temp file could not be made or written: the folder is the problem
            raise OutputError(f"cannot write in {folder}: {exc.strerror}") from None
        raise OutputError(f"cannot write {_shown(path)}: {exc.strerror}") from None


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


def install_folder(target: Path, parts: dict[str, Path]) -> None:
    """Create folder `target` holding a copy of each source folder in `parts` (name -> source), all
    at once: the copies are made in a temp folder beside `target` that is then renamed into place,
    so a run killed half way leaves no half-made folder (its temp folder is removed by the next
    run). `target` may exist if it is an empty folder. Raises OutputError."""
    parent = target.parent if str(target.parent) else Path(".")
    if exists(target) and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"{_shown(target)} already exists and is not empty; choose a new folder")
    make_private_folder(parent)
    clean_stale_temps(parent)
    try:
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=TEMP_SUFFIX))
    except OSError as exc:
        raise OutputError(f"cannot create {_shown(target)}: {exc.strerror}") from None
    try:
        for name, source in parts.items():
            shutil.copytree(source, tmp / name)
        emptied = os.name == "nt" and target.is_dir()  # Windows renames onto no existing folder, even empty
        if emptied:
            target.rmdir()  # (refused if something was put in it meanwhile)
        try:
            os.rename(tmp, target)  # replaces an empty folder; refuses a non-empty one
        except OSError:
            if emptied and not target.exists():
                target.mkdir()  # the user's folder, as it was
            raise
        _fsync_folder(parent)
    except OSError as exc:  # shutil.Error (some files not copied) is an OSError without strerror
        shutil.rmtree(tmp, ignore_errors=True)
        reason = exc.strerror or "some files could not be copied"
        raise OutputError(f"cannot create {_shown(target)}: {reason}") from None
