"""Markup remnants: content files -> warnings for text that looks like HTML left over from an import.

Imported text often carries pieces of the web page it came from (`<li>`, `li>`, `&amp;`, `&nbsp;`).
Such text prints exactly as typed (everything a user typed is text, never markup), so a patient would
read "li>" on paper; `check` points at each one, by file, line and column, for someone to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from handouts.errors import Problem

_TAGS = "a|b|i|u|p|br|hr|li|ul|ol|div|span|strong|em|td|tr|th|table|h[1-6]|img|font|sup|sub|small|nbsp"
_REMNANT = re.compile(
    r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>"  # a whole tag: <li>, </p>, <br/>, <span class="x">
    rf"|(?<![<\w/])/?(?:{_TAGS})\s*/?>"  # a tag that lost its "<": li>, /p>, br/>
    r"|&(?:[A-Za-z]{2,8}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});",  # an entity: &amp; &nbsp; &#39;
    re.IGNORECASE,
)


def remnant_warnings(root: Path) -> list[Problem]:
    """A warning for each piece of HTML-looking text in the clinic's content files."""
    out = []
    content = root / "content"
    for path in sorted(content.rglob("*.yaml")) + sorted(content.rglob("*.yml")):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # unreadable files are reported by the content check itself
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(lines, start=1):
            if line.lstrip().startswith("#"):
                continue  # a YAML comment is never printed
            for match in _REMNANT.finditer(line):
                out.append(Problem(f"{match.group(0)!r} looks like HTML left over from an import; it prints "
                                   "exactly as written, so remove it unless a reader should see it",
                                   rel, number, match.start() + 1, warning=True))
    return out
