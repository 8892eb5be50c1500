"""Catalogue §5 row 62 and §6 privacy: a PHI canary through every route that makes or sends a PDF.

A patient whose name, note and address are unique canary strings is put through `routine` (named
and default output), `guide --for`, `batch routine`, `batch guide`, `routine --email`, `email`
(one PDF) and `email --manifest` (a batch, sent and dry-run). The canary may appear only where it
must: the PDF's page text (checked with pdfium) and, for email, the To header and the attached PDF
(plus, by design, the dry-run's recipients table shows the address, and a guide email greets its
reader by name: see the two tests that say so). Everywhere else it is searched for and must be
absent: file and folder names, PDF metadata (Info and XMP), the PDF's bytes and decompressed streams
(so no outline, annotation or plain-text copy), stdout and stderr, warnings, log records, exception
messages, the batch manifest, the send journal (database, WAL and lock files), .eml file names, and
the Subject and body of every message.
"""

from __future__ import annotations

import io
import logging
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from conftest import explain, norm, run
from reliability_support import CANARY, write_rows

NOTE = "Qzxnote canary: ACL tear, DOB 1980-02-03"
ADDRESS = "qzxcanary.vplmtest@example.org"
TOKENS = ("qzxcanary", "qzxnote", "vplmtest")  # searched for case-insensitively, in text and bytes


def leaks(data: bytes | str) -> list[str]:
    text = data.lower() if isinstance(data, str) else data.decode("latin-1").lower()
    return [t for t in TOKENS if t in text]


def pdf_private(path: Path, expect_on_page: tuple[str, ...]) -> None:
    """The canary is on the page (pdfium text) and nowhere else in the file: not in the Info or XMP
    metadata, and not in any object that is not drawing (outline titles, annotations, link targets,
    names, embedded files). Content streams may hold it: that is the page text."""
    import pypdf
    import pypdfium2 as pdfium

    data = path.read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert not leaks(repr(dict(reader.metadata or {}))), "canary in the PDF Info"
    xmp = reader.xmp_metadata
    if xmp is not None:
        assert not leaks(xmp.stream.get_data()), "canary in the XMP metadata"
    drawing = set()
    for page in reader.pages:  # what pages draw: their content streams and the forms they use
        contents = page.get("/Contents")
        for ref in (contents if isinstance(contents, list) else [contents]):
            if hasattr(ref, "idnum"):
                drawing.add(ref.idnum)
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        for ref in xobjects.values():
            if hasattr(ref, "idnum") and ref.get_object().get("/Subtype") == "/Form":
                drawing.add(ref.idnum)
    checked = 0
    numbers = {n for table in reader.xref.values() for n in table} | set(reader.xref_objStm)
    for index in sorted(numbers):  # every indirect object
        obj = reader.get_object(index)
        if obj is None or index in drawing:
            continue
        checked += 1
        content = obj.get_data() if hasattr(obj, "get_data") else repr(obj).encode()
        assert not leaks(content), f"canary in PDF object {index}: {content[:200]!r}"
    assert checked > 10 and drawing, "nothing inspected: the check is not looking"
    doc = pdfium.PdfDocument(data)
    try:
        text = norm(" ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))))
    finally:
        doc.close()
    for value in expect_on_page:
        assert norm(value) in text, f"{value!r} is not on the page: the canary test is not testing"


def tree_private(folder: Path) -> list[Path]:
    """No canary in any name under `folder`; returns the files."""
    found = []
    for path in sorted(folder.rglob("*")):
        assert not leaks(path.name), f"canary in a file name: {path}"
        if path.is_file():
            found.append(path)
    return found


def result_private(result) -> None:
    assert not leaks(result.output), f"canary on stdout/stderr\n{explain(result)}"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture(autouse=True)
def no_canary_in_logs(caplog):
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        assert not leaks(record.getMessage()), f"canary in a log record: {record.getMessage()!r}"


# -- building --------------------------------------------------------------------------------------------------

def test_routine_named_and_default_outputs(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    named = run(["routine", "--program", "core-activation", "--patient", CANARY, "--note", NOTE,
                 "--date", "2026-11-21", "-o", out / "h.pdf"], clinic)
    default = run(["routine", "--program", "core-activation", "--patient", CANARY, "--note", NOTE,
                   "--date", "2026-11-21"], clinic)
    for result in (named, default):
        assert result.exit_code == 0, explain(result)
        result_private(result)
    files = tree_private(tmp_path)
    assert len(files) == 2
    for path in files:
        pdf_private(path, (CANARY, NOTE))


def test_guide_for_a_named_reader(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["guide", "back-pain-tips", "--for", CANARY], clinic)
    assert result.exit_code == 0, explain(result)
    result_private(result)
    (path,) = tree_private(tmp_path)
    pdf_private(path, (f"Prepared for {CANARY}",))


def test_routine_batch(clinic, tmp_path):
    patients = write_rows(tmp_path / "patients.csv", ("patient", "note", "email", "email_consent"),
                    [(CANARY, NOTE, ADDRESS, "yes"), ("Ann Other", "fine", "ann@example.org", "yes"),
                     (CANARY + "\x07", NOTE, ADDRESS, "yes")])  # a failing row: its message must not quote it
    out = tmp_path / "out"
    result = run(["batch", "routine", "--program", "core-activation", "--recipients", patients, "--out", out,
                  "--jobs", "2", "--date", "2026-11-21"], clinic)
    assert result.exit_code == 75, explain(result)
    result_private(result)
    files = tree_private(out)
    assert not leaks((out / "manifest.csv").read_bytes()), "canary in the manifest"
    assert "@" not in (out / "manifest.csv").read_text(encoding="utf-8")
    pdf_private(out / "handout-00001.pdf", (CANARY, NOTE))
    assert {p.name for p in files} == {"manifest.csv", "handout-00001.pdf", "handout-00002.pdf"}


def test_guide_batch(clinic, tmp_path):
    leads = write_rows(tmp_path / "leads.csv", ("name", "email", "email_consent"),
                 [(CANARY, ADDRESS, "yes"), ("Ann Other", "ann@example.org", "yes")])
    out = tmp_path / "out"
    result = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "2"], clinic)
    assert result.exit_code == 0, explain(result)
    result_private(result)
    tree_private(out)
    assert not leaks((out / "manifest.csv").read_bytes())
    pdf_private(out / "back-pain-tips-00001.pdf", (f"Prepared for {CANARY}",))


