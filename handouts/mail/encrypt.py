"""Attachment encryption: PDF bytes -> the same PDF protected with AES-256 (PDF 2.0, /V 5 /R 6).

Not reportlab's encryption: it defaults to RC4-40, and its 256-bit mode writes the weaker R5
format with salts from a fixed table in invariant mode (catalogue §0.7, §3). pypdf writes R6,
whose password check is ~140x slower to brute-force than R5.

The password is random (from `secrets`), shown once to the therapist to pass on by another
channel (phone, text message), never derived from a date of birth, never stored.
"""

from __future__ import annotations

import io
import secrets

# No look-alikes (0/O, 1/l/I) so it can be read out over the phone.
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_SIZE = 4, 4  # 16 characters, about 93 bits


def new_password() -> str:
    """e.g. 'k7Qm-x3Rt-9wPz-h4Nc': 16 random characters in groups of four."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS))


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """`data` encrypted with AES-256 (R6); opening it needs `password`. The owner password is random
    and thrown away, so nobody can lift the restrictions without re-creating the file."""
    from pypdf import PdfWriter

    if len(password) < 12:
        raise ValueError("a PDF password must have at least 12 characters")
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(24), algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
