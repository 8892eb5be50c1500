"""SMTP: settings + password -> a verified TLS connection that hands over one message per call.

Rules (catalogue §1.9):
- TLS is always verified with ssl.create_default_context(). HANDOUTS_SMTP_CAFILE names a CA bundle
  to trust instead of the system's (for tests and for clinics with a private CA).
- With security: starttls, starttls() is called unconditionally: a server that does not offer it
  (or a man in the middle that strips it) stops the run before any login. We never write
  `if has_extn('starttls')`.
- login() only on a TLS socket. A 535 stops the whole batch (exit 77).
- Every network call has a timeout (socket timeout from timeout_seconds).
- EHLO and the Message-ID use the clinic's domain (from the From address), never the machine's name.
- Exactly one RCPT per transaction. The transaction is run step by step (MAIL, RCPT, DATA) rather
  than with sendmail(): with one recipient, sendmail's partial-refusal dict cannot occur, and the
  steps tell apart "refused before the message went out" (safe to retry) from "the connection died
  after the whole message was handed over" (unknown: it may have been delivered).
- Errors keep the reply code and the exception's class name only: smtplib's texts quote addresses.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
import stat
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import ConfigError, DeliveryAuthRefused, DeliveryUnavailable, Problem
from handouts.model import EmailSettings

CAFILE_ENV = "HANDOUTS_SMTP_CAFILE"

SENT, TEMPORARY, PERMANENT, UNKNOWN = "sent", "failed_temp", "failed_perm", "unknown"


@dataclass(frozen=True)
class Outcome:
    state: str  # SENT, TEMPORARY, PERMANENT or UNKNOWN
    code: int | None = None
    error: str | None = None  # class name or short reason; never library text
    reconnect: bool = False  # the connection cannot be used for the next message


def _where(settings: EmailSettings, field: str) -> str:
    at = settings.where
    return f"{at.file}:{at.line}:{at.col}: email_delivery.{field}" if at.file else f"email_delivery.{field}"


def read_password(settings: EmailSettings, root: Path) -> str | None:
    """The SMTP password from the named environment variable or owner-only file; None when no login
    is configured. Raises ConfigError (exit 78) for a missing or unsafe source."""
    if not settings.username:
        return None
    if settings.password_env:
        value = os.environ.get(settings.password_env)
        if not value:
            raise ConfigError(f"{_where(settings, 'password_env')}: the environment variable "
                              f"{settings.password_env} is not set or empty")
        return value
    if not settings.password_file:
        raise ConfigError(f"{_where(settings, 'username')}: no password source; set password_env or password_file")
    path = Path(settings.password_file).expanduser()
    if not path.is_absolute():
        path = root / path
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise ConfigError(f"{_where(settings, 'password_file')}: cannot open {path} ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{_where(settings, 'password_file')}: {path} is not a regular file")
        # Owner and mode mean something on POSIX only; on Windows the folder's access rules apply
        # (the README says to keep the file in your own user folder).
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise ConfigError(f"{_where(settings, 'password_file')}: {path} is not owned by you")
        if os.name == "posix" and info.st_mode & 0o077:
            raise ConfigError(f"{_where(settings, 'password_file')}: {path} can be read by others "
                              f"(mode {stat.S_IMODE(info.st_mode):04o}); run: chmod 600 {path}")
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    try:
        value = data.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ConfigError(f"{_where(settings, 'password_file')}: {path} is not UTF-8 text") from None
    if not value:
        raise ConfigError(f"{_where(settings, 'password_file')}: {path} is empty")
    return value


def tls_context() -> ssl.SSLContext:
    """Certificate and host name checked; TLS 1.2 or newer."""
    cafile = os.environ.get(CAFILE_ENV) or None
    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{CAFILE_ENV}: cannot load {cafile} ({type(exc).__name__})") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _tls_reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", "") or "certificate not trusted"
        return f"the server's certificate was refused ({reason})"
    return f"the TLS handshake failed ({type(exc).__name__})"


class Connection:
    """One SMTP session, opened lazily and re-opened after a connection-level failure."""

    def __init__(self, settings: EmailSettings, password: str | None):
        self.settings = settings
        self.password = password
        self.local_hostname = domain_of(settings.sender)
        self.smtp: smtplib.SMTP | None = None
        self.context = tls_context()

    @property
    def place(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def open(self) -> None:
        """Connect, secure and log in. Raises DeliveryUnavailable (69) or DeliveryAuthRefused (77)."""
        s = self.settings
        timeout = s.timeout_seconds
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, local_hostname=self.local_hostname, timeout=timeout,
                                        context=self.context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, local_hostname=self.local_hostname, timeout=timeout)
        except (ssl.SSLError, ssl.CertificateError) as exc:
            raise DeliveryUnavailable(f"{self.place}: {_tls_reason(exc)}; nothing was sent") from None
        except (socket.timeout, TimeoutError):
            raise DeliveryUnavailable(f"{self.place}: no answer within {timeout} s (timeout_seconds); "
                                      "nothing was sent") from None
        except smtplib.SMTPConnectError as exc:
            raise DeliveryUnavailable(f"{self.place}: the server refused the session (code {exc.smtp_code})") from None
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a silent greeting in SMTPServerDisconnected
                raise DeliveryUnavailable(f"{self.place}: no answer within {timeout} s (timeout_seconds); "
                                          "nothing was sent") from None
            raise DeliveryUnavailable(f"{self.place}: cannot connect ({_os_reason(exc)})") from None
        self.smtp = smtp
        try:
            smtp.ehlo()
            if s.security == "starttls":
                try:
                    smtp.starttls(context=self.context)  # unconditional: never "if has_extn"
                except smtplib.SMTPNotSupportedError:
                    raise DeliveryUnavailable(f"{self.place}: the server does not offer STARTTLS, which "
                                              "security: starttls requires; nothing was sent, no login tried") from None
                except smtplib.SMTPResponseException as exc:
                    raise DeliveryUnavailable(f"{self.place}: STARTTLS refused (code {exc.smtp_code}); "
                                              "nothing was sent") from None
                smtp.ehlo()
            if not isinstance(smtp.sock, ssl.SSLSocket):  # belt and braces: no login, no PHI in clear
                raise DeliveryUnavailable(f"{self.place}: the connection is not encrypted; nothing was sent")
            if s.username:
                try:
                    smtp.login(s.username, self.password or "")
                except smtplib.SMTPAuthenticationError as exc:
                    raise DeliveryAuthRefused(f"{self.place}: the server refused the login for the configured "
                                              f"username (code {exc.smtp_code}); check the password; "
                                              "the batch was stopped") from None
                except smtplib.SMTPNotSupportedError:
                    raise DeliveryUnavailable(f"{self.place}: the server offers no login (AUTH); remove "
                                              "username from email_delivery or use another port") from None
                except smtplib.SMTPException as exc:
                    raise DeliveryAuthRefused(f"{self.place}: login failed ({type(exc).__name__})") from None
        except (ssl.SSLError, ssl.CertificateError) as exc:
            self.close()
            raise DeliveryUnavailable(f"{self.place}: {_tls_reason(exc)}; nothing was sent") from None
        except (socket.timeout, TimeoutError):
            self.close()
            raise DeliveryUnavailable(f"{self.place}: no answer within {timeout} s (timeout_seconds)") from None
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            why = f"no answer within {timeout} s (timeout_seconds)" if isinstance(exc.__context__, TimeoutError) \
                else "the server closed the connection"
            raise DeliveryUnavailable(f"{self.place}: {why}; nothing was sent") from None
        except (DeliveryUnavailable, DeliveryAuthRefused):
            self.close()
            raise
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise DeliveryUnavailable(f"{self.place}: the server answered code {exc.smtp_code} while "
                                      "opening the session") from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryUnavailable(f"{self.place}: the connection failed ({_os_reason(exc)})") from None

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            try:
                smtp.close()
            except OSError:
                pass

    def send(self, sender: str, recipient: str, data: bytes, before_data) -> Outcome:
        """Hand over one message for one recipient. `before_data()` is called (and must have made
        its record durable) right before the message itself is transmitted.

        Raises DeliveryUnavailable/DeliveryAuthRefused only for problems that stop the whole batch.
        """
        if self.smtp is None:
            self.open()
        outcome = self._transaction(sender, recipient, data, before_data)
        if outcome.reconnect and self.smtp is not None:
            self._drop()  # 421: the server is closing this session; the next message opens a new one
        return outcome

    def _transaction(self, sender: str, recipient: str, data: bytes, before_data) -> Outcome:
        smtp = self.smtp
        handed_over = False
        try:
            code, _ = smtp.mail(sender)
            if code != 250:
                self._reset()
                if code in (530, 535):
                    raise DeliveryAuthRefused(f"{self.place}: the server requires a login (code {code})")
                if code >= 500:
                    raise DeliveryUnavailable(f"{self.place}: the server refused the sender address "
                                              f"(code {code}); check email_delivery.from")
                return Outcome(TEMPORARY, code, "MAIL FROM refused", reconnect=code == 421)
            code, _ = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                return _refused(code, "recipient refused")
            code, _ = smtp.docmd("DATA")
            if code != 354:
                self._reset()
                return _refused(code, "DATA refused")
            before_data()
            # If send() fails part-way, the end-of-data line (the last bytes) never left, so the
            # server cannot have accepted the message: safe to retry. Once it has all left, any
            # failure to read the reply leaves the outcome unknown.
            smtp.send(_dot_stuffed(data))
            handed_over = True
            code, _ = smtp.getreply()
            if code == 250:
                return Outcome(SENT, code)
            # The server read the whole message and said no: it was not accepted.
            if code >= 500 or code < 400:
                return Outcome(PERMANENT, code, "message refused after DATA")
            return Outcome(TEMPORARY, code, "message deferred after DATA", reconnect=code == 421)
        except (DeliveryUnavailable, DeliveryAuthRefused):
            self.close()
            raise
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            name = type(exc).__name__
            return Outcome(UNKNOWN, None, name, True) if handed_over else Outcome(TEMPORARY, None, name, True)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            name = "timeout" if isinstance(exc, (socket.timeout, TimeoutError)) else type(exc).__name__
            return Outcome(UNKNOWN, None, name, True) if handed_over else Outcome(TEMPORARY, None, name, True)

    def _reset(self) -> None:
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass


def _refused(code: int, what: str) -> Outcome:
    if 400 <= code < 500:
        return Outcome(TEMPORARY, code, what, reconnect=code == 421)
    return Outcome(PERMANENT, code, what)


def _dot_stuffed(data: bytes) -> bytes:
    """RFC 5321 §4.5.2 transparency, then the end-of-data line (what smtplib.data() does)."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused; is the host and port right?"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"code {exc.smtp_code}"
    return type(exc).__name__


def settings_problems(settings: EmailSettings) -> list[Problem]:
    """Strict checks of the From and Reply-To addresses (the schema only checks their shape)."""
    from handouts.mail.address import check_address

    out = []
    for field, value in (("from", settings.sender), ("reply_to", settings.reply_to)):
        if value:
            checked, why = check_address(value)
            if checked is None:
                out.append(Problem(why, settings.where.file, settings.where.line, settings.where.col,
                                   f"email_delivery.{field}"))
    return out
