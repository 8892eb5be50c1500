"""Send: an outbox + settings -> messages handed to the server one by one, every outcome journaled.

Order per message: build and re-check the bytes; wait for the rate limit; MAIL, RCPT; record
`sending` durably; DATA; record the outcome. Temporary failures (4xx, a dropped connection before
the message left) are retried with exponential backoff and jitter up to `retries` attempts per
run; permanent ones (5xx) are recorded and the batch goes on; a refused login, a TLS failure or an
unreachable server stops the batch at once (the report says what was done before).

`dry_run` builds every message exactly as it would be sent and writes it as an .eml file (0600,
atomically) instead, without touching any item's state.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import ConfigError, ContentError, DeliveryAuthRefused, DeliveryUnavailable, HandoutsError, Problem
from handouts.mail import message as msg
from handouts.mail import smtp
from handouts.mail.address import mask
from handouts.mail.encrypt import new_password
from handouts.mail.journal import Journal
from handouts.mail.outbox import Item, Outbox
from handouts.model import Clinic

MAX_BACKOFF = 120.0


@dataclass
class Planned:
    """One row of the dry-run table."""

    row: int
    to: str
    name: str
    file: str
    subject: str
    eml: str
    state: str


@dataclass
class Report:
    sent: list[int] = field(default_factory=list)  # rows sent by this run
    already: list[int] = field(default_factory=list)  # rows sent by an earlier run
    failed_perm: list[tuple[int, int | None, str]] = field(default_factory=list)  # (row, code, reason)
    failed_temp: list[tuple[int, int, int | None, str]] = field(default_factory=list)  # (row, attempts, code, why)
    unknown: list[int] = field(default_factory=list)  # rows whose delivery is unknown after this run
    recovered: list[int] = field(default_factory=list)  # rows found `sending` from a stopped run
    refused: list[Problem] = field(default_factory=list)  # rows not sent because of their data
    skipped: list[int] = field(default_factory=list)  # rows whose reader declined email (email_consent: no)
    warnings: list[Problem] = field(default_factory=list)
    passwords: list[tuple[int, str, str]] = field(default_factory=list)  # (row, masked address, password)
    # for messages sent (or whose delivery is unknown: they may have arrived)
    planned: list[Planned] = field(default_factory=list)  # dry run
    fatal: HandoutsError | None = None  # what stopped the run early
    journal: Path | None = None
    places: dict = field(default_factory=dict)  # row -> how messages name it

    @property
    def complete(self) -> bool:
        return not (self.failed_perm or self.failed_temp or self.unknown or self.refused or self.fatal)


def backoff(attempt: int, base: float, rng: random.Random) -> float:
    """Seconds to wait after failed attempt `attempt` (1-based): base * 2^(n-1), jittered +-50%."""
    return min(MAX_BACKOFF, base * (2 ** (attempt - 1)) * rng.uniform(0.5, 1.5))


class RateLimit:
    def __init__(self, per_minute: int, clock, sleep):
        self.gap = 60.0 / per_minute
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.last is not None and now < self.last + self.gap:
            self.sleep(self.last + self.gap - now)
            now = self.clock()
        self.last = now


def deliver(outbox: Outbox, clinic: Clinic, root: Path, *, dry_run: bool = False, outbox_dir: Path | None = None,
            encrypt: bool = False, resend_unknown: bool = False, again: bool = False, sleep=time.sleep, clock=time.monotonic,
            rng: random.Random | None = None, connect=None, on_item=None, on_password=None) -> Report:
    """Send (or, with dry_run, write as .eml) every item of `outbox`. See the module docstring.

    `again` sends items that were already sent once more (a patient lost the email); `connect(settings,
    password)` makes the connection (tests may wrap it); `on_item(row, state)` is told each outcome;
    `on_password(row, masked address, password)` is told each --encrypt password as soon as its message
    is out, so a run that is killed later has already shown it.
    """
    settings = clinic.email_delivery
    if settings is None:
        raise ConfigError("content/clinic.yaml has no email_delivery settings (host, from, ...); see the README, "
                          "section Email")
    problems = smtp.settings_problems(settings)
    if problems:
        raise ConfigError(problems=problems)
    from handouts import i18n

    # Each recipient's email in their language: the templates of every language used, read and checked first.
    own = i18n.parse(clinic.language).primary
    languages = sorted({item.language or own for item in outbox.items} or {own})
    templates_of = {code: msg.load_templates(root, outbox.kind, code, own) for code in languages}
    known = {"name", "clinic", "clinic_phone", "clinic_website", "clinic_email"}
    for item in outbox.items:
        known |= set(item.values)
    unknown_fields = [p for t in templates_of.values() for p in msg.check_fields(t, known)]
    if unknown_fields:
        raise ContentError(problems=unknown_fields)
    rng = rng or random.Random()
    report = Report(refused=list(outbox.refused), warnings=list(outbox.warnings), skipped=list(outbox.skipped),
                    places={item.row: item.place for item in outbox.items})
    sender = settings.sender
    domain = smtp.domain_of(sender)
    drafts: list[tuple[Item, msg.Draft]] = []
    for item in outbox.items:
        subject, body, html_body = msg.render(templates_of[item.language or own], item.values)
        draft = msg.Draft(sender=sender, sender_name=clinic.name, recipient=item.address.ascii,
                          recipient_name=item.name, reply_to=settings.reply_to, subject=subject, body=body,
                          html=html_body, pdf=b"", attachment_name=msg.ATTACHMENT_NAMES[outbox.kind],
                          message_id="", item="", date=msg.new_date())
        whys = msg.draft_problems(draft)
        if whys:
            report.refused += [item.problem(w) for w in whys]
            continue
        drafts.append((item, draft))

    password = None if dry_run else smtp.read_password(settings, root)
    journal = Journal(outbox.folder)
    report.journal = journal.folder / "journal.sqlite"
    connection = None
    try:
        if not dry_run:
            report.recovered = [e.row for e in journal.recover()]
        todo = []
        for item, draft in drafts:
            key, ident = journal.item_key(item.address.key, item.pdf_sha256)
            entry = journal.get(key) if dry_run else journal.add(key, ident, item.row,
                                                                 journal.address_hmac(item.address.key),
                                                                 item.pdf_sha256)
            state = entry.state if entry else "pending"
            if state == "sent" and not again:
                report.already.append(item.row)
            elif state == "failed_perm":
                report.failed_perm.append((item.row, entry.last_code, entry.last_error or "refused earlier"))
            elif state == "unknown" and not resend_unknown:
                report.unknown.append(item.row)
            else:
                draft = _identify(draft, key, ident, journal.batch, domain)
                todo.append((item, draft, key, state))
        if dry_run:
            _write_drafts(todo, outbox, outbox_dir or outbox.folder / "outbox", encrypt, report)
            return report
        connection = (connect or smtp.Connection)(settings, password)
        limit = RateLimit(settings.rate_per_minute, clock, sleep)
        for item, draft, key, _ in todo:
            secret = new_password() if encrypt else None
            data = _message_bytes(item, draft, encrypt, report, secret)
            if data is None:
                continue
            _send_one(connection, journal, limit, settings, item, draft, key, data, report, sleep, rng)
            state = journal.get(key).state
            if secret and state in (smtp.SENT, smtp.UNKNOWN):  # a failed message's password is useless
                report.passwords.append((item.row, mask(item.address.ascii), secret))
                if on_password:
                    on_password(*report.passwords[-1])
            if on_item:
                on_item(item.row, state)
    except (DeliveryUnavailable, DeliveryAuthRefused) as exc:
        report.fatal = exc
    finally:
        if connection is not None:
            connection.close()
        journal.close()
    return report


def _identify(draft: msg.Draft, key: str, ident: str, batch: str, domain: str) -> msg.Draft:
    from dataclasses import replace

    # Stable per item: a re-sent `unknown` carries the same Message-ID, so it can be recognised.
    return replace(draft, message_id=f"<{ident}.{batch}@{domain}>", item=f"{batch}/{ident}")


def _message_bytes(item: Item, draft: msg.Draft, encrypt: bool, report: Report, password: str | None = None):
    import hashlib
    from dataclasses import replace

    try:
        pdf = item.data if item.data is not None else item.pdf.read_bytes()
    except OSError as exc:
        report.refused.append(item.problem(f"cannot read {item.pdf.name} ({exc.strerror})"))
        return None
    if hashlib.sha256(pdf).hexdigest() != item.pdf_sha256:
        report.refused.append(item.problem(f"{item.pdf.name} changed while sending; run again"))
        return None
    if encrypt:
        from handouts.mail.encrypt import encrypt_pdf

        pdf = encrypt_pdf(pdf, password)
    try:
        return msg.build(replace(draft, pdf=pdf))
    except ValueError as exc:
        # Our own message (never library text): which header differed after re-parsing.
        report.refused.append(item.problem(f"message refused by the header check: {exc}"))
        return None


def _send_one(connection, journal: Journal, limit: RateLimit, settings, item: Item, draft: msg.Draft, key: str,
              data: bytes, report: Report, sleep, rng) -> None:
    for attempt in range(1, settings.retries + 1):
        limit.wait()
        marked = []

        def before_data():
            journal.sending(key)
            marked.append(True)

        outcome = connection.send(draft.sender, draft.recipient, data, before_data)
        if outcome.state == smtp.TEMPORARY:
            journal.finish(key, smtp.TEMPORARY, outcome.code, outcome.error, count_attempt=not marked)
            if attempt < settings.retries:
                sleep(backoff(attempt, settings.retry_delay_seconds, rng))
                continue
            entry = journal.get(key)
            report.failed_temp.append((item.row, entry.attempts, outcome.code, outcome.error or ""))
            return
        journal.finish(key, outcome.state, outcome.code, outcome.error, count_attempt=not marked)
        if outcome.state == smtp.SENT:
            report.sent.append(item.row)
        elif outcome.state == smtp.PERMANENT:
            report.failed_perm.append((item.row, outcome.code, outcome.error or ""))
        else:
            report.unknown.append(item.row)
        return


def _write_drafts(todo, outbox: Outbox, folder: Path, encrypt: bool, report: Report) -> None:
    from handouts.files import write_atomic

    # The folder holds this run's messages only: none left from an earlier plan (to people now refused).
    # Only this batch's rows: shards of one --out folder share it.
    mine = outbox.rows or {item.row for item, *_ in todo} | {1}
    for old in folder.glob("message-*.eml"):
        number = re.fullmatch(r"message-(\d{5,})\.eml", old.name)
        if number and int(number.group(1)) in mine:
            old.unlink(missing_ok=True)
    for item, draft, _, state in todo:
        # Encrypted with a throw-away password: the real send makes a new one and shows it then.
        data = _message_bytes(item, draft, encrypt, report, password=new_password() if encrypt else None)
        if data is None:
            continue
        path = folder / f"message-{item.row:05d}.eml"
        write_atomic(path, data, overwrite=True)
        report.planned.append(Planned(item.row, item.address.ascii, item.name, item.pdf.name, draft.subject,
                                      str(path), state))
