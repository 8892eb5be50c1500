"""The public Python API (handouts.api): open once, build many handouts and guides to bytes, check."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading

import pytest

import handouts
from conftest import CLINIC_PHONE, DATE, PATIENT, THERAPIST_NAME, norm, pdf_facts, run
from handouts import Clinic, ContentError, InputMissing, ProgramItem, Visit

PROGRAM = "core-activation"
GUIDE = "back-pain-tips"


@pytest.fixture
def opened(clinic):
    return Clinic.open(clinic)


def test_public_names_are_exported_with_all():
    for name in handouts.__all__:
        assert getattr(handouts, name) is not None
    assert {"Clinic", "Visit", "Problem", "HandoutsError"} <= set(handouts.__all__)
    assert handouts.Visit is handouts.model.Visit  # a plain dataclass, the one the loader makes
    assert handouts.Clinic.routine.__doc__ and handouts.Clinic.open.__doc__ and handouts.api.__doc__


def test_routine_and_guide_are_pdf_bytes(opened):
    visit = opened.visit(program=PROGRAM, patient=PATIENT, therapist="jordan-lee", date=DATE)
    facts = pdf_facts(opened.routine(visit))
    text = norm(facts.all_text)
    assert PATIENT in text and THERAPIST_NAME in text and CLINIC_PHONE in text
    assert facts.pages >= 2
    guide = opened.guide(GUIDE, {"name": "Sam Reader"})
    assert guide.startswith(b"%PDF") and "Sam Reader" in norm(pdf_facts(guide).all_text)


def test_visit_is_a_plain_dataclass_and_options_are_checked(opened):
    visit = opened.visit(exercises=[ProgramItem("bridge"), "dead-bug:sets=2,reps=8"], date=dt.date(2026, 11, 21))
    assert isinstance(visit, Visit) and [e.id for e in visit.exercises] == ["bridge", "dead-bug"]
    assert visit.date == dt.date(2026, 11, 21)
    assert opened.visit(program=PROGRAM).date == dt.date.today()  # like the command line
    with pytest.raises(ContentError) as info:
        opened.visit(program="core-activaton", exercises=[ProgramItem("brige")])
    lines = info.value.lines()
    assert any("unknown program id 'core-activaton'; did you mean 'core-activation'?" in line for line in lines)
    assert any("unknown exercise id 'brige'; did you mean 'bridge'?" in line for line in lines)


def test_visit_file_with_overrides(opened, tmp_path):
    path = tmp_path / "visit.yaml"
    path.write_text(f"patient: {PATIENT}\nprogram: {PROGRAM}\ndate: {DATE}\nnote: From the file.\n")
    visit = opened.visit(path, note="From the option.")
    assert (visit.patient, visit.program, visit.note) == (PATIENT, PROGRAM, "From the option.")


def test_warm_clinic_prepares_pictures_and_codes_once(opened, monkeypatch):
    from handouts import images, qr

    visit = opened.visit(program=PROGRAM, patient=PATIENT, date=DATE)
    first = opened.routine(visit)
    calls = []
    real_prepare, real_matrix = images.prepare, qr.matrix
    monkeypatch.setattr(images, "prepare", lambda *a, **k: calls.append(a[0]) or real_prepare(*a, **k))
    monkeypatch.setattr(qr, "matrix", lambda *a, **k: calls.append(a[0]) or real_matrix(*a, **k))
    again = opened.routine(visit)
    assert calls == []
    assert again == first  # deterministic: the warm path changes nothing on paper


def test_warm_output_is_the_command_lines_output(opened, clinic, tmp_path):
    out = tmp_path / "cli.pdf"
    result = run(["routine", "--program", PROGRAM, "--patient", PATIENT, "--date", DATE, "-o", out], clinic)
    assert result.exit_code == 0, result.output
    opened.routine(opened.visit(program="core-strength", date=DATE))  # warm it with another handout first
    assert opened.routine(opened.visit(program=PROGRAM, patient=PATIENT, date=DATE)) == out.read_bytes()


def test_refresh_reloads_what_changed(clinic_copy, monkeypatch):
    from handouts import images

    opened = Clinic.open(clinic_copy)
    assert opened.refresh() is False
    visit = opened.visit(program=PROGRAM, date=DATE)
    opened.routine(visit)
    exercise = clinic_copy / "content" / "exercises" / "bridge.yaml"
    text = exercise.read_text()
    exercise.write_text(re.sub(r"^name: .*$", "name: Renamed Bridge", text, count=1, flags=re.MULTILINE))
    first = opened.library.programs[PROGRAM].items[0].id
    picture = opened.library.exercises[first].images[0].file
    (clinic_copy / picture).write_bytes((clinic_copy / picture).read_bytes())  # same bytes, new mtime
    os.utime(clinic_copy / picture, ns=(1, 1))
    assert opened.refresh() is True
    assert opened.library.exercises["bridge"].name.startswith("Renamed ")
    prepared = []
    real = images.prepare
    monkeypatch.setattr(images, "prepare", lambda path, *a, **k: prepared.append(path.name) or real(path, *a, **k))
    opened.routine(visit)
    assert prepared == [os.path.basename(picture)]  # only the changed picture is prepared again
    assert opened.refresh() is False


def test_a_broken_file_the_handout_does_not_use_does_not_block_it(clinic_copy):
    """Guarantee 8 through the API (the composer builds this way): only the files a handout uses count."""
    opened = Clinic.open(clinic_copy)
    used = {item.id for item in opened.library.programs[PROGRAM].items}
    used |= {r for i in used for r in opened.library.exercises[i].progressions + opened.library.exercises[i].regressions}
    used |= {s.exercise for s in opened.library.guides[GUIDE].sections if s.exercise}
    unused = sorted(set(opened.library.exercises) - used)[0]
    (clinic_copy / "content" / "exercises" / f"{unused}.yaml").write_text("name: [\n")
    opened.refresh()
    assert any(p.file == f"content/exercises/{unused}.yaml" for p in opened.problems)
    assert opened.routine(opened.visit(program=PROGRAM, date=DATE)).startswith(b"%PDF")
    assert opened.guide(GUIDE, {"name": "Sam"}).startswith(b"%PDF")  # a guide too (it used to refuse)
    with pytest.raises(ContentError) as info:
        opened.visit(exercises=[unused], date=DATE)
    assert all(f"{unused}.yaml" in line for line in info.value.lines())


def test_content_errors_are_problems_and_refuse_builds(clinic_copy):
    (clinic_copy / "content" / "exercises" / "bridge.yaml").write_text("name: [\n")
    (clinic_copy / "content" / "guides" / f"{GUIDE}.yaml").write_text("title: 3\n")
    opened = Clinic.open(clinic_copy)
    files = {p.file for p in opened.problems}
    assert "content/exercises/bridge.yaml" in files and f"content/guides/{GUIDE}.yaml" in files
    with pytest.raises(ContentError) as info:
        opened.routine(Visit(program=PROGRAM))
    assert all("bridge.yaml" in line for line in info.value.lines())  # a broken guide does not matter here
    with pytest.raises(ContentError):
        opened.guide(GUIDE, {"name": "Sam"})
    assert [str(p) for p in opened.check() if not p.warning] == [str(p) for p in opened.problems]


def test_guide_errors(opened):
    with pytest.raises(ContentError) as info:
        opened.guide("back-pain-tip", {"name": "Sam"})
    assert "did you mean 'back-pain-tips'?" in str(info.value)
    with pytest.raises(ContentError) as info:
        opened.guide(GUIDE, {})
    assert "no value for placeholder {name}" in str(info.value)


def test_check_is_what_the_check_command_reports(clinic):
    import json

    found = Clinic.open(clinic).check()  # a copy of the demo: its names and numbers are leftovers (warnings)
    assert [p for p in found if not p.warning] == []
    result = run(["check", "--json"], clinic)
    assert result.exit_code == 0
    reported = json.loads(result.stdout)["problems"]
    assert [(p["file"], p["line"], p["message"]) for p in reported] == [(p.file, p.line, p.message) for p in found]


def test_open_refuses_a_folder_that_is_not_a_clinic(tmp_path):
    with pytest.raises(InputMissing):
        Clinic.open(tmp_path)


def test_warnings_are_returned_on_request(opened):
    found = []
    many = list(opened.library.exercises)[:12]  # more than the compact layout's two pages hold
    opened.routine(opened.visit(exercises=many, layout="compact", patient="Mei", date=DATE), warnings=found)
    assert [w.field for w in found] == ["layout"] and found[0].warning


def test_characters_no_font_has_are_an_error_naming_the_option(opened):
    with pytest.raises(ContentError) as caught:
        opened.routine(opened.visit(program=PROGRAM, patient="Mei 美", date=DATE))
    assert [p.field for p in caught.value.problems] == ["--patient"]


def test_one_clinic_is_safe_to_share_between_threads(opened):
    visits = [opened.visit(program=PROGRAM, patient=f"Patient {n}", date=DATE) for n in range(4)]
    alone = [opened.routine(v) for v in visits]
    together = [b""] * len(visits)

    def build(n):
        together[n] = opened.routine(visits[n])

    threads = [threading.Thread(target=build, args=(n,)) for n in range(len(visits))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


def test_readme_example_runs(tmp_path):
    """The README's Python API example, run as written in a fresh process from an empty folder."""
    import re
    import subprocess
    import sys

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = re.search(r"<!-- api-example -->\s*```python\n(.*?)```", readme, re.S).group(1)
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_ROOT"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "did you mean 'core-activation'?" in done.stdout and done.stdout.strip().endswith("[]")
    handout, guide = pdf_facts((tmp_path / "maria.pdf").read_bytes()), pdf_facts((tmp_path / "guide.pdf").read_bytes())
    assert PATIENT in norm(handout.all_text) and "Maria" in norm(guide.all_text)


