"""Pairing: a batch's manifest + the recipient list given now -> which list row receives which PDF.

Every PDF goes only to the list row that is still the person it was built for: the row with the
same `id` where the list has an id column, else the row whose fingerprint (handouts.load.fingerprint)
matches the one the batch recorded, wherever it now is in the list. A PDF whose person changed
(another name, address, note …) or left the list is refused by row; so is every PDF of a batch
built before fingerprints were recorded. Rows of the list that have no PDF in the batch are
reported, never silently skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handouts.errors import Problem
from handouts.load.fingerprint import columns_of, fingerprint, matches

REBUILD = "rebuild the batch (handouts batch … --force) from the list you send with"


@dataclass
class Pairing:
    rows: dict[int, object] = field(default_factory=dict)  # manifest row -> the list row to send it to
    refused: list[Problem] = field(default_factory=list)  # PDFs whose person is not (or no longer) in the list
    notes: list[Problem] = field(default_factory=list)  # moved rows, list rows without a PDF


def shard_of(manifest_name: str) -> tuple[int, int]:
    match = re.fullmatch(r"manifest-shard-(\d+)-of-(\d+)\.csv", manifest_name)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def pair(entries: dict[int, dict], people, shown: str) -> Pairing:
    """Match each built manifest row to its list row. `entries`: manifest row -> its last record;
    `people`: a load.recipients.RecipientList; `shown`: the manifest's name for messages."""
    out = Pairing()
    by_id = {}
    if "id" in people.columns:
        for row in people.rows:
            key = row.fields.get("id", "").strip()
            if key:
                by_id.setdefault(key, []).append(row)
    claimed: set[int] = set()
    digests: dict[tuple[str, ...], dict[str, list]] = {}  # recorded columns -> digest -> list rows

    def rows_with(recorded: str) -> list:
        columns = tuple(columns_of(recorded))
        if columns not in digests:
            table: dict[str, list] = {}
            for row in people.rows:
                table.setdefault(fingerprint({c: row.fields.get(c, "") for c in columns}), []).append(row)
            digests[columns] = table
        return digests[columns].get(recorded, [])

    for number, entry in sorted(entries.items()):
        if entry.get("status") != "built":  # failed, or retired (no longer in the list it was built from)
            continue
        recorded = entry.get("recipient", "")
        if not recorded:
            out.refused.append(Problem("this batch was built before recipient fingerprints were recorded, so who "
                                       f"the PDF is for cannot be checked; {REBUILD}", shown, row=number))
            continue
        key = (entry.get("id") or "").strip()
        # Built from a list with ids: match by id. A row whose id cell was empty has its row number as
        # its id in the manifest; it is matched by its fingerprint like a list without ids.
        if by_id and key and "id" in columns_of(recorded) and (key in by_id or not rows_with(recorded)):
            same = by_id.get(key, [])
            if len(same) != 1:
                why = "is not in the list" if not same else f"is on {len(same)} rows of the list"
                out.refused.append(Problem(f"id {key!r} {why}; not sent; {REBUILD}", shown, row=number))
                continue
            row = same[0]
            if not matches(recorded, row.fields):
                out.refused.append(Problem(f"list row {row.number} has id {key!r}, but its details (name, address "
                                           f"or what is printed) changed since the PDF was built; not sent; {REBUILD}",
                                           shown, row=number))
                continue
        else:
            same = rows_with(recorded)
            candidates = [r for r in same if r.number not in claimed]
            if not candidates:
                here = next((r for r in people.rows if r.number == number), None)
                if same:  # the person is in the list, on a row another PDF of the batch is paired with
                    why = "the person the PDF was built for is on a list row already paired with another PDF"
                elif here is not None:
                    why = ("this list row is not the person the PDF was built for (that person is no longer in "
                           "the list, or their details changed)")
                else:
                    why = "the person the PDF was built for is not in the list"
                out.refused.append(Problem(f"{why}; not sent; {REBUILD}", shown, row=number))
                continue
            row = next((r for r in candidates if r.number == number), candidates[0])
        if row.number != number:
            out.notes.append(Problem(f"built for the person now on row {row.number} of the list; paired with that row",
                                     shown, warning=True, row=number))
        claimed.add(row.number)
        out.rows[number] = row
    k, n = shard_of(shown)
    for row in people.rows:
        if row.number in claimed or (row.number - 1) % n != k - 1:
            continue
        entry = entries.get(row.number)
        if entry is not None and entry.get("status") != "built":
            continue  # "the PDF was not built" is said for that row already
        out.notes.append(Problem("this list row has no PDF in the batch (added after the build?); not sent; "
                                 "run the batch again to build it", people.file,
                                 warning=True, row=row.number))
    return out
