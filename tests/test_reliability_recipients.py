"""Catalogue §5 row 41 (recipient lists: CSV dialects and broken files) and the batch side of row 46,
through `handouts batch`. Address rows (42-45) belong to email delivery: test_reliability_smtp.py.

Already covered elsewhere (referenced, not repeated): BOM, cp1252 and semicolon files build
(test_batch.py::test_spreadsheet_csv_dialects_load), unknown and missing columns stop the batch
(::test_unknown_and_missing_columns_stop_before_anything_is_built), control characters and empty
required cells are row problems (::test_bad_rows_are_reported_by_row_number_and_skipped), formula
cells are neutralised in the manifest (::test_formula_cells_are_neutralised_in_the_manifest, row 46).

The contract: a problem with the whole file stops the batch before anything is written (exit 65,
or 66 when the file is missing), naming the file and `#header` or `#row N`; a problem with one row
is reported as `FILE#row N`, that row is skipped, the others are built, and the exit code is 75.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from conftest import explain, norm, pdf_facts, run
from reliability_support import CANARY, refused, snapshot

EXIT_DATAERR, EXIT_NOINPUT, EXIT_PARTIAL = 65, 66, 75
GUIDE = "back-pain-tips"


def batch(clinic, recipients: Path, out: Path, *extra):
    return run(["batch", "guide", GUIDE, "--recipients", recipients, "--out", out, "--jobs", "1", *extra], clinic)


def built(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("*.pdf")) if out.exists() else []


# -- whole-file problems: nothing is written -------------------------------------------------------------------

@pytest.mark.parametrize("data, place", [
    (b"", r"leads\.csv: the file is empty; the first line must name the columns"),
    (b"name,name\nAnn,Bo\n", r"leads\.csv#header: column 'name' appears twice"),
    (b"name,,email\nAnn,x,a@example.com\n", r"leads\.csv#header: column 2 has no name"),
    (b"name\nAnn\x81\n", r"leads\.csv: not UTF-8 \(byte 8\), and no usual encoding reads it as names \(as mac_roman: 'AnnÅ'\); save it as 'CSV UTF-8'"),
    (b"nmae,email\nAnn,a@example.com\n", r"leads\.csv#header: unknown column\(s\): nmae"),
    (b"email\na@example.com\n", r"leads\.csv#header: missing required column\(s\): name"),
    (b"name;email\nAnn;a@example.com\n", None),  # detected: builds (see below)
    (b"email\tfirst\na@example.com\tAnn\n", r"leads\.csv#header: unknown column\(s\): first"),
    (b"e-mail|name\nx|Ann\n", r"missing required column\(s\): name \(is the delimiter ',' right\? try --delimiter ';'\)"),
], ids=["empty", "duplicate-column", "unnamed-column", "undecodable", "unknown-column", "missing-column",
        "semicolon", "tab", "pipe"])
def test_whole_file_problems_stop_before_anything_is_written(clinic, tmp_path, data, place):
    (tmp_path / "leads.csv").write_bytes(data)
    out = tmp_path / "out"
    result = batch(clinic, tmp_path / "leads.csv", out)
    if place is None:
        assert result.exit_code == 0 and built(out) == [f"{GUIDE}-00001.pdf"], explain(result)
        return
    refused(result, EXIT_DATAERR, place, out, {})
    assert not out.exists(), "the output folder was created for a batch that could not start"


def test_header_problems_say_header_not_row_0(clinic, tmp_path):
    """Found by this suite: duplicate or unnamed columns were reported as 'leads.csv#row 0'."""
    (tmp_path / "leads.csv").write_bytes(b"name,Name\nAnn,Bo\n")
    result = batch(clinic, tmp_path / "leads.csv", tmp_path / "out")
    refused(result, EXIT_DATAERR, r"^error: \S*leads\.csv#header: column 'name' appears twice$")
    assert "#row 0" not in result.stderr


def test_missing_recipient_file_is_66(clinic, tmp_path):
    refused(batch(clinic, tmp_path / "nope.csv", tmp_path / "out"), EXIT_NOINPUT, r"nope\.csv: recipient file not found")
    assert not (tmp_path / "out").exists()


def test_a_recipient_file_over_50_mb_is_refused_before_reading(clinic, tmp_path):
    path = tmp_path / "leads.csv"
    with open(path, "wb") as fh:
        fh.write(b"name\n")
        fh.truncate(60_000_000)
    start = time.perf_counter()
    refused(batch(clinic, path, tmp_path / "out"), EXIT_DATAERR, r"leads\.csv: file is 60,000,000 bytes; the limit is 50,000,000")
    assert time.perf_counter() - start < 1.0


# -- row problems: reported by row, skipped, the rest built, exit 75 -------------------------------------------

def test_row_problems_are_reported_by_row_and_the_rest_built(clinic, tmp_path):
    rows = [
        b"name,email",
        b"Ann,a@example.com",                 # row 1: fine
        b"Bo,b@example.com,extra",             # row 2: too many cells
        b'"Cy\x1b[31m",c@example.com',        # row 3: control character
        b",d@example.com",                     # row 4: no name
        ("E" * 201).encode() + b",e@example.com",  # row 5: over 200 characters
        b"  Fay  ,f@example.com",              # row 6: spaces trimmed: fine
        b'"Gus',                               # row 7: quote never closed (to the end of the file)
    ]
    (tmp_path / "leads.csv").write_bytes(b"\r\n".join(rows) + b"\r\n")
    out = tmp_path / "out"
    result = batch(clinic, tmp_path / "leads.csv", out)
    assert result.exit_code == EXIT_PARTIAL, explain(result)
    assert "Traceback" not in result.output
    for row, words in [(2, "has 3 cells but the header names 2 columns"), (3, "U+001B"),
                       (4, "no value in required column(s): name"), (5, "is 201 characters; the limit is 200"),
                       (7, "unreadable line")]:
        assert re.search(rf"leads\.csv#row {row}: .*{re.escape(words)}", result.stderr), (row, explain(result))
    assert built(out) == [f"{GUIDE}-00001.pdf", f"{GUIDE}-00006.pdf"]
    assert "Prepared for Fay" in norm(pdf_facts(out / f"{GUIDE}-00006.pdf").texts[0])


def test_row_values_never_appear_in_messages(clinic, tmp_path):
    (tmp_path / "leads.csv").write_text(f"name,email\n{CANARY}\x07,a@example.com\n{CANARY},b@example.com,x\n",
                                        encoding="utf-8")
    result = batch(clinic, tmp_path / "leads.csv", tmp_path / "out")
    assert result.exit_code == EXIT_PARTIAL, explain(result)
    assert CANARY not in result.output


def test_quoted_newlines_blank_lines_and_case_are_handled(clinic, tmp_path):
    (tmp_path / "leads.csv").write_bytes(b'\xef\xbb\xbfNAME , Email\r\n"Ann\nLee",a@example.com\r\n\r\n,\r\nBo,b@example.com\r\n')
    out = tmp_path / "out"
    result = batch(clinic, tmp_path / "leads.csv", out)
    assert result.exit_code == 0, explain(result)
    assert built(out) == [f"{GUIDE}-00001.pdf", f"{GUIDE}-00004.pdf"]
    assert "Prepared for Ann Lee" in norm(pdf_facts(out / f"{GUIDE}-00001.pdf").texts[0])


# -- YAML recipient lists go through the strict reader ---------------------------------------------------------

@pytest.mark.parametrize("text, code, place", [
    ("- name: &a Ann\n- name: *a\n", EXIT_DATAERR, r"leads\.yaml:2:9: aliases \(\*a\) are not allowed"),
    ("name: Ann\n", EXIT_DATAERR, r"leads\.yaml:1:1: expected a list of recipients"),
    ("- name: Ann\n- [Bo]\n", EXIT_PARTIAL, r"leads\.yaml:2:3: expected a mapping of column: text"),
    ("- name: Ann\n  name: Bo\n", EXIT_DATAERR, r"leads\.yaml:2:3: duplicate key 'name' \(first given on line 1\)"),
    ("- name: Ann\n- name: {first: Bo}\n", EXIT_PARTIAL, r"leads\.yaml:2:3: expected a mapping of column: text"),
], ids=["alias", "not-a-list", "item-not-mapping", "duplicate-key", "nested-value"])
def test_yaml_recipient_lists(clinic, tmp_path, text, code, place):
    (tmp_path / "leads.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run(["batch", "guide", GUIDE, "--recipients", tmp_path / "leads.yaml", "--out", out, "--jobs", "1"], clinic)
    refused(result, code, place)
    if code == EXIT_DATAERR:
        assert not out.exists()
    else:
        assert built(out) == [f"{GUIDE}-00001.pdf"]


def test_rerun_after_fixing_rows_builds_only_those(clinic, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("name\nAnn\nB\x07o\nCy\n", encoding="utf-8")
    out = tmp_path / "out"
    assert batch(clinic, path, out).exit_code == EXIT_PARTIAL
    before = snapshot(out)
    path.write_text("name\nAnn\nBo\nCy\n", encoding="utf-8")
    again = batch(clinic, path, out)
    assert again.exit_code == 0 and "1 to build, 2 already built" in again.stderr, explain(again)
    after = snapshot(out)
    for name in (f"{GUIDE}-00001.pdf", f"{GUIDE}-00003.pdf"):
        assert after[name] == before[name], "an unchanged row was rebuilt"
