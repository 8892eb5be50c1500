"""Cold end-of-visit handout vs a bare `import reportlab.platypus`, measured in the same run.

Each round starts fresh processes: one that only imports reportlab.platypus (the floor any
reportlab tool pays), and one full `handouts routine` for the 8-exercise demo program, from
process start to file written. Rounds interleave the two so machine noise hits both alike.
The image cache is warm (a clinic's normal state after its first handout); the first build with
an empty cache is reported separately.

Usage:  python benchmarks/bench_routine.py [--rounds 15] [--json results.json]
Target (issue 2): median handout time <= 2.5 x median bare-import time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS, timed  # noqa: E402

PROGRAM = "core-activation"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--root", help="clinic folder (default: the bundled demo)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HANDOUTS_CACHE=str(Path(tmp) / "cache"))
        root = ["--root", args.root] if args.root else []
        out = Path(tmp) / "handout.pdf"
        handout = [*HANDOUTS, *root, "routine", "--program", PROGRAM,
                   "--patient", "Maria Gómez", "--therapist", "jordan-lee", "--date", "2026-11-21",
                   "--note", "Walk for 10 minutes each day.", "-o", str(out), "--overwrite"]
        bare = [sys.executable, "-c", "import reportlab.platypus"]

        first = timed(handout, env)  # empty image cache: every picture is decoded and resized once
        timed(bare, env)  # warm the OS file cache for both commands
        handout_times, bare_times = [], []
        for _ in range(args.rounds):
            bare_times.append(timed(bare, env))
            handout_times.append(timed(handout, env))
        size = out.stat().st_size

    result = {
        "rounds": args.rounds,
        "bare_import_median_s": round(statistics.median(bare_times), 4),
        "handout_median_s": round(statistics.median(handout_times), 4),
        "ratio": round(statistics.median(handout_times) / statistics.median(bare_times), 2),
        "first_build_empty_cache_s": round(first, 4),
        "pdf_bytes": size,
        "python": sys.version.split()[0],
    }
    for key, value in result.items():
        print(f"{key:28} {value}")
    print("target: ratio <= 2.5 ->", "met" if result["ratio"] <= 2.5 else "NOT met")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
