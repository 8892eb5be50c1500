"""The composer's routes with Flask's test client: every page and action, the security rules, bad
input shown inline (never a 500), and no patient data in URLs or logs."""

from __future__ import annotations

import logging
import re

import pytest
from conftest import PATIENT, THERAPIST_ID, pdf_facts, run, squash
from serve_support import BASE, Page, error_slot, make_app, rows_from, visit_fields
from smtp_server import Recorder, Server, configure_clinic, mail_env, pki  # noqa: F401 (fixtures)

PROGRAM = "core-activation"


@pytest.fixture(scope="module")
def app(clinic, tmp_path_factory):
    return make_app(clinic, tmp_path_factory.mktemp("journal"))


@pytest.fixture
def page(app):
    p = Page(app)
    assert p.get("/").status_code == 200
    return p


def program_rows(page) -> list:
    response = page.post("/compose", visit_fields(op=f"program:{PROGRAM}"))
    assert response.status_code == 200
    return rows_from(response.get_data(as_text=True))


# -- the page ---------------------------------------------------------------------------------------------------

def test_page_has_the_named_controls_and_no_inline_script(page):
    html = page.html
    for label in ("Search exercises", "Patient name", "Therapist", "Note", "Date", "Page size", "Email address"):
        assert re.search(rf"<label[^>]*>\s*{re.escape(label)}\s*<", html), label
    for button in ("Download PDF", "Print", "Email", "Save visit", "Open visit", "Use this program", "Add"):
        assert re.search(rf"<button[^>]*>{re.escape(button)}</button>", html), button
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "inline style"