@pytest.mark.parametrize("args", [
    ["routine", "--program", "core-activation", "--patient", CANARY + "\x1b[31m", "--note", NOTE],
    ["routine", "--program", "core-activatoin", "--patient", CANARY, "--note", NOTE],
    ["routine", "--program", "core-activation", "--patient", CANARY, "--note", NOTE + "\u202e"],
    ["routine", "--program", "core-activation", "--patient", CANARY, "--note", NOTE, "--date", "1980-02-30"],
    ["routine", "--program", "core-activation", "--patient", CANARY * 12, "--note", NOTE],
    ["guide", "back-pain-tips", "--for", CANARY + "\u05d0"],
    ["guide", "back-pain-tips", "--for", CANARY, "--field", "x" + CANARY],
])
def test_failures_never_quote_the_patient(clinic, tmp_path, args):
    result = run([*args, "-o", tmp_path / "x.pdf"], clinic)
    assert result.exit_code == 65, explain(result)
    result_private(result)
    assert not (tmp_path / "x.pdf").exists()


def test_exception_messages_carry_no_patient_data(library, clinic):
    """What the CLI would print comes from these exceptions: their text must not hold the values."""
    from handouts import build, compose
    from handouts.errors import ContentError
    from handouts.load import visit as load_visit

    attempts = [
        lambda: load_visit.visit_from_options(library, patient=CANARY + "\x07", note=NOTE, program="core-activation"),
        lambda: load_visit.visit_from_options(library, patient=CANARY, note=NOTE * 200, program="core-activation"),
        lambda: load_visit.visit_from_options(library, patient=CANARY * 12, note=NOTE, program="core-activation"),
        lambda: compose.compose_guide(library, "back-pain-tips", {"name": CANARY + "\u202e"}),
        lambda: compose.compose_guide(library, "back-pain-tips", {"name": CANARY * 20}),
    ]
    for attempt in attempts:
        with pytest.raises(ContentError) as info:
            attempt()
        text = str(info.value) + " ".join(info.value.lines())
        assert not leaks(text), text


# -- email ---------------------------------------------------------------------------------------------------------

try:
    from smtp_server import Recorder, Server, configure_clinic, mail_env, pki  # noqa: F401 (fixtures)

    HAVE_MAIL = True
except ImportError:  # pragma: no cover - email delivery not installed
    HAVE_MAIL = False

needs_mail = pytest.mark.skipif(not HAVE_MAIL, reason="email delivery (handouts/mail, tests/smtp_server.py) absent")


