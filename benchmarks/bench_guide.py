"""Guide benchmark: a cold build of the demo guide, and N personalised guides in one process.

Cold: a fresh `handouts guide back-pain-tips --for NAME` process, start to file written (median
of several rounds, image cache warm), next to a bare `import reportlab.platypus` in the same run.
In-process: the content is loaded once, then N guides are rendered, each for its own name, the way
a long-running service or a batch worker would: once laying out every guide from scratch, once
with page reuse; reports guides per second and peak memory for both.

Usage:  python benchmarks/bench_guide.py [--rounds 7] [--count 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS, timed  # noqa: E402

GUIDE = "back-pain-tips"


def in_process(count: int, root: str | None, reuse: bool) -> dict:
    """Render `count` personalised guides in this process (run in a child so memory is its own).

    Content, pictures and QR codes are prepared once. With `reuse`, the shared pages are rendered
    once too and each reader costs only their own pages (what `handouts batch` does); without, every
    guide is laid out from scratch.
    """
    from handouts import build
    from handouts.load import folder

    start = time.perf_counter()
    base = folder.find_root(root)
    library = folder.load_library(base)
    renderer = build.GuideRenderer(base, library, GUIDE)
    render = renderer.reuse if reuse else renderer.full
    sizes = []
    for i in range(count):
        sizes.append(len(render({"name": f"Reader {i:04d}"})))
    elapsed = time.perf_counter() - start
    return {"count": count, "page_reuse": reuse, "seconds": round(elapsed, 3),
            "guides_per_second": round(count / elapsed, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "pdf_bytes": sizes[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--root", help="clinic folder (default: the bundled demo)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", choices=["full", "reuse"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(in_process(args.count, args.root, args.child == "reuse")))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HANDOUTS_CACHE=str(Path(tmp) / "cache"))
        root = ["--root", args.root] if args.root else []
        out = Path(tmp) / "guide.pdf"
        cold = [*HANDOUTS, *root, "guide", GUIDE, "--for", "Maria Gómez", "-o", str(out), "--overwrite"]
        bare = [sys.executable, "-c", "import reportlab.platypus"]
        first = timed(cold, env)
        cold_times, bare_times = [], []
        for _ in range(args.rounds):
            bare_times.append(timed(bare, env))
            cold_times.append(timed(cold, env))
        batches = {}
        for mode in ("full", "reuse"):
            child = [sys.executable, __file__, "--child", mode, "--count", str(args.count)]
            child += ["--root", args.root] if args.root else []
            batches[mode] = json.loads(subprocess.run(child, check=True, env=env, capture_output=True,
                                                      text=True).stdout)

    result = {
        "cold_guide_median_s": round(statistics.median(cold_times), 4),
        "bare_import_median_s": round(statistics.median(bare_times), 4),
        "first_build_empty_cache_s": round(first, 4),
        "in_process_full_layout": batches["full"],
        "in_process_page_reuse": batches["reuse"],
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