def test_security_headers_on_every_response(app):
    response = Page(app).get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("handouts_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_htmx_is_vendored_with_its_licence(page):
    response = page.get("/static/htmx.min.js")
    assert response.status_code == 200 and b"htmx" in response.data[:200]
    from pathlib import Path

    from handouts import web

    licence = (Path(web.__file__).parent / "static" / "htmx.LICENSE.txt").read_text()
    assert "Zero-Clause BSD" in licence and "2.0.11" in licence


# -- security ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example"])
def test_wrong_host_is_refused(app, host):
    client = app.test_client()
    assert client.get("/", headers={"Host": host}).status_code == 421
    assert client.post("/pdf", headers={"Host": host}).status_code == 421


@pytest.mark.parametrize("how", ["no token", "wrong token", "foreign origin", "no origin", "no session"])
def test_state_changing_requests_need_csrf_token_and_own_origin(app, page, how):
    fields = visit_fields(program=PROGRAM, op=f"program:{PROGRAM}")
    if how == "no session":
        page = Page(app)  # never loaded the page: no session cookie, so no token can match
        page.csrf = "x" * 40
    kwargs = {"no token": {"csrf": ""}, "wrong token": {"csrf": "0" * 40}, "foreign origin": {"origin": "http://evil.example"},
              "no origin": {"origin": ""}, "no session": {}}[how]
    for path in ("/compose", "/preview", "/pdf", "/visit", "/email"):
        response = page.post(path, fields, **kwargs)
        assert response.status_code == 403, (path, how)
        assert b"%PDF" not in response.data and PATIENT.encode() not in response.data
    assert page.client.get("/pdf", base_url=BASE).status_code == 405  # actions are POST only


def test_lan_mode_without_the_token_is_refused(clinic, tmp_path):
    app = make_app(clinic, tmp_path, hosts=["127.0.0.1", "frontdesk.local"], token="s3cret-token-value")
    page = Page(app, "http://frontdesk.local:8765")
    response = page.get("/")
    assert response.status_code == 401 and "Access token" in response.get_data(as_text=True)
    assert "Patient name" not in response.get_data(as_text=True)
    assert page.post("/pdf", visit_fields(program=PROGRAM)).status_code == 403
    assert page.get("/search?q=bridge").status_code == 401
    bad = page.post("/login", {"token": "guess"})
    assert bad.status_code == 401 and "not right" in bad.get_data(as_text=True)
    good = page.post("/login", {"token": "s3cret-token-value"})
    assert good.status_code == 303
    cookie = next(c for c in good.headers.getlist("Set-Cookie") if c.startswith("handouts_access="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert page.get("/").status_code == 200
    assert page.post("/pdf", visit_fields(rows=[("bridge", {}, "")])).data.startswith(b"%PDF")


# -- building -----------------------------------------------------------------------------------------------------

def test_program_then_preview_then_pdf(page):
    rows = program_rows(page)
    assert len(rows) == 8 and rows[0][0] == "pelvic-tilt"
    fields = visit_fields(program=PROGRAM, rows=rows, therapist=THERAPIST_ID)
    preview = page.post("/preview", fields)
    html = preview.get_data(as_text=True)
    images = re.findall(r'src="(/page/[^"]+\.png)"', html)
    assert len(images) >= 2
    image = page.get(images[0])
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert image.headers["Cache-Control"] == "no-store"
    other = Page(page.client.application)  # another browser (e.g. the front desk) cannot see it
    other.get("/")
    assert other.get(images[0]).status_code == 404
    response = page.post("/pdf", fields)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="handout-2026-11-21-[0-9a-f]{8}\.pdf"', disposition)
    facts = pdf_facts(response.data)
    assert squash(PATIENT) in squash(facts.all_text) and "Jordan Lee" in facts.all_text
    assert PATIENT not in " ".join(facts.metadata.values())
    printed = page.post("/print", fields)
    assert printed.headers["Content-Disposition"].startswith("inline") and printed.data == response.data


def test_dosage_words_follow_the_fields(page):
    rows = program_rows(page)
    ident, values, note = rows[0]
    rows[0] = (ident, {**values, "sets": "3", "reps": "12", "side": "each"}, note)
    html = page.post("/preview", visit_fields(program=PROGRAM, rows=rows)).get_data(as_text=True)
    words = re.search(r'id="words-0" hx-swap-oob="true">(.*?)</p>', html).group(1)
    assert words.startswith("3 sets of 12") and "each side" in words


def test_add_remove_and_reorder(page):
    rows = program_rows(page)
    html = page.post("/compose", visit_fields(program=PROGRAM, rows=rows, op="add:superman")).get_data(as_text=True)
    assert [r[0] for r in rows_from(html)][-1] == "superman"
    again = page.post("/compose", visit_fields(program=PROGRAM, rows=rows_from(html), op="add:superman"))
    assert "already in the handout" in again.get_data(as_text=True)
    html = page.post("/compose", visit_fields(program=PROGRAM, rows=rows, op="up:1")).get_data(as_text=True)
    assert [r[0] for r in rows_from(html)][:2] == [rows[1][0], rows[0][0]]
    html = page.post("/compose", visit_fields(program=PROGRAM, rows=rows, op="remove:0")).get_data(as_text=True)
    assert [r[0] for r in rows_from(html)] == [r[0] for r in rows[1:]]
    html = page.post("/compose", visit_fields(program=PROGRAM, rows=rows, op="empty")).get_data(as_text=True)
    assert rows_from(html) == [] and "No exercises yet" in html


@pytest.mark.parametrize("change, slot, message", [
    ({"patient": "x" * 10_000}, "patient", "the limit is 200"),
    ({"patient": "Maria\x00\x1b[31m"}, "patient", "control or invisible formatting characters"),
    ({"note": "Walk\u202eevil"}, "note", "control or invisible formatting characters"),
    ({"date": "2026-13-45"}, "date", ""),
    ({"therapist_name": "jordan-le"}, "therapist", "unknown therapist id"),
    ({"page_size": "tabloid"}, "page_size", "expected one of"),
    ({"row-reps": "ten"}, "ex-0-reps", "expected a whole number, got 'ten'"),
    ({"row-sets": "500"}, "ex-0-sets", "must be between 1 and 20"),
    ({"row-id": "no-such-exercise"}, "ex-0", "unknown exercise id 'no-such-exercise'"),
    ({"program": "no-such-program"}, "program", "unknown program id"),
])
def test_bad_input_gets_an_inline_message_never_a_500(page, change, slot, message):
    ident, values = "bird-dog", {"sets": "2", "reps": "6"}
    if "row-id" in change:
        ident = change.pop("row-id")
    for key in ("reps", "sets"):
        if f"row-{key}" in change:
            values[key] = change.pop(f"row-{key}")
    fields = dict(visit_fields(rows=[(ident, values, "")]))
    fields.update(change)
    pairs = [(k, v) for k, v in visit_fields(rows=[(ident, values, "")]) if k not in change] + list(change.items())
    for path in ("/preview", "/pdf", "/visit", "/email"):
        response = page.post(path, pairs)
        assert response.status_code in (200, 422), path
        html = response.get_data(as_text=True)
        assert "Traceback" not in html and b"%PDF" not in response.data[:5]
        if path in ("/preview", "/pdf", "/visit"):
            shown = error_slot(html, slot)
            assert shown, (path, slot, html[:2000])
            assert message in shown
    del fields


@pytest.mark.parametrize("op", ["up:99", "remove:-1", "add:../../etc/passwd", "program:nope", "launch:1", "x" * 500])
def test_tampered_actions_get_a_message(page, op):
    response = page.post("/compose", visit_fields(rows=[("bridge", {}, "")], op=op))
    assert response.status_code == 200
    assert 'class="message"' in response.get_data(as_text=True)


def test_tampered_uploads_and_sizes_never_500(page):
    big = page.post("/open", {"visit_file": (__import__("io").BytesIO(b"a" * 3_000_000), "v.yaml")},
                    content_type="multipart/form-data")
    assert big.status_code == 413
    many = visit_fields(rows=[("bridge", {}, "")] * 500)
    assert page.post("/preview", many).status_code == 200


# -- visit files ----------------------------------------------------------------------------------------------

def test_save_visit_then_routine_gives_the_same_bytes(page, clinic, tmp_path):
    rows = program_rows(page)
    rows.remove(next(r for r in rows if r[0] == "lower-back-rotation"))
    rows[0], rows[1] = rows[1], rows[0]  # a reorder: the file must then list every exercise
    rows[2] = (rows[2][0], {**rows[2][1], "reps": "15", "load": "light band (yellow)"}, "Slowly, please.")
    rows.append(("superman", {"sets": "1", "reps": "5"}, ""))
    fields = visit_fields(program=PROGRAM, rows=rows, therapist_name="Sam Rivera", page_size="a4",
                          note="Walk 10 minutes a day.\nIce if sore.")
    saved = page.post("/visit", fields)
    assert saved.status_code == 200
    assert re.fullmatch(r'attachment; filename="visit-2026-11-21\.yaml"', saved.headers["Content-Disposition"])
    pdf = page.post("/pdf", fields).data
    visit = tmp_path / "saved.yaml"
    visit.write_bytes(saved.data)
    out = tmp_path / "cli.pdf"
    result = run(["routine", visit, "-o", out], clinic)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == pdf
    # and the plain case (program order kept): the file says only what changed
    simple = visit_fields(program=PROGRAM, rows=program_rows(page))
    text = page.post("/visit", simple).get_data(as_text=True)
    assert "program: core-activation" in text and "exercises" not in text and "remove" not in text


def test_ranges_times_open_reps_and_log_sheet_round_trip(page, clinic, tmp_path):
    rows = [("bridge", {"sets": "2-3", "reps": "10-15", "hold": "20-30"}, ""),
            ("bird-dog", {"reps": "until tired", "duration": "2 minutes"}, ""),
            ("superman", {"reps": "as many as you can", "rest": "45"}, "")]
    fields = visit_fields(rows=rows, log_sheet="yes", log_weeks="2")
    html = page.post("/preview", fields).get_data(as_text=True)
    assert re.search(r'id="words-0" hx-swap-oob="true">2 to 3 sets of 10 to 15', html)
    assert "until your muscles feel tired" in html
    saved = page.post("/visit", fields)
    assert saved.status_code == 200, saved.get_data(as_text=True)[:3000]
    visit = tmp_path / "v.yaml"
    visit.write_bytes(saved.data)
    out = tmp_path / "v.pdf"
    assert run(["routine", visit, "-o", out], clinic).exit_code == 0
    assert out.read_bytes() == page.post("/pdf", fields).data
    reopened = page.post("/open", {"visit_file": (__import__("io").BytesIO(saved.data), "v.yaml")},
                         content_type="multipart/form-data").get_data(as_text=True)
    shown = rows_from(reopened)
    assert shown[0][1]["reps"] == "10-15" and shown[0][1]["hold"] == "20-30"
    assert shown[1][1]["reps"] == "until tired" and shown[1][1]["duration"] == "2 minutes"
    assert re.search(r'<option value="yes" selected>Yes: add a weekly log sheet', reopened)


def test_layout_and_greyscale_choices_reach_the_pdf(page, clinic, tmp_path):
    from handouts.measure import drawn_colours, page_facts

    fields = visit_fields(program=PROGRAM, rows=program_rows(page), layout="compact", greyscale="yes")
    pdf = page.post("/pdf", fields).data
    assert len(page_facts(pdf)) <= 2 and all(r == g == b for r, g, b in drawn_colours(pdf))
    saved = page.post("/visit", fields).get_data(as_text=True)
    assert "layout: compact" in saved and "greyscale: 'yes'" in saved
    large = page.post("/pdf", visit_fields(program=PROGRAM, rows=program_rows(page), layout="large-print")).data
    assert min(f.smallest_body_text for f in page_facts(large)) >= 18


def test_open_visit_fills_the_form(page, clinic):
    from conftest import REPO

    data = (REPO / "examples" / "visit.yaml").read_bytes()
    response = page.post("/open", {"visit_file": (__import__("io").BytesIO(data), "visit.yaml")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Maria Gómez"' in html
    ids = [r[0] for r in rows_from(html)]
    assert "lower-back-rotation" not in ids and "bird-dog" in ids
    bird = next(r for r in rows_from(html) if r[0] == "bird-dog")
    assert bird[1]["sets"] == "2" and bird[1]["reps"] == "6" and bird[2] == "Go slow. Keep your back still."
    bad = page.post("/open", {"visit_file": (__import__("io").BytesIO(b"patient: Ann\nexercises:\n  - id: nope\n"),
                                             "x.yaml")}, content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "visit file x.yaml:3:" in bad.get_data(as_text=True) and "unknown exercise id" in bad.get_data(as_text=True)


# -- privacy ----------------------------------------------------------------------------------------------------

def test_no_patient_data_in_any_url_or_log_record(page, caplog):
    caplog.set_level(logging.DEBUG)
    rows = program_rows(page)
    fields = visit_fields(program=PROGRAM, rows=rows, note="Knee surgery 2019")
    for path in ("/preview", "/pdf", "/print", "/visit", "/email"):
        page.post(path, fields)
    html = page.post("/preview", fields).get_data(as_text=True)
    for url in re.findall(r'(?:src|href|action|hx-get|hx-post)="([^"]*)"', html + page.html):
        assert "Maria" not in url and "Knee" not in url
    assert not any("Maria" in u or "Knee" in u for u in page.urls)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /preview 200" in logged  # routes are logged ...
    assert "Maria" not in logged and "Gómez" not in logged and "Knee" not in logged  # ... never the data


def test_internal_errors_show_no_details(app, page, monkeypatch, caplog):
    composer = app.extensions["handouts"]

    def boom(visit):
        raise RuntimeError(f"secret {PATIENT}")

    monkeypatch.setattr(composer.clinic, "routine", boom)
    response = page.post("/pdf", visit_fields(rows=[("bridge", {}, "")]))
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text and PATIENT not in text and "Traceback" not in text
    assert PATIENT not in caplog.text and "RuntimeError" in caplog.text


# -- content -----------------------------------------------------------------------------------------------------

def test_search_by_name_tag_region_and_filters(page):
    def ids(query):
        return re.findall(r'value="add:([^"]+)"', page.get(f"/search?{query}").get_data(as_text=True))

    assert "bird-dog" in ids("q=bird")
    assert set(ids("q=BRIDGE")) >= {"bridge", "marching-bridge"}
    assert ids("position=standing") == [] or all(i for i in ids("position=standing"))
    lying = ids("position=lying+on+back")
    assert "bridge" in lying and "bird-dog" not in lying
    assert ids("q=zzzz") == []
    assert "Use this program" not in page.get("/search?q=bridge").get_data(as_text=True)


def test_content_edited_on_disk_is_picked_up_and_broken_exercises_cannot_be_added(clinic_copy, tmp_path):
    app = make_app(clinic_copy, tmp_path / "journal")
    page = Page(app)
    page.get("/")
    path = clinic_copy / "content" / "exercises" / "bridge.yaml"
    text = path.read_text(encoding="utf-8")
    assert "name: {en: Bridge, es: Puente}" in text  # the demo's names have their Spanish
    path.write_text(text.replace("{en: Bridge,", "{en: Glute bridge,"), encoding="utf-8")
    assert "Glute bridge" in page.get("/search?q=glute").get_data(as_text=True)
    path.write_text(text.replace("name: {en: Bridge, es: Puente}", "name: [unclosed"), encoding="utf-8")
    html = page.get("/").get_data(as_text=True)
    assert "content problem" in html
    results = page.get("/search?q=").get_data(as_text=True)
    assert "value=\"add:bridge\"" not in results and "content/exercises/bridge.yaml:" in results
    problems = page.get("/problems").get_data(as_text=True)
    assert "content/exercises/bridge.yaml:" in problems
    refused = page.post("/compose", visit_fields(op="add:bridge")).get_data(as_text=True)
    assert "not in the library" in refused


# -- email ---------------------------------------------------------------------------------------------------------

def test_email_goes_through_the_mail_path_and_its_journal(clinic_copy, tmp_path, mail_env):  # noqa: F811
    from email import policy
    from email.parser import BytesParser

    recorder = Recorder()
    with Server(recorder, "starttls", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port, "starttls")
        app = make_app(clinic_copy, tmp_path / "journal")
        page = Page(app)
        page.get("/")
        fields = visit_fields(rows=[("bridge", {}, ""), ("bird-dog", {"reps": "4"}, "")])
        no_consent = page.post("/email", fields + [("email_to", "maria@example.org")]).get_data(as_text=True)
        assert "recorded consent" in no_consent and recorder.messages == []
        bad = page.post("/email", fields + [("email_to", "maria@@x"), ("email_consent", "yes")])
        assert "Email address" in bad.get_data(as_text=True) and recorder.messages == []
        sent = page.post("/email", fields + [("email_to", "maria@example.org"), ("email_consent", "yes")])
        assert "Sent to" in sent.get_data(as_text=True) and "maria@example.org" not in sent.get_data(as_text=True)
        twice = page.post("/email", fields + [("email_to", "maria@example.org"), ("email_consent", "yes")])
        assert "already sent" in twice.get_data(as_text=True)
        pdf = page.post("/pdf", fields + [("email_consent", "yes")]).data
        locked = page.post("/email", fields + [("email_to", "ann@example.org"), ("email_consent", "yes"),
                                               ("encrypt", "yes")]).get_data(as_text=True)
    assert [m.rcpt_tos for m in recorder.messages] == [("maria@example.org",), ("ann@example.org",)]
    parsed = BytesParser(policy=policy.default).parsebytes(recorder.messages[0].data)
    attachment = next(parsed.iter_attachments())
    assert attachment.get_content() == pdf and attachment.get_filename() == "exercise-handout.pdf"
    password = re.search(r"PDF password: <strong><code>([^<]+)</code>", locked).group(1)
    import io

    import pypdf

    encrypted = pypdf.PdfReader(io.BytesIO(next(BytesParser(policy=policy.default).parsebytes(
        recorder.messages[1].data).iter_attachments()).get_content()))
    assert encrypted.is_encrypted and encrypted.decrypt(password)
    assert (tmp_path / "journal" / "mail-journal" / "journal.sqlite").is_file()
    assert not list((tmp_path / "journal").rglob("*.pdf"))  # the PDF never touched the disk


def test_email_without_settings_says_how_to_set_it_up(page):
    html = page.post("/email", visit_fields(rows=[("bridge", {}, "")]) + [("email_to", "a@example.org"),
                                                                          ("email_consent", "yes")])
    assert "Email is not set up for this clinic" in html.get_data(as_text=True)


def test_the_composer_builds_in_the_chosen_language(page):
    html = page.get("/").get_data(as_text=True)
    assert '<option value="es">Español (Spanish)</option>' in html
    assert '<option value="es+en">Español + English (bilingual)</option>' in html
    fields = visit_fields(program=PROGRAM, rows=program_rows(page), language="es")
    facts = pdf_facts(page.post("/pdf", fields).data)
    text = " ".join(facts.all_text.split())
    assert "PARE y llámenos si:" in text and "21 de noviembre de 2026" in text and "STOP and call us" not in text


def test_an_exercise_without_the_chosen_language_is_marked_at_its_row(clinic_copy, tmp_path):
    """Spanish with an English-only exercise: the message was only in the preview list and named the
    command line's --fallback, which the composer does not have."""
    (clinic_copy / "content" / "exercises" / "wall-sit.yaml").write_text(
        "name: Wall sit\nposition: standing\nsteps:\n  - Lean on the wall.\n  - Slide down a little.\n",
        encoding="utf-8")
    page = Page(make_app(clinic_copy, tmp_path / "journal"))
    assert page.get("/").status_code == 200
    html = page.post("/preview", visit_fields(rows=[("bridge", {}, ""), ("wall-sit", {}, "")], language="es"))
    text = html.get_data(as_text=True)
    assert re.search(r'id="err-ex-1"[^>]*>[^<]*name: no Spanish \(es\) translation in content/exercises/wall-sit.yaml; '
                     r'add it there, or choose another language', text), text[:3000]
    assert "--fallback" not in text
