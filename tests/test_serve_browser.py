"""The composer in a real browser: Playwright driving Debian's Chromium, by accessible names (labels
and button names), against `handouts serve` running as a user starts it.

Chromium comes from the system (`apt-get install -y chromium`; .ci/run installs it): Playwright's
own browser download cannot work here. Without Chromium these tests are skipped with a loud reason.
The README's screenshot is made here: HANDOUTS_UPDATE_SCREENSHOTS=1 writes docs/images/composer.png.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import PATIENT, REPO, copy_clinic, pdf_facts, run, squash
from smtp_server import PASSWORD, PASSWORD_ENV, Recorder, Server, configure_clinic, pki  # noqa: F401 (fixture)
from test_serve_cli import serving

CHROMIUM = os.environ.get("HANDOUTS_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="BROWSER TESTS SKIPPED: playwright is not installed")
expect = sync_api.expect
# CI runs the whole suite on 2 busy cores, where a preview can take seconds: wait longer than 5 s before
# calling an expectation failed (a passing check returns as soon as it holds, so this costs nothing).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def mail_server(pki):
    recorder = Recorder()
    with Server(recorder, "starttls", pki.good) as server:
        yield server, recorder


@pytest.fixture(scope="module")
def served(clinic, tmp_path_factory, mail_server, pki):
    """`handouts serve` on a copy of the demo clinic whose email goes to the test SMTP server."""
    root = copy_clinic(clinic, tmp_path_factory.mktemp("served") / "clinic")
    configure_clinic(root, mail_server[0].port, "starttls")
    state = tmp_path_factory.mktemp("state")
    env = {"HANDOUTS_SMTP_CAFILE": pki.ca_file, PASSWORD_ENV: PASSWORD, "XDG_STATE_HOME": str(state)}
    with serving(root, env_extra=env) as (proc, url, _, _):
        yield url, root, state


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    errors = []
    # htmx reports a preview request replaced by a newer one (hx-sync) as a console error: expected.
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("htmx:") and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    page.goto(served[0])
    yield page
    assert errors == []  # e.g. a Content-Security-Policy violation, a script error, a server error
    context.close()


def row(page, name: str):
    return page.locator("#handout li.row").filter(has=page.get_by_role("heading", name=name, exact=True))


def result(page, name: str):
    return page.locator("#results li.result").filter(has=page.get_by_text(name, exact=True))


def first_page_src(page) -> str:
    img = page.locator("#preview img.page").first
    expect(img).to_be_visible()
    return img.get_attribute("src")


def test_search_add_change_dosage_see_preview_reorder_remove(page):
    page.get_by_label("Patient name").fill(PATIENT)
    search = page.get_by_label("Search exercises")
    search.fill("bridge")
    expect(result(page, "Marching bridge")).to_be_visible()
    expect(result(page, "Bird dog")).to_have_count(0)
    search.press("Enter")  # Enter adds the first result
    expect(row(page, "Bridge")).to_be_visible()
    search.fill("bird")
    result(page, "Bird dog").get_by_role("button", name="Add", exact=True).click()
    expect(row(page, "Bird dog")).to_be_visible()
    before = first_page_src(page)
    expect(page.locator("#preview-h")).to_contain_text("pages")

    bridge = row(page, "Bridge")
    bridge.get_by_label("Reps", exact=True).fill("12")
    bridge.get_by_label("Side").select_option("each")
    expect(bridge.locator(".words")).to_contain_text("of 12")
    expect(bridge.locator(".words")).to_contain_text("each side")
    expect(page.locator("#preview img.page").first).not_to_have_attribute("src", before)

    bridge.get_by_label("Reps", exact=True).fill("ten")  # bad input: a message at the field, no crash
    message = bridge.locator(".err", has_text="expected a whole number, got 'ten'")
    expect(message).to_be_visible()
    expect(bridge.get_by_label("Reps", exact=True)).to_have_accessible_description(re.compile("got 'ten'"))
    expect(page.locator("#preview-status")).to_contain_text("not up to date")  # the last pages stay in view
    expect(page.locator("#preview img.page").first).to_be_visible()
    bridge.get_by_label("Reps", exact=True).fill("12")
    expect(message).to_have_count(0)

    row(page, "Bird dog").get_by_role("button", name="Move up").click()
    expect(page.locator("#handout li.row h3")).to_have_text(["Bird dog", "Bridge"])
    row(page, "Bird dog").get_by_role("button", name="Remove").click()
    expect(page.locator("#handout li.row h3")).to_have_text(["Bridge"])
    expect(row(page, "Bridge").get_by_label("Reps", exact=True)).to_have_value("12")  # edits survive a reorder


def test_keyboard_only_start_from_a_program(page):
    page.get_by_role("button", name="Use this program").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#handout li.row")).to_have_count(8)
    page.get_by_label("Patient name").focus()
    page.keyboard.type("Ann Lee")
    page.keyboard.press("Enter")  # must not submit the form (that would download a PDF)
    expect(page.locator("#preview img.page").first).to_be_visible()
    assert page.url.rstrip("/") == page.url.rstrip("/").split("?")[0]
    row(page, "Belly draw-in").get_by_role("button", name="Move down").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#handout li.row h3").nth(2)).to_have_text("Belly draw-in")
    expect(row(page, "Belly draw-in").get_by_role("button", name="Move down")).to_be_focused()  # focus follows
    row(page, "Pelvic tilt").get_by_role("button", name="Remove").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#handout li.row")).to_have_count(7)
    expect(page.locator("#handout-h")).to_be_focused()  # not lost to the top of the page


def test_a_redrawn_list_answers_at_once(page):
    """The buttons of a redrawn list work the moment it is drawn: a keyboard user's Enter on Remove right
    after a Move down was lost when htmx wired new buttons only after its 20 ms settle delay."""
    page.get_by_role("button", name="Use this program").first.click()
    expect(page.locator("#handout li.row")).to_have_count(8)
    expect(page.locator("#preview img.page").first).to_be_visible()
    page.evaluate("""() => {
        let done = false;
        document.body.addEventListener('htmx:afterSwap', (e) => {
            if (done || e.target.id !== 'handout') return;
            done = true;  // the next task after the swap: as soon as a person or a script could press
            setTimeout(() => document.querySelector('#handout button[value="remove:0"]').click(), 0);
        });
    }""")
    row(page, "Belly draw-in").get_by_role("button", name="Move down").click()
    expect(page.locator("#handout li.row")).to_have_count(7)


def test_two_quick_adds_both_land(page):
    """Two list changes in quick succession go to the server one after the other, each with the list the
    first one made: the second Add must not overwrite the first (it did when both left at once)."""
    search = page.get_by_label("Search exercises")
    search.fill("br")
    expect(result(page, "Bird dog")).to_have_count(0)  # the search has answered: its list stays put
    expect(result(page, "Bridge")).to_be_visible()
    held = []
    # Hold the first Add at the network; let any later request through.
    page.route("**/compose", lambda route: route.continue_() if held else held.append(route))
    result(page, "Bridge").get_by_role("button", name="Add", exact=True).click()
    for _ in range(250):
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    result(page, "Marching bridge").get_by_role("button", name="Add", exact=True).click()
    page.wait_for_timeout(300)  # time enough for a second request to overtake the first, were it sent
    held[0].continue_()
    expect(page.locator("#handout li.row h3")).to_have_text(["Bridge", "Marching bridge"])


def test_download_pdf_and_save_visit_rebuild_byte_identical(page, served, tmp_path):
    url, root, _ = served
    page.get_by_role("button", name="Use this program").first.click()
    expect(page.locator("#handout li.row")).to_have_count(8)
    page.get_by_label("Patient name").fill(PATIENT)
    page.get_by_label("Therapist", exact=True).select_option(label="Jordan Lee, PT, DPT")
    page.get_by_label("Date").fill("2026-11-21")
    page.get_by_label("Note", exact=True).fill("Walk for 10 minutes each day.")
    row(page, "Pelvic tilt").get_by_role("button", name="Remove").click()
    expect(page.locator("#handout li.row")).to_have_count(7)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert re.fullmatch(r"handout-2026-11-21-[0-9a-f]{8}\.pdf", download.value.suggested_filename)
    pdf = Path(download.value.path()).read_bytes()
    text = squash(pdf_facts(pdf).all_text)
    assert squash(PATIENT) in text and "JordanLee" in text and "Walkfor10minuteseachday." in text
    assert "Wakesupyourbellymuscles" not in text and "Bellydraw-in" in text  # pelvic tilt's purpose is gone
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save visit").click()
    visit = tmp_path / saved.value.suggested_filename
    saved.value.save_as(visit)
    out = tmp_path / "rebuilt.pdf"
    result = run(["routine", visit, "-o", out], root)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == pdf

    page.goto(url)  # Open visit: "same as last time, but..."
    page.get_by_label("Visit file").set_input_files(visit)
    page.get_by_role("button", name="Open visit").click()
    expect(page.get_by_label("Patient name")).to_have_value(PATIENT)
    expect(page.locator("#handout li.row")).to_have_count(7)
    expect(page.locator("#preview img.page").first).to_be_visible()


def test_the_preview_keeps_working_after_a_download(page):
    """After Download PDF (or Save visit) the next preview used to post to /pdf and show the file's bytes."""
    page.get_by_role("button", name="Use this program").first.click()
    expect(page.locator("#handout li.row")).to_have_count(8)
    first = first_page_src(page)
    for button in ("Download PDF", "Save visit"):
        with page.expect_download():
            page.get_by_role("button", name=button).click()
    with page.expect_request("**/preview") as asked:
        page.get_by_label("Layout").select_option("compact")
    assert asked.value.url.endswith("/preview")
    expect(page.locator("#preview-h")).to_contain_text("2 pages")
    expect(page.locator("#preview img.page").first).not_to_have_attribute("src", first)
    assert "%PDF" not in page.locator("#preview").inner_text()


