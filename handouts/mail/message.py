"""Messages: templates + one recipient + PDF bytes -> the exact bytes to send, checked by re-parsing.

Templates live in the clinic folder, `content/email/<kind>/subject.txt`, `body.txt` and optionally
`body.html` (kind: `handout` for end-of-visit handouts, `guide` for guides); built-in defaults are
used for any that are missing. They use `{name}`-style placeholders like guides do. A recipient in
another language than the clinic's gets `content/email/<kind>/<code>/...` (e.g. `es/subject.txt`), and
the built-in wording of that language (handouts/i18n/<code>.yaml, `email.*`) for missing files.

Every built message is parsed back (BytesParser, policy.default) and its header set and values are
compared with exactly what was intended: one From, one To with one address, the Subject as
written, and nothing else. This is the check that catches header injection the email package
lets through on some Python versions (CVE-2024-6923), whatever the input.
"""

from __future__ import annotations

import email.utils
import html
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from handouts.errors import ContentError, Problem
from handouts.mail.address import MAX_NAME, MAX_SUBJECT, header_text_problem

KINDS = ("handout", "guide")
ITEM_HEADER = "X-Handouts-Item"
ATTACHMENT_NAMES = {"handout": "exercise-handout.pdf", "guide": "guide.pdf"}

TEMPLATE_FILES = ("subject.txt", "body.txt", "body.html")


@dataclass(frozen=True)
class Templates:
    kind: str
    subject: str
    body: str
    html: str | None
    files: dict  # template file name -> where it came from (for messages)

    def placeholders(self) -> dict[str, str]:
        """Each placeholder used -> the first file that uses it."""
        from handouts.load.fields import placeholders

        used = {}
        for name, text in (("subject.txt", self.subject), ("body.txt", self.body), ("body.html", self.html or "")):
            for field in placeholders(text):
                used.setdefault(field, self.files.get(name, name))
        return used


def defaults(kind: str, language: str = "en") -> dict[str, str]:
    """The built-in subject and text body of `kind` in `language` (from the label catalogue).
    Generic on purpose: the Subject travels unencrypted and is shown on lock screens, so it says
    nothing about the person's health (and does not name them)."""
    from handouts.i18n import catalogue

    words = catalogue(language)
    return {"subject.txt": words.template(f"email.{kind}.subject"), "body.txt": words.template(f"email.{kind}.body")}


def load_templates(root: Path, kind: str, language: str = "", clinic_language: str = "") -> Templates:
    """Read the kind's templates from the clinic folder (defaults for missing ones); check placeholders.

    `language` (a code such as 'es'): the recipient's; unless it is `clinic_language` (the clinic's
    own, whose templates are the top-level files), the templates of content/email/<kind>/<language>/."""
    from handouts.load.fields import placeholders

    own = not language or language == clinic_language
    sub = f"{kind}" if own else f"{kind}/{language}"
    folder = root / "content" / "email" / sub
    builtin = defaults(kind, (clinic_language if own else language) or "en")
    texts, files, problems = {}, {}, []
    for name in TEMPLATE_FILES:
        path = folder / name
        shown = f"content/email/{sub}/{name}"
        if path.is_file():
            try:
                data = path.read_bytes()
                if len(data) > 100_000:
                    raise ValueError("the file is over 100 KB")
                texts[name] = data.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else getattr(exc, "strerror", None) or str(exc)
                problems.append(Problem(f"cannot read the template: {why}", shown))
                continue
            files[name] = shown
        elif name in builtin:
            texts[name] = builtin[name]
            files[name] = f"(built-in {kind} {name})" if own else f"(built-in {kind} {name}, {language})"
    subject = texts.get("subject.txt", "").strip()
    if "\n" in subject or "\r" in subject:
        problems.append(Problem("the subject must be one line", files.get("subject.txt", "")))
    for name, text in texts.items():
        try:
            placeholders(text)
        except ValueError as exc:
            problems.append(Problem(str(exc), files[name], _line_of(text, "{")))
    if problems:
        raise ContentError(problems=problems)
    return Templates(kind, subject, texts.get("body.txt", "").strip() + "\n", texts.get("body.html"), files)


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 0


def check_fields(templates: Templates, known: set[str]) -> list[Problem]:
    """A problem for each placeholder the templates use but no value will fill."""
    return [Problem(f"unknown placeholder {{{name}}} (known: {', '.join(sorted(known))})", file)
            for name, file in templates.placeholders().items() if name not in known]


