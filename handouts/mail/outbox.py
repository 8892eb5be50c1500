"""Outbox: what to send to whom -> a list of checked items, every refused row with its reason.

Two sources: one PDF for one address (end of visit), or a batch's manifest.csv plus the recipient
list it was built from (addresses are read from the list by row number, so no address is ever
written into the manifest). Addresses are validated strictly, consent is checked when the clinic
requires it, and duplicate addresses (letter case ignored) are sent once, with a warning.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import ContentError, InputMissing, Problem
from handouts.files import require_input_file
from handouts.mail.address import Checked, check_address
from handouts.manifest import file_sha256
from handouts.model import Clinic, EmailSettings

# Recipient columns that never fill an email template: clinical notes stay in the PDF.
PRIVATE_COLUMNS = ("note", "email", "email_consent")


@dataclass(frozen=True)
class Item:
    row: int
    source: str  # what messages name: the manifest ("manifest.csv", with source_row) or the PDF
    source_row: int  # the item's row in the manifest; 0 for a single PDF
    pdf: Path
    pdf_sha256: str
    address: Checked
    name: str  # display name for To ("" for none)
    values: dict  # placeholder values
    language: str = ""  # the recipient's language code (e.g. 'es'); "" = the clinic's
    data: bytes | None = None  # the PDF itself when it exists only in memory (the composer); else read from pdf

    def problem(self, message: str) -> Problem:
        """A problem with this item, placed like every other: `manifest.csv#row 12: ...`."""
        return Problem(message, self.source, row=self.source_row)

    @property
    def place(self) -> str:
        return self.problem("").place


@dataclass
class Outbox:
    kind: str  # "handout" or "guide"
    folder: Path  # where the journal lives: the batch folder, or the PDF's folder
    items: list[Item]
    refused: list[Problem] = field(default_factory=list)  # rows not sent because of their data
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # rows whose reader said no to email: not an error
    rows: frozenset = frozenset()  # every row of the manifest (whose dry-run .eml files are this batch's)


def clinic_values(clinic: Clinic) -> dict[str, str]:
    """Template values from clinic.yaml: `{clinic.phone}` (as in guides) and the older `{clinic_phone}`."""
    from handouts import facts

    return facts.with_clinic({"clinic": clinic.name, "clinic_phone": clinic.phone, "clinic_website": clinic.website,
                              "clinic_email": clinic.email}, clinic)


def consent_problem(consent: bool | None, settings: EmailSettings, where: str) -> str | None:
    """The consent rule, in one place: why this person must not get unencrypted email, or None."""
    if consent is False:
        return f"email_consent is 'no' in {where}: this person declined email"
    if consent is None and settings.require_consent:
        return (f"no recorded consent to unencrypted email: the clinic requires recorded consent "
                f"(email_delivery.require_consent in clinic.yaml); record email_consent: yes in {where}")
    return None


def parse_consent(text: str) -> bool | None | str:
    """'yes'/'no' (any case) -> True/False, '' -> None, anything else -> the text (an error)."""
    value = text.strip().lower()
    if not value:
        return None
    if value in ("yes", "no"):
        return value == "yes"
    return text


def _usable(file: str) -> bool:
    """A manifest's file cell names a file in the batch folder itself (no path, nothing hidden)."""
    return bool(file) and "/" not in file and "\\" not in file and not file.startswith(".")


def precheck(address: str, consent: bool | None, clinic: Clinic, option: str = "--to",
             consent_source: str = "the visit file (--visit FILE)") -> Checked:
    """Settings present, address valid, consent recorded: checked before a PDF is even built.
    Raises ConfigError (78) or ContentError (65)."""
    from handouts.errors import ConfigError

    if clinic.email_delivery is None:
        raise ConfigError("content/clinic.yaml has no email_delivery settings (host, from, ...); "
                          "see the README, section Email")
    problems = []
    checked, why = check_address(address)
    if checked is None:
        problems.append(Problem(why, option))
    why = consent_problem(consent, clinic.email_delivery, consent_source)
    if why:
        problems.append(Problem(why, "consent"))
    if problems:
        raise ContentError(problems=problems)
    return checked


def single(pdf: Path, address: str, name: str, consent: bool | None, clinic: Clinic, kind: str,
           option: str = "--to", consent_source: str = "the visit file (--visit FILE)", language: str = "") -> Outbox:
    """One PDF for one address. Raises ContentError (exit 65) for a bad address or missing consent.
    `language`: the handout's language (its main one for a bilingual handout); the email matches it."""
    checked = precheck(address, consent, clinic, option, consent_source)
    require_input_file(pdf, "PDF")
    values = {**clinic_values(clinic), "name": name}
    digest = file_sha256(pdf)
    if not digest:
        raise InputMissing(f"cannot read {pdf}")
    item = Item(1, pdf.name, 0, pdf, digest, checked, name, values, _code(language))
    return Outbox(kind, pdf.resolve().parent, [item])


def single_bytes(data: bytes, label: str, folder: Path, address: str, name: str, consent: bool | None,
                 clinic: Clinic, kind: str, option: str, consent_source: str, language: str = "") -> Outbox:
    """One PDF held in memory (never written to disk) for one address; the journal lives in `folder`.
    `language`: the handout's (its main one when bilingual); the email matches it."""
    checked = precheck(address, consent, clinic, option, consent_source)
    values = {**clinic_values(clinic), "name": name}
    item = Item(1, label, 0, Path(label), hashlib.sha256(data).hexdigest(), checked, name, values, _code(language),
                data=data)
    return Outbox(kind, folder, [item])