def test_print_opens_the_pdf_in_the_browser(page):
    page.get_by_role("button", name="Use this program").first.click()
    expect(page.locator("#handout li.row")).to_have_count(8)
    with page.context.expect_event("response", lambda r: r.url.endswith("/print")) as response, \
            page.context.expect_page() as tab:
        page.get_by_role("button", name="Print").click()
    assert tab.value != page  # a new tab: the composer stays as it was
    assert response.value.status == 200 and response.value.headers["content-type"] == "application/pdf"
    assert response.value.headers["content-disposition"].startswith("inline")


def test_email_with_consent_to_the_test_server(page, mail_server, served):
    _, recorder = mail_server
    page.get_by_role("button", name="Use this program").first.click()
    expect(page.locator("#handout li.row")).to_have_count(8)
    page.get_by_label("Patient name").fill(PATIENT)
    page.get_by_label("Email address").fill("maria.gomez@example.org")
    page.get_by_role("button", name="Email", exact=True).click()
    expect(page.locator("#email-result")).to_contain_text("recorded consent")
    assert recorder.messages == []
    page.get_by_label("Patient agreed to get this by email").check()
    page.get_by_label("Protect the PDF with a password").check()
    page.get_by_role("button", name="Email", exact=True).click()
    expect(page.locator("#email-result")).to_contain_text("Sent to")
    expect(page.locator("#email-result .password")).to_be_visible()
    assert [m.rcpt_tos for m in recorder.messages] == [("maria.gomez@example.org",)]
    assert list(Path(served[2]).rglob("journal.sqlite"))


def test_screenshot_of_the_composer_with_its_preview(page, tmp_path):
    page.get_by_role("button", name="Use this program").first.click()
    page.get_by_label("Patient name").fill(PATIENT)
    page.get_by_label("Therapist", exact=True).select_option(label="Jordan Lee, PT, DPT")
    page.get_by_label("Search exercises").fill("bridge")
    expect(result(page, "Marching bridge")).to_be_visible()
    expect(page.locator("#preview img.page").nth(1)).to_be_visible()
    page.wait_for_timeout(700)  # the debounced preview of the typed name
    page.wait_for_load_state("networkidle")
    shot = tmp_path / "composer.png"
    page.screenshot(path=shot)
    assert shot.stat().st_size > 20_000
    if os.environ.get("HANDOUTS_UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(shot, REPO / "docs" / "images" / "composer.png")


def test_a_narrow_window_needs_no_sideways_scrolling(browser, served):
    """At 800 px the page was 1,104 px wide: the preview was off-screen and the title clipped."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(served[0])
    page.get_by_role("button", name="Use this program").first.click()
    expect(page.locator("#preview img.page").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    title = page.locator("h1").bounding_box()
    assert title["x"] >= 0 and title["x"] + title["width"] <= 800
    context.close()