def message_private(raw: bytes, pdf: bytes | None = None, greeting_name: bool = False) -> None:
    """Only the To header and the attached PDF may hold the canary (the address, and the name as
    the To display name); not the Subject, the body, or any other header."""
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    for key, value in parsed.items():
        if key.lower() != "to":
            assert not leaks(str(value)), f"canary in the {key} header"
    assert ADDRESS in str(parsed["To"])
    for part in parsed.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() == "application/pdf":
            assert not leaks(part.get_filename() or ""), "canary in the attachment name"
            if pdf is not None:
                assert part.get_content() == pdf
            continue
        body = part.get_content()
        if greeting_name:
            body = body.replace(f"Hi {CANARY},", "Hi READER,", 1)
        assert not leaks(body), f"canary in a {part.get_content_type()} body part"


def journal_private(folder: Path) -> None:
    journal = folder / "mail-journal"
    assert journal.is_dir(), "no journal was written: the test is not testing"
    for path in tree_private(journal):
        assert not leaks(path.read_bytes()), f"canary in {path.name}"


@needs_mail
def test_routine_email(clinic_copy, tmp_path, mail_env):
    visit = tmp_path / "visit.yaml"
    visit.write_text(f"patient: {CANARY}\nprogram: core-activation\ndate: 2026-11-21\nnote: '{NOTE}'\n"
                     "email_consent: yes\n", encoding="utf-8")
    out = tmp_path / "out"
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["routine", visit, "-o", out / "h.pdf", "--email", ADDRESS], clinic_copy)
    assert result.exit_code == 0, explain(result)
    result_private(result)
    tree_private(out)
    pdf_private(out / "h.pdf", (CANARY, NOTE))
    (message,) = recorder.messages
    assert message.rcpt_tos == (ADDRESS,)
    message_private(message.data, (out / "h.pdf").read_bytes())
    journal_private(out)


@needs_mail
def test_batch_email_sent_and_dry_run(clinic_copy, tmp_path, mail_env):
    patients = write_rows(tmp_path / "patients.csv", ("patient", "note", "email", "email_consent"),
                    [(CANARY, NOTE, ADDRESS, "yes"), ("Ann Other", "fine", "ann@example.org", "yes")])
    out = tmp_path / "out"
    built = run(["batch", "routine", "--program", "core-activation", "--recipients", patients, "--out", out,
                 "--jobs", "1", "--date", "2026-11-21"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    recorder = Recorder()
    outbox = tmp_path / "outbox"
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        dry = run(["email", "--manifest", out / "manifest.csv", "--recipients", patients, "--dry-run",
                   "--outbox", outbox], clinic_copy)
        sent = run(["email", "--manifest", out / "manifest.csv", "--recipients", patients], clinic_copy)
    assert dry.exit_code == 0, explain(dry)
    assert sent.exit_code == 0, explain(sent)
    result_private(sent)
    # The dry run's recipients table (stdout) is the confirmation step: by design it shows the
    # address and the To name of each message. Nothing else, and nothing on stderr.
    assert not leaks(dry.stderr), explain(dry)
    assert not leaks(dry.stdout.replace(ADDRESS, "ADDRESS").replace(CANARY, "NAME")), explain(dry)
    emls = tree_private(outbox)
    assert len([p for p in emls if p.suffix == ".eml"]) == 2, emls
    for path in emls:
        if ADDRESS.encode() in path.read_bytes():
            message_private(path.read_bytes(), (out / "handout-00001.pdf").read_bytes())
    mine = [m for m in recorder.messages if m.rcpt_tos == (ADDRESS,)]
    assert len(mine) == 1
    message_private(mine[0].data, (out / "handout-00001.pdf").read_bytes())
    journal_private(out)
    assert not leaks((out / "manifest.csv").read_bytes())


@needs_mail
def test_guide_email_greets_the_reader_by_name_only_in_the_body(clinic_copy, tmp_path, mail_env):
    """By design a guide email (a lead magnet, not a patient handout) says 'Hi NAME,'; the name
    is nowhere else: not the Subject, other headers, journal, file names or messages."""
    leads = write_rows(tmp_path / "leads.csv", ("name", "email", "email_consent"), [(CANARY, ADDRESS, "yes")])
    out = tmp_path / "out"
    assert run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"],
               clinic_copy).exit_code == 0
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        sent = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads], clinic_copy)
    assert sent.exit_code == 0, explain(sent)
    result_private(sent)
    (message,) = recorder.messages
    message_private(message.data, (out / "back-pain-tips-00001.pdf").read_bytes(), greeting_name=True)
    journal_private(out)
