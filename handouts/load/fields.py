"""Fields: the toolkit every reader of user input shares. A `Reader` collects located problems for one
file while it checks a YAML tree's shapes and values (text, whole numbers, choices, ids, dates, URLs,
colours, paths); `text_problem` says why a piece of text cannot be printed as typed; `did_you_mean`
suggests the word that was meant; `placeholders` finds the {field} names of a template text.

Used by the content readers (schema.py), visit files and command-line options (visit.py), recipient
lists (recipients.py) and email templates (mail/).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlsplit

from handouts import facts, model as m
from handouts.errors import Problem
from handouts.theme import parse_color
from handouts.load.yamlfile import YList, YMap

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
WHOLE_RE = re.compile(r"^[0-9]{1,6}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_TEXT = 5000  # one paragraph; reportlab's line breaking is quadratic in paragraph length
MAX_SHORT = 200  # names, titles, captions



# Words people reach for that the schema spells differently (difflib cannot see these).
SYNONYMS = {"title": "name", "titel": "name", "name": "title", "image": "images", "pictures": "images",
            "instructions": "steps", "dose": "dosage", "url": "video", "side_to_side": "side"}


def did_you_mean(word: str, choices) -> str:
    import difflib  # only needed when something is wrong

    choices = list(choices)
    if SYNONYMS.get(word) in choices:
        return f"; did you mean '{SYNONYMS[word]}'?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every ASCII Cc but tab and line feed
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def text_problem(value: str) -> str | None:
    """Why a piece of user text cannot be printed as typed, or None when it can."""
    # Only non-ASCII characters need Unicode's tables (no ASCII character is Cf or right-to-left):
    # the regexes pick them out at C speed, so checking a library's text in two languages stays cheap.
    others = set(_NON_ASCII.findall(value))
    bad = sorted(set(_ASCII_CONTROL.findall(value)) | {c for c in others if unicodedata.category(c) in ("Cc", "Cf")})
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        return f"contains control or invisible formatting characters ({codes}); remove them"
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in others):
        return "right-to-left text (Hebrew, Arabic) is not supported yet"
    return None


EMPTY_VALUE = ("no value after the colon; write one or delete the line (YAML reads an unquoted # as the start of "
               "a comment: write colours in quotes, e.g. primary: \"#FFD700\")")


class Reader:
    """Collects problems for one file while its tree is read."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    # -- reporting -------------------------------------------------------------------------------
    def add(self, message: str, at: tuple[int, int] = (0, 0), field: str = "") -> None:
        self.problems.append(Problem(message, self.file, at[0], at[1], field))

    def location(self, at: tuple[int, int], field: str = "") -> m.Location:
        return m.Location(self.file, at[0], at[1], field)

    # -- shapes ----------------------------------------------------------------------------------
    def mapping(self, node, path: str, allowed, required=(), at=(1, 1)) -> YMap | None:
        """Check `node` is a mapping with only `allowed` keys and every `required` one."""
        if not isinstance(node, YMap):
            self.add(f"expected a mapping (key: value lines), got {kind_of(node)}", place_of(node, at), path)
            return None
        for key in node:
            if key not in allowed:
                self.add(f"unknown key '{key}'{did_you_mean(key, allowed)}", node.key_at[key], join_path(path, key))
            elif node[key] is None:  # `primary: #FFD700` is a comment: never quietly use a default instead
                self.add(EMPTY_VALUE, node.value_at.get(key, node.key_at[key]), join_path(path, key))
        for key in required:
            if key not in node:  # written but empty: reported above
                self.add(f"'{key}' is required", (node.line, node.col), join_path(path, key))
        return node

    def items(self, node: YMap, key: str, path: str) -> list[tuple[object, tuple[int, int], str]]:
        """The items of a list field as (value, place, path); a missing or empty field gives []."""
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, YList):
            self.add(f"expected a list (lines starting with '- '), got {kind_of(value)}", node.value_at[key], join_path(path, key))
            return []
        return [(v, at, f"{join_path(path, key)}[{i}]") for i, (v, at) in enumerate(zip(value, value.item_at))]

    # -- scalars ---------------------------------------------------------------------------------
    def text(self, node: YMap, key: str, path: str = "", limit: int = MAX_TEXT) -> str | None:
        if node.get(key) is None:
            return None
        if self.empty(node, key, path):
            return None
        return self.text_value(node[key], node.value_at[key], join_path(path, key), limit)

    def empty(self, node: YMap, key: str, path: str = "") -> bool:
        """True (and a problem) for `key: ""`: a key written with an empty value is an error, never
        "use the default"."""
        value = node.get(key)
        if isinstance(value, str) and not value.strip():
            self.add("is empty; write a value, or leave the key out", node.value_at[key], join_path(path, key))
            return True
        return False

    def text_value(self, value, at, path: str, limit: int = MAX_TEXT) -> str | None:
        if not isinstance(value, str):
            self.add(f"expected text, got {kind_of(value)}", at, path)
            return None
        value = value.strip()
        if len(value) > limit:
            self.add(f"text is {len(value):,} characters; the limit is {limit:,} (split it up)", at, path)
            return None
        why = text_problem(value) or facts.unknown_problem(value)
        if why:
            self.add(why, at, path)
            return None
        return value

    def text_list(self, node: YMap, key: str, path: str = "", limit: int = MAX_TEXT) -> tuple[str, ...]:
        out = []
        for value, at, item_path in self.items(node, key, path):
            text = self.text_value(value, at, item_path, limit)
            if text:
                out.append(text)
        return tuple(out)

    def whole(self, node: YMap, key: str, path: str, low: int, high: int) -> int | None:
        value = node.get(key)
        if value is None:
            return None
        return self.whole_value(value, node.value_at[key], join_path(path, key), low, high)

    def whole_value(self, value, at, path, low, high) -> int | None:
        if not isinstance(value, str) or not WHOLE_RE.match(value.strip()):
            self.add(f"expected a whole number, got {shown(value)}", at, path)
            return None
        number = int(value)
        if not low <= number <= high:
            self.add(f"must be between {low} and {high}, got {number}", at, path)
            return None
        return number

    def choice(self, node: YMap, key: str, path: str, choices) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        return self.choice_value(value, node.value_at[key], join_path(path, key), choices)

    def choice_value(self, value, at, path, choices) -> str | None:
        if isinstance(value, str) and value.strip().lower() in choices:
            return value.strip().lower()
        listed = ", ".join(choices)
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        self.add(f"expected one of: {listed}; got {shown(value)}{hint}", at, path)
        return None

    def identifier(self, value, at, path) -> str | None:
        if isinstance(value, str) and ID_RE.match(value.strip()):
            return value.strip()
        self.add(f"expected an id (lower-case letters, digits and hyphens), got {shown(value)}", at, path)
        return None

    def located_ids(self, node: YMap, key: str, path: str = "") -> list[tuple[str, m.Location]]:
        """The valid ids of a list field, each with where it was written."""
        out = []
        for value, at, item_path in self.items(node, key, path):
            ident = self.identifier(value, at, item_path)
            if ident:
                out.append((ident, self.location(at, item_path)))
        return out

    def url(self, node: YMap, key: str, path: str = "", schemes=("https",)) -> str | None:
        value = self.text(node, key, path, MAX_SHORT * 5)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme.lower() not in schemes or not parts.netloc or " " in value:
            self.add(f"expected a web address starting with {' or '.join(s + '://' for s in schemes)}, got {shown(value)}",
                     node.value_at[key], join_path(path, key))
            return None
        return value

    def date(self, node: YMap, key: str, path: str = "") -> dt.date | None:
        value = node.get(key)
        if value is None:
            return None
        return self.date_value(value, node.value_at[key], join_path(path, key))

    def date_value(self, value, at, path) -> dt.date | None:
        if isinstance(value, str) and DATE_RE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(f"expected a real date written like 2026-11-21, got {shown(value)}", at, path)
        return None

    def color(self, node: YMap, key: str, path: str) -> str | None:
        value = self.text(node, key, path, 20)
        if value is None:
            return None
        try:
            parse_color(value)
        except ValueError as exc:
            self.add(str(exc), node.value_at[key], join_path(path, key))
            return None
        return value

    def file_path(self, value, at, path) -> str | None:
        """A path written in content: relative, forward slashes, inside the clinic folder."""
        text = self.text_value(value, at, path, 500)
        if text is None:
            return None
        why = path_problem(text)
        if why:
            self.add(why, at, path)
            return None
        return text


