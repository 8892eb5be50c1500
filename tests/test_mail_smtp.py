"""`handouts email` against a real SMTP server on 127.0.0.1 (aiosmtpd), with TLS from a test CA.

Each test builds a small batch (tiny PDFs + manifest.csv + recipient list) or one PDF, points the
demo clinic's email_delivery settings at the server, runs the CLI in-process and compares the
journal and the exit code with what the server actually received.
"""

from __future__ import annotations

import hashlib

import os
import re
import sqlite3
import stat
from email import policy
from email.parser import BytesParser

import pytest

from conftest import assert_no_crash, explain, run
from smtp_server import (PASSWORD, PASSWORD_ENV, SENDER, Fault, Recorder, Server, SilentServer, configure_clinic,
                         free_port, mail_env, pki, tiny_pdf, write_batch)  # noqa: F401 (fixtures)

CANARY_NAME = "Zebulon Quixote-Canary"
CANARY_ADDRESS = "zebulon.canary@example.org"


def people(n: int, consent: str = "yes", start: int = 1) -> list[dict]:
    return [{"name": f"Reader {i}", "email": f"reader{i}@example.org", "email_consent": consent}
            for i in range(start, start + n)]


def journal_states(folder) -> dict[int, tuple[str, int]]:
    db = sqlite3.connect(folder / "mail-journal" / "journal.sqlite")
    try:
        return {row: (state, attempts) for row, state, attempts in db.execute("SELECT row, state, attempts FROM items")}
    finally:
        db.close()


def send_batch(root, manifest, recipients, *extra):
    return run(["email", "--manifest", manifest, "--recipients", recipients, *extra], root)


def check_every_message(recorder: Recorder, reply_to: str | None = None) -> None:
    """Exactly one recipient per message, To = that recipient, exactly the expected header names."""
    expected = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "x-handouts-item"}
    if reply_to:
        expected.add("reply-to")
    for m in recorder.messages:
        assert len(m.rcpt_tos) == 1
        parsed = BytesParser(policy=policy.default).parsebytes(m.data)
        assert sorted(k.lower() for k in parsed.keys()) == sorted(expected)
        assert [a.addr_spec for a in parsed["To"].addresses] == list(m.rcpt_tos)
        assert [a.addr_spec for a in parsed["From"].addresses] == [SENDER] == [m.mail_from]
        assert m.tls and m.authenticated
        assert m.ehlo == "brightwater-pt.example.com"  # the clinic's domain, not this machine's name
        assert str(parsed["Message-ID"]).endswith("@brightwater-pt.example.com>")


@pytest.mark.parametrize("mode", ["ssl", "starttls"])
def test_batch_over_verified_tls_each_row_to_its_own_recipient(clinic_copy, tmp_path, mail_env, mode):
    recorder = Recorder()
    rows = people(4)
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    with Server(recorder, mode, mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, mode, reply_to="desk@brightwater-pt.example.com")
        result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 0, explain(result)
    assert sorted(r for m in recorder.messages for r in m.rcpt_tos) == sorted(r["email"] for r in rows)
    check_every_message(recorder, reply_to="desk@brightwater-pt.example.com")
    assert journal_states(tmp_path / "batch") == {i: ("sent", 1) for i in range(1, 5)}
    # Each reader got their own PDF.
    for m in recorder.messages:
        parsed = BytesParser(policy=policy.default).parsebytes(m.data)
        row = int(m.rcpt_tos[0].removeprefix("reader").split("@")[0])
        assert next(parsed.iter_attachments()).get_content() == (tmp_path / "batch" / f"guide-{row:05d}.pdf").read_bytes()


def test_rerunning_a_finished_batch_sends_nothing(clinic_copy, tmp_path, mail_env):
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(3))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        first = send_batch(clinic_copy, manifest, recipients)
        second = send_batch(clinic_copy, manifest, recipients)
    assert first.exit_code == second.exit_code == 0, explain(second)
    assert len(recorder.messages) == 3
    assert "sent 0, already sent 3" in second.stderr


