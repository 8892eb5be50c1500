"""Batch: one personalised PDF per recipient row, over several processes, resumable.

Plan (read every row, check columns, name every output, hash every row's inputs) -> build the rows
that are not already built with the same inputs -> record each in a CSV manifest.

Crash safety: a worker writes its PDF to a temp file in the output folder and fsyncs it; the parent
then appends the row to the manifest (with the PDF's SHA-256) and only then renames the temp file to
its final name. A kill at any point leaves either no final file (the row is built again, never twice)
or a final file whose row is in the manifest; a final file that is not the PDF the manifest records
(a kill between the two steps of a rebuild, a file replaced by hand) is built again, and `email`
never sends it. Stale temp files are removed by the next run.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from handouts import __version__, manifest
from handouts.load import recipients
from handouts.errors import ContentError, Problem
from handouts.manifest import cannot_write
from handouts.files import clean_stale_temps, durable_temp, exists, make_private_folder
from handouts.load.fingerprint import fingerprint

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 100


@dataclass(frozen=True)
class Job:
    row: int
    row_id: str
    fields: tuple[tuple[str, str], ...]
    file: str
    input_hash: str


@dataclass
class Plan:
    kind: str  # "guide" or "routine"
    target: str  # guide id or program id
    jobs: list[Job]
    problems: list[Problem]  # rows that cannot be built, each with its row number
    manifest: Path
    out_dir: Path
    recipients: str = ""  # the recipient list as the user named it: row problems point into it


@dataclass
class Summary:
    built: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # rows built, with something worth knowing
    seconds: float = 0.0
    interrupted: bool = False


# -- names -------------------------------------------------------------------------------------------

def safe_name(text: str) -> str:
    """A file name made of A-Z a-z 0-9 . _ - only: accents folded, no separators, no leading dot,
    no Windows device names, at most 100 bytes (the .pdf kept)."""
    stem = text[:-4] if text.lower().endswith(".pdf") else text
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip("-.") or "file"
    cleaned = cleaned[: MAX_NAME_BYTES - 4].rstrip("-.") or "file"
    if cleaned.split(".")[0].upper() in WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned + ".pdf"


def _names(template: str, jobs_fields: list[tuple[int, str, dict]], extra: dict) -> list[str]:
    """Output names from `template` for each (row, id, fields); collisions get -2, -3 ..."""
    names, taken = [], set()
    for row, row_id, values in jobs_fields:
        try:
            raw = template.format_map({**values, **extra, "row": row, "id": row_id})
        except (KeyError, IndexError, ValueError) as exc:
            raise ContentError(problems=[Problem(f"--name template uses an unknown field {exc}", "--name")]) from None
        name = safe_name(raw)
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{name[:-4][: MAX_NAME_BYTES - 10]}-{n}.pdf"
        taken.add(candidate.lower())
        names.append(candidate)
    return names


# -- inputs ---------------------------------------------------------------------------------------------

def content_hash(root: Path) -> str:
    """A hash of everything in the clinic folder that can change a PDF (content and images)."""
    digest = hashlib.sha256(__version__.encode())
    for part in ("content", "images"):
        base = root / part
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _row_hash(content: str, kind: str, target: str, settings: dict, values: dict) -> str:
    parts = [content, kind, target, repr(sorted(settings.items())), repr(sorted(values.items()))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def parse_shard(text: str | None) -> tuple[int, int]:
    """'2/4' -> (2, 4): build only the second of four deterministic slices (rows 2, 6, 10, ...)."""
    if not text:
        return 1, 1
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ContentError(problems=[Problem(f"expected K/N with 1 <= K <= N, e.g. 2/4; got {text!r}", "--shard")])
    return int(match.group(1)), int(match.group(2))


def plan(kind: str, target: str, root: Path, people: recipients.RecipientList, out_dir: Path, *,
         required: tuple[str, ...], allowed: tuple[str, ...], template: str, settings: dict,
         shard: tuple[int, int] = (1, 1), ignore_unknown: bool = False) -> Plan:
    """Check columns (before anything is built), then name and hash every row of this shard."""
    header = f"{people.file}#header"
    unknown = [c for c in people.columns if c not in allowed]
    missing = [c for c in required if c not in people.columns]
    problems = []
    if unknown and not ignore_unknown:
        problems.append(Problem(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(allowed)}; "
                                "or use --ignore-unknown-columns)", header))
    if missing:
        hint = f" (is the delimiter '{people.delimiter}' right? try --delimiter ';')" if len(people.columns) == 1 else ""
        problems.append(Problem(f"missing required column(s): {', '.join(missing)}{hint}", header))
    if problems:
        raise ContentError(problems=problems)
    exists(out_dir)  # an unusable folder name (e.g. too long) is an OutputError here, not a crash later
    k, n = shard
    row_problems = list(people.problems)
    chosen = []
    for row in people.rows:
        if (row.number - 1) % n != k - 1:
            continue
        values = {c: row.fields.get(c, "") for c in people.columns if c in allowed}
        why = _language_problem(values.get("language", ""))
        if why:
            row_problems.append(Problem(f"column 'language': {why}", people.file, row=row.number))
            continue
        empty = [c for c in required if not values.get(c)]
        if empty:
            row_problems.append(Problem(f"no value in required column(s): {', '.join(empty)}", people.file,
                                        row=row.number))
            continue
        chosen.append((row.number, values.get("id") or str(row.number), values))
    extra = {kind: target}
    names = _names(template, chosen, extra)
    content = content_hash(root)
    jobs = [Job(number, row_id, tuple(sorted(values.items())), name,
                _row_hash(content, kind, target, settings, values))
            for (number, row_id, values), name in zip(chosen, names)]
    record = out_dir / ("manifest.csv" if n == 1 else f"manifest-shard-{k}-of-{n}.csv")
    # Rows outside this shard are reported by the shard that owns them.
    row_problems = [p for p in row_problems if not p.row or (p.row - 1) % n == k - 1]
    return Plan(kind, target, jobs, row_problems, record, out_dir, str(people.file))


def _language_problem(spec: str) -> str | None:
    from handouts import i18n

    if not spec.strip():
        return None
    try:
        i18n.parse(spec)
    except ValueError as exc:
        return str(exc)
    return None


def check_languages(plan_: Plan, root: Path, options: dict) -> list[Problem]:
    """Every language the rows ask for (their `language` column, else --language, else the clinic's),
    checked before anything is built: content without a translation stops the batch with every
    place listed (ContentError), or with options['fallback'] comes back as warnings, once."""
    from handouts import compose
    from handouts.load import folder
    from handouts.model import Visit

    default = options.get("language") or ""
    languages = sorted({dict(job.fields).get("language") or default for job in plan_.jobs})
    if languages == [""]:
        return []
    library = folder.load_library(root, guides=plan_.kind == "guide")
    fallback = bool(options.get("fallback"))
    warnings: list[Problem] = []
    for spec in languages:
        if plan_.kind == "guide":
            guide = library.guides[plan_.target]
            neutral = {name: "Reader" for name, _ in guide.placeholder_at}
            compose.compose_guide(library, plan_.target, neutral, language=spec or None, fallback=fallback,
                                  warnings=warnings)
        else:
            compose.compose_routine(library, Visit(program=plan_.target, language=spec or None), fallback=fallback,
                                    warnings=warnings)
    return list(dict.fromkeys(warnings))


def rows_with_problems(problems: list[Problem]) -> int:
    """How many rows `problems` are about (a row can have several); a problem without a row counts once."""
    return len({p.row or -i for i, p in enumerate(problems, 1)})


def pending(plan_: Plan, force: bool) -> tuple[list[Job], int]:
    """Jobs still to build, and how many rows are already built with the same inputs."""
    done = manifest.read(plan_.manifest)
    todo, skipped = [], 0
    for job in plan_.jobs:
        entry = done.get(job.row)
        if (not force and entry and entry.get("status") == "built" and entry.get("input_hash") == job.input_hash
                and entry.get("pdf_sha256") and manifest.file_sha256(plan_.out_dir / job.file) == entry["pdf_sha256"]):
            skipped += 1
        else:
            todo.append(job)
    return todo, skipped


# -- workers ----------------------------------------------------------------------------------------------

_renderer = None


def _init_worker(kind: str, root: str, target: str, options: dict, worker: bool = False) -> None:
    global _renderer
    if worker:  # Ctrl-C reaches the whole process group: the parent alone stops the batch, so
        import signal  # workers print no tracebacks of their own

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _renderer is None:  # with fork, workers inherit the parent's renderer and its shared pages
        _renderer = make_renderer(kind, Path(root), target, options)


def make_renderer(kind: str, root: Path, target: str, options: dict):
    """One row's values -> (PDF bytes, warnings), for the batch kind named `kind`."""
    from handouts.batch_kinds import KINDS

    chosen = KINDS[kind]
    return chosen.renderer(root, chosen.library(root), target, options)


def _work(args: tuple[Job, str]) -> tuple[Job, str | None, str, list[Problem], str]:
    """Build one row into a temp file; return (job, temp path or None, error message, warnings, SHA-256)."""
    from handouts.errors import HandoutsError

    job, out_dir = args
    try:
        data, warnings = _renderer(dict(job.fields))
    except HandoutsError as exc:
        return job, None, "; ".join(f"{p.field}: {p.message}" if p.field else p.message or str(p)
                                    for p in exc.problems) or str(exc), [], ""
    except Exception as exc:  # noqa: BLE001 - a bug; the message of a library may quote the row's data
        return job, None, f"internal error ({type(exc).__name__}); please report it", [], ""
    try:
        tmp = durable_temp(Path(out_dir), data)
    except OSError as exc:
        raise cannot_write(Path(out_dir), exc) from None
    return job, str(tmp), "", warnings, hashlib.sha256(data).hexdigest()


def _retire(plan_: Plan, known: dict[int, dict], writer) -> None:
    """Rows of an earlier run that the list no longer has (a person removed from a CRM export): recorded
    as retired, so `email` neither sends nor waits for them, and their PDF (ours: it still matches the
    checksum recorded) is removed."""
    current = {job.row for job in plan_.jobs} | {p.row for p in plan_.problems if p.row}
    for row, entry in sorted(known.items()):
        if row in current or entry.get("status") not in ("built", "failed"):
            continue
        pdf = plan_.out_dir / entry.get("file", "")
        if entry.get("status") == "built" and entry.get("pdf_sha256") and pdf.is_file() \
                and manifest.file_sha256(pdf) == entry["pdf_sha256"]:
            pdf.unlink()
        writer.record(row, entry.get("id", ""), entry.get("file", ""), "retired", "", "not in the list any more")


def run(plan_: Plan, root: Path, options: dict, *, jobs: int = 1, force: bool = False, on_progress=None) -> Summary:
    """Build every pending row of `plan_`. `on_progress(done, total)` is called after each row."""
    out_dir = plan_.out_dir
    make_private_folder(out_dir)
    clean_stale_temps(out_dir)
    todo, skipped = pending(plan_, force)
    bad_rows = rows_with_problems(plan_.problems)
    summary = Summary(skipped=skipped, problems=list(plan_.problems), failed=bad_rows)
    known = manifest.read(plan_.manifest)
    writer = manifest.Writer(plan_.manifest)
    _retire(plan_, known, writer)
    start = time.perf_counter()
    total = len(todo)

    def finish(job: Job, tmp: str | None, error: str, warnings: list[Problem], sha256: str) -> None:
        final = out_dir / job.file
        place = plan_.recipients or Path(plan_.manifest).name
        summary.warnings += [Problem(w.message, place, field=w.field, warning=True, row=job.row) for w in warnings]
        entry = known.get(job.row)
        recipient = fingerprint(dict(job.fields))  # so `email` sends this PDF only to this row's person
        if tmp and final.exists() and not (entry and entry.get("file") == job.file):
            os.unlink(tmp)
            error = f"{job.file} already exists and was not made by this batch; move it away"
            tmp = None
        if tmp is None:
            summary.failed += 1
            summary.problems.append(Problem(error, place, row=job.row))
            writer.record(job.row, job.row_id, job.file, "failed", job.input_hash, error, recipient)
        else:
            writer.record(job.row, job.row_id, job.file, "built", job.input_hash, recipient=recipient, pdf_sha256=sha256)
            try:
                os.replace(tmp, final)
            except OSError as exc:
                raise cannot_write(out_dir, exc) from None
            summary.built += 1
        if on_progress:
            on_progress(summary.built + summary.failed - bad_rows, total)

    work = [(job, str(out_dir)) for job in todo]
    global _renderer
    _renderer = None
    try:
        if work:
            # Shared work once, in this process; forked workers inherit it.
            _init_worker(plan_.kind, str(root), plan_.target, options)
        if jobs <= 1 or len(work) <= 1:
            for item in work:
                finish(*_work(item))
        else:
            import multiprocessing

            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            with context.Pool(jobs, _init_worker, (plan_.kind, str(root), plan_.target, options, True)) as pool:
                for result in pool.imap_unordered(_work, work, chunksize=4):
                    finish(*result)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        writer.close()
        _renderer = None
        # Again at the end: a worker of a run killed just before this one may still have been
        # exiting when the run started (its temp files were then kept as a live writer's).
        clean_stale_temps(out_dir)
        summary.seconds = time.perf_counter() - start
    return summary


def write_mailout(plan_: Plan, target: Path) -> tuple[int, int]:
    """Every built PDF of this batch, in row order, in one PDF at `target` (0600, atomic): a print
    mail-out. Returns (guides in it, rows missing from it because they are not built)."""
    import io

    from handouts.files import write_atomic
    from handouts.render.mailout import write_mailout as write

    done = manifest.read(plan_.manifest)
    paths, missing = [], 0
    for job in sorted(plan_.jobs, key=lambda j: j.row):
        entry = done.get(job.row)
        path = plan_.out_dir / job.file
        if entry and entry.get("status") == "built" and entry.get("file") == job.file and path.is_file():
            paths.append(path)
        else:
            missing += 1
    missing += rows_with_problems(plan_.problems)
    if not paths:
        return 0, missing
    buffer = io.BytesIO()
    write((p.read_bytes() for p in paths), buffer)
    try:
        write_atomic(target, buffer.getvalue(), overwrite=True)
    except OSError as exc:
        raise cannot_write(target.parent, exc) from None
    return len(paths), missing
