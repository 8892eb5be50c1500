"""Clinic facts by reference: `{clinic.phone}`-style placeholders -> the values in clinic.yaml. Pure, no I/O.

A clinic's name, phone number, website, email, address and booking page live once, in clinic.yaml;
guides, programs and email templates name them (`Call us at {clinic.phone}`), so changing
`phone:` changes every number and every `tel:` link. Values are always inserted as text: in
guide Markdown they replace text inside parsed spans, never the source, so a clinic name can
never become formatting. Any other text with braces is left alone.
"""

from __future__ import annotations

import re
import string
from urllib.parse import unquote

FACTS = ("name", "phone", "website", "email", "address", "tagline", "booking_url")
PATTERN = re.compile(r"\{clinic\.([A-Za-z0-9_]*)\}")
# Link targets reach us percent-encoded by the Markdown parser ({ -> %7B).
_ENCODED = re.compile(r"%7Bclinic\.([A-Za-z0-9_]*)%7D", re.IGNORECASE)
# In a link, a fact must be the whole target or its start, with the scheme that suits it.
LINK_FORMS = {"phone": "tel:{clinic.phone}", "email": "mailto:{clinic.email}",
              "website": "{clinic.website}", "booking_url": "{clinic.booking_url}"}


def values(clinic) -> dict[str, str]:
    """fact name -> its value in `clinic` (a model.Clinic); "" for facts the clinic does not give."""
    return {name: " ".join(str(getattr(clinic, name, "") or "").split()) for name in FACTS}


def used(text: str) -> list[str]:
    """The fact names a text refers to, in order (unknown ones included)."""
    return PATTERN.findall(text or "")


def unknown_problem(text: str) -> str | None:
    """Why a `{clinic.…}` reference in `text` names nothing, or None."""
    for name in used(text):
        if name not in FACTS:
            import difflib  # only needed when something is wrong

            close = difflib.get_close_matches(name, FACTS, n=1, cutoff=0.6)
            hint = f"; did you mean '{{clinic.{close[0]}}}'?" if close else ""
            return (f"unknown clinic fact {{clinic.{name}}}{hint}; "
                    f"known: {', '.join('{clinic.' + f + '}' for f in FACTS)}")
    return None


def missing_problem(text: str, clinic) -> str | None:
    """Why `text` refers to a fact that clinic.yaml leaves out, or None."""
    have = values(clinic)
    for name in used(text):
        if name in have and not have[name]:
            return f"{{clinic.{name}}} is used here but content/clinic.yaml has no '{name}:'; add it there"
    return None


def fill(text: str, clinic) -> str:
    """`text` with every known `{clinic.…}` replaced by the clinic's value (as plain text)."""
    if "{clinic." not in text:
        return text
    have = values(clinic)
    return PATTERN.sub(lambda m: have.get(m.group(1), m.group(0)), text)


_EXTENSION = re.compile(r"\s*(?:,|;|#|x|ext\.?|extension)\s*(\d+)\s*$", re.IGNORECASE)
_KEYPAD = str.maketrans({letter: str(digit) for digit, letters in
                         ((2, "abc"), (3, "def"), (4, "ghi"), (5, "jkl"), (6, "mno"), (7, "pqrs"), (8, "tuv"),
                          (9, "wxyz")) for letter in letters + letters.upper()})


def tel_url(phone: str) -> str:
    """The `tel:` link (RFC 3966) a phone dials for a number as printed: '(503) 555-0142' ->
    'tel:5035550142'; an extension ('ext. 12', 'x12', '#12') -> 'tel:5035550142;ext=12'; letters
    of a vanity number are the keypad's digits ('1-800-PT-CARES' -> 'tel:18007822737')."""
    phone = phone.strip()
    main, ext = phone, ""
    found = _EXTENSION.search(phone)
    if found and re.search(r"[0-9A-Za-z]", phone[:found.start()]):
        main, ext = phone[:found.start()], found.group(1)
    digits = re.sub(r"[^0-9]", "", main.translate(_KEYPAD))
    return "tel:" + ("+" if main.startswith("+") else "") + digits + (f";ext={ext}" if ext else "")


def link_target(href: str) -> tuple[str, str | None]:
    """(href with placeholders decoded, the fact it uses or None) for a link target from Markdown."""
    decoded = _ENCODED.sub(lambda m: "{clinic." + m.group(1) + "}", href)
    names = used(decoded)
    return decoded, (names[0] if names else None)


def link_problem(href: str) -> str | None:
    """Why a link target that uses a clinic fact is not one of the allowed forms, or None."""
    decoded, name = link_target(href)
    if name is None:
        return None
    form = LINK_FORMS.get(name)
    if form is None or not decoded.startswith(form) or len(used(decoded)) > 1:
        forms = ", ".join(f"({f})" for f in LINK_FORMS.values())
        return f"a link may use a clinic fact only as {forms}; got ({unquote(decoded)[:60]})"
    if name in ("phone", "email") and decoded != form:
        return f"a {name} link is exactly ({form}); got ({unquote(decoded)[:60]})"
    return None


def fill_link(href: str, clinic) -> str:
    """A link target with its clinic fact filled in: `tel:` links get the dialable number."""
    decoded, name = link_target(href)
    if name is None:
        return href
    if name == "phone":
        return tel_url(values(clinic)["phone"])
    return fill(decoded, clinic)


class Formatter(string.Formatter):
    """str.format for `{name}` and `{clinic.phone}` alike: a dotted name is one key of the values
    (never an attribute lookup), and values are inserted as they are, never formatted again."""

    def get_field(self, field_name, args, kwargs):
        return kwargs[field_name], field_name


def with_clinic(fields: dict[str, str], clinic) -> dict[str, str]:
    """Personal values plus every clinic fact as `clinic.<name>`, for Formatter."""
    return {**fields, **{f"clinic.{k}": v for k, v in values(clinic).items()}}