def test_an_edited_pdf_is_a_new_item(clinic_copy, tmp_path, mail_env):
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(2))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        assert send_batch(clinic_copy, manifest, recipients).exit_code == 0
        corrected = tiny_pdf("Reader 2, corrected edition")  # rebuilt: the batch records the new PDF's checksum
        (tmp_path / "batch" / "guide-00002.pdf").write_bytes(corrected)
        old = hashlib.sha256(tiny_pdf("Guide for reader 2")).hexdigest()
        manifest.write_text(manifest.read_text().replace(old, hashlib.sha256(corrected).hexdigest()))
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 0, explain(result)
    assert recorder.by_recipient() == {"reader1@example.org": 1, "reader2@example.org": 2}


@pytest.mark.parametrize("how", ["swap files", "swap manifest cells", "copied in"])
def test_a_pdf_that_is_not_the_one_built_for_its_row_is_never_sent(clinic_copy, tmp_path, mail_env, how):
    """Two PDFs swapped on disk (or their file cells in the manifest), or a file copied in from another
    batch: each would reach the other person. Refused by row, nothing sent."""
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(3))
    one, two = tmp_path / "batch" / "guide-00001.pdf", tmp_path / "batch" / "guide-00002.pdf"
    if how == "swap files":
        a, b = one.read_bytes(), two.read_bytes()
        one.write_bytes(b), two.write_bytes(a)
    elif how == "swap manifest cells":
        text = manifest.read_text().replace("guide-00001.pdf", "X").replace("guide-00002.pdf", "guide-00001.pdf")
        manifest.write_text(text.replace("X", "guide-00002.pdf"))
    else:
        two.write_bytes(tiny_pdf("Someone else's guide"))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients)
        dry = run(["email", "--manifest", manifest, "--recipients", recipients, "--dry-run"], clinic_copy)
    assert result.exit_code == dry.exit_code == 65 and recorder.messages == [], explain(result)
    rows = (1, 2) if how != "copied in" else (2,)
    for row in rows:
        assert f"manifest.csv#row {row}: " in result.stderr and "is not the PDF built for this row" in result.stderr
    assert "manifest.csv#row 3: " not in result.stderr


def test_two_people_sharing_an_address_each_get_their_own(clinic_copy, tmp_path, mail_env):
    """A family's shared address: each person's PDF is sent (the second used to be dropped, exit 0)."""
    rows = [{"name": "Anna Lee", "email": "family@example.org", "email_consent": "yes"},
            {"name": "Tom Lee", "email": "family@example.org", "email_consent": "yes"}]
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 0, explain(result)
    assert recorder.by_recipient() == {"family@example.org": 2}


def test_starttls_not_offered_stops_before_any_login(clinic_copy, tmp_path, mail_env):
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(2))
    with Server(recorder, "plain-no-starttls", auth=True) as server:
        configure_clinic(clinic_copy, server.port, "starttls")
        result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 69, explain(result)
    assert "does not offer STARTTLS" in result.stderr
    assert recorder.auth_attempts == 0 and recorder.messages == [] and sum(recorder.rcpt_attempts.values()) == 0
    assert {s for s, _ in journal_states(tmp_path / "batch").values()} == {"pending"}


@pytest.mark.parametrize("cert", ["other_ca", "wrong_name"])
@pytest.mark.parametrize("mode", ["ssl", "starttls"])
def test_untrusted_or_misnamed_certificate_is_refused(clinic_copy, tmp_path, mail_env, cert, mode):
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(2))
    with Server(recorder, mode, getattr(mail_env, cert)) as server:
        configure_clinic(clinic_copy, server.port, mode)
        result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 69, explain(result)
    assert "certificate" in result.stderr
    assert recorder.auth_attempts == 0 and recorder.messages == []


def test_certificate_for_localhost_is_checked_by_name(clinic_copy, tmp_path, mail_env):
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, host="localhost")
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 0, explain(result)


def test_without_the_test_ca_the_system_store_does_not_trust_the_server(clinic_copy, tmp_path, mail_env,
                                                                         monkeypatch):
    monkeypatch.delenv("HANDOUTS_SMTP_CAFILE")
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 69 and recorder.messages == [], explain(result)


