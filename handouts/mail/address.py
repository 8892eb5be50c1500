"""Addresses and header text: user input -> a checked addr-spec, or the reason it is refused.

smtplib "repairs" what it is given: `Jane <j@x.org>, evil@y.org` goes to j@x.org only and
`alice@x.org)<bob@y.org>` to alice (catalogue §0.6). So every address is checked strictly before
anything is sent, with email-validator (no display names, no quoted local parts, no DNS look-up),
and names and subjects are checked for line breaks and encoded words (CVE-2024-6923: an encoded
`=0D=0A` in a Subject becomes a real header on unpatched Pythons).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_NAME = 200
MAX_SUBJECT = 200


@dataclass(frozen=True)
class Checked:
    """A valid address: `ascii` goes into the envelope and the To header; `key` compares recipients."""

    ascii: str
    key: str  # lower-cased: Jane@X.org and jane@x.org are one recipient


def check_address(text: str) -> tuple[Checked | None, str]:
    """(Checked, "") for a valid plain address, else (None, reason). The reason never quotes the address."""
    import email_validator

    if not isinstance(text, str) or not text.strip():
        return None, "no email address"
    # Checked before stripping: str.strip() would quietly remove U+2028, U+0085 and tabs.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        return None, "invalid email address: it contains a line break or control character"
    text = text.strip(" ")
    if "=?" in text:
        return None, "invalid email address: it contains an encoded-word sequence (=?)"
    local = text.rsplit("@", 1)[0]
    if any(ord(ch) > 127 for ch in local):
        return None, ("invalid email address: letters outside ASCII before the @ (like ë) need SMTPUTF8, "
                      "which handouts does not use; ask the recipient for a plain-ASCII address")
    if len(text) > 254 or len(local) > 64:  # RFC 5321 §4.5.3.1
        return None, "invalid email address: too long"
    try:
        valid = email_validator.validate_email(text, check_deliverability=False, allow_smtputf8=False,
                                               allow_quoted_local=False, allow_domain_literal=False,
                                               allow_display_name=False)
    except email_validator.EmailNotValidError as exc:
        return None, f"invalid email address ({_reason(exc)})"
    ascii_address = valid.ascii_email
    if ascii_address is None or not ascii_address.isascii():
        return None, "invalid email address: it needs SMTPUTF8, which handouts does not use"
    return Checked(ascii_address, ascii_address.lower()), ""


def _reason(exc: Exception) -> str:
    # email-validator's messages describe the rule broken; some quote single characters. Cut any
    # quoted part so no piece of an address reaches a log.
    text = str(exc).split(":")[0].strip().rstrip(".")
    return text[:120] or "not an address"


def header_text_problem(value: str, what: str, limit: int) -> str | None:
    """Why `value` (a display name or subject) cannot go into a header, or None."""
    if len(value) > limit:
        return f"{what} is {len(value)} characters; the limit is {limit}"
    bad = [ch for ch in value if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        return f"{what} contains a line break or control character (U+{ord(bad[0]):04X})"
    if "=?" in value and "?=" in value:
        # Looks like an RFC 2047 encoded word: a header parser would decode it, possibly into
        # line breaks (CVE-2024-6923). No real name or subject needs this.
        return f"{what} contains an encoded-word sequence (=?...?=), which is not allowed"
    return None


def mask(address: str) -> str:
    """j***@example.org: enough for the therapist to recognise, not enough to leak in a terminal log."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"