@pytest.mark.parametrize("call, message", [
    (lambda c: c.visit(program=PROGRAM, page_size="a5"), "--page-size: expected one of: letter, a4; got 'a5'"),
    (lambda c: c.visit(program=PROGRAM, log_sheet=True, log_weeks=99), "--log-weeks: expected a whole number from 1 to 12"),
    (lambda c: c.visit(program=PROGRAM, log_sheet=True, log_weeks=0), "--log-weeks: expected a whole number from 1 to 12"),
    (lambda c: c.visit(program=PROGRAM, date=20261121), "--date: expected a real date written like 2026-11-21, got int"),
    (lambda c: c.visit(program=PROGRAM, log_sheet="yes"), "--log-sheet: expected True, False or None"),
    (lambda c: c.guide(GUIDE, {"name": "A"}, page_size="a5"), "page_size: expected one of: letter, a4; got 'a5'"),
    (lambda c: c.routine(Visit(program="core-activaton")), "did you mean 'core-activation'?"),
    (lambda c: c.routine(Visit(program=PROGRAM, exercises=("bridge",))), "exercises: expected ProgramItem objects"),
    (lambda c: c.routine(Visit(program=PROGRAM, date="2026-11-21")), "date: expected a datetime.date, got str"),
    (lambda c: c.routine("core-activation"), "expected a Visit"),
])
def test_bad_values_through_the_api_are_content_errors(opened, call, message):
    """Values the command line refuses (or a Visit made by hand) used to end in KeyError, RecursionError,
    a 99-page log or 'the handout has no exercises'."""
    with pytest.raises(ContentError) as info:
        call(opened)
    assert any(message in line for line in info.value.lines()), info.value.lines()


def test_one_exercise_id_as_text_is_a_list_of_one(opened):
    visit = opened.visit(program=PROGRAM, exercises="bridge:reps=12", remove="cat-cow", page_size="A4")
    assert [e.id for e in visit.exercises] == ["bridge"] and visit.remove == ("cat-cow",) and visit.page_size == "a4"