def test_refused_login_stops_the_batch_at_once(clinic_copy, tmp_path, mail_env, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "wrong password")
    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(5))
    with Server(recorder, "starttls", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, "starttls")
        result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 77, explain(result)
    assert recorder.auth_attempts == 1 and recorder.messages == []
    assert {s for s, _ in journal_states(tmp_path / "batch").values()} == {"pending"}
    assert PASSWORD not in result.output and "wrong password" not in result.output


@pytest.mark.parametrize("mode", ["ssl", "starttls"])
def test_server_that_never_answers_times_out(clinic_copy, tmp_path, mail_env, mode):
    import time

    manifest, recipients = write_batch(tmp_path / "batch", people(2))
    with SilentServer() as silent:
        configure_clinic(clinic_copy, silent.port, mode, timeout=1)
        start = time.monotonic()
        result = send_batch(clinic_copy, manifest, recipients)
        took = time.monotonic() - start
    assert_no_crash(result)
    assert result.exit_code == 69, explain(result)
    assert "no answer within 1 s" in result.stderr
    assert took < 5
    assert {s for s, _ in journal_states(tmp_path / "batch").values()} == {"pending"}


def test_connection_refused(clinic_copy, tmp_path, mail_env):
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    configure_clinic(clinic_copy, free_port())
    result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 69 and "connection refused" in result.stderr, explain(result)


def test_temporary_failures_are_retried_with_backoff(clinic_copy, tmp_path, mail_env):
    def fault(address, attempt, deliveries):
        if address == "reader2@example.org" and attempt <= 2:
            return Fault("rcpt", "451 4.7.1 slow down")
        if address == "reader3@example.org":
            return Fault("rcpt", "421 4.3.2 always busy")
        return None

    recorder = Recorder(fault)
    manifest, recipients = write_batch(tmp_path / "batch", people(4))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, retries=3)
        result = send_batch(clinic_copy, manifest, recipients)
        states = journal_states(tmp_path / "batch")
        again = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 75, explain(result)
    assert states[2] == ("sent", 3)
    assert states[3] == ("failed_temp", 3)  # the cap
    assert recorder.rcpt_attempts["reader3@example.org"] == 3 + 3  # a second run retries again
    assert "manifest.csv#row 3: failed 3 time(s), temporarily (code 421" in result.stderr
    assert again.exit_code == 75 and journal_states(tmp_path / "batch")[3] == ("failed_temp", 6)
    assert recorder.by_recipient() == {"reader1@example.org": 1, "reader2@example.org": 1, "reader4@example.org": 1}


def test_backoff_is_exponential_with_jitter_and_capped(monkeypatch):
    import random

    from handouts.mail.send import MAX_BACKOFF, backoff

    rng = random.Random(1)
    waits = [backoff(n, 2.0, rng) for n in range(1, 6)]
    for n, wait in enumerate(waits, 1):
        assert 2.0 * 2 ** (n - 1) * 0.5 <= wait <= 2.0 * 2 ** (n - 1) * 1.5
    assert backoff(20, 2.0, rng) == MAX_BACKOFF


def test_permanent_failures_are_recorded_and_the_batch_goes_on(clinic_copy, tmp_path, mail_env):
    def fault(address, attempt, deliveries):
        if address == "reader3@example.org":
            return Fault("rcpt", "550 5.1.1 no such user")
        if address == "reader6@example.org":
            return Fault("data", "554 5.6.0 message refused")
        return None

    recorder = Recorder(fault)
    manifest, recipients = write_batch(tmp_path / "batch", people(10))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients)
        again = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 75, explain(result)
    states = journal_states(tmp_path / "batch")
    assert states[3] == ("failed_perm", 1) and states[6] == ("failed_perm", 1)
    assert sum(1 for s, _ in states.values() if s == "sent") == 8
    assert "reader3@example.org" not in recorder.by_recipient() and "reader6@example.org" not in recorder.by_recipient()
    assert "manifest.csv#row 3: failed permanently (code 550" in result.stderr
    assert "manifest.csv#row 6: failed permanently (code 554" in result.stderr
    assert recorder.rcpt_attempts["reader3@example.org"] == 1  # not retried, not even by a second run
    assert again.exit_code == 75 and len(recorder.messages) == 8
    check_every_message(recorder)


