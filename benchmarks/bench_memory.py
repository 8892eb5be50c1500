"""Peak memory of a routine build, whatever the pictures, and of a 100-exercise handout (#11 guarantee 7).

Makes a clinic in a temp folder: the demo clinic plus one exercise per kind of large picture (each
used twice on its card) and a 100-exercise program with 200 distinct photos. Every build is a fresh
`handouts routine` process with an empty image cache, started from a small launcher that reads the
build's peak RSS (tests/image_fixtures.measured_cli). Reports the median of --rounds runs and the
ratio to a plain demo build measured in the same run.

Usage:  python benchmarks/bench_memory.py [--rounds 3] [--json results.json]
Targets: every one-exercise routine < 120 MB; the 100-exercise handout < 250 MB; a picture whose
decode alone would need more than images.MAX_DECODE_BYTES is refused with a message (exit 65).
Known miss: a large progressive 4:4:4 JPEG (libjpeg keeps all its coefficients: 6 bytes a pixel).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

import image_fixtures as fx  # noqa: E402  (shared with the tests; imports no pytest)

ROUTINE_LIMIT_MB, BIG_HANDOUT_LIMIT_MB = 120, 250


def _drawn(size, mode):
    """A synthetic drawing (compresses well as PNG, unlike a photo)."""
    from PIL import Image, ImageDraw

    im = Image.new(mode, size, (240, 240, 235, 255) if mode == "RGBA" else (240, 240, 235))
    draw = ImageDraw.Draw(im)
    for i in range(0, size[0], 37):
        draw.line((i, 0, size[0] - i, size[1]), fill=(i % 255, i * 7 % 255, i * 13 % 255, 180), width=9)
    return im


def make_clinic(root: Path) -> dict[str, list[str]]:
    """The clinic; returns {case: routine arguments}."""
    from PIL import Image

    fx.copy_demo_clinic(root)
    big = root / "images" / "big"
    big.mkdir(parents=True)
    photo = fx.photo(size=(4608, 3456), seed=4, markers=False)
    photo.save(big / "progressive-16mp.jpg", "JPEG", quality=90, progressive=True)
    # Like the exercise database's 5184x3456 photos: progressive, no chroma subsampling (4:4:4).
    fx.photo(size=(5184, 3456), seed=7, markers=False).save(big / "progressive-18mp-444.jpg", "JPEG", quality=90,
                                                           progressive=True, subsampling="4:4:4")
    fx.photo(size=(8320, 6240), seed=6, markers=False).save(big / "baseline-52mp.jpg", "JPEG", quality=90)
    Image.new("RGB", (8320, 6240), (90, 120, 150)).save(big / "progressive-52mp.jpg", "JPEG", progressive=True)
    _drawn((4608, 3456), "RGB").save(big / "rgb-16mp.png")
    _drawn((2440, 2440), "RGBA").save(big / "rgba-6mp.png")
    Image.new("L", (8000, 6000), 200).save(big / "grey-48mp.png")
    cases = {"demo (baseline)": ["--exercise", "bridge"]}
    for name in ("progressive-16mp.jpg", "progressive-18mp-444.jpg", "baseline-52mp.jpg", "rgb-16mp.png", "rgba-6mp.png", "grey-48mp.png",
                 "progressive-52mp.jpg"):
        ident = name.split(".")[0]
        fx.write_exercise(root, ident, [f"images/big/{name}"] * 2)
        cases[name] = ["--exercise", ident]
    many = root / "images" / "many"
    many.mkdir()
    idents = []
    for i in range(100):
        files = []
        for j in range(2):
            path = many / f"p{i:03d}-{j}.jpg"
            fx.photo(size=(1600, 1200), seed=1000 + 2 * i + j, markers=False).save(path, "JPEG", quality=85)
            files.append(f"images/many/{path.name}")
        idents.append(f"many-{i:03d}")
        fx.write_exercise(root, idents[-1], files, name=f"Exercise number {i + 1}")
    fx.write_program(root, "hundred", idents, title="One hundred exercises")
    cases["100 exercises, 200 photos"] = ["--program", "hundred"]
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "clinic"
        cases = make_clinic(root)
        for case, extra in cases.items():
            peaks, codes, walls = [], set(), []
            for round_ in range(args.rounds):
                cache = Path(tmp) / f"cache-{len(results)}-{round_}"
                m = fx.measured_cli(["--root", root, "routine", *extra, "--date", "2026-11-21",
                                     "-o", Path(tmp) / "out.pdf", "--overwrite"], cache, timeout=600)
                peaks.append(m.maxrss_kb / 1024)
                walls.append(m.wall_s)
                codes.add(m.code)
            results[case] = {"peak_mb": statistics.median(peaks), "wall_s": statistics.median(walls),
                             "exit": sorted(codes)}
    base = results["demo (baseline)"]["peak_mb"]
    ok = True
    print(f"{'case':34} {'exit':>5} {'peak RSS':>9} {'x demo':>7} {'wall':>6}  target")
    for case, r in results.items():
        refused = case == "progressive-52mp.jpg"
        limit = BIG_HANDOUT_LIMIT_MB if case.startswith("100") else ROUTINE_LIMIT_MB
        good = r["peak_mb"] < limit and r["exit"] == ([65] if refused else [0])
        ok &= good
        target = f"< {limit} MB" + (", refused (65)" if refused else "")
        print(f"{case:34} {','.join(map(str, r['exit'])):>5} {r['peak_mb']:7.0f}MB {r['peak_mb'] / base:6.1f}x "
              f"{r['wall_s']:5.1f}s  {target} {'ok' if good else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
