"""Charsets: the bytes of a spreadsheet export -> text, and which encoding it was.

Spreadsheets and CRMs save text in many encodings: UTF-8 with or without a byte-order mark, Excel's
"Unicode Text" (UTF-16 with a byte-order mark, tab-separated), Excel on Windows (cp1252) and on a Mac
(Mac Roman). A byte-order mark settles it; then UTF-8 is tried (it is strict: other text almost never
passes). An 8-bit file is handed to a maintained detector (charset-normalizer) for the order of the
candidates, and a reading is only taken when it looks like names: on short lists detectors guess, and
a wrong guess prints "RenŽe" for "Renée" without a word. When no reading, or more than one, is
plausible the file is refused with a message naming --encoding, never guessed.
"""

from __future__ import annotations

import codecs
import unicodedata

from handouts.errors import ContentError, Problem

BOMS = (  # UTF-32 LE first: its mark starts with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# The 8-bit encodings spreadsheets save: Excel on Windows, Excel/Numbers on a Mac.
EIGHT_BIT = ("cp1252", "mac_roman")
SHOWN = {"utf-8-sig": "utf-8", "utf-32": "utf-32", "utf-16": "utf-16"}
ADVICE = "save it as 'CSV UTF-8', or name the encoding, e.g. --encoding cp1252 (Windows) or --encoding mac_roman (Mac)"


def decode(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name). Raises ContentError with a message naming --encoding when unsure."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise _refuse(f"unknown encoding '{encoding}' (--encoding); e.g. utf-8, utf-16, cp1252, mac_roman",
                          file) from None
        except UnicodeDecodeError as exc:
            raise _refuse(f"cannot read as {encoding} (byte {exc.start}): {ADVICE}", file) from None
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), SHOWN[name]
            except UnicodeDecodeError as exc:
                raise _refuse(f"starts with a {SHOWN[name].upper()} byte-order mark but is not "
                              f"{SHOWN[name].upper()} (byte {exc.start}); {ADVICE}", file) from None
    head = data[:4096]
    if head.count(0) * 4 >= len(head) > 0:  # UTF-16 text is about half NUL bytes; a stray NUL is a cell's
        raise _refuse("looks like UTF-16 or UTF-32 without a byte-order mark; name it, e.g. --encoding utf-16-le",
                      file)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        return _eight_bit(data, file, exc.start)


def _eight_bit(data: bytes, file: str, first: int) -> tuple[str, str]:
    from charset_normalizer import (
        from_bytes,  # imported only for files that are not UTF
    )

    ranked = [m.encoding for m in from_bytes(data, cp_isolation=list(EIGHT_BIT))]
    order = [e for e in ranked if e in EIGHT_BIT] + [e for e in EIGHT_BIT if e not in ranked]
    readings = {}
    for name in order:
        try:
            readings[name] = data.decode(name)
        except UnicodeDecodeError:
            continue
    plausible = [name for name, text in readings.items() if _looks_like_names(text)]
    if len(plausible) == 1:
        return readings[plausible[0]], plausible[0]
    # One byte is one character in these encodings: show each reading of the word at the first
    # byte that is not UTF-8, so the user can tell which is right.
    shown = "; ".join(f"as {name}: '{_word_at(text, first)}'" for name, text in readings.items())
    why = "it reads more than one way" if plausible else "no usual encoding reads it as names"
    raise _refuse(f"not UTF-8 (byte {first}), and {why} ({shown}); {ADVICE}", file)


def _looks_like_names(text: str) -> bool:
    """No control characters, and no capital letter right after a small one where either is not
    ASCII: mojibake such as 'RenŽe' or 'ZoÎ' (Mac Roman read as cp1252 and back), or 'OíBrien' and
    'SmithñJones' (cp1252's ’ and – read as Mac Roman). ASCII 'McDonald' stays a name."""
    for word in text.split():
        if any(unicodedata.category(c) == "Cc" for c in word):
            return False
        for before, letter in zip(" " + word, word):
            if letter.isupper() and before.islower() and (ord(letter) > 127 or ord(before) > 127):
                return False
    return True


def _word_at(text: str, index: int) -> str:
    start, end = index, index
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in ",;":
        start -= 1
    while end < len(text) and not text[end].isspace() and text[end] not in ",;":
        end += 1
    return text[start:end][:40]


def _refuse(message: str, file: str) -> ContentError:
    return ContentError(problems=[Problem(message, file)])