def test_disconnect_after_accepting_is_unknown_and_only_resent_when_asked(clinic_copy, tmp_path, mail_env):
    recorder = Recorder(lambda a, n, d: Fault("disconnect") if a == "reader2@example.org" and d == 0 else None)
    manifest, recipients = write_batch(tmp_path / "batch", people(3))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        first = send_batch(clinic_copy, manifest, recipients)
        second = send_batch(clinic_copy, manifest, recipients)
        assert recorder.by_recipient()["reader2@example.org"] == 1
        third = send_batch(clinic_copy, manifest, recipients, "--resend-unknown")
    assert_no_crash(first)
    assert first.exit_code == 75 and second.exit_code == 75, explain(first)
    assert "manifest.csv#row 2: delivery unknown" in first.stderr
    assert "manifest.csv#row 2: delivery unknown" in second.stderr
    assert third.exit_code == 0, explain(third)
    assert recorder.by_recipient() == {"reader1@example.org": 1, "reader2@example.org": 2, "reader3@example.org": 1}
    copies = [BytesParser(policy=policy.default).parsebytes(m.data) for m in recorder.messages
              if m.rcpt_tos == ("reader2@example.org",)]
    # The duplicate is traceable: same Message-ID and item id.
    assert copies[0]["Message-ID"] == copies[1]["Message-ID"]
    assert copies[0]["X-Handouts-Item"] == copies[1]["X-Handouts-Item"]
    assert journal_states(tmp_path / "batch")[2] == ("sent", 2)


def test_rate_limit_spaces_messages(clinic_copy, tmp_path, mail_env):
    import time

    recorder = Recorder()
    manifest, recipients = write_batch(tmp_path / "batch", people(4))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, rate=300)  # one message per 0.2 s
        start = time.monotonic()
        result = send_batch(clinic_copy, manifest, recipients)
        took = time.monotonic() - start
    assert result.exit_code == 0, explain(result)
    assert took >= 0.6


def test_rate_limit_waits_with_an_injected_clock():
    from handouts.mail.send import RateLimit

    now, waits = [0.0], []

    def sleep(seconds):
        waits.append(round(seconds, 6))
        now[0] += seconds

    limit = RateLimit(30, lambda: now[0], sleep)
    for _ in range(3):
        limit.wait()
    assert waits == [2.0, 2.0]


def same_pdf(manifest, row: int, other: int) -> None:
    """Make row `other`'s PDF the same file as row `row`'s, as a batch builds it for the same person."""
    folder = manifest.parent
    data = (folder / f"guide-{row:05d}.pdf").read_bytes()
    old = hashlib.sha256((folder / f"guide-{other:05d}.pdf").read_bytes()).hexdigest()
    (folder / f"guide-{other:05d}.pdf").write_bytes(data)
    manifest.write_text(manifest.read_text().replace(old, hashlib.sha256(data).hexdigest()))


def test_invalid_rows_are_refused_and_only_valid_rows_reach_the_server(clinic_copy, tmp_path, mail_env):
    rows = people(3) + [
        {"name": "Bad 1", "email": "Jane <j@example.org>, evil@example.net", "email_consent": "yes"},
        {"name": "Bad 2", "email": "alice@example.org)<bob@example.net>", "email_consent": "yes"},
        {"name": "Bad 3", "email": "a@b@c.org", "email_consent": "yes"},
        {"name": "Bad 4", "email": "zoë@example.org", "email_consent": "yes"},
        {"name": "=?utf-8?q?hi=0D=0ABcc:_evil@x.org?=", "email": "cve@example.org", "email_consent": "yes"},
        {"name": "Bad 6", "email": "@example.org", "email_consent": "yes"},
        {"name": "Reader 1", "email": "READER1@Example.org", "email_consent": "yes"},  # row 1 again
        {"name": "No consent", "email": "nope@example.org", "email_consent": "no"},
        {"name": "Silent", "email": "silent@example.org", "email_consent": ""},
        {"name": "Odd", "email": "odd@example.org", "email_consent": "maybe"},
    ]
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    same_pdf(manifest, 1, 10)  # the same person twice: a batch builds the same PDF for both rows
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert sorted(recorder.rcpt_attempts) == ["reader1@example.org", "reader2@example.org", "reader3@example.org"]
    assert len(recorder.messages) == 3
    check_every_message(recorder)
    for row in (4, 5, 6, 7, 9):
        assert f"#row {row}" in result.stderr
    assert "#row 9" in result.stderr and "encoded-word" in result.stderr
    assert "manifest.csv#row 10: warning: the same PDF for the same address as row 1" in result.stderr
    assert "SMTPUTF8" in result.stderr
    assert "declined email" in result.stderr and "no recorded consent" in result.stderr
    assert "email_consent must be yes or no" in result.stderr
    for row in rows[3:]:
        assert row["email"] not in result.output


