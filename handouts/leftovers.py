"""Demo leftovers: a clinic folder -> a warning for every place that still holds the demo clinic's facts.

A clinic started with `handouts init` is a copy of the demo. Anything it keeps from it — the demo's
name, address, tagline and logo, its 555-01xx phone numbers, example.com addresses and links, its
therapists and guide author —
would reach patients as if it were the clinic's own. `handouts check` reports each one with its
file:line:col (as warnings; `check --strict` fails on them). The bundled demo itself is not checked.
A test holds the list of the demo's names equal to the bundled demo's files.
"""

from __future__ import annotations

import re
from pathlib import Path

from handouts.errors import Problem

TEXT_SUFFIXES = (".yaml", ".yml", ".txt", ".html", ".md")
MAX_BYTES = 2_000_000
# Fictional numbers (555-0100 to 555-0199) and the domains reserved for examples (RFC 2606).
PHONE = re.compile(r"555[\s.\-]?01\d\d\b")
EXAMPLE = re.compile(r"\bexample\.(?:com|org|net)\b", re.IGNORECASE)
_ADDRESS_CHARS = re.compile(r"[\w.+@:/-]")  # what an address or link around example.com is made of
_LINK_END = re.compile(r"[^\s\"'<>)\]]*")


def _whole(line: str, match) -> tuple[int, int]:
    """The whole address or link around an example.com match (found in linear time: content lines
    can be thousands of characters long)."""
    start = match.start()
    while start > 0 and _ADDRESS_CHARS.match(line[start - 1]):
        start -= 1
    return start, _LINK_END.match(line, match.end()).end()


def _found(line: str) -> list[tuple[int, int, str]]:
    """(start, end, what it is) for the demo's numbers and addresses in one line."""
    out = [(m.start(), m.end(), "a fictional 555-01xx phone number from the demo") for m in PHONE.finditer(line)]
    out += [(*_whole(line, m), "an example.com address or link from the demo") for m in EXAMPLE.finditer(line)]
    return out


# The bundled demo's people and name. Kept here rather than read from the demo at run time (check
# opens nothing outside the clinic folder); tests/test_demo_leftovers.py holds it equal to the demo.
DEMO_WORDS = (
    ("Brightwater Physical Therapy", "the demo clinic's name"),
    ("Brightwater", "part of the demo clinic's name"),
    ("Jordan Lee", "a therapist of the demo clinic"),
    ("Sam Ortiz", "a therapist of the demo clinic"),
    ("Priya Nair", "a therapist of the demo clinic"),
)


# Other demo facts a patient would read (the address on a guide's last page, the tagline in every
# page header), and the demo logo's SHA-256: the test holds these equal to the demo too.
DEMO_FACTS = (
    ("410 Harbor Street", "the demo clinic's address"),
    ("Move well. Live well.", "the demo clinic's tagline"),
    ("Muévase bien. Viva bien.", "the demo clinic's tagline"),
)
DEMO_LOGO_SHA256 = "65ee23ede1833907ed2447274aed96d5bf267bcce325b45680fe197c959b71a0"
_LOGO = re.compile(r"^logo:\s*['\"]?([^'\"#\s]+)")


def _logo(root: Path) -> list[Problem]:
    """A warning when clinic.yaml's logo is the demo's own picture."""
    import hashlib

    try:
        lines = (root / "content" / "clinic.yaml").read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    for number, line in enumerate(lines, 1):
        found = _LOGO.match(line)
        if not found:
            continue
        path = root / found.group(1)
        try:
            same = path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == DEMO_LOGO_SHA256
        except OSError:
            return []
        if same:
            return [Problem(f"demo leftover: the logo '{found.group(1)}' is the demo clinic's logo; replace it with "
                            "your clinic's own", "content/clinic.yaml", number, found.start(1) + 1, warning=True)]
    return []


def scan(root: Path) -> list[Problem]:
    """A warning for each demo leftover in `root`'s content (none for the bundled demo itself)."""
    from handouts.load.folder import is_demo

    if is_demo(root):
        return []
    words = [(re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)", re.IGNORECASE), what)
             for w, what in DEMO_FACTS + DEMO_WORDS]
    out: list[Problem] = _logo(root)
    content = root / "content"
    files = sorted(p for p in content.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()) \
        if content.is_dir() else []
    for path in files:
        try:
            if path.stat().st_size > MAX_BYTES:
                continue
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # unreadable files are reported by the loader
        shown = path.relative_to(root).as_posix()
        for number, line in enumerate(text.splitlines(), 1):
            found = _found(line)  # addresses and numbers first: a demo link is reported whole
            for pattern, what in words:
                found += [(m.start(), m.end(), what) for m in pattern.finditer(line)]
            taken: list[tuple[int, int]] = []
            for start, end, what in found:
                if any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                out.append(Problem(f"demo leftover: '{line[start:end]}' is {what}; replace it with your clinic's own",
                                   shown, number, start + 1, warning=True))
    return out
