"""Send journal: one SQLite file per batch folder, one row per message, and a lock per batch.

Exactly-once delivery over SMTP is impossible: when the connection dies between the end of DATA
and the server's 250, the message may or may not have been queued (catalogue §0.12). So the aim
is "no silent loss, no silent duplicate":

    pending -> sending -> sent
                       -> failed_temp (4xx, attempts counted; retried by the next run)
                       -> failed_perm (5xx; never retried)
                       -> unknown     (the connection died after the message was handed over,
                                       or the process was killed while `sending`)

`sending` is committed (WAL, synchronous=FULL: fsynced) before the message is handed over, so a
kill at any point leaves either `sending` (-> `unknown` on the next run, reported, re-sent only
with --resend-unknown) or the outcome. The item key is a hash of the address and the PDF's
SHA-256, so an edited PDF is a new item, and a finished batch sends nothing when run again.

The journal holds no names, addresses or passwords: addresses are stored as an HMAC whose key is
random per journal (so hashes cannot be compared across journals or with a list of addresses
computed elsewhere; someone holding this file and a guessed address can still test the guess).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from handouts.errors import BatchLocked, OutputError
from handouts.files import write_atomic

STATES = ("pending", "sending", "sent", "failed_temp", "failed_perm", "unknown")
FOLDER = "mail-journal"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,          -- hmac(address) + sha256(pdf): the idempotency key
    item TEXT NOT NULL,            -- opaque id, sent as X-Handouts-Item and in the Message-ID
    row INTEGER NOT NULL,          -- row number in the manifest / recipient list (1 for one PDF)
    address_hmac TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','sending','sent','failed_temp','failed_perm','unknown')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_code INTEGER,             -- SMTP reply code, if any
    last_error TEXT,               -- exception class or short reason, never library text
    updated REAL NOT NULL,
    sent REAL
);
CREATE TABLE IF NOT EXISTS events (
    key TEXT NOT NULL, at REAL NOT NULL, state TEXT NOT NULL, code INTEGER, error TEXT
);
"""


@dataclass(frozen=True)
class Entry:
    key: str
    item: str
    row: int
    state: str
    attempts: int
    last_code: int | None
    last_error: str | None


class Lock:
    """An exclusive lock on <folder>/lock for the life of the process, through filelock (flock on
    POSIX, LockFileEx on Windows): the system drops it on any exit, SIGKILL included, so a crash
    never leaves a stale lock. The holder's pid is written beside it for the message."""

    def __init__(self, path: Path):
        from filelock import FileLock, Timeout

        self.path = path
        self.holder = path.with_name(path.name + ".pid")
        self._lock = FileLock(str(path), timeout=0, mode=0o600)
        try:
            self._lock.acquire()
        except Timeout:
            try:
                holder = self.holder.read_text(encoding="ascii", errors="replace").strip()[:32] or "?"
            except OSError:
                holder = "?"
            raise BatchLocked(f"batch locked by pid {holder} ({path.parent}); wait for it to finish") from None
        try:
            write_atomic(self.holder, f"{os.getpid()}\n".encode("ascii"), overwrite=True)  # 0600, any umask
        except (OSError, OutputError):
            pass  # only the message loses the pid

    def release(self) -> None:
        self._lock.release()


class Journal:
    def __init__(self, folder: Path):
        """Open (or create) the journal in <folder>/mail-journal/ and take the batch lock."""
        self.folder = folder / FOLDER
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.folder}: {exc.strerror}") from None
        self.lock = Lock(self.folder / "lock")
        path = self.folder / "journal.sqlite"
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=5)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            self.secret = self._meta("address_key", lambda: secrets.token_hex(32))
            self.batch = self._meta("batch_id", lambda: secrets.token_hex(6))
        except sqlite3.DatabaseError as exc:
            self.lock.release()
            raise OutputError(f"cannot use the send journal {path} ({type(exc).__name__}); "
                              "move it away only if you know what was sent") from None

    def _meta(self, name: str, make) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        if row:
            return row[0]
        value = make()
        self.db.execute("INSERT INTO meta(name, value) VALUES (?, ?)", (name, value))
        return value

    # -- identities ---------------------------------------------------------------------------------
    def address_hmac(self, address_key: str) -> str:
        return hmac.new(bytes.fromhex(self.secret), address_key.encode(), hashlib.sha256).hexdigest()

    def item_key(self, address_key: str, pdf_sha256: str) -> tuple[str, str]:
        """(idempotency key, opaque item id) for sending this PDF to this address."""
        key = hashlib.sha256(f"{self.address_hmac(address_key)}:{pdf_sha256}".encode()).hexdigest()
        return key, key[:20]

    # -- reading ------------------------------------------------------------------------------------
    def get(self, key: str) -> Entry | None:
        row = self.db.execute("SELECT key, item, row, state, attempts, last_code, last_error FROM items WHERE key=?",
                              (key,)).fetchone()
        return Entry(*row) if row else None

    def entries(self) -> list[Entry]:
        rows = self.db.execute("SELECT key, item, row, state, attempts, last_code, last_error FROM items ORDER BY row")
        return [Entry(*r) for r in rows]

    # -- writing (each call is one durable transaction) ---------------------------------------------
    def recover(self) -> list[Entry]:
        """Items left `sending` by a run that stopped mid-send become `unknown`; return them."""
        stuck = [e for e in self.entries() if e.state == "sending"]
        if stuck:
            with self._tx():
                for e in stuck:
                    self._set(e.key, "unknown", None, "interrupted while sending")
        return [self.get(e.key) for e in stuck]

    def add(self, key: str, item: str, row: int, address_hmac: str, pdf_sha256: str) -> Entry:
        with self._tx():
            self.db.execute("INSERT OR IGNORE INTO items(key, item, row, address_hmac, pdf_sha256, state, updated) "
                            "VALUES (?, ?, ?, ?, ?, 'pending', ?)", (key, item, row, address_hmac, pdf_sha256,
                                                                    time.time()))
            self.db.execute("UPDATE items SET row=? WHERE key=?", (row, key))
        return self.get(key)

    def sending(self, key: str) -> None:
        """Durably record that this message is about to be handed to the server."""
        with self._tx():
            self.db.execute("UPDATE items SET attempts=attempts+1 WHERE key=?", (key,))
            self._set(key, "sending", None, None)

    def finish(self, key: str, state: str, code: int | None = None, error: str | None = None,
               count_attempt: bool = False) -> None:
        with self._tx():
            if count_attempt:
                self.db.execute("UPDATE items SET attempts=attempts+1 WHERE key=?", (key,))
            self._set(key, state, code, error)

    def _set(self, key: str, state: str, code: int | None, error: str | None) -> None:
        assert state in STATES
        now = time.time()
        self.db.execute("UPDATE items SET state=?, last_code=?, last_error=?, updated=?, "
                        "sent=CASE WHEN ?='sent' THEN ? ELSE sent END WHERE key=?",
                        (state, code, error, now, state, now, key))
        self.db.execute("INSERT INTO events(key, at, state, code, error) VALUES (?, ?, ?, ?, ?)",
                        (key, now, state, code, error))

    def _tx(self):
        return _Transaction(self.db)

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            self.lock.release()


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, tb):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