def test_consent_not_required_sends_rows_without_a_consent_column(clinic_copy, tmp_path, mail_env):
    manifest, recipients = write_batch(tmp_path / "batch", people(2), columns=("name", "email"))
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, require_consent="no")
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 0 and len(recorder.messages) == 2, explain(result)


def test_one_pdf_needs_recorded_consent(clinic_copy, tmp_path, mail_env):
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(tiny_pdf("handout"))
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        refused = run(["email", pdf, "--to", "maria@example.org"], clinic_copy)
        visit = tmp_path / "visit.yaml"
        visit.write_text("patient: Maria Gómez\nprogram: core-activation\nemail_consent: no\n", encoding="utf-8")
        declined = run(["email", pdf, "--to", "maria@example.org", "--visit", visit], clinic_copy)
        visit.write_text("patient: Maria Gómez\nprogram: core-activation\nemail_consent: yes\n", encoding="utf-8")
        sent = run(["email", pdf, "--to", "maria@example.org", "--visit", visit], clinic_copy)
    assert refused.exit_code == 65 and "requires recorded consent" in refused.stderr, explain(refused)
    assert declined.exit_code == 65 and "declined email" in declined.stderr, explain(declined)
    assert sent.exit_code == 0, explain(sent)
    assert [m.rcpt_tos for m in recorder.messages] == [("maria@example.org",)]
    parsed = BytesParser(policy=policy.default).parsebytes(recorder.messages[0].data)
    assert parsed["Subject"] == "Your exercise handout from Brightwater Physical Therapy"
    assert parsed["To"].addresses[0].display_name == "Maria Gómez"
    assert "m***@example.org" in sent.output or "sent 1" in sent.stderr


def test_password_file_must_be_owner_only(clinic_copy, tmp_path, mail_env, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV)
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, password_env=None, password_file=str(secret))
        os.chmod(secret, 0o644)
        loose = send_batch(clinic_copy, manifest, recipients)
        os.chmod(secret, 0o600)
        tight = send_batch(clinic_copy, manifest, recipients)
    assert loose.exit_code == 78 and "chmod 600" in loose.stderr, explain(loose)
    assert recorder.auth_attempts == 1 and tight.exit_code == 0, explain(tight)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_password_file_where_there_are_no_user_ids(clinic_copy, tmp_path, mail_env, monkeypatch):
    """Windows has no os.getuid: reading the password file used to end in a traceback there."""
    import handouts.mail.smtp

    monkeypatch.delenv(PASSWORD_ENV)
    monkeypatch.delattr(handouts.mail.smtp.os, "getuid")
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, password_env=None, password_file=str(secret))
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 0 and recorder.auth_attempts == 1, explain(result)


@pytest.mark.parametrize("settings, message, code", [
    ("  username: someone\n", "no password source", 78),
    ("  password: hunter2\n", "never write the password in clinic.yaml", 65),
    ("  security: none\n", "expected one of: ssl, starttls", 65),
    ("  from: Clinic <hello@brightwater-pt.example.com>\n", "expected a plain address", 65),
])
def test_bad_settings_are_refused(clinic_copy, tmp_path, settings, message, code):
    path = clinic_copy / "content" / "clinic.yaml"
    sender = "" if "from:" in settings else "  from: hello@brightwater-pt.example.com\n"
    path.write_text(path.read_text(encoding="utf-8") + "email_delivery:\n  host: 127.0.0.1\n" + sender + settings,
                    encoding="utf-8")
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == code and message in result.stderr, explain(result)
    assert "content/clinic.yaml" in result.stderr
    assert "hunter2" not in result.output


