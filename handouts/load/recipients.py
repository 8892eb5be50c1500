"""Recipient lists: a CSV or YAML file -> rows of personalisation fields, every problem with its row.

CSV exports from spreadsheets and CRMs come in many dialects: UTF-8 with or without a byte-order
mark, Excel's "Unicode Text" (UTF-16, tabs), cp1252 or Mac Roman (see charsets.py), commas or
semicolons (European Excel). Encoding and delimiter are detected unless named. Column names are
matched without regard to case or surrounding spaces, and a column mapping renames a CRM's columns
("First Name") to the fields a batch uses (name): `--column name="First Name"` or a YAML file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import ContentError, InputMissing, Problem
from handouts.files import require_input_file
from handouts.load import charsets
from handouts.load.fields import did_you_mean, text_problem
from handouts.load.yamlfile import YList, YMap, load_bytes

MAX_BYTES = 50_000_000
MAX_VALUE = 200
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Row:
    number: int  # 1-based data row number (the header is not counted); what messages call "row N"
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class RecipientList:
    file: str
    columns: tuple[str, ...]
    rows: list[Row]
    problems: list[Problem]  # rows with problems are reported and left out of `rows`
    encoding: str = "utf-8"
    delimiter: str = ","


def read(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
         columns: dict[str, str] | None = None) -> RecipientList:
    """Read a recipient list. Raises InputMissing/ContentError for problems with the whole file;
    problems with single rows are returned so the rest can still be built. `columns` maps a field
    name to the file's column that holds it ({"name": "First Name"})."""
    require_input_file(path, "recipient file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ContentError(problems=[Problem(f"file is {size:,} bytes; the limit is {MAX_BYTES:,}", str(path))])
        data = path.read_bytes()
    except OSError as exc:  # unreadable, or a name the file system refuses
        raise InputMissing(f"{str(path)[:120]}: cannot read the recipient file ({exc.strerror})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(data, str(path), columns or {})
    return _read_csv(data, str(path), encoding, delimiter, columns or {})


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(data: bytes, file: str, encoding: str | None, delimiter: str | None):
    """A CSV file's bytes -> (header cells, [(row number, cells) or (row number, Problem)], encoding,
    delimiter): decoded and split as spreadsheets write them; blank lines skipped; an unreadable line or
    one with the wrong number of cells becomes a Problem in its place. Recipient lists and exercise
    lists (load/import_csv.py) both read CSV through this."""
    text, used = charsets.decode(data, file, encoding)
    first_line = text.split("\n", 1)[0]
    delim = delimiter or _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise ContentError(problems=[Problem("the file is empty; the first line must name the columns", file)]) from None
    except csv.Error as exc:
        raise ContentError(problems=[Problem(f"unreadable header line: {exc}", file)]) from None
    rows: list = []
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            rows.append((number, Problem(f"unreadable line ({exc})", file, row=number)))
            continue
        number += 1
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            rows.append((number, Problem(f"has {len(cells)} cells but the header names {len(header)} columns",
                                         file, row=number)))
            continue
        rows.append((number, cells))
    return header, rows, used, delim


def _read_csv(data: bytes, file: str, encoding: str | None, delimiter: str | None,
              mapping: dict[str, str]) -> RecipientList:
    header, table, used, delim = read_table(data, file, encoding, delimiter)
    columns = _mapped(tuple(h.strip().lower() for h in header), mapping, file)
    problems = _header_problems(columns, file)
    rows: list[Row] = []
    for number, cells in table:
        if isinstance(cells, Problem):
            problems.append(cells)
            continue
        row, row_problems = _row(number, dict(zip(columns, cells)), file)
        problems += row_problems
        if row is not None:
            rows.append(row)
    return RecipientList(file, columns, rows, problems, used, delim)


def _mapped(columns: tuple[str, ...], mapping: dict[str, str], file: str) -> tuple[str, ...]:
    """The header with mapped columns renamed to their fields; an unknown or clashing name is an error."""
    if not mapping:
        return columns
    sources = {source.strip().lower(): name for name, source in mapping.items()}
    problems = [Problem(f"--column {name}: the file has no column '{source}'{did_you_mean(source.strip().lower(), columns)}",
                        f"{file}#header")
                for name, source in mapping.items() if source.strip().lower() not in columns]
    renamed = tuple(sources.get(c, c) for c in columns)
    problems += [Problem(f"--column {name}: the file already has a column '{name}'; map only one of them",
                         f"{file}#header")
                 for name in mapping if renamed.count(name) > 1]
    if problems:
        raise ContentError(problems=problems)
    return renamed


def _header_problems(columns: tuple[str, ...], file: str) -> list[Problem]:
    out = []
    seen = set()
    for i, name in enumerate(columns, 1):
        if not name:
            out.append(Problem(f"column {i} has no name", f"{file}#header"))
        elif name in seen:
            out.append(Problem(f"column '{name}' appears twice", f"{file}#header"))
        seen.add(name)
    if out:
        raise ContentError(problems=out)
    return []


def _row(number: int, values: dict[str, str], file: str, line: int = 0) -> tuple[Row | None, list[Problem]]:
    problems = []
    clean = {}
    for column, value in values.items():
        value = value.strip()
        why = text_problem(value) or (f"is {len(value)} characters; the limit is {MAX_VALUE}"
                                             if len(value) > MAX_VALUE else None)
        if why:
            problems.append(Problem(f"column '{column}' {why}", file, line, row=number))
        clean[column] = value
    return (None if problems else Row(number, clean)), problems


def _read_yaml(data: bytes, file: str, mapping: dict[str, str]) -> RecipientList:
    tree, problems = load_bytes(data, file)
    if problems:
        raise ContentError(problems=problems)
    if not isinstance(tree, YList):
        raise ContentError(problems=[Problem("expected a list of recipients (lines starting with '- ')", file, 1, 1)])
    rows, problems, columns = [], [], []
    renames = {source.strip().lower(): name for name, source in mapping.items()}
    for number, (item, at) in enumerate(zip(tree, tree.item_at), 1):
        if not isinstance(item, YMap) or any(isinstance(v, (YMap, YList)) for v in item.values()):
            problems.append(Problem("expected a mapping of column: text", file, at[0], at[1]))
            continue
        values = {renames.get(k.strip().lower(), k.strip().lower()): ("" if v is None else v) for k, v in item.items()}
        for k in values:
            if k not in columns:
                columns.append(k)
        row, row_problems = _row(number, values, file, at[0])
        problems += row_problems
        if row is not None:
            rows.append(row)
    return RecipientList(file, tuple(columns), rows, problems)


def column_mapping(options: tuple[str, ...] | list[str], mapping_file: Path | None = None) -> dict[str, str]:
    """FIELD -> file column, from a YAML file (`name: First Name`) and then `--column FIELD=COLUMN`
    options (which win). Every problem at once, with its place."""
    mapping: dict[str, str] = {}
    problems = []
    if mapping_file is not None:
        require_input_file(mapping_file, "column mapping file")
        tree, problems = load_bytes(mapping_file.read_bytes(), str(mapping_file))
        if not problems and not isinstance(tree, YMap):
            problems = [Problem("expected a mapping of field: column name, e.g. 'name: First Name'",
                                str(mapping_file), 1, 1)]
        elif not problems:
            for key, value in tree.items():
                line, col = tree.value_at.get(key, (tree.line, tree.col))
                if not isinstance(value, str) or not value.strip():
                    problems.append(Problem("expected the name of a column of the recipient list", str(mapping_file),
                                            line, col, field=str(key)))
                else:
                    mapping[str(key).strip().lower()] = value
    for option in options:
        name, sep, column = option.partition("=")
        if not sep or not name.strip() or not column.strip():
            problems.append(Problem(f"expected FIELD=COLUMN, e.g. name=\"First Name\"; got '{option[:60]}'", "--column"))
        else:
            mapping[name.strip().lower()] = column
    if problems:
        raise ContentError(problems=problems)
    return mapping


def systemic(problems: list[Problem], rows: int) -> list[Problem]:
    """A message that every one of `rows` rows (3 or more) got is a problem of the list, said once with
    the count: 2,000 lines "row N: no value in required column(s): name" help nobody. Messages about
    some rows only stay one per row (each row needs its own fix)."""
    groups: dict[tuple, list[int]] = {}
    for problem in problems:
        if problem.row:
            key = (problem.file, problem.message, problem.field, problem.warning)
            groups.setdefault(key, []).append(problem.row)
    whole = {key: sorted(set(numbers)) for key, numbers in groups.items() if rows >= 3 and len(set(numbers)) == rows}
    out, said = [], set()
    for problem in problems:
        key = (problem.file, problem.message, problem.field, problem.warning) if problem.row else None
        if key not in whole:
            out.append(problem)
        elif key not in said:
            said.add(key)
            out.append(Problem(f"{problem.message} (all {rows:,} rows)", key[0], field=problem.field,
                               warning=problem.warning))
    return out


def neutralise(cell: str) -> str:
    """A cell as written into CSV reports: text starting with = + - @ could run as a spreadsheet
    formula, so it is prefixed with an apostrophe (OWASP's CSV-injection advice)."""
    if cell and cell[0] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
