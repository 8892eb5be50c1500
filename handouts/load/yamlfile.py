"""Strict YAML: text -> a tree of YMap / YList / str / None that remembers where every value was.

Why not `yaml.safe_load`: it follows aliases (billion laughs), keeps the last of two duplicate keys,
turns `NO` into False and `01234` into 668, and raises bare ValueErrors without a line. Here libyaml
only produces events; this module builds the tree itself, so every scalar arrives as text, aliases,
tags and duplicate keys are refused with their place, and nesting depth is bounded. The schema
(`schema.py`) converts text into numbers, dates and choices and reports what does not fit.
"""

from __future__ import annotations

import yaml

from handouts.errors import Problem

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

try:  # libyaml is several times faster; the pure-Python parser gives the same events.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Loader = yaml.SafeLoader


class YMap(dict):
    """A mapping that knows its own place and the place of each key and value."""

    line: int
    col: int

    def __init__(self, line: int, col: int):
        super().__init__()
        self.line, self.col = line, col
        self.key_at: dict[str, tuple[int, int]] = {}
        self.value_at: dict[str, tuple[int, int]] = {}


class YList(list):
    """A sequence that knows its own place and the place of each item."""

    def __init__(self, line: int, col: int):
        super().__init__()
        self.line, self.col = line, col
        self.item_at: list[tuple[int, int]] = []


class YAMLProblem(Exception):
    def __init__(self, message: str, line: int = 0, col: int = 0):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _mark(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def decode(data: bytes) -> str:
    """Bytes -> text, refusing anything that is not UTF-8 (a UTF-8 byte-order mark is allowed)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YAMLProblem(
            f"not valid UTF-8 at byte {exc.start} (save the file as UTF-8)", line, col
        ) from None


def parse(text: str, *, _outer: bool = True):
    """Parse one YAML document into YMap/YList/str/None. Raises YAMLProblem with a 1-based place."""
    stack: list = []  # open containers; for maps, the pending key sits in a parallel list
    keys: list = []
    root = _UNSET = object()
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise YAMLProblem("only one YAML document per file is allowed (found '---')", *_mark(event))
                continue
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.AliasEvent:
                raise YAMLProblem(f"aliases (*{event.anchor}) are not allowed; write the value out", *_mark(event))
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                value = stack.pop()
                keys.pop()
                if not stack:
                    root = value
                else:
                    _attach(stack, keys, value, value.line, value.col)
                continue
            tag = getattr(event, "tag", None)
            if tag not in (None, "!") and not (kind is yaml.ScalarEvent and event.implicit[0]):
                raise YAMLProblem(f"YAML tags such as '{tag}' are not allowed", *_mark(event))
            line, col = _mark(event)
            if kind is yaml.ScalarEvent:
                if event.style in ("|", ">"):
                    line += 1  # a block scalar's text starts on the line after its '|' or '>'
                plain = not event.style  # libyaml reports plain style as "", the Python parser as None
                value = None if plain and event.value in NULLS else event.value
                if not stack:
                    root = value
                else:
                    _attach(stack, keys, value, line, col)
                continue
            if len(stack) >= MAX_DEPTH:
                raise YAMLProblem(f"nesting deeper than {MAX_DEPTH} levels", line, col)
            stack.append(YMap(line, col) if kind is yaml.MappingStartEvent else YList(line, col))
            keys.append(_NO_KEY)
    except yaml.MarkedYAMLError as exc:
        deep = _too_deep_at(text) if _outer else None
        if deep is not None:
            # libyaml (in PyYAML 6.0.4) has a nesting limit of its own and may meet it while scanning
            # ahead of the events we count. Parse the text up to the bracket that went too deep: the
            # events then reach our own limit first, which names the exact place in our words.
            try:
                parse(text[: deep + 1], _outer=False)
            except YAMLProblem as inner:
                if inner.message.startswith("nesting deeper"):
                    raise inner from None
            raise YAMLProblem(f"nesting deeper than {MAX_DEPTH} levels", *_line_col(text, deep)) from None
        # An unclosed quote is only noticed at the end of the file; point at where it opened.
        opened = exc.context and "quoted scalar" in exc.context and exc.context_mark is not None
        mark = exc.context_mark if opened else (exc.problem_mark or exc.context_mark)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise YAMLProblem(_explain(exc, text, line, col), line, col) from None
    except yaml.YAMLError as exc:  # ReaderError: control characters, bad encodings
        position = getattr(exc, "position", None)
        line, col = _line_col(text, position) if position is not None else (0, 0)
        reason = getattr(exc, "reason", "") or "unreadable YAML"
        raise YAMLProblem(f"{reason} (character {position})" if position is not None else reason, line, col) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise YAMLProblem(f"nesting deeper than {MAX_DEPTH} levels") from None
    return None if root is _UNSET else root


def _too_deep_at(text: str) -> int | None:
    """The offset where flow brackets ([ and {) first open deeper than MAX_DEPTH, or None.

    Only asked once the parser has already refused the file: the parser may scan a long run of
    brackets ahead of the events we count, and stop on a nesting limit of its own with its own words.
    Quoted text and comments are skipped roughly; a misjudged bracket only changes which message a
    file that is broken anyway gets.
    """
    depth, quote, comment = 0, "", False
    for position, char in enumerate(text):
        if comment:
            comment = char != "\n"
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return position
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def _attach(stack, keys, value, line, col):
    """Put a finished value into the innermost open container (as a key or value for maps)."""
    parent = stack[-1]
    if isinstance(parent, YList):
        parent.append(value)
        parent.item_at.append((line, col))
        return
    if keys[-1] is _NO_KEY:
        if not isinstance(value, str) and value is not None:
            raise YAMLProblem("keys must be plain text, not lists or mappings", line, col)
        name = "" if value is None else value
        if name in parent.key_at:
            first = parent.key_at[name][0]
            raise YAMLProblem(f"duplicate key '{name}' (first given on line {first})", line, col)
        parent.key_at[name] = (line, col)
        keys[-1] = (name,)
        return
    (name,) = keys[-1]
    parent[name] = value
    parent.value_at[name] = (line, col)
    keys[-1] = _NO_KEY


_NO_KEY = object()  # an open mapping waiting for its next key


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _explain(exc, text: str, line: int, col: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines) and "\t" in lines[line - 1][: max(col, 1)]:
        return "tab character found; indent with spaces only"
    problem = exc.problem or "invalid YAML"
    if exc.context and "mapping values are not allowed" in problem:
        return "a ':' inside a value; put the value in quotes"
    if problem.startswith("mapping values are not allowed"):
        return "a ':' inside a value; put the value in quotes"
    context = f" ({exc.context})" if exc.context else ""
    return f"{problem}{context}"


def load_bytes(data: bytes, file: str) -> tuple[object, list[Problem]]:
    """Parse a content file's bytes; return (tree, problems). Problems carry `file` and a place."""
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(f"file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}", file, 1, 1)]
    try:
        return parse(decode(data)), []
    except YAMLProblem as exc:
        return None, [Problem(exc.message, file, exc.line, exc.col)]
