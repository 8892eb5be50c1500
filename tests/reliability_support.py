"""Helpers shared by the tests/test_reliability_*.py modules (catalogue §5 rows).

Every error case of the catalogue must: exit with the exact code, name the file and line (or row,
or option), print no traceback, write nothing and replace nothing. `refused()` asserts all of that
in one place, against an output folder that already holds a file: the failing command is pointed
at that file with --overwrite, so "nothing existing overwritten" is tested even where overwriting
was allowed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from conftest import assert_no_crash, explain, run

SENTINEL = b"%PDF-1.4 an older handout that must survive a failed build\n%%EOF\n"
CANARY = "Qzxcanary Vplmtest"  # a name no real content contains: searched for wherever PHI must not be


def output_folder(tmp_path: Path) -> tuple[Path, Path]:
    """out/ holding existing.pdf (sentinel bytes); returns (folder, existing file)."""
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    existing = folder / "existing.pdf"
    existing.write_bytes(SENTINEL)
    return folder, existing


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative name -> bytes), hidden temp files included."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(result, code: int, place: str, folder: Path | None = None, before: dict | None = None,
            secret: str | None = None) -> None:
    """The catalogue's error contract: exact exit code, `place` (a regular expression: file:line,
    file#row or an option name) in stderr, no traceback, `folder` unchanged, `secret` not shown."""
    assert_no_crash(result)
    assert result.exit_code == code, explain(result)
    assert re.search(place, result.stderr, re.M), f"expected {place!r} in stderr\n{explain(result)}"
    if folder is not None:
        assert snapshot(folder) == (before or {}), "the output folder changed although the command failed"
    if secret is not None:
        assert secret not in result.output, "patient data in the messages"


def routine_refused(root: Path, tmp_path: Path, args: list, code: int, place: str, secret: str | None = None):
    """`handouts routine ARGS -o out/existing.pdf --overwrite` fails with the contract above."""
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    result = run(["routine", *args, "-o", existing, "--overwrite"], root)
    refused(result, code, place, folder, before, secret)
    return result


def write_rows(path: Path, header, rows) -> Path:
    """A UTF-8 CSV with `header` and `rows`."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
