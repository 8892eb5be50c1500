"""Shards: a batch split over the array jobs of a cluster engine, and the shards' outputs merged.

We do not schedule anything: Kubernetes Indexed Jobs, AWS Batch array jobs and Cloud Run jobs start
N copies of one container and tell each its index. `--shard auto` reads that index (and the count)
from the environment; each shard builds rows K, K+N, K+2N ... into its own manifest
(manifest-shard-K-of-N.csv) and records which rows it owns (shard-K-of-N.json), so that
`handouts batch merge` can tell a row that was never built from one that was never planned.

Merge: every shard folder's plan and manifest -> one folder with every built PDF and one
manifest.csv, and a report of rows that are missing (a shard that did not run or was killed),
failed, or built by more than one shard. Merging again after a shard is rerun picks up its new rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import ContentError, Problem

# (engine, index variable, count variables in order of preference); indices count from 0.
ENGINES = (
    ("Cloud Run jobs", "CLOUD_RUN_TASK_INDEX", ("CLOUD_RUN_TASK_COUNT",)),
    ("AWS Batch array jobs", "AWS_BATCH_JOB_ARRAY_INDEX", ("HANDOUTS_SHARD_COUNT", "AWS_BATCH_JOB_ARRAY_SIZE")),
    ("Kubernetes Indexed Jobs", "JOB_COMPLETION_INDEX", ("HANDOUTS_SHARD_COUNT",)),
)
PLAN_NAME = re.compile(r"shard-(\d+)-of-(\d+)\.json")


def from_environment(env: dict[str, str] | None = None) -> tuple[int, int]:
    """`--shard auto`: (K, N), 1-based, from the engine's environment variables."""
    env = os.environ if env is None else env
    found = [(engine, index, counts) for engine, index, counts in ENGINES if env.get(index, "").strip()]
    if not found:
        names = "; ".join(f"{index} ({engine})" for engine, index, _ in ENGINES)
        raise _error(f"auto: none of the array-job variables is set: {names}. Use --shard K/N outside an array job")
    if len(found) > 1:
        raise _error(f"auto: more than one engine's index is set ({', '.join(i for _, i, _ in found)}); "
                     "use --shard K/N")
    engine, index_var, count_vars = found[0]
    index = _whole(env[index_var], index_var)
    count_var = next((v for v in count_vars if env.get(v, "").strip()), None)
    if count_var is None:
        raise _error(f"auto: {engine} give the index ({index_var}={index}) but not the count: set "
                     f"{' or '.join(count_vars)} to the number of shards (e.g. the Job's completions)")
    count = _whole(env[count_var], count_var)
    if count < 1 or not 0 <= index < count:
        raise _error(f"auto: {index_var}={index} is outside 0..{count - 1} ({count_var}={count})")
    return index + 1, count


def _whole(text: str, name: str) -> int:
    if not text.strip().isdigit():
        raise _error(f"auto: {name} must be a whole number, got '{text[:20]}'")
    return int(text)


def _error(message: str) -> ContentError:
    return ContentError(problems=[Problem(message, "--shard")])


# -- the plan each shard records -------------------------------------------------------------------------------

def plan_path(out_dir: Path, shard: tuple[int, int]) -> Path:
    return out_dir / f"shard-{shard[0]}-of-{shard[1]}.json"


def list_id(people) -> str:
    """One digest of a whole recipient list (every row's fingerprint, in order): shards built from
    different lists (or versions of one) cannot be merged as one batch. Reveals nothing of the rows."""
    from handouts.load.fingerprint import fingerprint

    digest = hashlib.sha256(b"handouts recipient list v1\x00")
    for row in people.rows:
        digest.update(f"{row.number}:{fingerprint(row.fields)}\n".encode())
    return f"{len(people.rows)}:{digest.hexdigest()[:32]}"


def record_plan(out_dir: Path, shard: tuple[int, int], rows: list[int], problems: dict[int, str],
                built_from: str = "") -> None:
    """Which rows this shard owns, which of them cannot be built (row -> message, no data), and which
    list it was built from (list_id)."""
    from handouts.files import make_private_folder, write_atomic

    make_private_folder(out_dir)
    body = {"shard": list(shard), "rows": sorted(rows), "problems": {str(k): v for k, v in sorted(problems.items())},
            "list": built_from}
    write_atomic(plan_path(out_dir, shard), json.dumps(body, indent=1).encode() + b"\n", overwrite=True)


# -- merge -------------------------------------------------------------------------------------------------------------

