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

import re

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, explain, run
from reliability_support import SENTINEL, output_folder, refused, snapshot, write_rows

from handouts import files
from handouts.files import TEMP_PREFIX, TEMP_SUFFIX

EXIT_CANTCREAT = 73


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX) or p.name.startswith(".tmp-"))


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


# -- stale temp files: cleaned by the next run ------------------------------------------------------------

def test_batch_removes_temps_of_a_writer_that_was_still_exiting_when_it_started(clinic, tmp_path):
    """A killed batch's workers may still be exiting when the next run starts: their temp files
    survived that run (found as a flaky 'stray temp files' in test_batch.py). They are now removed
    at the end of the run too."""
    from handouts import batch
    from handouts.batch_kinds import EXTRA_COLUMNS
    from handouts.load import recipients

    out = tmp_path / "out"
    out.mkdir()
    writer = sleeper()
    stale = out / f"{TEMP_PREFIX}{writer.pid}-half{TEMP_SUFFIX}"
    stale.write_bytes(b"%PDF-1.4 half")
    people = recipients.read(write_rows(tmp_path / "l.csv", ["name"], [["Ann"], ["Bo"]]))
    plan = batch.plan("guide", "back-pain-tips", clinic, people, out, required=("name",),
                      allowed=("name",) + EXTRA_COLUMNS, template="g-{row}.pdf", settings={})

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


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc")
def test_temps_of_a_killed_but_unreaped_writer_are_removed(tmp_path):
    """A SIGKILLed writer stays a zombie until it is reaped (in a container, init may take a second
    or more): os.kill(pid, 0) still succeeds, so its temp files were kept as a live writer's, and
    the kill test found them after the next run."""
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.time() + 10
    while open(f"/proc/{zombie.pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.time() < deadline
        time.sleep(0.01)
    try:
        stale = tmp_path / f"{TEMP_PREFIX}{zombie.pid}-x{TEMP_SUFFIX}"
        stale.write_bytes(b"half")
        assert files.clean_stale_temps(tmp_path) == 1 and not stale.exists()
    finally:
        zombie.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc")
def test_temps_of_a_pid_now_used_by_a_newer_process_are_removed(tmp_path):
    newer = sleeper()
    try:
        stale = tmp_path / f"{TEMP_PREFIX}{newer.pid}-x{TEMP_SUFFIX}"
        stale.write_bytes(b"half")
        os.utime(stale, (time.time() - 3600, time.time() - 3600))  # written an hour before it started
        assert files.clean_stale_temps(tmp_path) == 1
        mine = tmp_path / f"{TEMP_PREFIX}{newer.pid}-y{TEMP_SUFFIX}"
        mine.write_bytes(b"being written")  # written by the live process: kept
        assert files.clean_stale_temps(tmp_path) == 0 and mine.exists()
    finally:
        newer.kill()
        newer.wait()


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


def test_init_names_the_reason_when_some_files_could_not_be_copied(tmp_path, monkeypatch):
    """shutil.copytree reports a partial copy as shutil.Error, an OSError without strerror: the
    message used to end in ': None'."""
    import shutil

    def partial(src, dst, *args, **kwargs):
        raise shutil.Error([(str(src), str(dst), "[Errno 5] Input/output error")])

    monkeypatch.setattr(shutil, "copytree", partial)
    result = run(["init", tmp_path / "clinic"])
    refused(result, EXIT_CANTCREAT, r"cannot create .*clinic: some files could not be copied$")
    assert not (tmp_path / "clinic").exists() and temps(tmp_path) == []


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


# -- row 60: a full disk or a read-only folder: exit 73, one line, the old file intact ----------------------------

def _disk_full(monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)


@pytest.mark.parametrize("command", ["routine", "guide"])
def test_row_60_disk_full_keeps_the_old_file(clinic, tmp_path, monkeypatch, command):
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    args = (["routine", "--exercise", "bridge"] if command == "routine" else ["guide", "back-pain-tips", "--for", "Ann"])
    _disk_full(monkeypatch)
    result = run([*args, "-o", existing, "--overwrite"], clinic)
    monkeypatch.undo()
    refused(result, EXIT_CANTCREAT, r"^error: cannot write .*existing\.pdf: no space left on the disk$", folder, before)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_row_60_disk_full_stops_a_batch_with_73_not_a_traceback(clinic, tmp_path, monkeypatch, jobs):
    """Found by this suite: a full disk during a batch was a traceback (exit 1) and left a temp file."""
    leads = write_rows(tmp_path / "leads.csv", ["name"], [["Ann"], ["Bo"], ["Cy"]])
    out = tmp_path / "out"
    _disk_full(monkeypatch)
    result = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", jobs], clinic)
    monkeypatch.undo()
    refused(result, EXIT_CANTCREAT, r"^error: cannot write in .*out: no space left on the disk; rows built so far are "
            r"kept, run again to continue$")
    assert temps(out) == [] and not list(out.glob("*.pdf"))
    again = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", jobs], clinic)
    assert again.exit_code == 0 and len(list(out.glob("*.pdf"))) == 3, explain(again)


def test_row_60_a_read_only_output_folder_is_73(clinic, tmp_path, monkeypatch):
    """(Simulated: the suite may run as root, which writes into 0500 folders.)"""
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    leads = write_rows(tmp_path / "leads.csv", ["name"], [["Ann"]])
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    monkeypatch.setattr(os, "open", lambda *a, **k: denied())
    result = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", tmp_path / "out", "--jobs", "1"],
                 clinic)
    monkeypatch.undo()
    refused(result, EXIT_CANTCREAT, r"cannot write in .*out: Permission denied")


