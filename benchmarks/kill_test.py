"""Kill test (catalogue §5 row 57, §6 atomic writes): SIGKILL at random moments while PDFs are written.

Two loops, each run as real `handouts` processes in their own process group:

1. batch: `handouts batch routine --recipients <N patients> --out OUT --jobs 2` (every other run with
   --force, so files are being rewritten even when all rows are done), killed with SIGKILL sent to
   the whole process group (parent and workers, as an OOM kill or a power cut would) after a random
   delay drawn from 0 to 1.2x the time an undisturbed run takes.
2. single: `handouts routine ... -o OUT/single.pdf --overwrite`, killed the same way.

After every kill: every *.pdf at its final path must open in pypdf with the expected page count
(temp files may be left: they belong to the dead process). After the last kill, one undisturbed run
of each must finish with exit 0, every row built, and no temp file left anywhere.

Usage:  python benchmarks/kill_test.py [--kills 100] [--rows 50] [--seed 7] [--json out.json]
The test suite runs a short version (tests/test_reliability_files.py::test_row_57_*).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMP_PREFIX, TEMP_SUFFIX = ".handouts-", ".tmp"


def handouts_cmd() -> list[str]:
    script = Path(sys.executable).with_name("handouts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "handouts"]


def pages(path: Path) -> int | None:
    """Page count of a complete PDF, or None if it does not open."""
    import pypdf

    try:
        data = path.read_bytes()
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-64:]:
            return None
        return len(pypdf.PdfReader(io.BytesIO(data), strict=True).pages)
    except Exception:  # noqa: BLE001 - anything that does not open is a failure here
        return None


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)) if folder.exists() else []


def timed_run(cmd, env) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def kill_at(cmd, env, delay: float) -> tuple[bool, float]:
    """Start `cmd` in a new process group; SIGKILL the group after `delay` s unless it ended.
    Returns (killed, how long it had run)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        proc.wait(timeout=delay)
        return False, time.perf_counter() - start
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True, time.perf_counter() - start


def check_outputs(folder: Path, expected_pages: int) -> tuple[int, list[str]]:
    """(files checked, problems) for every PDF at its final name in `folder`."""
    problems, checked = [], 0
    for path in sorted(folder.glob("*.pdf")):
        checked += 1
        count = pages(path)
        if count != expected_pages:
            problems.append(f"{path.name}: {'does not open' if count is None else f'{count} pages'}")
    return checked, problems


def run_kill_test(kills: int = 100, rows: int = 50, seed: int = 7, workdir: Path | None = None,
                  root: Path = REPO, single_share: float = 0.2, log=print) -> dict:
    """Run both loops; `single_share` of the kills go to the single-file loop. Returns the figures."""
    rng = random.Random(seed)
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="kill-test-")) if own else workdir
    env = dict(os.environ, HANDOUTS_CACHE=str(work / "cache"))
    env.pop("HANDOUTS_ROOT", None)
    patients = work / "patients.csv"
    with open(patients, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["patient", "date", "note"])
        writer.writerows([f"Patient {n:03d} Zoë", "2026-11-21", f"Walk {n % 9 + 5} minutes a day."]
                         for n in range(1, rows + 1))
    out = work / "out"
    base = handouts_cmd() + ["--root", str(root)]
    batch = base + ["batch", "routine", "--program", "core-activation", "--recipients", str(patients),
                    "--out", str(out), "--jobs", "2"]
    single_out = work / "single"
    single = base + ["routine", "--program", "core-activation", "--patient", "Ann Lee", "--date", "2026-11-21",
                     "-o", str(single_out / "single.pdf"), "--overwrite"]

    # Reference: the page count, and how long undisturbed runs take (to spread the kill moments).
    reference = work / "reference.pdf"
    subprocess.run(base + ["routine", "--program", "core-activation", "--patient", "Patient 001 Zoë", "--date",
                           "2026-11-21", "--note", "Walk 6 minutes a day.", "-o", str(reference)],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    expected = pages(reference)
    batch_time = timed_run(batch + ["--force"], env)
    shutil.rmtree(out)
    single_time = timed_run(single, env)
    shutil.rmtree(single_out)
    log(f"undisturbed: batch of {rows} {batch_time:.2f} s, single {single_time:.2f} s; {expected} pages each")

    figures = {"kills": 0, "ended_before_kill": 0, "batch_kills": 0, "single_kills": 0, "files_checked": 0,
               "bad_files": [], "kills_with_temp_left": 0, "kills_after_some_output": 0, "rows": rows,
               "expected_pages": expected, "seed": seed}
    start = time.perf_counter()
    runs = 0
    while figures["kills"] < kills:
        runs += 1
        use_single = rng.random() < single_share
        if use_single:
            killed, ran = kill_at(single, env, rng.uniform(0, 1.2 * single_time))
            folder = single_out
        else:
            cmd = batch + (["--force"] if runs % 2 == 0 else [])
            killed, ran = kill_at(cmd, env, rng.uniform(0, 1.2 * batch_time))
            folder = out
        if not killed:
            figures["ended_before_kill"] += 1
            continue
        figures["kills"] += 1
        figures["single_kills" if use_single else "batch_kills"] += 1
        checked, bad = check_outputs(folder, expected)
        figures["files_checked"] += checked
        figures["bad_files"] += [f"kill {figures['kills']}: {b}" for b in bad]
        figures["kills_with_temp_left"] += bool(temps(folder))
        figures["kills_after_some_output"] += bool(checked)
        if figures["kills"] % 10 == 0:
            log(f"{figures['kills']} kills; {figures['files_checked']} files checked, {len(figures['bad_files'])} bad")

    # The next undisturbed runs finish the work and leave no temp file.
    final = subprocess.run(batch, env=env, capture_output=True, text=True)
    final_single = subprocess.run(single, env=env, capture_output=True, text=True)
    checked, bad = check_outputs(out, expected)
    figures.update(
        seconds=round(time.perf_counter() - start, 1),
        final_exit=final.returncode, final_single_exit=final_single.returncode,
        final_pdfs=checked, final_bad=bad, stray_temps_after_next_run=temps(out) + temps(single_out),
        manifest_rows_built=_built_rows(out / "manifest.csv"),
        single_ok=pages(single_out / "single.pdf") == expected,
    )
    if own:
        shutil.rmtree(work, ignore_errors=True)
    return figures


def _built_rows(manifest: Path) -> int:
    rows = {}
    with open(manifest, newline="", encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            if record.get("row", "").isdigit():
                rows[int(record["row"])] = record.get("status")
    return sum(1 for status in rows.values() if status == "built")


def passed(figures: dict) -> bool:
    return (not figures["bad_files"] and figures["final_exit"] == 0 and figures["final_single_exit"] == 0
            and figures["final_pdfs"] == figures["rows"] and not figures["final_bad"]
            and not figures["stray_temps_after_next_run"] and figures["manifest_rows_built"] == figures["rows"]
            and figures["single_ok"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = run_kill_test(args.kills, args.rows, args.seed, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    ok = passed(figures)
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