def test_missing_password_env_is_a_settings_error(clinic_copy, tmp_path, mail_env, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV)
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    configure_clinic(clinic_copy, free_port())
    result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 78 and PASSWORD_ENV in result.stderr, explain(result)


def test_there_is_no_password_option(clinic_copy, tmp_path):
    result = run(["email", "x.pdf", "--to", "a@example.org", "--password", "hunter2"], clinic_copy)
    assert result.exit_code == 2
    assert "--password" not in run(["email", "--help"]).output


def test_no_settings_is_exit_78(clinic_copy, tmp_path):
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 78 and "email_delivery" in result.stderr, explain(result)


def test_dry_run_writes_private_eml_files_and_a_table_and_sends_nothing(clinic_copy, tmp_path, mail_env):
    rows = people(3)
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients, "--dry-run")
    assert result.exit_code == 0, explain(result)
    assert recorder.messages == [] and sum(recorder.rcpt_attempts.values()) == 0
    outbox = tmp_path / "batch" / "outbox"
    files = sorted(outbox.glob("*.eml"))
    assert [f.name for f in files] == ["message-00001.eml", "message-00002.eml", "message-00003.eml"]
    for f, row in zip(files, rows):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        parsed = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        assert [a.addr_spec for a in parsed["To"].addresses] == [row["email"]]
        assert row["email"] in result.stdout and f.name in result.stdout
    assert "Your free guide from Brightwater Physical Therapy" in result.stdout
    assert not list(outbox.glob(".handouts-*"))  # no temp files left
    assert journal_states(tmp_path / "batch") == {}  # no item recorded


def test_second_concurrent_sender_is_locked_out(clinic_copy, tmp_path, mail_env):
    from handouts.mail.journal import Journal

    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    configure_clinic(clinic_copy, free_port())
    holder = Journal(tmp_path / "batch")
    try:
        result = send_batch(clinic_copy, manifest, recipients)
    finally:
        holder.close()
    assert result.exit_code == 75, explain(result)
    assert f"batch locked by pid {os.getpid()}" in result.stderr


def test_no_names_or_addresses_in_errors_and_logs(clinic_copy, tmp_path, mail_env):
    rows = [{"name": CANARY_NAME, "email": CANARY_ADDRESS, "email_consent": "yes"}]
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    outputs = []
    for fault in (Fault("rcpt", f"550 5.1.1 <{CANARY_ADDRESS}> unknown"), Fault("data", f"554 {CANARY_ADDRESS} no"),
                  Fault("rcpt", f"451 4.3.0 {CANARY_ADDRESS} later"), Fault("disconnect")):
        recorder = Recorder(lambda a, n, d, fault=fault: fault)
        with Server(recorder, "ssl", mail_env.good) as server:
            configure_clinic(clinic_copy, server.port, retries=2)
            (tmp_path / "batch" / "mail-journal" / "journal.sqlite").unlink(missing_ok=True)
            outputs.append(send_batch(clinic_copy, manifest, recipients))
    for result in outputs:
        assert_no_crash(result)
        assert result.exit_code == 75, explain(result)
        for secret in (CANARY_NAME, "Zebulon", CANARY_ADDRESS, "zebulon.canary"):
            assert secret not in result.output
    raw = b"".join(p.read_bytes() for p in (tmp_path / "batch" / "mail-journal").iterdir())
    assert b"zebulon" not in raw.lower()


def test_421_closes_the_session_and_the_next_attempt_reconnects(clinic_copy, tmp_path, mail_env):
    recorder = Recorder(lambda a, n, d: Fault("rcpt", "421 4.7.0 too many messages, closing")
                        if a == "reader2@example.org" and n == 1 else None)
    manifest, recipients = write_batch(tmp_path / "batch", people(3))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = send_batch(clinic_copy, manifest, recipients)
    assert result.exit_code == 0, explain(result)
    assert recorder.ehlos == 2
    assert journal_states(tmp_path / "batch") == {1: ("sent", 1), 2: ("sent", 2), 3: ("sent", 1)}