# -- row 58: an existing file is never replaced without --overwrite ------------------------------------------------

def test_row_58_guide_refuses_an_existing_file_without_overwrite(clinic, tmp_path):
    """(routine: test_routine_pdf.py::test_existing_output_is_not_replaced_without_overwrite)"""
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    refused(run(["guide", "back-pain-tips", "--for", "Ann", "-o", existing], clinic), EXIT_CANTCREAT,
            r"existing\.pdf already exists; use --overwrite to replace it", folder, before)
    result = run(["guide", "back-pain-tips", "--for", "Ann", "-o", existing, "--overwrite"], clinic)
    assert result.exit_code == 0 and existing.read_bytes() != SENTINEL


def test_row_58_a_batch_never_replaces_a_file_it_did_not_make(clinic, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    foreign = out / "back-pain-tips-00002.pdf"
    foreign.write_bytes(SENTINEL)
    leads = write_rows(tmp_path / "leads.csv", ["name"], [["Ann"], ["Bo"]])
    result = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"], clinic)
    assert result.exit_code == 75, explain(result)
    assert f"{leads}#row 2: back-pain-tips-00002.pdf already exists and was not made by this batch" in result.stderr
    assert foreign.read_bytes() == SENTINEL
    assert temps(out) == []


# -- row 59: private whatever the umask ---------------------------------------------------------------------------------

def test_row_59_every_output_is_0600_in_0700_folders_under_umask_000(clinic, tmp_path):
    """In a fresh process with umask 000: routine and guide outputs (and the folders made for them),
    a batch's PDFs, manifest and folder, and the caches."""
    script = f"""
import os, sys
os.umask(0)
from handouts.cli import main
for args in (["routine", "--exercise", "bridge", "-o", "a/b/h.pdf"], ["guide", "back-pain-tips", "--for", "Ann", "-o", "g/g.pdf"],
             ["batch", "routine", "--program", "core-activation", "--recipients", "p.csv", "--out", "batch/out", "--jobs", "2"]):
    try:
        main(["--root", {str(clinic)!r}, *args])
    except SystemExit as exc:
        assert exc.code in (0, None), (args, exc.code)
"""
    write_rows(tmp_path / "p.csv", ["patient", "date"], [["Ann", "2026-11-21"], ["Bo", "2026-11-21"]])
    env = dict(os.environ, HANDOUTS_CACHE=str(tmp_path / "cache" / "handouts"))
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    made = [p for p in tmp_path.rglob("*") if p.name != "p.csv" and tmp_path / "cache" != p]
    files_ = [p for p in made if p.is_file()]
    folders = [p for p in made if p.is_dir()]
    assert len([p for p in files_ if p.suffix == ".pdf"]) == 4 and (tmp_path / "batch" / "out" / "manifest.csv").exists()
    for path in files_:
        assert path.stat().st_mode & 0o777 == 0o600, f"{path.relative_to(tmp_path)} is {oct(path.stat().st_mode & 0o777)}"
    for path in folders:
        assert path.stat().st_mode & 0o777 == 0o700, f"{path.relative_to(tmp_path)}/ is {oct(path.stat().st_mode & 0o777)}"


# -- row 57: SIGKILL while PDFs are written ------------------------------------------------------------------------

sys.path.insert(0, str(REPO / "benchmarks"))
import kill_test  # noqa: E402


def test_row_57_ten_sigkills_mid_write_leave_only_complete_pdfs(clinic, tmp_path):
    """10 SIGKILLs of the whole process group at random moments of a 10-row `batch routine --jobs 2`
    (every other run with --force) and of `routine -o --overwrite`: every PDF at its final name opens
    with the full page count after every kill; the next runs finish, and no temp file is left.
    The 100-kill run: benchmarks/kill_test.py (or HANDOUTS_SLOW=1, the test below)."""
    figures = kill_test.run_kill_test(kills=10, rows=10, seed=11, workdir=tmp_path, root=clinic, log=lambda m: None)
    assert kill_test.passed(figures), figures
    assert figures["kills"] == 10 and figures["kills_after_some_output"] >= 1, figures


@pytest.mark.slow
def test_row_57_hundred_sigkills_while_50_pdfs_are_written(clinic, tmp_path):
    figures = kill_test.run_kill_test(kills=100, rows=50, seed=7, workdir=tmp_path, root=clinic, log=lambda m: None)
    assert kill_test.passed(figures), figures


# -- row 65: byte-identical across processes, hash seeds, time zones and locales -------------------------------------

DETERMINISM_SCRIPT = """
import hashlib, json, os, sys
from pathlib import Path
from handouts.cli import main
root = sys.argv[1]
for args in (["routine", "--program", "core-activation", "--patient", "Zoë Ñúñez", "--note", "Walk daily.",
              "--therapist", "jordan-lee", "--date", "2026-11-21", "-o", "routine.pdf"],
             ["routine", "--program", "core-activation", "--patient", "Zoë Ñúñez", "--date", "2026-11-21"],
             ["guide", "back-pain-tips", "--for", "Zoë Ñúñez", "-o", "guide.pdf"],
             ["batch", "routine", "--program", "core-activation", "--recipients", "patients.csv", "--out", "br",
              "--jobs", "2"],
             ["batch", "guide", "back-pain-tips", "--recipients", "leads.csv", "--out", "bg", "--jobs", "2"]):
    try:
        main(["--root", root, *args])
    except SystemExit as exc:
        assert exc.code in (0, None), (args, exc.code)
out = {}
for path in sorted(Path(".").rglob("*.pdf")):
    out[path.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
print(json.dumps(out))
"""

QUICK_VARIANTS = [("1", "UTC", "C"), ("2", "America/New_York", "de_DE.UTF-8"), ("3", "Asia/Tokyo", "C.UTF-8")]
ALL_VARIANTS = [(s, tz, lang) for s in ("1", "2", "3") for tz in ("UTC", "America/New_York", "Asia/Tokyo")
                for lang in ("C", "de_DE.UTF-8")]


def _determinism(clinic: Path, tmp_path: Path, variants) -> dict:
    procs = []
    for n, (seed, tz, lang) in enumerate(variants):
        work = tmp_path / f"run-{n}"
        work.mkdir()
        write_rows(work / "patients.csv", ["patient", "date", "note", "therapist"],
                   [["Zoë Ñúñez", "2026-11-21", "Walk daily.", "jordan-lee"], ["Ann Lee", "2026-11-22", "", ""]])
        write_rows(work / "leads.csv", ["name"], [["Zoë Ñúñez"], ["Ann Lee"]])
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz, LANG=lang, LC_ALL=lang,
                   HANDOUTS_CACHE=str(work / "cache"))
        env.pop("HANDOUTS_ROOT", None)
        procs.append(((seed, tz, lang), subprocess.Popen([sys.executable, "-c", DETERMINISM_SCRIPT, str(clinic)],
                                                         cwd=work, env=env, stdout=subprocess.PIPE,
                                                         stderr=subprocess.PIPE, text=True)))
        if len(procs) % 2 == 0:  # two at a time on two cores
            procs[-2][1].wait()
    results = {}
    import json

    for variant, proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, (variant, stderr[-2000:])
        results[variant] = json.loads(stdout.strip().splitlines()[-1])  # after the "wrote ..." lines
    return results


