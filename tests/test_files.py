"""files.write_atomic: private, atomic, never replaces silently, cleans up after killed runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from handouts import files
from handouts.errors import EXIT_CANTCREAT, OutputError


@pytest.fixture
def open_umask():
    previous = os.umask(0o000)
    try:
        yield
    finally:
        os.umask(previous)


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.TEMP_PREFIX))


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    pid = proc.pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return pid
    pytest.skip("pid was reused at once")


def test_file_is_0600_even_with_umask_000(tmp_path, open_umask):
    target = tmp_path / "out.pdf"
    files.write_atomic(target, b"%PDF-1.4 data")
    assert target.read_bytes() == b"%PDF-1.4 data"
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert temps(tmp_path) == []


def test_new_folder_is_0700_even_with_umask_000(tmp_path, open_umask):
    """Every folder created for the output is private, not only the last one (Path.mkdir(parents=True)
    gives the intermediate folders the default mode, which is 0777 under umask 000)."""
    target = tmp_path / "a" / "b" / "out.pdf"
    files.write_atomic(target, b"x")
    assert os.stat(tmp_path / "a" / "b").st_mode & 0o777 == 0o700
    assert os.stat(tmp_path / "a").st_mode & 0o777 == 0o700
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_overwrite_with_umask_000_stays_0600(tmp_path, open_umask):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    os.chmod(target, 0o666)
    files.write_atomic(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_refuses_to_overwrite(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with pytest.raises(OutputError) as info:
        files.write_atomic(target, b"new")
    assert info.value.exit_code == EXIT_CANTCREAT == 73
    assert "--overwrite" in str(info.value)
    assert target.read_bytes() == b"old"
    assert temps(tmp_path) == []


def test_replaces_with_overwrite(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    files.write_atomic(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"
    assert temps(tmp_path) == []


def test_refuses_to_overwrite_a_dangling_symlink(tmp_path):
    """A link at the output path is 'something there': never written through, never replaced silently."""
    target = tmp_path / "out.pdf"
    elsewhere = tmp_path / "elsewhere.pdf"
    os.symlink(elsewhere, target)
    with pytest.raises(OutputError):
        files.write_atomic(target, b"new")
    assert not elsewhere.exists()


def test_stale_temp_from_dead_pid_is_removed_on_next_write(tmp_path):
    stale = tmp_path / f"{files.TEMP_PREFIX}{dead_pid()}-abc123{files.TEMP_SUFFIX}"
    stale.write_bytes(b"half a pdf")
    files.write_atomic(tmp_path / "out.pdf", b"x")
    assert not stale.exists()
    assert temps(tmp_path) == []


def test_temp_from_live_pid_is_kept(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = tmp_path / f"{files.TEMP_PREFIX}{sleeper.pid}-abc123{files.TEMP_SUFFIX}"
        live.write_bytes(b"being written")
        files.write_atomic(tmp_path / "out.pdf", b"x")
        assert live.exists() and live.read_bytes() == b"being written"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_own_pid_temp_is_kept(tmp_path):
    mine = tmp_path / f"{files.TEMP_PREFIX}{os.getpid()}-zzz{files.TEMP_SUFFIX}"
    mine.write_bytes(b"in progress")
    files.write_atomic(tmp_path / "out.pdf", b"x")
    assert mine.exists()


@pytest.mark.parametrize("name", [
    "notes.tmp", f"{files.TEMP_PREFIX}abc-1{files.TEMP_SUFFIX}", f"{files.TEMP_PREFIX}123-1.pdf", "other-123.tmp",
])
def test_other_files_are_never_removed(tmp_path, name):
    other = tmp_path / name
    other.write_bytes(b"keep me")
    files.write_atomic(tmp_path / "out.pdf", b"x")
    assert other.exists()


def test_clean_stale_temps_counts(tmp_path):
    pid = dead_pid()
    for i in range(3):
        (tmp_path / f"{files.TEMP_PREFIX}{pid}-{i}{files.TEMP_SUFFIX}").write_bytes(b"")
    assert files.clean_stale_temps(tmp_path) == 3
    assert files.clean_stale_temps(tmp_path / "missing") == 0


def test_unwritable_folder_is_output_error(tmp_path, monkeypatch):
    """(Simulated: the suite may run as root, which can write into a 0500 folder.)"""
    import errno

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    with pytest.raises(OutputError) as info:
        files.write_atomic(tmp_path / "out.pdf", b"x")
    assert info.value.exit_code == 73
    assert "Permission denied" in str(info.value)
    assert not (tmp_path / "out.pdf").exists()


def test_folder_that_is_a_file_is_output_error(tmp_path):
    (tmp_path / "blocker").write_text("x")
    with pytest.raises(OutputError) as info:
        files.write_atomic(tmp_path / "blocker" / "out.pdf", b"x")
    assert info.value.exit_code == 73


def test_disk_full_leaves_no_temp_and_old_file_intact(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OutputError) as info:
        files.write_atomic(target, b"new", overwrite=True)
    assert "no space left" in str(info.value).lower()
    assert info.value.exit_code == 73
    assert target.read_bytes() == b"old"
    assert temps(tmp_path) == []


@pytest.mark.parametrize("code", ["EPERM", "EXDEV", "EOPNOTSUPP"])
def test_writes_where_hard_links_are_not_supported(tmp_path, monkeypatch, code):
    """FAT/exFAT USB sticks and some network shares have no hard links: every write without
    --overwrite used to fail there ('Operation not permitted'). It still never replaces a file."""
    import errno

    def no_links(src, dst, *args, **kwargs):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

    monkeypatch.setattr(files.os, "link", no_links)
    target = tmp_path / "out" / "h.pdf"
    files.write_atomic(target, b"%PDF-first")
    assert target.read_bytes() == b"%PDF-first" and (target.stat().st_mode & 0o777) == 0o600
    with pytest.raises(OutputError, match="already exists"):
        files.write_atomic(target, b"%PDF-second")
    assert target.read_bytes() == b"%PDF-first"
    assert [p.name for p in target.parent.iterdir()] == ["h.pdf"]  # no temp file left
