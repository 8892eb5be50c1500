"""Batch production (issue 5): recipients, manifest and resume, page reuse equal to a full build,
bad rows, names, shards, and SIGKILL in the middle of a batch."""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_no_crash, explain, norm, pdf_facts, run

GUIDE = "back-pain-tips"


def write_csv(path: Path, rows, header=("name", "email"), encoding="utf-8", delimiter=",", bom=False) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def names(n: int, prefix="Reader") -> list[tuple[str, str]]:
    return [(f"{prefix} {i:03d} Zoë", f"r{i}@example.com") for i in range(1, n + 1)]


def manifest(out: Path, name="manifest.csv") -> list[dict]:
    with open(out / name, newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r.get("row")]


def batch(clinic, recipients: Path, out: Path, *extra):
    return run(["batch", "guide", GUIDE, "--recipients", recipients, "--out", out, "--jobs", "1", *extra], clinic)


def test_each_pdf_carries_its_own_name_and_equals_a_full_build(clinic, tmp_path):
    people = names(6)
    result = batch(clinic, write_csv(tmp_path / "leads.csv", people), tmp_path / "out")
    assert result.exit_code == 0, explain(result)
    files = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(files) == 6
    for (name, _), path in zip(people, files):
        facts = pdf_facts(path)
        assert f"Prepared for {name}" in norm(facts.texts[0])
        others = [n for n, _ in people if n != name]
        assert not any(other in facts.all_text for other in others), "another reader's name leaked"
        assert not any(other.encode() in path.read_bytes() for other in others)
    # indistinguishable from a full build: pages, text, outline, links, metadata, pixels
    from handouts import build
    from handouts.load import folder

    library = folder.load_library(clinic)
    full = build.render_guide_pdf(clinic, library, GUIDE, {"name": people[2][0]})[0]
    _assert_same_document(files[2].read_bytes(), full)


def _links(reader):
    out = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and "/URI" in action:
                out.append((number, "uri", str(action["/URI"])))
            elif "/Dest" in annot or (action is not None and "/D" in action):
                dest = annot.get("/Dest") or action.get("/D")
                target = dest[0] if isinstance(dest, list) else dest
                out.append((number, "page", reader.get_page_number(target.get_object()) if hasattr(target, "get_object") else str(target)))
    return sorted(out, key=str)


def _assert_same_document(batch_pdf: bytes, full_pdf: bytes) -> None:
    import pypdf
    import pypdfium2 as pdfium

    a, b = pdf_facts(batch_pdf), pdf_facts(full_pdf)
    assert a.pages == b.pages
    last = a.pages - 1
    for page, (x, y) in enumerate(zip(a.texts, b.texts)):
        # On the two personal pages the reader's parts are drawn last in a batch file (laid over the
        # shared page), so their words are compared as a multiset; every other page exactly.
        if page in (0, last):
            assert sorted(norm(x).split()) == sorted(norm(y).split()), page
        else:
            assert norm(x) == norm(y), page
    ra, rb = pypdf.PdfReader(io.BytesIO(batch_pdf)), pypdf.PdfReader(io.BytesIO(full_pdf))
    assert [(o.title, ra.get_destination_page_number(o)) for o in ra.outline] == \
        [(o.title, rb.get_destination_page_number(o)) for o in rb.outline]
    assert _links(ra) == _links(rb)
    assert ra.metadata == rb.metadata
    pa, pb = pdfium.PdfDocument(batch_pdf), pdfium.PdfDocument(full_pdf)
    for index in (0, len(pa) - 1):  # the pages that differ per reader look exactly the same
        ia = pa[index].render(scale=0.5).to_pil().convert("RGB")
        ib = pb[index].render(scale=0.5).to_pil().convert("RGB")
        assert ia.tobytes() == ib.tobytes(), f"page {index + 1} differs from a full build"


def test_rerun_skips_unchanged_rows_and_rebuilds_changed_ones(clinic, tmp_path):
    people = names(5)
    csv_path = write_csv(tmp_path / "leads.csv", people)
    out = tmp_path / "out"
    assert batch(clinic, csv_path, out).exit_code == 0
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    again = batch(clinic, csv_path, out)
    assert again.exit_code == 0 and "0 to build, 5 already built" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == first
    people[1] = ("Changed Name", people[1][1])
    write_csv(csv_path, people)
    third = batch(clinic, csv_path, out)
    assert "1 to build, 4 already built" in third.stderr, explain(third)
    assert "Changed Name" in norm(pdf_facts(out / f"{GUIDE}-00002.pdf").texts[0])
    forced = batch(clinic, csv_path, out, "--force")
    assert "5 to build" in forced.stderr
    rows = manifest(out)
    assert {r["status"] for r in rows} == {"built"} and all(len(r["input_hash"]) == 32 for r in rows)


