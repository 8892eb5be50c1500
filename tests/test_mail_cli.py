"""End to end: PDFs made by the real CLI (`routine`, `batch guide`), emailed by `handouts email` and
`routine --email`, and optional AES-256 encryption of the attachment."""

from __future__ import annotations

import csv
import io
import sqlite3
from email import policy
from email.parser import BytesParser

import pytest

from conftest import REPO, assert_no_crash, explain, run
from smtp_server import Recorder, Server, configure_clinic, mail_env, pki, tiny_pdf  # noqa: F401 (fixtures)
from test_mail_smtp import check_every_message

VISIT = (REPO / "examples" / "visit.yaml").read_text(encoding="utf-8")


def attachment(message) -> bytes:
    parsed = BytesParser(policy=policy.default).parsebytes(message.data)
    parts = list(parsed.iter_attachments())
    assert len(parts) == 1 and parts[0].get_content_type() == "application/pdf"
    assert parts[0].get_filename() in ("exercise-handout.pdf", "guide.pdf")  # never the patient's name
    return parts[0].get_content()


def test_routine_builds_then_emails_the_handout(clinic_copy, tmp_path, mail_env):
    visit = tmp_path / "visit.yaml"
    visit.write_text(VISIT + "email_consent: yes\n", encoding="utf-8")
    pdf = tmp_path / "out" / "maria.pdf"
    recorder = Recorder()
    with Server(recorder, "starttls", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, "starttls")
        result = run(["routine", visit, "-o", pdf, "--email", "maria.gomez@example.org"], clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 0, explain(result)
    assert [m.rcpt_tos for m in recorder.messages] == [("maria.gomez@example.org",)]
    assert attachment(recorder.messages[0]) == pdf.read_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(recorder.messages[0].data)
    assert parsed["Subject"] == "Your exercise handout from Brightwater Physical Therapy"
    body = parsed.get_body(("plain",)).get_content()
    assert "Walk for 10 minutes" not in body and "Maria" not in body  # the note and name stay in the PDF
    assert parsed.get_body(("html",)) is not None
    check_every_message(recorder)
    assert (tmp_path / "out" / "mail-journal" / "journal.sqlite").is_file()
    assert "maria.gomez@example.org" not in result.stderr


@pytest.mark.parametrize("consent, address, message", [
    ("email_consent: yes\n", "Maria <maria@example.org>, evil@example.net", "invalid email address"),
    ("", "maria@example.org", "no recorded consent"),
    ("email_consent: no\n", "maria@example.org", "declined email"),
])
def test_routine_refuses_before_building(clinic_copy, tmp_path, mail_env, consent, address, message):
    visit = tmp_path / "visit.yaml"
    visit.write_text(VISIT + consent, encoding="utf-8")
    configure_clinic(clinic_copy, 1)
    pdf = tmp_path / "maria.pdf"
    result = run(["routine", visit, "-o", pdf, "--email", address], clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 65 and message in result.stderr, explain(result)
    assert not pdf.exists()


def test_email_without_a_visit_file_says_every_problem_at_once(clinic_copy, tmp_path, mail_env):
    """One consent rule (mail.outbox.consent_problem) for every command: `handouts email PDF` without a
    visit file is refused by it, together with a bad address, not by a rule of the CLI's own first."""
    configure_clinic(clinic_copy, 1)
    pdf = tmp_path / "maria.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = run(["email", pdf, "--to", "maria@@example.org"], clinic_copy)
    assert_no_crash(result)
    lines = result.stderr.splitlines()
    assert result.exit_code == 65, explain(result)
    assert any(line.startswith("error: --to: ") and "invalid email address" in line for line in lines), explain(result)
    assert any(line.startswith("error: consent: no recorded consent") and "requires recorded consent" in line
               and "--visit FILE" in line for line in lines), explain(result)


def test_visit_file_consent_must_be_yes_or_no(clinic_copy, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text(VISIT + "email_consent: sure\n", encoding="utf-8")
    result = run(["routine", visit, "-o", tmp_path / "x.pdf"], clinic_copy)
    assert result.exit_code == 65 and "email_consent" in result.stderr, explain(result)


def test_batch_of_guides_each_to_its_own_reader(clinic_copy, tmp_path, mail_env):
    leads = tmp_path / "leads.csv"
    leads.write_text("name,email,email_consent\nAnna Berg,anna@example.org,yes\nBo Chen,bo@example.net,yes\n"
                     "Cy Dunn,cy@example.com,yes\n", encoding="utf-8")
    out = tmp_path / "guides"
    built = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    manifest_text = (out / "manifest.csv").read_text(encoding="utf-8")
    assert "@" not in manifest_text  # the manifest never holds addresses
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        dry = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads, "--dry-run"], clinic_copy)
        assert dry.exit_code == 0 and "anna@example.org" in dry.stdout, explain(dry)
        assert recorder.messages == [] and not recorder.rcpt_attempts
        result = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads], clinic_copy)
    assert result.exit_code == 0, explain(result)
    rows = {r["row"]: r["file"] for r in csv.DictReader(io.StringIO(manifest_text))}
    got = {m.rcpt_tos[0]: attachment(m) for m in recorder.messages}
    for number, address in (("1", "anna@example.org"), ("2", "bo@example.net"), ("3", "cy@example.com")):
        assert got[address] == (out / rows[number]).read_bytes()
    first = BytesParser(policy=policy.default).parsebytes(recorder.messages[0].data)
    assert first["Subject"] == "Your free guide from Brightwater Physical Therapy"
    assert first.get_body(("plain",)).get_content().startswith("Hi Anna Berg,")
    check_every_message(recorder)


