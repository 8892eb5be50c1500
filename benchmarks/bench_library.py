"""A handout costs the same whatever the library's size: demo folder alone vs demo + 1,000 exercises.

Two copies of the demo clinic are made in a temporary folder; one also gets 1,000 generated
exercises (varied names, positions, regions, tags and 3-8 steps each, no pictures). Each round runs,
in fresh processes and interleaved so machine noise hits both alike: `handouts routine` for the
8-exercise demo program in each folder, and `handouts list exercises --search` in the large one.
`handouts check` (which reads everything) is timed warm on the large folder. The image cache and the
library index are warm (a clinic's normal state after its first command).

Usage:  python benchmarks/bench_library.py [--rounds 9] [--exercises 1000] [--json results.json]
Targets (issue 16): routine ratio large/alone <= 1.15; list --search <= 0.3 s. Wall times and CPU
times (user+system of the process) are both reported: on a shared machine the CPU ratio is the steadier.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS, timed  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
POSITIONS = ("lying on back", "lying on stomach", "side-lying", "hands and knees", "sitting", "standing")
REGIONS = ("knee", "hip", "shoulder", "neck", "ankle", "low back", "wrist", "balance")
WORDS = ("slow", "gentle", "wall", "band", "heel", "toe", "arm", "leg", "reach", "raise", "slide", "press", "turn")


def generate(root: Path, count: int, seed: int = 16) -> None:
    """`count` plausible exercise files (deterministic)."""
    rng = random.Random(seed)
    folder = root / "content" / "exercises"
    for n in range(count):
        name = " ".join(rng.choice(WORDS) for _ in range(3)).capitalize() + f" {n}"
        steps = "\n".join(f"  - Step {i} of this exercise. Move {rng.choice(WORDS)} and hold for a moment, "
                          f"then relax and breathe." for i in range(1, rng.randint(3, 8) + 1))
        (folder / f"generated-{n:04d}.yaml").write_text(
            f"name: {name}\nposition: {rng.choice(POSITIONS)}\n"
            f"region: [{rng.choice(REGIONS)}]\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
            f"steps:\n{steps}\ndosage:\n  sets: {rng.randint(1, 3)}\n  reps: {rng.randint(5, 15)}\n",
            encoding="utf-8")


def timed_cpu(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+system) of one fresh process. CPU time is what the work costs
    whatever else the machine is doing (2 cores shared by 8 people: wall times swing by 2x)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(cmd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def copy_demo(target: Path) -> Path:
    for part in ("content", "images"):
        shutil.copytree(REPO / part, target / part)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--exercises", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, HANDOUTS_CACHE=str(tmp / "cache"))
        env.pop("HANDOUTS_ROOT", None)
        alone = copy_demo(tmp / "alone")
        large = copy_demo(tmp / "large")
        generate(large, args.exercises)

        def routine(root: Path) -> list[str]:
            return [*HANDOUTS, "--root", str(root), "routine", "--program", "core-activation",
                    "--patient", "Maria Gómez", "--therapist", "jordan-lee", "--date", "2026-11-21",
                    "-o", str(tmp / "out.pdf"), "--overwrite"]

        search = [*HANDOUTS, "--root", str(large), "list", "exercises", "--search", "heel"]
        check = [*HANDOUTS, "--root", str(large), "check"]
        first_large = timed(routine(large), env)  # builds the index and the image cache once
        timed(routine(alone), env)
        first_check = timed(check, env)
        times: dict[str, list[float]] = {"alone": [], "large": [], "search": [], "check": []}
        cpu: dict[str, list[float]] = {"alone": [], "large": [], "search": []}
        for n in range(args.rounds):
            for key, cmd in (("alone", routine(alone)), ("large", routine(large)), ("search", search))[
                    :: 1 if n % 2 == 0 else -1]:
                wall, used = timed_cpu(cmd, env)
                times[key].append(wall)
                cpu[key].append(used)
        for _ in range(3):
            times["check"].append(timed(check, env))

    med = {k: statistics.median(v) for k, v in times.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
    result = {
        "rounds": args.rounds,
        "exercises_added": args.exercises,
        "routine_demo_alone_median_s": round(med["alone"], 4),
        "routine_with_library_median_s": round(med["large"], 4),
        "ratio": round(med["large"] / med["alone"], 3),
        "routine_demo_alone_cpu_median_s": round(cpu_med["alone"], 4),
        "routine_with_library_cpu_median_s": round(cpu_med["large"], 4),
        "cpu_ratio": round(cpu_med["large"] / cpu_med["alone"], 3),
        "list_search_median_s": round(med["search"], 4),
        "list_search_cpu_median_s": round(cpu_med["search"], 4),
        "check_warm_median_s": round(med["check"], 3),
        "check_first_s": round(first_check, 3),
        "routine_first_with_library_s": round(first_large, 3),
        "python": sys.version.split()[0],
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    ok = result["ratio"] <= 1.15 and result["list_search_median_s"] <= 0.3
    print("target met" if ok else "target NOT met", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