def from_manifest(manifest: Path, recipients_path: Path, clinic: Clinic, kind: str | None = None, *,
                  encoding: str | None = None, delimiter: str | None = None,
                  columns: dict[str, str] | None = None, only_matching: bool = False) -> Outbox:
    """Every built row of a batch, with its address from the list row that is still the person the
    PDF was built for (mail/pairing.py). If any PDF has no such row, nothing is sent unless
    `only_matching`, which sends the PDFs that do."""
    from handouts.mail.pairing import pair

    from handouts.load import recipients
    from handouts import manifest as batch_manifest

    require_input_file(manifest, "manifest (it is written by 'handouts batch')")
    people = recipients.read(recipients_path, encoding=encoding, delimiter=delimiter, columns=columns)
    if "email" not in people.columns:
        raise ContentError(problems=[Problem("the recipient list has no 'email' column", f"{people.file}#header")])
    if kind is None:
        kind = "handout" if "patient" in people.columns else "guide"
    unreadable = {p.row for p in people.problems if p.row}
    folder = manifest.resolve().parent
    shown = manifest.name
    settings = clinic.email_delivery
    items, refused, warnings, skipped = [], [], [], []
    no_consent_column = 0
    first_row: dict[tuple[str, str], int] = {}
    entries = batch_manifest.read(manifest)
    pairing = pair(entries, people, shown)
    warnings += pairing.notes
    wrong = [Problem(p.message + (" (its list row has problems: fix them first)" if p.row in unreadable else ""),
                     p.file, row=p.row) for p in pairing.refused]
    # The file on disk must be the PDF the manifest recorded for its row: a file replaced or swapped by
    # hand, copied in from another batch, or left by a rebuild killed between its two steps is not.
    for number in sorted(pairing.rows):
        entry = entries[number]
        file = entry.get("file", "")
        if not entry.get("pdf_sha256"):
            wrong.append(Problem("this batch was built before PDF checksums were recorded, so the file cannot be "
                                 "checked; not sent; rebuild the batch", shown, row=number))
        elif _usable(file) and (folder / file).is_file() and file_sha256(folder / file) != entry["pdf_sha256"]:
            wrong.append(Problem(f"{file} is not the PDF built for this row (it was replaced, moved or copied in "
                                 "since the build, or cannot be read); not sent; rebuild the batch", shown,
                                 row=number))
            del pairing.rows[number]
    if wrong:
        refused += wrong
        if not only_matching:
            refused.append(Problem(f"nothing sent: {len(wrong):,} PDF(s) are not for the person on that row "
                                   "of the list given now, or not the file built for it (listed above); rebuild the "
                                   "batch from this list, or send only the rows that still match with "
                                   "--only-matching", shown))
            return Outbox(kind, folder, [], refused, warnings, skipped, frozenset(entries))
        for p in wrong:
            pairing.rows.pop(p.row, None)
    for number, entry in sorted(entries.items()):
        if entry.get("status") == "retired":
            continue  # not in the list the batch was last run with: nothing to send
        if entry.get("status") != "built":
            refused.append(Problem("the PDF was not built (see the manifest); not sent", shown, row=number))
            continue
        row = pairing.rows.get(number)
        if row is None:
            continue  # refused above: not the person it was built for
        file = entry.get("file", "")
        if not _usable(file):
            refused.append(Problem("the manifest names no usable file", shown, row=number))
            continue
        pdf = folder / file
        if not pdf.is_file():
            refused.append(Problem(f"{file} is missing from the batch folder", shown, row=number))
            continue
        checked, why = check_address(row.fields.get("email", ""))
        if checked is None:
            refused.append(Problem(why, people.file, field="email", row=row.number))
            continue
        if "email_consent" not in people.columns and settings.require_consent:
            no_consent_column += 1  # the same for every row: said once, below
            continue
        consent = parse_consent(row.fields.get("email_consent", ""))
        if consent is False:
            skipped.append(number)
            continue
        if isinstance(consent, str):
            refused.append(Problem("email_consent must be yes or no", people.file, field="email_consent",
                                   row=row.number))
            continue
        why = consent_problem(consent, settings, "the recipient list's email_consent column")
        if why:
            refused.append(Problem(why, people.file, row=row.number))
            continue
        # One message per address and PDF (the journal's own key): the same person listed twice gets
        # one; two people sharing an address (a family's) each get their own PDF.
        same = (checked.key, entry["pdf_sha256"])
        if same in first_row:
            warnings.append(Problem(f"the same PDF for the same address as row {first_row[same]} (letter case "
                                    f"ignored); sent once, for row {first_row[same]}", shown, warning=True,
                                    row=number))
            continue
        first_row[same] = number
        try:
            language = _code(row.fields.get("language", ""))
        except ValueError as exc:
            refused.append(Problem(str(exc), people.file, field="language", row=number))
            continue
        name = row.fields.get("name") or row.fields.get("patient") or ""
        values = {k: v for k, v in row.fields.items() if k not in PRIVATE_COLUMNS}
        values.update(clinic_values(clinic))
        values["name"] = name
        # The checksum recorded at build (and just checked): sending re-checks the bytes it reads against it.
        items.append(Item(number, shown, number, pdf, entry["pdf_sha256"], checked, name, values, language))
    if no_consent_column:
        refused.append(Problem(f"the list has no email_consent column, and the clinic requires recorded consent "
                               f"(email_delivery.require_consent); add the column (yes/no) or map it with "
                               f"--column email_consent=COLUMN ({no_consent_column:,} rows not sent)",
                               f"{people.file}#header"))
    return Outbox(kind, folder, items, refused, warnings, skipped, frozenset(entries))


def _code(spec: str) -> str:
    """A language spec ('es-MX', 'es+en') -> the code whose templates the email uses ('es'); '' stays ''.
    ValueError (with a message) for a language handouts has no words for."""
    from handouts import i18n

    return i18n.parse(spec).primary if spec.strip() else ""
