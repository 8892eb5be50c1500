"""Batch benchmark: N personalised demo guides from a CSV in one command, --jobs 1 and --jobs 2.

Reports guides per second (wall time of the whole command, start to exit) and the peak memory of
every process of the batch (the parent and each worker), read from /proc/<pid>/status (VmHWM) while
it runs, at 100 and at 1,000 guides to show memory stays flat. Linux only (for /proc).

Usage:  python benchmarks/bench_batch.py [--counts 100,1000] [--jobs 1,2] [--json out.json]
Target (issue 5): at least 150 guides per second with --jobs 2; peak memory per worker < 200 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS  # noqa: E402



def descendants(pid: int) -> list[int]:
    out, stack = [], [pid]
    while stack:
        parent = stack.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            out.append(child)
            stack.append(child)
    return out


def peak_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_batch(csv_path: Path, out: Path, jobs: int, env: dict, root: list[str]) -> dict:
    cmd = [*HANDOUTS, *root, "batch", "guide", "back-pain-tips", "--recipients", str(csv_path), "--out", str(out),
           "--jobs", str(jobs)]
    peaks: dict[int, int] = {}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        for pid in [proc.pid, *descendants(proc.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), peak_kb(pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}): {proc.stderr.read()}")
    count = len(list(out.glob("*.pdf")))
    parent = peaks.pop(proc.pid, 0)
    return {"jobs": jobs, "guides": count, "seconds": round(elapsed, 2),
            "guides_per_second": round(count / elapsed, 1),
            "peak_mb_parent": round(parent / 1024, 1),
            "peak_mb_per_worker": round(max(peaks.values(), default=parent) / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,1000")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--root", help="clinic folder (default: the bundled demo)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HANDOUTS_CACHE=str(Path(tmp) / "cache"))
        root = ["--root", args.root] if args.root else []
        for count in map(int, args.counts.split(",")):
            csv_path = Path(tmp) / f"leads-{count}.csv"
            with open(csv_path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["name", "email"])
                writer.writerows((f"Reader {i:05d} Gómez", f"reader{i}@example.com") for i in range(count))
            for jobs in map(int, args.jobs.split(",")):
                out = Path(tmp) / f"out-{count}-{jobs}"
                result = run_batch(csv_path, out, jobs, env, root)
                results.append(result)
                print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
