"""The composer's speed: start-up, a warm build, the first preview image, and search over 1,000 exercises.

1. ready: `handouts serve --port 0` from process start until the first page answers 200.
2. warm build: the 8-exercise demo handout built in the server's process (content and images prepared
   by an earlier build), through the same Composer.evaluate as every preview and Download PDF.
3. preview: POST /preview for a changed dosage + GET of page 1's image (what the therapist waits
   for after a change reaches the server), through Flask's test client (no network).
4. search: GET /search on a clinic of 1,000 exercises (the demo's, copied under new ids and names).

CPU seconds are shown next to wall time for 2 and 3: on a shared machine they are the steadier figure
(close to the wall time of an idle one). Baseline, measured in the same run: rendering page 1 of the same PDF to PNG alone (the floor of 3).
Also shown: the stat pass that notices content edited on disk, for the 1,000-exercise clinic (every
build pays it; a search while typing at most once a second).

Usage:  python benchmarks/bench_serve.py [--rounds 15] [--json results.json]
Targets (issue 13): ready <= 1.5 s; warm build <= 50 ms; preview <= 150 ms; search <= 20 ms (medians).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ORIGIN = "http://127.0.0.1:8765"


def ready_time(root: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([*HANDOUTS, "--root", str(root), "serve", "--port", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            found = re.search(r"(http://\S+/)", line)
            if found and "ready" in line:
                with urllib.request.urlopen(found.group(1), timeout=10) as response:
                    assert response.status == 200
                return time.perf_counter() - start
        raise RuntimeError("the server ended before it was ready")
    finally:
        proc.terminate()
        proc.wait()


def big_clinic(source: Path, target: Path, count: int = 1000) -> Path:
    """A clinic folder with `count` exercises: the demo's, copied under new ids and names."""
    for part in ("content", "images"):
        shutil.copytree(source / part, target / part)
    folder = target / "content" / "exercises"
    originals = sorted(folder.glob("*.yaml"))
    n = 0
    while len(list(folder.glob("*.yaml"))) < count:
        src = originals[n % len(originals)]
        text = src.read_text(encoding="utf-8")
        # Demo names are translated ({en: Bridge, es: Puente}): mark the English one; a plain name too.
        text = re.sub(r"^name: \{en: ([^,}]*)", rf"name: {{en: \1 variant {n}", text, count=1, flags=re.M)
        text = re.sub(r"^name: ([^{].*)$", rf"name: \1 variant {n}", text, count=1, flags=re.M)
        (folder / f"{src.stem}-v{n}.yaml").write_text(text, encoding="utf-8")
        n += 1
    return target


class Client:
    def __init__(self, root: Path):
        sys.path.insert(0, str(REPO))
        from handouts.web import create_app
        from handouts.web.clinic import open_clinic

        self.app = create_app(open_clinic(root), mail_folder=Path(tempfile.mkdtemp()))
        self.client = self.app.test_client()
        html = self.client.get("/", base_url=ORIGIN).get_data(as_text=True)
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def post(self, path: str, fields: list):
        from werkzeug.datastructures import MultiDict

        return self.client.post(path, data=MultiDict([*fields, ("csrf", self.csrf)]), headers={"Origin": ORIGIN},
                                base_url=ORIGIN)


def median_ms(values) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HANDOUTS_CACHE"] = str(Path(tmp) / "cache")
        env = dict(os.environ)
        demo = big_clinic(REPO, Path(tmp) / "demo", count=0)
        ready_time(demo, env)  # warm the OS file cache
        results["ready_s"] = round(statistics.median(ready_time(demo, env) for _ in range(max(3, args.rounds // 3))), 3)

        client = Client(demo)
        composer = client.app.extensions["handouts"]
        from handouts.preview import PagedPdf
        from handouts.web import draft as drafts

        lib = composer.library
        draft = drafts.from_program(lib, drafts.Draft(patient="Maria Gómez", date="2026-11-21", therapist="jordan-lee"),
                                    "core-activation")
        composer.evaluate(draft)  # prepares images, fonts, QR codes
        builds, build_cpu = [], []
        for _ in range(args.rounds):
            start, cpu = time.perf_counter(), time.process_time()
            out = composer.evaluate(draft)
            builds.append(time.perf_counter() - start)
            build_cpu.append(time.process_time() - cpu)
        assert out.pdf and not out.errors
        results["warm_build_ms"] = median_ms(builds)
        results["warm_build_cpu_ms"] = median_ms(build_cpu)

        fields = [("patient", "Maria Gómez"), ("date", "2026-11-21"), ("program", "core-activation")]
        for i, row in enumerate(draft.rows):
            fields.append(("ex", row.id))
            fields += [(f"ex-{i}-{k}", v) for k, v in row.values.items()]
        previews, preview_cpu, floors = [], [], []
        for n in range(args.rounds):
            changed = [(k, str(2 + n % 5) if k == "ex-0-reps" else v) for k, v in fields]
            start, cpu = time.perf_counter(), time.process_time()
            html = client.post("/preview", changed).get_data(as_text=True)
            src = re.search(r'src="(/page/[^"]+/1\.png)"', html).group(1)
            image = client.client.get(src, base_url=ORIGIN)
            previews.append(time.perf_counter() - start)
            preview_cpu.append(time.process_time() - cpu)
            assert image.status_code == 200
            start = time.perf_counter()
            paged = PagedPdf(out.pdf, dpi=96)
            paged.page_png(0)
            paged.close()
            floors.append(time.perf_counter() - start)
        composer.close()
        results["preview_first_page_ms"] = median_ms(previews)
        results["preview_first_page_cpu_ms"] = median_ms(preview_cpu)
        results["baseline_page_png_ms"] = median_ms(floors)

        big = big_clinic(REPO, Path(tmp) / "big", count=1000)
        client = Client(big)
        assert len(client.app.extensions["handouts"].library.exercises) >= 1000
        searches = []
        for n in range(args.rounds * 3):
            query = ("bridge", "core", "variant 7", "lying on back", "")[n % 5]
            start = time.perf_counter()
            response = client.client.get(f"/search?q={query.replace(' ', '+')}", base_url=ORIGIN)
            searches.append(time.perf_counter() - start)
            assert response.status_code == 200
        results["search_1000_ms"] = median_ms(searches)
        composer = client.app.extensions["handouts"]
        refreshes = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            composer.clinic.refresh()  # what a search pays at most once a second, and every build
            refreshes.append(time.perf_counter() - start)
        results["refresh_check_1000_ms"] = median_ms(refreshes)
        composer.close()
    targets = {"ready_s": 1.5, "warm_build_ms": 50, "warm_build_cpu_ms": 50, "preview_first_page_ms": 150,
               "preview_first_page_cpu_ms": 150, "search_1000_ms": 20}
    for key, value in results.items():
        target = targets.get(key)
        verdict = "" if target is None else ("  ok" if value <= target else f"  OVER the target {target}")
        print(f"{key:24} {value}{verdict}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
