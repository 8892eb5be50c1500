"""Errors a user can cause, each with a place and an exit code. Takes nothing from the package.

The CLI is the one place that turns these into messages and exit codes; everything else raises them.
Messages never quote library exception text, because reportlab and smtplib put user data (patient
names, notes, addresses) into theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

# Exit codes follow sysexits.h so scripts and schedulers can tell failures apart.
EXIT_OK = 0
EXIT_USAGE = 2  # click's own code for bad options
EXIT_DATAERR = 65  # content, visit file or recipient data is wrong
EXIT_NOINPUT = 66  # a file or folder that was named does not exist
EXIT_CANTCREAT = 73  # the output cannot be written (exists, permissions, disk full)
EXIT_UNAVAILABLE = 69  # the mail server cannot be reached, refused TLS, or did not answer in time
EXIT_PARTIAL = 75  # a batch finished with some rows failed; re-running resumes
EXIT_NOPERM = 77  # the mail server refused the login
EXIT_CONFIG = 78  # the clinic settings themselves are unusable
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C (128 + SIGINT, as shells report it)

# The one list of exit codes: `handouts --help` prints it, and a test holds the README to it.
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_USAGE: "wrong command-line usage",
    EXIT_DATAERR: "problems in content, a visit file or images",
    EXIT_NOINPUT: "a named file or folder does not exist",
    EXIT_CANTCREAT: "the output file cannot be written (already exists, no permission, disk full)",
    EXIT_UNAVAILABLE: "the mail server is unreachable, failed the TLS check or did not answer in time",
    EXIT_PARTIAL: "some rows or messages failed (listed), or another run holds the batch; re-running continues",
    EXIT_NOPERM: "the mail server refused the login (user name or password)",
    EXIT_CONFIG: "unusable settings",
    EXIT_INTERRUPTED: "stopped with Ctrl-C; running the same command again continues",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, with where it is."""

    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 when unknown
    col: int = 0  # 1-based; 0 when unknown
    field: str = ""  # dotted path into the file, e.g. "dosage.reps" or "images[1].file"
    warning: bool = False
    row: int = 0  # 1-based data row of a recipient list or batch manifest; 0 when not a row

    @property
    def place(self) -> str:
        """Where, as messages say it: `file:line:col`, or `file#row N` for a row of a list."""
        place = self.file
        if self.file and self.line:
            place += f":{self.line}"
            if self.col:
                place += f":{self.col}"
        if self.row:
            place += f"#row {self.row}"
        return place

    def __str__(self) -> str:
        parts = [p for p in (self.place, self.field) if p]
        prefix = ": ".join(parts)
        kind = "warning: " if self.warning else ""
        return f"{prefix}: {kind}{self.message}" if prefix else f"{kind}{self.message}"


class HandoutsError(Exception):
    """Base class: an error caused by input or environment, shown without a traceback."""

    exit_code = 1

    def __init__(self, message: str = "", problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        super().__init__(message or "\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        """What the user sees: one line per problem."""
        if self.problems:
            return [str(p) for p in self.problems]
        return [str(self)]


class ContentError(HandoutsError):
    """Content, visit file or image problems; carries every problem found, not just the first."""

    exit_code = EXIT_DATAERR


class InputMissing(HandoutsError):
    exit_code = EXIT_NOINPUT


class OutputError(HandoutsError):
    exit_code = EXIT_CANTCREAT


class ConfigError(HandoutsError):
    exit_code = EXIT_CONFIG


class DeliveryUnavailable(HandoutsError):
    """The mail server cannot be used: unreachable, no answer, TLS refused or not offered."""

    exit_code = EXIT_UNAVAILABLE


class DeliveryAuthRefused(HandoutsError):
    exit_code = EXIT_NOPERM


class BatchLocked(HandoutsError):
    """Another process is sending the same batch; try again when it has finished."""

    exit_code = EXIT_PARTIAL
