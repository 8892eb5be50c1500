"""Addresses, header text, message building and the re-parse check; the journal on its own.

No network here: these are the fast checks of what may go into a message (catalogue §0.5, §0.6,
§1.9, rows 42-45, Django's invalid-address list).
"""

from __future__ import annotations

import sqlite3
from email import policy
from email.parser import BytesParser

import pytest

from handouts.mail import message as msg
from handouts.mail.address import check_address, header_text_problem

# Addresses that must be refused before anything is sent. Django's test_avoids_sending_to_invalid_addresses
# list first, then the catalogue's and our own.
BAD_ADDRESSES = [
    "to@other.com@example.com",  # two @
    "to@other.com <to@example.com>",  # unquoted display name
    "@",
    "to@",
    "@example.com",
    '"evil@example.com\r\nto"@example.com',  # CR/LF in a quoted local part
    "to\nevil@example.com",  # LF in the addr-spec
    "a, b",
    "a@example.org, b@example.org",
    "a@example.org;b@example.org",
    "Jane <j@example.org>, evil@example.net",  # smtplib would send to j@ only
    "alice@example.org)<bob@example.net>",  # smtplib would send to alice (CVE-2023-27043 family)
    "a@b@c.org",
    "to\r\nevil@example.org",
    "to@example.org\r\nBcc: evil@example.net",
    "to@example.org\nBcc: evil@example.net",
    "to@example.org\rBcc: evil@example.net",
    "to@example.org\x00",
    "to@example.org\t",
    "to\tx@example.org",
    "<a@example.org>",
    "Jane <a@example.org>",
    "a@example.org (comment)",
    "a@[127.0.0.1]",
    '"quoted"@example.org',
    "a@example.org\u2028",
    "a@example.org\u0085",
    "a\u200b@example.org",
    "a@b",
    "a@localhost",
    "a@example..org",
    ".a@example.org",
    "a.@example.org",
    "a@-example.org",
    "mailto:a@example.org",
    "=?utf-8?q?a=0D=0A?=@example.org",
    "a@example.org%0d%0abcc:b@example.net",
    "x" * 65 + "@example.org",
    "zoë@example.org",  # non-ASCII local part: needs SMTPUTF8
    "",
    "   ",
]

GOOD_ADDRESSES = ["maria@example.org", "Maria.Gomez+pt@mail.example.co.uk", "o'brien@example.org",
                  "a@müller.example"]