def _assert_identical(results: dict) -> None:
    # The default file name has a random part (a hash of the visit would let someone confirm a
    # guessed patient); the bytes behind it must still be identical.
    results = {variant: {re.sub(r"^(handout-2026-11-21-)[0-9a-f]{8}(\.pdf)$", r"\1RANDOM\2", name): digest
                         for name, digest in hashes.items()} for variant, hashes in results.items()}
    (first_variant, first), *rest = results.items()
    assert len(first) == 7, first  # routine, default-named routine, guide, 2 + 2 batch files
    assert any(name.startswith("handout-2026-11-21-") for name in first), "default name missing"
    for variant, hashes in rest:
        assert hashes == first, f"{variant} differs from {first_variant}:\n{hashes}\n{first}"


def test_row_65_same_bytes_across_hash_seeds_time_zones_and_locales(clinic, tmp_path):
    """Routine (named and default-named: the name is the same too), guide, and batch files of both
    kinds, in 3 fresh processes (each with a cold image cache) that between them use every hash
    seed 1/2/3, every time zone UTC/New York/Tokyo and both LANG C and de_DE.UTF-8: one sha256 per
    file. The full 18-combination matrix: HANDOUTS_SLOW=1."""
    _assert_identical(_determinism(clinic, tmp_path, QUICK_VARIANTS))


@pytest.mark.slow
def test_row_65_full_matrix_of_seeds_zones_and_locales(clinic, tmp_path):
    _assert_identical(_determinism(clinic, tmp_path, ALL_VARIANTS))
