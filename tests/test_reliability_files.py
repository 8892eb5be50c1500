"""Catalogue §5 rows 57-60 and 65 (files: atomic writes, no silent overwrite, private modes, disk
full, determinism) and the audit of every writer in handouts/: routine and guide -o, batch files and
manifest, init, the image, QR and font caches. (.eml drafts and the send journal: see
test_reliability_smtp.py.)

Already covered elsewhere (referenced, not repeated): files.write_atomic unit behaviour
(test_files.py: 0600/0700 under umask 000, refuse without --overwrite, dangling links, stale temps of
dead and live writers, permission denied, ENOSPC at fsync), one SIGKILL-and-resume batch
(test_batch.py::test_sigkill_mid_batch_then_rerun_finishes_without_rebuilding), routine determinism
in-process and in one fresh process (test_routine_pdf.py::test_second_build_is_byte_identical,
::test_fresh_process_with_other_hash_seed_tz_and_lang_is_byte_identical), guide determinism
in-process (test_guide.py::test_guide_is_deterministic).

The 100-kill run is benchmarks/kill_test.py; a 10-kill version runs here.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, explain, run
from reliability_support import SENTINEL, output_folder, refused, snapshot

from handouts import files
from handouts.files import TEMP_PREFIX, TEMP_SUFFIX

EXIT_CANTCREAT = 73


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX) or p.name.startswith(".tmp-"))


def write_rows(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


# -- stale temp files: cleaned by the next run ------------------------------------------------------------

def test_batch_removes_temps_of_a_writer_that_was_still_exiting_when_it_started(clinic, tmp_path):
    """A killed batch's workers may still be exiting when the next run starts: their temp files
    survived that run (found as a flaky 'stray temp files' in test_batch.py). They are now removed
    at the end of the run too."""
    from handouts import batch, recipients

    out = tmp_path / "out"
    out.mkdir()
    writer = sleeper()
    stale = out / f"{TEMP_PREFIX}{writer.pid}-half{TEMP_SUFFIX}"
    stale.write_bytes(b"%PDF-1.4 half")
    people = recipients.read(write_rows(tmp_path / "l.csv", ["name"], [["Ann"], ["Bo"]]))
    plan = batch.plan("guide", "back-pain-tips", clinic, people, out, required=("name",),
                      allowed=("name",) + batch.EXTRA_COLUMNS, template="g-{row}.pdf", settings={})

    def progress(done, total):  # the writer dies while this run is under way
        writer.kill()
        writer.wait()

    try:
        summary = batch.run(plan, clinic, {}, jobs=1, on_progress=progress)
    finally:
        writer.kill()
        writer.wait()
    assert summary.built == 2
    assert temps(out) == [], "a dead writer's temp file outlived the run"


def test_init_is_all_or_nothing(tmp_path, monkeypatch):
    """`init` copies into a temp folder and renames it into place: a run stopped half way leaves no
    half-made clinic folder (which the next `init` would refuse as 'not empty'), and its temp folder
    is removed by the next run."""
    import shutil

    real = shutil.copytree
    calls = []

    def dies_on_second_part(src, dst, *args, **kwargs):
        if Path(dst).parent.name.startswith(TEMP_PREFIX):  # content/, then images/ (not sub-folders)
            calls.append(dst)
        if len(calls) == 2 and Path(dst).name == "images":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *args, **kwargs)

    target = tmp_path / "clinic"
    monkeypatch.setattr(shutil, "copytree", dies_on_second_part)
    refused(run(["init", target]), EXIT_CANTCREAT, r"cannot create .*clinic: No space left on device")
    assert not target.exists() and temps(tmp_path) == []
    monkeypatch.setattr(shutil, "copytree", real)
    # A temp folder left by a killed init (its process is gone) is removed by the next init.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    left = tmp_path / f"{TEMP_PREFIX}{dead}-abc{TEMP_SUFFIX}"
    (left / "content").mkdir(parents=True)
    result = run(["init", target])
    assert result.exit_code == 0, explain(result)
    assert (target / "content" / "clinic.yaml").is_file() and (target / "images").is_dir()
    assert temps(tmp_path) == []
    assert run(["--root", target, "check"]).exit_code == 0


def test_init_into_an_existing_non_empty_folder_changes_nothing(tmp_path):
    target = tmp_path / "clinic"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    before = snapshot(target)
    refused(run(["init", target]), EXIT_CANTCREAT, r"already exists and is not empty", target, before)


# -- the caches: atomic, durable, private, self-cleaning ------------------------------------------------------

def test_cache_entries_are_private_and_durable_whatever_the_umask(tmp_path, monkeypatch):
    from handouts import cache

    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    previous = os.umask(0)
    try:
        assert cache.write(tmp_path / "c" / "qr" / "x.qr", b"data")
    finally:
        os.umask(previous)
    assert (tmp_path / "c" / "qr" / "x.qr").read_bytes() == b"data"
    assert synced, "a cache entry was renamed into place without fsync"
    for folder in (tmp_path / "c", tmp_path / "c" / "qr"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert (tmp_path / "c" / "qr" / "x.qr").stat().st_mode & 0o777 == 0o600
    assert temps(tmp_path) == []


def test_cache_temp_files_of_killed_writers_are_removed(tmp_path):
    from handouts import cache

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    folder = tmp_path / "images"
    folder.mkdir()
    stale = folder / f"{TEMP_PREFIX}{gone}-x{TEMP_SUFFIX}"
    stale.write_bytes(b"half a png")
    assert cache.write(folder / "a.png", b"png")
    assert not stale.exists()


def test_a_damaged_qr_cache_entry_is_rebuilt_not_printed(tmp_path):
    """A QR matrix file cut short (a torn write, a disk error) used to be read back as a smaller
    matrix and printed as a QR code that does not scan."""
    from handouts import qr

    url = "https://brightwater-pt.example.com/videos/bridge"
    good = qr.matrix(url, tmp_path)
    (entry,) = tmp_path.glob("*.qr")
    entry.write_text(entry.read_text()[: len(entry.read_text()) // 2])
    assert qr.matrix(url, tmp_path) == good
    entry.write_text("\n".join("2" * len(good) for _ in good))
    assert qr.matrix(url, tmp_path) == good