# Display names and subjects that must never reach a header.
BAD_HEADER_TEXT = [
    "Jane\r\nBcc: evil@example.net",
    "Jane\nBcc: evil@example.net",
    "Jane\rBcc: evil@example.net",
    "=?utf-8?q?hi=0D=0ABcc:_evil@x.org?=",  # CVE-2024-6923
    "=?utf-8?q?hi=0ABcc:_evil@x.org?=",
    "=?utf-8?b?aGkNCkJjYzogZXZpbEB4Lm9yZw==?=",  # the same in base64
    "Jane =?utf-8?q?=0D=0ABcc:_e@x.org?= Doe",
    "Jane\x00",
    "Jane\x0bBcc: x@example.net",
    "Jane\x0cBcc: x@example.net",
    "Jane\x1b[31m",
    "Jane\u2028Bcc: x@example.net",
    "Jane\u2029Bcc: x@example.net",
    "Jane\u0085Bcc: x@example.net",
    "Jane\u202eevil",
    "x" * 201,
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_bad_addresses_are_refused_without_quoting_them(address):
    checked, why = check_address(address)
    assert checked is None
    assert why.startswith(("invalid email address", "no email address"))
    if len(address.strip()) > 3:
        assert address.strip() not in why


def test_non_ascii_local_part_gets_a_clear_message():
    _, why = check_address("zoë@example.org")
    assert "SMTPUTF8" in why and "ASCII" in why


@pytest.mark.parametrize("address", GOOD_ADDRESSES)
def test_good_addresses_pass_and_compare_without_case(address):
    checked, why = check_address(address)
    assert checked is not None, why
    assert checked.ascii.isascii()
    assert check_address(address.upper())[0].key == checked.key if address.isascii() else True


@pytest.mark.parametrize("text", BAD_HEADER_TEXT)
def test_bad_names_and_subjects_are_refused(text):
    assert header_text_problem(text, "the name", 200) is not None


def test_payload_counts_meet_the_catalogue_target():
    assert len(set(BAD_ADDRESSES)) + len(set(BAD_HEADER_TEXT)) >= 50


def draft(**changes) -> msg.Draft:
    base = dict(sender="hello@clinic.example.com", sender_name="Brightwater Physical Therapy",
                recipient="maria@example.org", recipient_name="Maria Gómez", reply_to="desk@clinic.example.com",
                subject="Your exercise handout from Brightwater Physical Therapy", body="Hello,\n\n.Dot line\n",
                html="<p>Hello</p>", pdf=b"%PDF-1.4 test\n%%EOF\n", attachment_name="exercise-handout.pdf",
                message_id="<abc123.batch@clinic.example.com>", item="batch/abc123", date=msg.new_date())
    base.update(changes)
    return msg.Draft(**base)


def test_a_built_message_has_exactly_the_intended_headers():
    d = draft()
    data = msg.build(d)
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert sorted(k.lower() for k in parsed.keys()) == sorted(msg.expected_headers(d))
    assert [a.addr_spec for a in parsed["To"].addresses] == ["maria@example.org"]
    assert parsed["To"].addresses[0].display_name == "Maria Gómez"
    assert parsed["X-Handouts-Item"] == "batch/abc123"
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_the_cve_2024_6923_subject_is_caught_by_the_reparse_check_even_when_let_through():
    # Bypass the up-front check on purpose: the re-parse must still stop it (on Python 3.11.7 the
    # email package itself writes a real Bcc: header for this Subject).
    with pytest.raises(ValueError):
        msg.build(draft(subject="=?utf-8?q?hi=0D=0ABcc:_evil@x.org?="))


def test_an_injected_header_in_the_bytes_is_detected():
    d = draft()
    data = msg.build(d)
    forged = data.replace(b"\r\nSubject:", b"\r\nBcc: evil@example.net\r\nSubject:", 1)
    with pytest.raises(ValueError, match="unexpected headers"):
        msg.verify(forged, d)
    two_to = data.replace(b"To: ", b"To: evil@example.net, ", 1)
    with pytest.raises(ValueError):
        msg.verify(two_to, d)


@pytest.mark.parametrize("name", ["Doe, Jane", 'Jane "JJ" Doe', "Zoë (left knee)", "O'Brien <3"])
def test_names_with_punctuation_survive_exactly(name):
    data = msg.build(draft(recipient_name=name))
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert len(parsed["To"].addresses) == 1
    assert parsed["To"].addresses[0].display_name == name


def test_default_subjects_reveal_no_health_information(clinic, library):
    from handouts.mail.outbox import clinic_values

    for kind in msg.KINDS:
        templates = msg.load_templates(clinic, kind)
        subject, body, _ = msg.render(templates, {"name": "Maria Gómez", **clinic_values(library.clinic)})
        assert "Brightwater Physical Therapy" in subject
        assert "Maria" not in subject
        for word in ("pain", "knee", "back", "injury", "diagnos", "therapy plan", "exercise program"):
            assert word not in subject.lower()
    assert msg.load_templates(clinic, "handout").subject == "Your exercise handout from {clinic.name}"


def test_unknown_placeholder_in_a_template_is_reported_with_its_file(clinic_copy):
    (clinic_copy / "content" / "email" / "handout" / "subject.txt").write_text("Hi {nmae}\n", encoding="utf-8")
    templates = msg.load_templates(clinic_copy, "handout")
    problems = msg.check_fields(templates, {"name", "clinic", "clinic_phone", "clinic_website", "clinic_email"})
    assert len(problems) == 1
    assert "content/email/handout/subject.txt" in str(problems[0]) and "{nmae}" in str(problems[0])


def test_html_values_are_escaped():
    templates = msg.Templates("guide", "S {clinic}", "Hi {name}", "<p>Hi {name}</p>", {})
    _, _, html_body = msg.render(templates, {"name": "<script>x</script>", "clinic": "C"})
    assert "<script>" not in html_body and "&lt;script&gt;" in html_body


# -- journal ---------------------------------------------------------------------------------------------

def test_journal_states_recovery_and_no_personal_data(tmp_path):
    from handouts.mail.journal import Journal

    journal = Journal(tmp_path)
    key, item = journal.item_key("maria.gomez@example.org", "ab" * 32)
    journal.add(key, item, 7, journal.address_hmac("maria.gomez@example.org"), "ab" * 32)
    journal.sending(key)
    journal.close()  # as if killed here: `sending` is on disk

    journal = Journal(tmp_path)
    recovered = journal.recover()
    assert [(e.row, e.state, e.attempts) for e in recovered] == [(7, "unknown", 1)]
    other_pdf, _ = journal.item_key("maria.gomez@example.org", "cd" * 32)
    assert other_pdf != key  # an edited PDF is a new item
    assert journal.item_key("maria.gomez@example.org", "ab" * 32)[0] == key  # stable
    assert journal.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    journal.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "mail-journal").iterdir() if p.is_file())
    assert b"maria" not in raw.lower() and b"example.org" not in raw
    assert oct((tmp_path / "mail-journal" / "journal.sqlite").stat().st_mode & 0o777) == "0o600"


def test_second_sender_on_the_same_batch_is_refused_with_the_pid(tmp_path):
    import os

    from handouts.errors import BatchLocked
    from handouts.mail.journal import Journal

    first = Journal(tmp_path)
    try:
        with pytest.raises(BatchLocked, match=f"batch locked by pid {os.getpid()}") as info:
            Journal(tmp_path)
        assert info.value.exit_code == 75
    finally:
        first.close()
    Journal(tmp_path).close()  # free again once the first has finished


def test_journal_schema_refuses_unknown_states(tmp_path):
    from handouts.mail.journal import Journal

    journal = Journal(tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        journal.db.execute("INSERT INTO items(key, item, row, address_hmac, pdf_sha256, state, updated) "
                           "VALUES ('k', 'i', 1, 'a', 'p', 'delivered', 0)")
    journal.close()