def test_bad_rows_are_reported_by_row_number_and_skipped(clinic, tmp_path):
    people = names(4)
    people[1] = ("Bad\x07Name", "x@example.com")
    people[2] = ("", "y@example.com")
    out = tmp_path / "out"
    result = batch(clinic, write_csv(tmp_path / "leads.csv", people), out)
    assert_no_crash(result)
    assert result.exit_code == 75, explain(result)
    assert "leads.csv#row 2" in result.stderr and "U+0007" in result.stderr
    assert "leads.csv#row 3" in result.stderr and "name" in result.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == [f"{GUIDE}-00001.pdf", f"{GUIDE}-00004.pdf"]


def test_unknown_and_missing_columns_stop_before_anything_is_built(clinic, tmp_path):
    out = tmp_path / "out"
    result = batch(clinic, write_csv(tmp_path / "a.csv", [("A", "x")], header=("nmae", "email")), out)
    assert result.exit_code == 65, explain(result)
    assert "a.csv#header" in result.stderr and "unknown column(s): nmae" in result.stderr
    assert "missing required column(s): name" in result.stderr
    assert not list(out.glob("*.pdf")) if out.exists() else True


@pytest.mark.parametrize("kind", ["bom", "cp1252", "semicolon"])
def test_spreadsheet_csv_dialects_load(clinic, tmp_path, kind):
    people = [("Zoë Ñúñez", "z@example.com"), ("Renée O'Brien", "r@example.com")]
    options = {"bom": {"bom": True}, "cp1252": {"encoding": "cp1252"}, "semicolon": {"delimiter": ";"}}[kind]
    out = tmp_path / "out"
    result = batch(clinic, write_csv(tmp_path / "leads.csv", people, **options), out)
    assert result.exit_code == 0, explain(result)
    for (name, _), path in zip(people, sorted(out.glob("*.pdf"))):
        assert f"Prepared for {name}" in norm(pdf_facts(path).texts[0])


def test_formula_cells_are_neutralised_in_the_manifest(clinic, tmp_path):
    rows = [("=HYPERLINK(\"http://x\")", "a@example.com", "=1+2"), ("Ann", "b@example.com", "@SUM(A1)")]
    out = tmp_path / "out"
    result = batch(clinic, write_csv(tmp_path / "leads.csv", rows, header=("name", "email", "id")), out)
    assert result.exit_code == 0, explain(result)
    text = (out / "manifest.csv").read_text(encoding="utf-8")
    assert "'=1+2" in text and "'@SUM(A1)" in text
    assert not any(line.split(",")[1].startswith(("=", "@", "+", "-")) for line in text.splitlines()[1:] if line)


def test_file_names_are_safe_and_collisions_resolved(clinic, tmp_path):
    rows = [("../../etc/passwd", "a@example.com"), ("CON", "b@example.com"), ("Zoë → " + "x" * 180, "c@example.com"),
            ("../../etc/passwd", "d@example.com")]
    out = tmp_path / "out"
    result = batch(clinic, write_csv(tmp_path / "leads.csv", rows), out, "--name", "{name}.pdf")
    assert result.exit_code == 0, explain(result)
    made = sorted(p.name for p in out.glob("*.pdf"))
    assert len(made) == 4 and all(p.parent == out for p in out.glob("*.pdf"))
    for name in made:
        assert len(name.encode()) <= 100 and not name.startswith(".")
        assert all(c.isalnum() and c.isascii() or c in "._-" for c in name), name
        assert name.split(".")[0].upper() not in ("CON", "NUL", "PRN", "AUX")
    assert "etc-passwd.pdf" in made and "etc-passwd-2.pdf" in made


