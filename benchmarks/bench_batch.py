"""Batch benchmark: N personalised demo guides from a CSV in one command, --jobs 1 and --jobs 2.

Reports, for each count (100 and 1,000 by default) and each --jobs value, the median of --repeat runs:
- guides per second: wall time of the whole command, start to exit (start-up included);
- the copy-floor ratio: that time over the time of copying one finished guide the same number of
  times, measured in the same run right after it. Two floors: "copy" (shutil.copyfile, no fsync) and
  "durable copy" (temp file + fsync + rename, the same durability every batch file gets);
- peak memory of every process of the batch (the parent and each worker), read from
  /proc/<pid>/status (VmHWM) while it runs; Linux only (for /proc);
- disk bytes per guide: file size, and allocated blocks (st_blocks * 512);
- CPU seconds of the batch and its workers (user + system), and guides per CPU second: on a shared
  machine wall time depends on everyone else's load, CPU time much less.

Usage:  python benchmarks/bench_batch.py [--counts 100,1000] [--jobs 1,2] [--repeat 3] [--per-reader 100]
                                         [--json out.json]
Targets (issue 17): >= 400 guides/s with --jobs 2 on 1,000 guides, and at most 10x the copy floor;
peak memory per worker < 200 MB (issue 5).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS


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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # Run from the work folder: `python -m` puts the current folder first on sys.path, which would
    # otherwise pick the checkout we were started from instead of the one on PYTHONPATH.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            cwd=out.parent)
    while proc.poll() is None:
        for pid in [proc.pid, *descendants(proc.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), peak_kb(pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the batch and its workers (reaped by it)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}): {proc.stderr.read()}")
    files = list(out.glob("*.pdf"))
    parent = peaks.pop(proc.pid, 0)
    stats = [f.stat() for f in files]
    copy, durable = copy_floor(files[0], len(files), out.parent / "copies")
    return {"jobs": jobs, "guides": len(files), "seconds": elapsed,
            "guides_per_second": len(files) / elapsed,
            "cpu_seconds": cpu, "guides_per_cpu_second": len(files) / cpu,
            "copy_ratio": elapsed / copy, "durable_copy_ratio": elapsed / durable,
            "peak_mb_parent": parent / 1024,
            "peak_mb_per_worker": max(peaks.values(), default=parent) / 1024,
            "bytes_per_guide": sum(s.st_size for s in stats) / len(stats),
            "disk_bytes_per_guide": sum(s.st_blocks * 512 for s in stats) / len(stats)}


def copy_floor(source: Path, count: int, folder: Path) -> tuple[float, float]:
    """Seconds to copy `source` `count` times: plainly, and durably (temp file, fsync, rename)."""
    folder.mkdir()
    start = time.perf_counter()
    for i in range(count):
        shutil.copyfile(source, folder / f"plain-{i:05d}.pdf")
    plain = time.perf_counter() - start
    data = source.read_bytes()
    start = time.perf_counter()
    for i in range(count):
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / f"durable-{i:05d}.pdf")
    durable = time.perf_counter() - start
    shutil.rmtree(folder)
    return plain, durable


def median_of(runs: list[dict]) -> dict:
    keys = [k for k in runs[0] if k not in ("jobs", "guides")]
    digits = {"seconds": 2, "cpu_seconds": 2, "copy_ratio": 1, "durable_copy_ratio": 1, "bytes_per_guide": 0, "disk_bytes_per_guide": 0}
    return {"jobs": runs[0]["jobs"], "guides": runs[0]["guides"], "runs": len(runs),
            **{k: round(statistics.median(r[k] for r in runs), digits.get(k, 1)) for k in keys}}


def per_reader(count: int, root: str | None) -> dict:
    """CPU milliseconds per reader in one process: the two personal pages laid out by reportlab, and
    the splice (parse them, write the incremental update), medians of 5 rounds of `count` readers."""
    from handouts import build, compose
    from handouts.load import folder
    from handouts.render.guide import render_guide

    home = Path(root) if root else folder.demo_root()
    renderer = build.GuideRenderer(home, folder.load_library(home), "back-pain-tips")
    renderer.prepare_shared()
    assembler = renderer._assembler  # noqa: SLF001 - a benchmark may look inside

    def personal(i: int) -> bytes:
        doc = compose.compose_guide(renderer.library, "back-pain-tips", {"name": f"Reader {i:05d} Gómez"})
        return render_guide(doc, renderer.theme, renderer.pictures, renderer.logo, renderer.codes,
                            part="personal", last_page=assembler.page_count)

    pages, splice = [], []
    for _ in range(5):
        start = time.process_time()
        made = [personal(i) for i in range(count)]
        pages.append((time.process_time() - start) * 1000 / count)
        start = time.process_time()
        for data in made:
            assembler.assemble(data)
        splice.append((time.process_time() - start) * 1000 / count)
    return {"per_reader_ms_cpu": {"personal_pages": round(statistics.median(pages), 2),
                                  "splice": round(statistics.median(splice), 2)}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,1000")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--root", help="clinic folder (default: the bundled demo)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is reported")
    parser.add_argument("--per-reader", type=int, default=0, metavar="N",
                        help="also time N readers in this process (the CPU cost of one reader, no I/O)")
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
                runs = []
                for n in range(args.repeat):
                    work = Path(tmp) / f"run-{count}-{jobs}-{n}"
                    work.mkdir()
                    runs.append(run_batch(csv_path, work / "out", jobs, env, root))
                    shutil.rmtree(work)
                result = median_of(runs)
                results.append(result)
                print(json.dumps(result), flush=True)
    if args.per_reader:
        result = per_reader(args.per_reader, args.root)
        results.append(result)
        print(json.dumps(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