def path_problem(text: str) -> str | None:
    if not text:
        return "empty path"
    if "\x00" in text:
        return "path contains a NUL character"
    if "\\" in text or re.match(r"^[A-Za-z]:", text):
        return f"use a relative path with forward slashes inside the clinic folder, got {shown(text)}"
    if text.startswith(("/", "~")):
        return f"absolute paths are not allowed; give a path inside the clinic folder, got {shown(text)}"
    if ".." in text.split("/"):
        return f"path escapes the clinic folder ('..'), got {shown(text)}"
    return None


def yes_no(r: Reader, node: YMap, key: str, path: str) -> bool | None:
    """`yes` / `no` (written as text, like every value) -> True / False; absent -> None."""
    value = r.choice(node, key, path, ("yes", "no"))
    return None if value is None else value == "yes"


PLACEHOLDER_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def placeholders(text: str) -> list[str]:
    """The {field} names in `text`; raises ValueError for unbalanced braces or odd names."""
    import string

    names = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if name.startswith("clinic.") and not (spec or conversion):  # a clinic fact, filled from clinic.yaml
            why = facts.unknown_problem("{" + name + "}")
            if why:
                raise ValueError(why)
            continue
        if spec or conversion or not PLACEHOLDER_RE.match(name):
            raise ValueError(f"placeholders look like {{name}} (lower-case letters, digits, _), got '{{{name}}}'")
        names.append(name)
    return names


# -- small helpers --------------------------------------------------------------------------------

def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def place_of(node, default):
    return (node.line, node.col) if isinstance(node, (YMap, YList)) else default


def kind_of(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    if not isinstance(value, str):  # a Python value given through the API (e.g. date=20261121)
        text = f"{type(value).__name__} {value!r}"
        return text if len(text) <= 60 else text[:57] + "..."
    return f"text {shown(value)}"


def shown(value) -> str:
    text = repr(value) if isinstance(value, str) else kind_of(value)
    return text if len(text) <= 60 else text[:57] + "...'"
