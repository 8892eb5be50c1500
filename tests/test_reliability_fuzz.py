"""Property-based fuzzing of content files (catalogue §6 "YAML fuzzing"), recipient lists and the CLI.

Random text and bytes, and structure-aware mutations of the real demo content (inserted tabs,
deleted characters, duplicated, deleted and swapped lines, re-indents, aliases and anchors, merge
keys, type flips, tags, truncation, random Unicode incl. controls and private use, NUL/CR/BOM and
invalid UTF-8 bytes, huge numbers, deep nesting, extra documents), run through the real reader:
folder.read_tree (size limit, UTF-8, strict YAML) + the schema for that kind of file; a smaller set
through folder.scan_library on a clinic copy and through the CLI (`check`, `routine`, `guide`).

Properties: no exception escapes except our own errors (so the CLI never exits 1 or shows a
traceback); every problem names its file and a line or a field path; each example takes well
under 1 s.

Profiles: the default is short and derandomized (the same examples on every machine; a few
seconds). `pytest tests/test_reliability_fuzz.py --hypothesis-profile=long` (or HANDOUTS_FUZZ=long)
runs 20,000 content mutations plus the rest scaled up, with fresh random examples each run;
add --hypothesis-show-statistics for the example counts and timings.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, copy_clinic, run
from handouts.load import fields, folder, recipients, schema
from handouts.load import visit as load_visit
from handouts.errors import HandoutsError

LONG = settings.get_current_profile_name() == "long"
SLOW_LIMIT = 1.0  # CPU seconds per example (CPU time: a busy machine must not fail the test)


def fuzz_settings(short: int, long: int):
    return settings(max_examples=long if LONG else short, deadline=None, database=None, derandomize=not LONG,
                    suppress_health_check=list(HealthCheck))


# -- seeds: the real demo content ------------------------------------------------------------------------------

def _seeds() -> list[tuple[str, str, str]]:
    """(kind, shown name, text) for every content file of the demo clinic and the example visit."""
    out = [("clinic", "content/clinic.yaml", (REPO / "content" / "clinic.yaml").read_text(encoding="utf-8"))]
    for kind, folder in (("exercise", "exercises"), ("program", "programs"), ("guide", "guides")):
        for path in sorted((REPO / "content" / folder).glob("*.yaml")):
            out.append((kind, f"content/{folder}/{path.name}", path.read_text(encoding="utf-8")))
    out.append(("visit", "visit.yaml", (REPO / "examples" / "visit.yaml").read_text(encoding="utf-8")))
    return out


SEEDS = _seeds()
READERS = {
    "clinic": lambda r, tree: schema.read_clinic(r, tree),
    "exercise": lambda r, tree: schema.read_exercise(r, tree, "fuzz"),
    "program": lambda r, tree: schema.read_program(r, tree, "fuzz"),
    "guide": lambda r, tree: schema.read_guide(r, tree, "fuzz"),
    "visit": lambda r, tree: load_visit.read_visit(r, tree),
}

# Values a type flip puts where a scalar was: other YAML types, YAML 1.1 surprises, broken syntax.
FLIPS = ["[1, 2]", "{a: b}", "~", "''", '""', "[]", "{}", "- x", "|", ">-", "!!str x", "!!binary aGk=",
         "!!python/object/apply:os.system [id]", "!custom x", "yes", "NO", "off", "1e999", "-0", "0x1F", "0o17",
         "01234", ".inf", ".nan", "12:30", "1980-02-30", "2026-11-21", "[[[[[[", "{", "}", "]", "&a", "*a", "*zz",
         "@x", "`x", "%x", "'unterminated", '"unterminated', "<<: *a", "? complex", "x: y: z", "- - - x",
         "\t", "#", "'", '"', "\\", "|+\n  x", ">\n\tx", "&a [*a]", "9" * 5000, "-" + "9" * 40, "3.10",
         "<b>x</b>", "[x](javascript:alert(1))", "{name}", "{{", "../../etc/passwd", "/etc/hosts", "C:\\x.png"]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def mutate(text: str, ops: list[tuple[str, float, float, str]]) -> bytes:
    """Apply structure-aware mutations; the floats pick positions, the string is a random payload."""
    data: bytes | None = None
    for op, a, b, payload in ops:
        if data is not None:  # after a byte-level op, keep working on the bytes
            text = data.decode("utf-8", "surrogateescape")
        lines = _lines(text)
        i = int(a * len(lines)) % max(len(lines), 1)
        j = int(b * len(lines)) % max(len(lines), 1)
        pos = int(a * (len(text) + 1))
        if op == "tab":
            text = text[:pos] + "\t" + text[pos:] if b < 0.5 else "\n".join(
                ("\t" + x if k == i else x) for k, x in enumerate(lines))
        elif op == "delete":
            text = text[:pos] + text[pos + 1 + int(b * 8):]
        elif op == "dup-line":
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == "del-line":
            del lines[i]
            text = "\n".join(lines)
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == "indent":
            n = int(b * 7) - 3
            lines[i] = (" " * n + lines[i]) if n > 0 else lines[i][-n:]
            text = "\n".join(lines)
        elif op == "alias":
            if ": " in lines[i]:
                key, _, value = lines[i].partition(": ")
                lines[i] = f"{key}: &a {value}"
                lines.insert(j + 1 if j >= i else j, (lines[j][: len(lines[j]) - len(lines[j].lstrip())] or "")
                             + ("<<: *a" if b < 0.3 else "zz: *a"))
            text = "\n".join(lines)
        elif op == "flip":
            value = FLIPS[int(b * len(FLIPS)) % len(FLIPS)]
            if ": " in lines[i]:
                key, _, _ = lines[i].partition(": ")
                lines[i] = f"{key}: {value}"
            elif lines[i].lstrip().startswith("- "):
                lines[i] = lines[i][: len(lines[i]) - len(lines[i].lstrip())] + "- " + value
            else:
                lines.insert(i, value)
            text = "\n".join(lines)
        elif op == "truncate":
            text = text[:pos]
        elif op == "unicode":
            text = text[:pos] + payload + text[pos:]
        elif op == "huge":
            text = re.sub(r"\b\d+\b", "9" * (1 + int(b * 6000)), text, count=1 + int(a * 3))
        elif op == "nest":
            depth = 1 + int(b * 120)
            if ": " in lines[i]:
                key, _, value = lines[i].partition(": ")
                lines[i] = f"{key}: " + ("[" * depth + (value or "x") + "]" * depth if a < 0.5
                                          else "{a: " * depth + "x" + "}" * depth)
            text = "\n".join(lines)
        elif op == "document":
            lines.insert(i, ["---", "...", "%YAML 1.1", "--- !!map", "%TAG ! tag:x.org,2002:"][int(b * 5) % 5])
            text = "\n".join(lines)
        elif op == "bytes":
            raw = bytearray(text.encode("utf-8", "surrogateescape"))
            at = int(a * (len(raw) + 1))
            junk = [b"\x00", b"\r", b"\xef\xbb\xbf", b"\xff\xfe", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\x1b[31m",
                    b"\xe2\x80\xae", b"\x85", b"\xf4\x90\x80\x80"][int(b * 11) % 11]
            raw[at:at] = junk
            data = bytes(raw)
            continue
        data = None
    return data if data is not None else text.encode("utf-8", "surrogateescape")


OPS = ["tab", "delete", "dup-line", "del-line", "swap", "indent", "alias", "flip", "truncate", "unicode", "huge",
       "nest", "document", "bytes"]
any_text = st.text(st.characters(codec=None, exclude_categories=("Cs",)), min_size=1, max_size=12)
op = st.tuples(st.sampled_from(OPS), st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True), any_text)
mutated = st.tuples(st.sampled_from(range(len(SEEDS))), st.lists(op, min_size=1, max_size=4))


# -- the checks ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_as(kind: str, shown: str, data: bytes, scratch: Path):
    """The loader's path for one file: read_tree (size, UTF-8, strict YAML, empty) then the schema.
    Returns the problems; asserts the properties."""
    path = scratch / "file.yaml"
    path.write_bytes(data)
    start = time.process_time()
    tree, reader = folder.read_tree(scratch, path, shown=shown)
    if tree is not None:
        READERS[kind](reader, tree)
    elapsed = time.process_time() - start
    assert elapsed < SLOW_LIMIT, f"{elapsed:.2f} s for one file"
    for p in reader.problems:
        assert p.file == shown, p
        assert p.line >= 1 or p.field, f"a problem with neither a line nor a field path: {p}"
        assert p.message and "Traceback" not in p.message, p
    return reader.problems


@fuzz_settings(short=1_500, long=20_000)
@given(mutated)
def test_mutated_content_gives_located_problems_never_exceptions(scratch, case):
    index, ops = case
    kind, shown, text = SEEDS[index]
    read_as(kind, shown, mutate(text, ops), scratch)


@fuzz_settings(short=200, long=2_000)
@given(st.sampled_from(sorted(READERS)), st.text(max_size=400))
def test_random_text_as_any_content_file(scratch, kind, text):
    read_as(kind, f"content/{kind}.yaml", text.encode("utf-8", "surrogatepass"), scratch)


@fuzz_settings(short=200, long=2_000)
@given(st.sampled_from(sorted(READERS)), st.binary(max_size=400))
def test_random_bytes_as_any_content_file(scratch, kind, data):
    read_as(kind, f"content/{kind}.yaml", data, scratch)


# -- through the whole loader, and through the CLI ----------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_clinic(clinic, tmp_path_factory) -> Path:
    return copy_clinic(clinic, tmp_path_factory.mktemp("fuzz-clinic") / "clinic")


def _swap_in(root: Path, shown: str, data: bytes):
    """Replace content file `shown` (a visit goes next to the clinic) by `data`; return a restore callback."""
    target = root / shown if shown != "visit.yaml" else root.parent / "visit.yaml"
    original = target.read_bytes() if target.exists() else None
    target.write_bytes(data)

    def restore():
        if original is None:
            target.unlink()
        else:
            target.write_bytes(original)
    return target, restore


@fuzz_settings(short=120, long=1_000)
@given(mutated)
def test_scan_library_with_one_mutated_file(fuzz_clinic, case):
    index, ops = case
    kind, shown, text = SEEDS[index]
    if kind == "visit":
        shown = "content/exercises/visit.yaml"  # as an exercise file: the loader reads every file
    _, restore = _swap_in(fuzz_clinic, shown, mutate(text, ops))
    try:
        start = time.process_time()
        library, problems = folder.scan_library(fuzz_clinic)
        assert time.process_time() - start < SLOW_LIMIT
    finally:
        restore()
    for p in problems:
        assert p.file, p
        assert p.line >= 1 or p.field, f"a problem with neither a line nor a field path: {p}"


ERROR_LINE = re.compile(r"^error: (?P<file>[^:\s]+(\.yaml|#row \d+|#header))(:\d+(:\d+)?)?: ")


@fuzz_settings(short=24, long=300)
@given(mutated, st.sampled_from(["check", "routine", "guide"]))
def test_cli_never_crashes_on_mutated_content(fuzz_clinic, tmp_path_factory, case, command):
    index, ops = case
    kind, shown, text = SEEDS[index]
    target, restore = _swap_in(fuzz_clinic, shown, mutate(text, ops))
    out = tmp_path_factory.mktemp("out") / "x.pdf"
    args = {"check": ["check"],
            "routine": ["routine", target, "-o", out] if kind == "visit" else
            ["routine", "--program", "core-activation", "--exercise", "bridge", "-o", out],
            "guide": ["guide", "back-pain-tips", "--for", "Ann", "-o", out]}[command]
    try:
        result = run(args, fuzz_clinic)
    finally:
        restore()
    assert not result.traceback_text and "Traceback" not in result.output, result.traceback_text or result.output
    assert result.exit_code in (0, 65, 66), (result.exit_code, result.output)
    for line in result.stderr.splitlines():
        if line.startswith("error: "):
            assert ERROR_LINE.match(line), f"an error without its file: {line!r}"
    if result.exit_code != 0:
        assert not out.exists()


# -- recipient lists ---------------------------------------------------------------------------------------------

CSV_SEEDS = [
    b"name,email\nAnn Lee,ann@example.com\nBo,bo@example.com\n",
    b"\xef\xbb\xbfpatient;date;note\nZo\xc3\xab;2026-11-21;\"walk\ndaily\"\nCy;2026-11-22;x\n",
    b"name\temail\nRen\xe9e\tr@example.com\n",  # cp1252
    b"- name: Ann\n  email: a@example.com\n- name: Bo\n",
]
CSV_JUNK = [b",", b";", b"\t", b"\n", b"\r\n", b'"', b"\x00", b"\r", b"\xef\xbb\xbf", b"\x81", b"\xff", b"=cmd",
            b"\x1b", b"\xe2\x80\xae", b"&a", b"*a", b" ", b"'", b"\\"]


@fuzz_settings(short=600, long=5_000)
@given(st.sampled_from(range(len(CSV_SEEDS))), st.booleans(),
       st.lists(st.tuples(st.sampled_from(["insert", "delete", "cut", "dup"]), st.floats(0, 1, exclude_max=True),
                          st.sampled_from(CSV_JUNK) | st.binary(max_size=4)), min_size=1, max_size=6))
def test_recipient_lists_give_row_problems_never_exceptions(scratch, seed, as_yaml, edits):
    data = bytearray(CSV_SEEDS[seed])
    for kind, where, junk in edits:
        at = int(where * (len(data) + 1))
        if kind == "insert":
            data[at:at] = junk
        elif kind == "delete":
            del data[at:at + 1 + len(junk)]
        elif kind == "cut":
            del data[at:]
        else:
            line_start = data.rfind(b"\n", 0, at) + 1
            line_end = data.find(b"\n", at)
            data[line_start:line_start] = data[line_start:line_end if line_end >= 0 else len(data)] + b"\n"
    path = scratch / ("list.yaml" if as_yaml or seed == 3 else "list.csv")
    path.write_bytes(bytes(data))
    start = time.process_time()
    try:
        people = recipients.read(path)
    except HandoutsError as exc:
        for p in exc.problems:
            assert p.file.startswith(str(path)), p
        return
    finally:
        assert time.process_time() - start < SLOW_LIMIT
    for p in people.problems:
        assert re.match(rf"{re.escape(str(path))}(#row \d+|#header|:\d+)", p.place), p
    for row in people.rows:
        assert all(fields.text_problem(v) is None for v in row.fields.values())