@dataclass
class MergeReport:
    count: int = 0  # shards (N)
    shards: list[int] = field(default_factory=list)  # shard numbers found
    built: int = 0
    missing: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    duplicated: list[Problem] = field(default_factory=list)


def merge(folders: list[Path], into: Path) -> MergeReport:
    """Merge shard folders into `into` (which may be one of them, e.g. a shared volume)."""
    from handouts.manifest import FIELDS, read
    from handouts.files import make_private_folder, write_atomic

    plans: list[tuple[int, Path, dict]] = []
    report = MergeReport()
    problems = []
    for folder in folders:
        found = sorted(p for p in folder.glob("shard-*-of-*.json") if PLAN_NAME.fullmatch(p.name)) \
            if folder.is_dir() else []
        if not found:
            problems.append(Problem("no shard plan (shard-K-of-N.json) here: is it the --out of a sharded batch?",
                                    str(folder)))
        for path in found:
            k, n = map(int, PLAN_NAME.fullmatch(path.name).groups())
            if report.count and n != report.count:
                problems.append(Problem(f"shard {k} of {n} does not belong with shards of {report.count}", str(path)))
                continue
            report.count = n
            if not any(p.resolve() == path.resolve() for _, p, _ in plans):  # a folder given twice
                plans.append((k, path, json.loads(path.read_text(encoding="utf-8"))))
    lists = {plan.get("list") for _, _, plan in plans if plan.get("list")}
    if len(lists) > 1:  # a shard rebuilt from another list (or another version of it)
        for k, path, plan in plans:
            rows = (plan.get("list") or "?:").split(":")[0]
            problems.append(Problem(f"shard {k} was built from a list of {rows} rows that is not the list the other "
                                    "shards were built from; run every shard on the same list", str(path)))
    if problems:
        raise ContentError(problems=problems)
    report.shards = sorted({k for k, _, _ in plans})
    for k in range(1, report.count + 1):
        if k not in report.shards:
            report.missing.append(Problem(f"shard {k} of {report.count} did not run (no shard-{k}-of-{report.count}.json):"
                                          f" its rows are missing; run it with --shard {k}/{report.count}", "merge"))
    kept: dict[int, tuple[int, dict, Path]] = {}  # row -> (shard, manifest entry, folder)
    for k, path, plan in plans:  # in the order given: the first build of a row is kept
        folder = path.parent
        manifest = folder / f"manifest-shard-{k}-of-{report.count}.csv"
        entries = read(manifest)
        for row, message in sorted(plan.get("problems", {}).items(), key=lambda kv: int(kv[0])):
            report.failed.append(Problem(message, manifest.name, row=int(row)))
        for row in plan.get("rows", []):
            if str(row) in plan.get("problems", {}):
                continue
            entry = entries.get(row)
            if entry is None or (entry.get("status") == "built" and not (folder / entry.get("file", "")).is_file()):
                report.missing.append(Problem(f"not built yet (shard {k} was stopped?); run --shard {k}/{report.count}"
                                              " again", manifest.name, row=row))
            elif entry.get("status") != "built":
                report.failed.append(Problem(entry.get("message") or "failed", manifest.name, row=row))
            elif row in kept:
                other, _, where = kept[row]
                report.duplicated.append(Problem(f"built by shard {other} in {where} and again by shard {k} in "
                                                 f"{folder}; kept the first", manifest.name, row=row))
            else:
                kept[row] = (k, entry, folder)
    make_private_folder(into)
    names: dict[str, int] = {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row, (k, entry, folder) in sorted(kept.items()):
        name = entry["file"]
        if name.lower() in names:
            report.duplicated.append(Problem(f"file {name} is also row {names[name.lower()]}'s; not merged",
                                             f"manifest-shard-{k}-of-{report.count}.csv", row=row))
            continue
        source, target = folder / name, into / name
        data = source.read_bytes()
        if not entry.get("pdf_sha256") or hashlib.sha256(data).hexdigest() != entry["pdf_sha256"]:
            # a rebuild of this shard killed between recording the row and renaming its PDF, or a file
            # replaced by hand: not the PDF the manifest names, so never merged as built
            report.missing.append(Problem(f"{name} is not the PDF shard {k} recorded for this row; run "
                                          f"--shard {k}/{report.count} again", f"manifest-shard-{k}-of-{report.count}.csv",
                                          row=row))
            continue
        names[name.lower()] = row
        if source.resolve() != target.resolve():
            write_atomic(target, data, overwrite=True)
        writer.writerow([entry.get(f, "") for f in FIELDS])
        report.built += 1
    write_atomic(into / "manifest.csv", out.getvalue().encode("utf-8"), overwrite=True)
    return report