# -- encryption -----------------------------------------------------------------------------------------

def test_encrypted_pdf_is_aes256_r6_and_opens_only_with_its_password():
    import pypdf
    import pypdfium2 as pdfium

    from handouts.mail.encrypt import encrypt_pdf, new_password

    password = new_password()
    data = encrypt_pdf(tiny_pdf("Private exercise plan"), password)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert b"Private exercise plan" not in data
    assert reader.decrypt("wrong password") == pypdf.PasswordType.NOT_DECRYPTED
    assert reader.decrypt(password) != pypdf.PasswordType.NOT_DECRYPTED
    assert "Private exercise plan" in reader.pages[0].extract_text()
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data, password="wrong password")
    doc = pdfium.PdfDocument(data, password=password)
    try:
        assert "Private exercise plan" in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def test_passwords_are_random_long_and_not_dates():
    import re

    from handouts.mail.encrypt import new_password

    drawn = {new_password() for _ in range(2000)}
    assert len(drawn) == 2000
    for password in drawn:
        assert len(password.replace("-", "")) >= 12
        assert not re.fullmatch(r"[\d\-/.]+", password)


def test_email_encrypt_shows_the_password_once_and_stores_it_nowhere(clinic_copy, tmp_path, mail_env):
    import pypdf

    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(tiny_pdf("Exercise plan for the patient"))
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: Maria Gómez\nemail_consent: yes\n", encoding="utf-8")
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", pdf, "--to", "maria@example.org", "--visit", visit, "--encrypt"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    found = [line for line in result.stdout.splitlines() if "PDF password" in line]
    assert len(found) == 1 and "m***@example.org" in found[0]
    password = found[0].split("PDF password")[1].split()[0]
    assert len(password) >= 12
    reader = pypdf.PdfReader(io.BytesIO(attachment(recorder.messages[0])))
    assert reader.is_encrypted and reader.decrypt(password) != pypdf.PasswordType.NOT_DECRYPTED
    assert password not in result.stderr
    raw = b"".join(p.read_bytes() for p in (tmp_path / "mail-journal").iterdir())
    assert password.encode() not in raw
    db = sqlite3.connect(tmp_path / "mail-journal" / "journal.sqlite")
    dump = "\n".join(db.iterdump())
    db.close()
    assert password not in dump and "maria" not in dump.lower()


def test_passwords_are_shown_only_for_messages_that_went_out(clinic_copy, tmp_path, mail_env):
    from smtp_server import Fault, write_batch

    rows = [{"name": f"R{i}", "email": f"r{i}@example.org", "email_consent": "yes"} for i in (1, 2, 3)]
    manifest, recipients = write_batch(tmp_path / "batch", rows)
    recorder = Recorder(lambda a, n, d: Fault("rcpt", "550 5.1.1 no such user") if a == "r2@example.org" else None)
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", "--manifest", manifest, "--recipients", recipients, "--encrypt"], clinic_copy)
    assert result.exit_code == 75, explain(result)
    lines = [line for line in result.stdout.splitlines() if "PDF password" in line]
    assert [line.split()[1] for line in lines] == ["1", "3"]


def test_patient_batch_uses_the_handout_template_and_never_the_note(clinic_copy, tmp_path, mail_env):
    patients = tmp_path / "patients.csv"
    patients.write_text("patient,note,email,email_consent\n"
                        "Zora Canary,Left knee ACL tear - canary note,zora@example.org,yes\n"
                        "Yann Canary,Lower back strain - canary note,yann@example.org,yes\n", encoding="utf-8")
    out = tmp_path / "handouts"
    built = run(["batch", "routine", "--program", "core-activation", "--recipients", patients, "--out", out,
                 "--jobs", "1", "--date", "2026-11-21"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        # A template that tries to use the note is refused before anything is sent.
        body = clinic_copy / "content" / "email" / "handout" / "body.txt"
        original = body.read_text(encoding="utf-8")
        body.write_text(original + "\nYour note: {note}\n", encoding="utf-8")
        refused = run(["email", "--manifest", out / "manifest.csv", "--recipients", patients], clinic_copy)
        body.write_text(original, encoding="utf-8")
        result = run(["email", "--manifest", out / "manifest.csv", "--recipients", patients], clinic_copy)
    assert refused.exit_code == 65 and "unknown placeholder {note}" in refused.stderr, explain(refused)
    assert result.exit_code == 0, explain(result)
    assert len(recorder.messages) == 2
    for m in recorder.messages:
        parsed = BytesParser(policy=policy.default).parsebytes(m.data)
        assert parsed["Subject"] == "Your exercise handout from Brightwater Physical Therapy"
        text = parsed.get_body(("plain",)).get_content() + parsed.get_body(("html",)).get_content()
        assert "canary" not in text.lower() and "knee" not in text.lower()
    for output in (refused.output, result.output):
        assert "Canary" not in output and "canary" not in output


@pytest.mark.parametrize("which", ["pdf", "manifest"])
def test_a_name_longer_than_the_file_system_allows_is_a_clear_error(clinic_copy, tmp_path, mail_env, which):
    configure_clinic(clinic_copy, 2525, require_consent="no")
    too_long = tmp_path / ("x" * 300)
    if which == "pdf":
        args = ["email", f"{too_long}.pdf", "--to", "maria@example.org"]
    else:
        leads = tmp_path / "leads.csv"
        leads.write_text("name,email\nAnn,ann@example.org\n", encoding="utf-8")
        args = ["email", "--manifest", too_long / "manifest.csv", "--recipients", leads]
    result = run(args, clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == 66, explain(result)
