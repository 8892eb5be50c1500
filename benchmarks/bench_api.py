"""Warm in-process handouts: a loop of handouts on one handouts.Clinic, as the web composer builds them.

One Clinic of the bundled demo is opened once; then `--count` end-of-visit handouts of the 8-exercise
demo program are built to bytes, each for another patient, and timed one by one. In the same run,
as a baseline, the same handouts are built the way a fresh `handouts routine` process does it (no
warm state: pictures looked up in the disk cache, QR codes read back, the theme rebuilt), and the
reportlab layout alone (render_routine with everything prepared) is timed, so the figures say
where the time goes. Rounds interleave the three so machine noise hits all alike.

Usage:  python benchmarks/bench_api.py [--count 100] [--json results.json]
Target (issue 12): warm median per handout <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = "core-activation"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="handouts per kind (default 100)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--root", help="clinic folder (default: the bundled demo)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HANDOUTS_CACHE"] = str(Path(tmp) / "cache")
        from handouts import Clinic, build, compose
        from handouts.render.routine import render_routine

        start = time.perf_counter()
        clinic = Clinic.open(args.root)
        opened = time.perf_counter() - start
        visits = [clinic.visit(program=PROGRAM, patient=f"Patient {n:03d}", therapist="jordan-lee",
                               date="2026-11-21", note="Walk for 10 minutes each day.") for n in range(args.count)]
        start = time.perf_counter()
        clinic.routine(visits[0])  # the first handout prepares pictures, QR codes and fonts
        first = time.perf_counter() - start

        # What render_routine_pdf hands to reportlab, prepared once, for the layout-only figure.
        warm = clinic._warm
        library = clinic.library
        theme = warm.theme(library.clinic, clinic.root, library.clinic.page_size)
        pictures = {key[0]: p for key, p in warm.pictures.items()}
        logo = pictures.get(library.clinic.logo.file) if library.clinic.logo else None
        codes = dict(warm.codes)

        warm_times, cold_times, layout_times = [], [], []
        for visit in visits:
            start = time.perf_counter()
            clinic.routine(visit)
            warm_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            build.render_routine_pdf(clinic.root, library, visit)
            cold_times.append(time.perf_counter() - start)
            routine = compose.compose_routine(library, visit)
            start = time.perf_counter()
            render_routine(routine, theme, pictures, logo, codes)
            layout_times.append(time.perf_counter() - start)

    def ms(values):
        return round(statistics.median(values) * 1000, 1)

    result = {
        "handouts": args.count,
        "open_clinic_ms": round(opened * 1000, 1),
        "first_handout_ms": round(first * 1000, 1),
        "warm_median_ms": ms(warm_times),
        "warm_p90_ms": round(sorted(warm_times)[int(len(warm_times) * 0.9) - 1] * 1000, 1),
        "no_warm_state_median_ms": ms(cold_times),
        "reportlab_layout_only_median_ms": ms(layout_times),
        "python": sys.version.split()[0],
    }
    for key, value in result.items():
        print(f"{key:34} {value}")
    print("target: warm median <= 50 ms ->", "met" if result["warm_median_ms"] <= 50 else "NOT met")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
