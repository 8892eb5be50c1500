"""Phone-photo handout: first build (empty image cache) vs warm builds, peak memory, PDF size.

Makes the same clinic as tests/test_images.py in a temp folder: the demo clinic plus 8 exercises
with 2 phone photos each (16 JPEGs, 4032x3024, about 3.4 MB, half stored sideways with EXIF
Orientation=6 and GPS). Every build is a fresh `handouts routine` process started from a small
launcher process, which reads the build's peak RSS (ru_maxrss of RUSAGE_CHILDREN; read from the
launcher because on Linux a forked child's ru_maxrss starts at its parent's RSS).

Each round uses a new empty cache: one first build, then one warm build with that cache.

Usage:  python benchmarks/bench_images.py [--rounds 5] [--json results.json] [--no-raw-pdf]
Targets (image issue): PDF <= 600 KB and >= 15x smaller than the photos as given; warm build
>= 3x faster than the first; first build peak RSS < 100 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# tests/ is not a package (and a site-packages "tests" package may shadow it): import the file itself.
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import image_fixtures as fx  # noqa: E402  (shared with tests/test_images.py; imports no pytest)


def raw_pdf(photos: list[Path], out: Path) -> int:
    """A PDF that embeds the photos as given (reportlab copies JPEG bytes), two per box-sized slot."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=letter)
    for i, photo in enumerate(photos):
        slot = i % 12
        x, y = 50 + (slot % 2) * 150, 650 - (slot // 2) * 100
        canvas.drawImage(str(photo), x, y, 120, 90)
        if slot == 11:
            canvas.showPage()
    canvas.save()
    return out.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="first+warm build pairs (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-raw-pdf", action="store_true", help="skip the as-given comparison PDF")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        root, shots = fx.phone_clinic(tmp / "clinic")
        made = time.perf_counter() - start
        photos = [s.path for s in shots]
        given = sum(p.stat().st_size for p in photos)
        print(f"made {len(photos)} phone photos ({given / 1e6:.1f} MB) in {made:.1f} s", file=sys.stderr)

        cold, warm = [], []
        out = tmp / "handout.pdf"
        for n in range(args.rounds):
            cache = tmp / f"cache-{n}"
            for runs in (cold, warm):
                m = fx.measured_cli(["--root", root, "routine", "--program", fx.PHONE_PROGRAM, "-o", out,
                                     "--overwrite"], cache)
                if m.code != 0:
                    print(f"build failed (exit {m.code}):\n{m.stdout}\n{m.stderr}", file=sys.stderr)
                    return 1
                runs.append(m)
            print(f"round {n + 1}: first {cold[-1].wall_s:.3f} s, warm {warm[-1].wall_s:.3f} s", file=sys.stderr)
        pdf_bytes = out.stat().st_size
        as_given_pdf = None if args.no_raw_pdf else raw_pdf(photos, tmp / "as-given.pdf")

    cold_median = statistics.median(m.wall_s for m in cold)
    warm_median = statistics.median(m.wall_s for m in warm)
    result = {
        "rounds": args.rounds,
        "photos": len(photos),
        "photos_as_given_bytes": given,
        "as_given_pdf_bytes": as_given_pdf,
        "pdf_bytes": pdf_bytes,
        "size_reduction_x": round(given / pdf_bytes, 1),
        "first_build_s": round(cold[0].wall_s, 4),
        "first_build_median_s": round(cold_median, 4),
        "warm_build_median_s": round(warm_median, 4),
        "warm_build_min_s": round(min(m.wall_s for m in warm), 4),
        "warm_speedup_x": round(cold_median / warm_median, 2),
        "first_build_peak_rss_kb": max(m.maxrss_kb for m in cold),
        "first_build_vmhwm_kb": max(m.vmhwm_kb for m in cold),
        "warm_build_peak_rss_kb": max(m.maxrss_kb for m in warm),
        "first_build_in_process_s": round(statistics.median(m.inner_s for m in cold), 4),
        "warm_build_in_process_s": round(statistics.median(m.inner_s for m in warm), 4),
        "python": sys.version.split()[0],
    }
    try:
        import PIL

        result["pillow"] = PIL.__version__
    except ImportError:
        pass
    for key, value in result.items():
        print(f"{key:28} {value}")
    checks = [
        ("PDF <= 600 KB", pdf_bytes <= 600_000),
        (">= 15x smaller than the photos as given", given / pdf_bytes >= 15),
        ("warm build >= 3x faster than the first", cold_median / warm_median >= 3),
        ("first build peak RSS < 100 MB", result["first_build_peak_rss_kb"] < 100 * 1024),
    ]
    for name, ok in checks:
        print(f"target: {name}: {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