@dataclass(frozen=True)
class Draft:
    """Everything that goes into one message; `build` turns it into bytes."""

    sender: str  # ascii addr-spec
    sender_name: str  # the clinic's name
    recipient: str  # ascii addr-spec
    recipient_name: str
    reply_to: str
    subject: str
    body: str
    html: str | None
    pdf: bytes
    attachment_name: str
    message_id: str  # <...@clinic-domain>
    item: str  # X-Handouts-Item value (opaque)
    date: str


def render(templates: Templates, values: dict[str, str]) -> tuple[str, str, str | None]:
    """(subject, plain body, html body or None) with placeholders filled; values are escaped in HTML."""
    from handouts.facts import Formatter

    fill = Formatter()  # {clinic.phone} is one name, not an attribute of {clinic}
    subject = fill.vformat(templates.subject, (), values).strip()
    body = fill.vformat(templates.body, (), values)
    html_body = None
    if templates.html is not None:
        html_body = fill.vformat(templates.html, (), {k: html.escape(v) for k, v in values.items()})
    return subject, body, html_body


def draft_problems(draft: Draft) -> list[str]:
    """Reasons the header fields of `draft` cannot be used (before anything is built)."""
    out = []
    for value, what, limit in ((draft.recipient_name, "the recipient's name", MAX_NAME),
                               (draft.sender_name, "the clinic name", MAX_NAME),
                               (draft.subject, "the subject", MAX_SUBJECT)):
        why = header_text_problem(value, what, limit)
        if why:
            out.append(why)
    if not draft.subject:
        out.append("the subject is empty")
    return out


def build(draft: Draft) -> bytes:
    """The message as SMTP bytes (CRLF). Raises ValueError if the result does not re-parse to
    exactly the intended headers; the message never says which value was wrong."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _address(draft.sender_name, draft.sender)
    msg["To"] = _address(draft.recipient_name, draft.recipient)
    if draft.reply_to:
        msg["Reply-To"] = _address("", draft.reply_to)
    msg["Subject"] = draft.subject
    msg["Date"] = draft.date
    msg["Message-ID"] = draft.message_id
    msg[ITEM_HEADER] = draft.item
    msg.set_content(draft.body)
    if draft.html is not None:
        msg.add_alternative(draft.html, subtype="html")
    msg.add_attachment(draft.pdf, maintype="application", subtype="pdf", filename=draft.attachment_name)
    data = msg.as_bytes(policy=policy.SMTP)
    verify(data, draft)
    return data


def _address(name: str, addr_spec: str) -> Address:
    local, _, domain = addr_spec.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def expected_headers(draft: Draft) -> set[str]:
    names = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type", ITEM_HEADER.lower()}
    if draft.reply_to:
        names.add("reply-to")
    return names


def verify(data: bytes, draft: Draft) -> None:
    """Parse `data` back and compare it with `draft`; raise ValueError naming the header that differs."""
    head, sep, _ = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no blank line after the headers")
    for line in head.split(b"\r\n"):
        if b"\r" in line or b"\n" in line:
            raise ValueError("a bare line break inside the headers")
        if not line[:1].isspace() and b":" not in line:
            raise ValueError("a header line without a name")
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    names = [n.lower() for n in parsed.keys()]
    if sorted(names) != sorted(expected_headers(draft)):
        extra = sorted(set(names) - expected_headers(draft)) or sorted(n for n in set(names) if names.count(n) > 1)
        raise ValueError(f"unexpected headers after building: {', '.join(extra) or 'missing ones'}")
    for header, name, address in (("From", draft.sender_name, draft.sender), ("To", draft.recipient_name,
                                                                                draft.recipient)):
        found = parsed[header].addresses
        if len(found) != 1 or found[0].addr_spec != address or found[0].display_name != name:
            raise ValueError(f"{header} does not hold exactly the one intended address")
    if draft.reply_to:
        found = parsed["Reply-To"].addresses
        if len(found) != 1 or found[0].addr_spec != draft.reply_to:
            raise ValueError("Reply-To does not hold exactly the one intended address")
    if str(parsed["Subject"]) != draft.subject:
        raise ValueError("the Subject changed when it was encoded")
    if str(parsed["Message-ID"]) != draft.message_id or str(parsed[ITEM_HEADER]) != draft.item:
        raise ValueError("Message-ID or item id changed when encoded")
    attachments = [p for p in parsed.iter_attachments()]
    if len(attachments) != 1 or attachments[0].get_content() != draft.pdf:
        raise ValueError("the attachment did not survive encoding")


def new_date() -> str:
    import datetime as dt

    return email.utils.format_datetime(dt.datetime.now(dt.timezone.utc))  # UTC: no hint of where it was sent