def test_patient_batch_names_carry_no_patient_name(clinic, tmp_path):
    rows = [("Maria Gómez", "2026-11-21", "jordan-lee", "Walk daily.")]
    out = tmp_path / "out"
    csv_path = write_csv(tmp_path / "patients.csv", rows, header=("patient", "date", "therapist", "note"))
    result = run(["batch", "routine", "--program", "core-activation", "--recipients", csv_path, "--out", out,
                  "--jobs", "1"], clinic)
    assert result.exit_code == 0, explain(result)
    (made,) = list(out.glob("*.pdf"))
    assert made.name == "handout-00001.pdf"
    assert "Maria Gómez" in pdf_facts(made).texts[0]
    assert "Maria" not in (out / "manifest.csv").read_text(encoding="utf-8")
    assert oct(made.stat().st_mode & 0o777) == oct(0o600) and oct(out.stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.parametrize("command, typo, expected", [
    (["batch", "routine", "--program", "core-activaton"], "core-activaton",
     "error: --program: unknown program id 'core-activaton'; did you mean 'core-activation'?"),
    (["batch", "guide", "back-pain-tip"], "back-pain-tip",
     "error: guide: unknown guide id 'back-pain-tip'; did you mean 'back-pain-tips'?"),
])
def test_unknown_target_says_did_you_mean_before_anything_is_built(clinic, tmp_path, command, typo, expected):
    out = tmp_path / "out"
    csv_path = write_csv(tmp_path / "people.csv", [("Maria", "2026-11-21")], header=("patient", "date"))
    result = run([*command, "--recipients", csv_path, "--out", out], clinic)
    assert result.exit_code == 65, explain(result)
    assert expected in result.stderr.splitlines(), explain(result)
    assert not out.exists()


def test_each_batch_kind_is_defined_once():
    """Columns, file names and the renderer of a kind live in batch_kinds; the CLI's --name default is
    the guide kind's (spelled there only so --help does not import the batch stage)."""
    from handouts.batch_kinds import KINDS
    from handouts.cli.batch import GUIDE_FILE_NAME

    assert set(KINDS) == {"guide", "routine"}
    assert KINDS["guide"].file_name == GUIDE_FILE_NAME


def test_shards_split_the_rows_without_overlap(clinic, tmp_path):
    csv_path = write_csv(tmp_path / "leads.csv", names(7))
    out = tmp_path / "out"
    for k in (1, 2, 3):
        assert batch(clinic, csv_path, out, "--shard", f"{k}/3").exit_code == 0
    rows = []
    for k in (1, 2, 3):
        rows += [int(r["row"]) for r in manifest(out, f"manifest-shard-{k}-of-3.csv")]
    assert sorted(rows) == list(range(1, 8))
    assert len(list(out.glob("*.pdf"))) == 7
    assert run(["batch", "guide", GUIDE, "--recipients", csv_path, "--out", out, "--shard", "4/3"],
               clinic).exit_code == 65


def test_two_workers_build_the_same_files_as_one(clinic, tmp_path):
    csv_path = write_csv(tmp_path / "leads.csv", names(8))
    assert batch(clinic, csv_path, tmp_path / "one").exit_code == 0
    two = run(["batch", "guide", GUIDE, "--recipients", csv_path, "--out", tmp_path / "two", "--jobs", "2"], clinic)
    assert two.exit_code == 0, explain(two)
    for path in (tmp_path / "one").glob("*.pdf"):
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes()


def test_sigkill_mid_batch_then_rerun_finishes_without_rebuilding(clinic, tmp_path):
    """Kill the batch at a random moment; the re-run builds exactly the rows that were not built,
    and no half-written PDF is left anywhere."""
    count = 60
    csv_path = write_csv(tmp_path / "leads.csv", names(count))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "handouts", "--root", str(clinic), "batch", "guide", GUIDE,
           "--recipients", str(csv_path), "--out", str(out), "--jobs", "2"]
    env = dict(os.environ)
    rng = random.Random(7)
    for attempt in range(3):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(rng.uniform(0.9, 1.8))
        os.killpg(proc.pid, signal.SIGKILL)  # parent and workers, as a power cut or OOM kill would
        proc.wait()
    for path in out.glob("*.pdf"):  # every file at its final name is a complete PDF
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-32:], path
    built_before = {int(r["row"]) for r in manifest(out) if r["status"] == "built"}
    final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    rows = manifest(out)
    built = [int(r["row"]) for r in rows if r["status"] == "built"]
    assert sorted(set(built)) == list(range(1, count + 1))
    assert len(built) == len(set(built)), "a row was built twice although its inputs did not change"
    assert set(built[-(count - len(built_before)):] if count > len(built_before) else []) .isdisjoint(built_before)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")], "stray temp files"
    assert len(list(out.glob("*.pdf"))) == count
