"""Email delivery: PDF files + addresses + the clinic's settings -> one message per recipient over
verified SMTP, every message journaled. Knows nothing of how PDFs are made.

    outbox.py   what to send to whom: one PDF and an address, or a batch manifest + recipient list
    pairing.py  a batch's manifest + the list given now -> which row gets which PDF (by fingerprint or id)
    address.py  strict address and header-text checks (before anything is sent)
    message.py  templates -> message bytes, re-parsed and checked against what was intended
    encrypt.py  optional AES-256 (R6) protection of the attachment with a random password
    smtp.py     TLS connection, login, one transaction per message, reply codes -> outcomes
    journal.py  SQLite send journal (pending/sending/sent/failed/unknown) and the batch lock
    send.py     the loop: rate limit, retries with backoff, outcomes, dry-run .eml files
"""

from handouts.mail.outbox import from_manifest, single
from handouts.mail.send import Report, deliver

__all__ = ["Report", "deliver", "from_manifest", "single"]