def test_again_sends_a_finished_item_once_more_on_request(clinic_copy, tmp_path, mail_env):
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(tiny_pdf("handout"))
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: Maria Gómez\nemail_consent: yes\n", encoding="utf-8")
    recorder = Recorder()
    args = ["email", pdf, "--to", "maria@example.org", "--visit", visit]
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        first, repeat, again = run(args, clinic_copy), run(args, clinic_copy), run(args + ["--again"], clinic_copy)
    assert first.exit_code == repeat.exit_code == again.exit_code == 0, explain(again)
    assert "already sent 1" in repeat.stderr
    assert recorder.by_recipient() == {"maria@example.org": 2}


def test_no_reply_after_the_message_is_a_timeout_and_unknown(clinic_copy, tmp_path, mail_env):
    recorder = Recorder(delay=2.5)  # stores the message, then says nothing for longer than the timeout
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, timeout=1)
        result = send_batch(clinic_copy, manifest, recipients)
    assert_no_crash(result)
    assert result.exit_code == 75, explain(result)
    assert journal_states(tmp_path / "batch") == {1: ("unknown", 1)}
    assert "manifest.csv#row 1: delivery unknown" in result.stderr
    assert len(recorder.messages) == 1


def test_every_injection_payload_is_refused_end_to_end(clinic_copy, tmp_path, mail_env):
    from handouts.mail.address import check_address
    from test_mail_message import BAD_ADDRESSES, BAD_HEADER_TEXT

    # The recipient-list reader trims whitespace around every cell (Python counts tab, U+2028 and
    # U+0085 as whitespace), so a payload that is only a clean address plus trailing whitespace reads
    # as that clean address; the rest must all be refused.
    payloads = [a for a in BAD_ADDRESSES if check_address(a.strip())[0] is None]
    assert len(BAD_ADDRESSES) - len(payloads) == 3
    rows = [{"name": "Good One", "email": "good1@example.org", "email_consent": "yes"}]
    rows += [{"name": f"Bad address {i}", "email": a, "email_consent": "yes"} for i, a in enumerate(payloads)]
    rows += [{"name": n, "email": f"badname{i}@example.org", "email_consent": "yes"} for i, n in enumerate(BAD_HEADER_TEXT)]
    rows += [{"name": "Good Two", "email": "good2@example.org", "email_consent": "yes"}]
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        # A row the list reader refuses cannot be matched to the person its PDF was built for (a real
        # batch would not have built it): --only-matching sends the others.
        result = send_batch(clinic_copy, manifest, recipients, "--only-matching")
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert sorted(recorder.rcpt_attempts) == ["good1@example.org", "good2@example.org"]
    check_every_message(recorder)
    for number in range(2, len(rows)):  # every bad row is named in the report
        assert re.search(rf"#row {number}\b", result.stderr), number


def test_check_refuses_the_from_address_that_email_refuses(clinic_copy, tmp_path):
    """`handouts check` makes the same strict From/Reply-To check as `handouts email` (email-validator),
    not only the shape check of loading: an address without a domain ending passes the shape check."""
    path = clinic_copy / "content" / "clinic.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "email_delivery:\n  host: 127.0.0.1\n"
                    "  from: hello@brightwater\n  reply_to: front-desk@brightwater-pt.example.com\n", encoding="utf-8")
    checked = run(["check"], clinic_copy)
    manifest, recipients = write_batch(tmp_path / "batch", people(1))
    sent = send_batch(clinic_copy, manifest, recipients)
    assert sent.exit_code == 78 and "email_delivery.from: invalid email address" in sent.stderr, explain(sent)
    assert checked.exit_code == 65, explain(checked)
    assert re.search(r"^error: content/clinic\.yaml:\d+:\d+: email_delivery\.from: invalid email address",
                     checked.stderr, re.M), explain(checked)
    assert "reply_to" not in checked.stderr
