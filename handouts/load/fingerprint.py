"""Recipient fingerprints: one recipient-list row -> a short digest of who it is and what is printed for them.

A batch records each row's fingerprint in its manifest; `handouts email` recomputes it from the list it
is given and sends a PDF only to the row that is still the person it was built for. A list sorted,
edited or re-exported between build and send can then never pair one patient's PDF with another
patient's address.

The digest covers every column the batch used (name or patient, email, id, note, date, therapist and
any placeholder) except `email_consent`, which a clinic may record after the build and which prints
nothing. The column names travel with the digest, so a list with extra columns still matches.
Values are compared as typed, except that surrounding spaces and the letter case of the email address
do not count. The manifest lives in the batch folder beside PDFs that print the same details; the
digest (SHA-256, domain-separated, 128 bits) adds nothing readable to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

LEFT_OUT = ("email_consent",)
_DOMAIN = b"handouts recipient fingerprint v1\x00"


def _value(column: str, value: str) -> str:
    value = " ".join(str(value or "").split())
    return value.lower() if column == "email" else value


def fingerprint(fields: Mapping[str, str]) -> str:
    """'DIGEST:col+col+…' for one row's values (as built)."""
    columns = sorted(c for c in fields if c not in LEFT_OUT)
    return _digest(fields, columns) + ":" + "+".join(columns)


def _digest(fields: Mapping[str, str], columns: list[str]) -> str:
    canonical = json.dumps([[c, _value(c, fields.get(c, ""))] for c in columns], ensure_ascii=False)
    return hashlib.sha256(_DOMAIN + canonical.encode("utf-8")).hexdigest()[:32]


def matches(recorded: str, fields: Mapping[str, str]) -> bool:
    """True when `fields` (a row of the list given now) is the row `recorded` was made from."""
    digest, _, names = (recorded or "").partition(":")
    if not digest or not names:
        return False
    columns = names.split("+")
    return _digest(fields, columns) == digest


def columns_of(recorded: str) -> list[str]:
    return [c for c in (recorded or "").partition(":")[2].split("+") if c]
