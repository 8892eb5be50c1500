"""A real SMTP server for the delivery tests: aiosmtpd on 127.0.0.1, with TLS from a test CA
(trustme), AUTH, and fault injection per recipient (4xx/5xx at RCPT, 554 at DATA, a dropped
connection after the message was stored), plus a socket that accepts and never answers.

Every message the server accepts is kept with its envelope and raw bytes, so tests compare what
the journal says with what actually arrived.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import ssl
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "clinic-mailer"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    ehlo: str
    tls: bool
    authenticated: bool


@dataclass(frozen=True)
class Fault:
    stage: str  # "rcpt" (reply instead of 250 at RCPT), "data" (reply after DATA, not stored),
    #             "disconnect" (store the message, then drop the connection without replying)
    reply: str = ""


def bucket(address: str, salt: str = "") -> int:
    """0..99, deterministic per address: which fault an address gets."""
    return int.from_bytes(hashlib.sha256((salt + address.lower()).encode()).digest()[:4], "big") % 100


def mixed_faults(salt: str = "", temp_failures: int = 2):
    """5% temporary (451 at RCPT for the first `temp_failures` attempts), 1% permanent (550 at RCPT),
    1% disconnect after the message was stored (first delivery only)."""

    def fault(address: str, attempt: int, deliveries: int) -> Fault | None:
        b = bucket(address, salt)
        if b < 5:
            return Fault("rcpt", "451 4.3.0 try again later") if attempt <= temp_failures else None
        if b == 5:
            return Fault("rcpt", "550 5.1.1 no such user")
        if b == 6 and deliveries == 0:
            return Fault("disconnect")
        return None

    return fault


def expected_outcome(address: str, salt: str = "") -> str:
    b = bucket(address, salt)
    return "failed_perm" if b == 5 else "unknown" if b == 6 else "sent"


class Recorder:
    """aiosmtpd handler: records messages, injects faults."""

    def __init__(self, fault=None, delay: float = 0.0):
        self.fault = fault  # fault(address, rcpt_attempt, deliveries_so_far) -> Fault | None
        self.delay = delay
        self.messages: list[Received] = []
        self.rcpt_attempts: Counter = Counter()
        self.auth_attempts = 0
        self.ehlos = 0  # one per session with implicit TLS (two with STARTTLS)
        self.lock = threading.Lock()

    def deliveries(self, address: str) -> int:
        with self.lock:
            return sum(1 for m in self.messages if address in m.rcpt_tos)

    def by_recipient(self) -> Counter:
        with self.lock:
            return Counter(r for m in self.messages for r in m.rcpt_tos)

    def _fault(self, address: str, stage: str) -> Fault | None:
        if self.fault is None:
            return None
        fault = self.fault(address, self.rcpt_attempts[address], self.deliveries(address))
        return fault if fault is not None and fault.stage == stage else None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.ehlos += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts[address] += 1
        fault = self._fault(address, "rcpt")
        if fault is not None:
            return fault.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        first = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        fault = self._fault(first, "data")
        if fault is not None:
            return fault.reply
        drop = self._fault(first, "disconnect")
        record = Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content or b""),
                          session.host_name or "", server.transport.get_extra_info("sslcontext") is not None,
                          bool(session.authenticated))
        with self.lock:
            self.messages.append(record)
        if self.delay:
            await asyncio.sleep(self.delay)
        if drop is not None:
            server.transport.abort()  # stored, but the client never hears the 250
        return "250 2.0.0 queued"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        with self.lock:
            self.auth_attempts += 1
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USERNAME.encode() and \
            auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_context(cert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


class Server:
    """An aiosmtpd Controller in a thread. mode: "ssl" (implicit TLS), "starttls", or
    "plain-no-starttls" (a server that does not offer STARTTLS)."""

    def __init__(self, recorder: Recorder, mode: str, cert=None, auth: bool = True):
        self.recorder, self.mode = recorder, mode
        self.port = free_port()
        kwargs = dict(hostname="127.0.0.1", port=self.port, server_hostname="localhost", ready_timeout=10,
                      data_size_limit=None, timeout=30)
        if auth:
            # aiosmtpd only knows about STARTTLS when it decides whether AUTH is safe; with implicit
            # TLS the whole session is encrypted, so AUTH is offered from the start.
            kwargs.update(authenticator=recorder.authenticator, auth_require_tls=mode != "ssl")
        if mode == "ssl":
            kwargs["ssl_context"] = server_context(cert)
        elif mode == "starttls":
            kwargs.update(tls_context=server_context(cert), require_starttls=True)
        elif mode != "plain-no-starttls":
            raise ValueError(mode)
        self.controller = Controller(recorder, **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class SilentServer:
    """Accepts TCP connections (through the kernel's backlog) and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


@dataclass
class Pki:
    """A test CA, a server certificate for localhost/127.0.0.1 signed by it, and two bad ones."""

    ca_file: str
    good: object
    other_ca: object  # signed by a CA the client does not trust
    wrong_name: object  # trusted CA, but issued for another host
    extra: dict = field(default_factory=dict)


def make_pki(tmp_path) -> Pki:
    import trustme

    ca = trustme.CA()
    stranger = trustme.CA()
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Pki(str(ca_file), ca.issue_cert("localhost", "127.0.0.1"), stranger.issue_cert("localhost", "127.0.0.1"),
               ca.issue_cert("mail.elsewhere.example"))


# -- clinic folders and batches for the tests ---------------------------------------------------------

PASSWORD_ENV = "HANDOUTS_TEST_SMTP_PASSWORD"
SENDER = "hello@brightwater-pt.example.com"


def configure_clinic(root, port: int, security: str = "ssl", *, host: str = "127.0.0.1", username: str = USERNAME,
                     password_env: str | None = PASSWORD_ENV, password_file: str | None = None,
                     require_consent: str = "yes", rate: int = 100000, timeout: int = 5, retries: int = 4,
                     retry_delay: str = "0.01", reply_to: str | None = None, extra: str = "") -> None:
    """Append an email_delivery block to the clinic's clinic.yaml (replacing an earlier one)."""
    path = root / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8").split("\nemail_delivery:")[0].rstrip("\n") + "\n"
    lines = ["email_delivery:", f"  host: {host}", f"  port: {port}", f"  security: {security}",
             f"  from: {SENDER}", f"  require_consent: {require_consent}", f"  rate_per_minute: {rate}",
             f"  timeout_seconds: {timeout}", f"  retries: {retries}", f'  retry_delay_seconds: "{retry_delay}"']
    if username:
        lines.append(f"  username: {username}")
    if password_env:
        lines.append(f"  password_env: {password_env}")
    if password_file:
        lines.append(f"  password_file: {password_file}")
    if reply_to:
        lines.append(f"  reply_to: {reply_to}")
    path.write_text(text + "\n".join(lines) + "\n" + extra, encoding="utf-8")


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (reportlab directly: quick, and nothing here tests rendering)."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def write_batch(folder, rows: list[dict], columns=("name", "email", "email_consent"), statuses=None):
    """A batch folder as `handouts batch` leaves it (PDFs + manifest.csv) and its recipient list.
    Returns (manifest path, recipients path)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    recipients = folder.parent / f"{folder.name}-recipients.csv"
    with open(recipients, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    from handouts.load import recipients as lists
    from handouts.load.fingerprint import fingerprint

    # Fingerprints of the rows as the list reader reads them, like `handouts batch` (a row it refuses
    # keeps the fingerprint of its raw cells, which then matches nothing).
    parsed = {row.number: row.fields for row in lists.read(recipients).rows}
    manifest = folder / "manifest.csv"
    with open(manifest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("row", "id", "file", "status", "input_hash", "message", "recipient", "pdf_sha256"))
        for number, row in enumerate(rows, 1):
            name = f"guide-{number:05d}.pdf"
            status = (statuses or {}).get(number, "built")
            digest = ""
            if status == "built":
                data = tiny_pdf(f"Guide for reader {number}")
                (folder / name).write_bytes(data)
                digest = hashlib.sha256(data).hexdigest()  # as `handouts batch` records it
            # the recipient's fingerprint, as `handouts batch` records it
            recipient = fingerprint({c: parsed.get(number, row).get(c, "") for c in columns})
            writer.writerow((number, row.get("id") or number, name, status, f"hash{number}", "", recipient, digest))
    return manifest, recipients


# -- fixtures (import them into a test module: `from smtp_server import pki, mail_env`) ----------------

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def mail_env(pki, monkeypatch):
    """The client trusts the test CA only, and finds the password in the environment."""
    monkeypatch.setenv("HANDOUTS_SMTP_CAFILE", pki.ca_file)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return pki
