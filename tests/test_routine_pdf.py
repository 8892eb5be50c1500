"""End to end: `handouts routine` builds the handout; the PDF is checked by structure, text and geometry."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import (CLINIC_NAME, CLINIC_PHONE, DATE, LONG_DATE, PATIENT, REPO, THERAPIST_ID, THERAPIST_NAME,
                      PdfFacts, assert_no_crash, explain, norm, pdf_facts, run, run_module, squash)

NOTE = "Walk for 10 minutes each day.\nUse ice for 15 minutes if your back is sore."


def routine_args(out: Path, *extra) -> list:
    return ["routine", "--program", "core-activation", "--patient", PATIENT, "--therapist", THERAPIST_ID,
            "--note", NOTE, "--date", DATE, "-o", out, *extra]


def composed(library, **options):
    from handouts import compose
    from handouts.load import visit as load_visit

    visit = load_visit.visit_from_options(library, **options)
    return compose.compose_routine(library, visit)


@dataclass
class Built:
    path: Path
    facts: PdfFacts
    routine: object
    result: object


def build_with(root: Path, out: Path, library, args, **options) -> Built:
    result = run(args, root)
    assert result.exit_code == 0, explain(result)
    return Built(out, pdf_facts(out), composed(library, **options), result)


@pytest.fixture(scope="session")
def demo(clinic, library, tmp_path_factory) -> Built:
    out = tmp_path_factory.mktemp("demo-out") / "maria.pdf"
    return build_with(clinic, out, library, routine_args(out), program="core-activation", patient=PATIENT,
                      therapist=THERAPIST_ID, note=NOTE, date=DATE)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- the demo handout ---------------------------------------------------------------------------------

def test_build_reports_the_file(demo):
    assert demo.result.stdout.strip() == f"wrote {demo.path}"
    assert demo.result.stderr == ""


def test_page_count(demo):
    assert demo.facts.pages >= 2


def test_page_one_front_matter(demo):
    first = norm(demo.facts.texts[0])
    for expected in (PATIENT, LONG_DATE, THERAPIST_NAME, "Jordan Lee, PT, DPT", norm(demo.routine.title),
                     "STOP and call us if", f"Call {CLINIC_PHONE}", "A note from your therapist"):
        assert expected in first, expected
    for sign in demo.routine.warning_signs:
        assert norm(sign) in first, sign
    for goal in demo.routine.goals:
        assert norm(goal) in first, goal


def test_patient_only_on_page_one(demo):
    assert all(PATIENT not in text for text in demo.facts.texts[1:])


def test_note_keeps_its_line_break(demo):
    lines = [line.strip() for line in demo.facts.texts[0].splitlines()]
    assert "Walk for 10 minutes each day." in lines
    assert "Use ice for 15 minutes if your back is sore." in lines


def test_every_page_is_branded_and_numbered(demo):
    total = demo.facts.pages
    for number, text in enumerate(demo.facts.texts, start=1):
        flat = norm(text)
        assert CLINIC_NAME in flat, number
        assert CLINIC_PHONE in flat, number
        assert f"Page {number} of {total}" in flat, number
        assert re.findall(r"Page \d+ of \d+", flat) == [f"Page {number} of {total}"]


def test_every_exercise_appears_in_order(demo):
    flat = norm(demo.facts.all_text)
    positions = []
    for number, entry in enumerate(demo.routine.entries, start=1):
        title = f"{number}. {entry.exercise.name}"
        assert title in flat, title
        positions.append(flat.index(title))
    assert positions == sorted(positions)
    assert len(demo.routine.entries) == 8


def test_every_exercise_has_its_dosage_words(demo):
    from handouts.wording import dosage_text

    text = squash(demo.facts.all_text)
    wanted: dict[str, int] = {}
    for entry in demo.routine.entries:
        words = dosage_text(entry.dosage)
        assert words, entry.exercise.id
        wanted[squash(words)] = wanted.get(squash(words), 0) + 1
    for words, count in wanted.items():
        assert text.count(words) >= count, words


def test_every_step_is_printed(demo):
    text = squash(demo.facts.all_text)
    for entry in demo.routine.entries:
        for step in entry.exercise.steps:
            assert squash(step) in text, (entry.exercise.id, step)


def test_card_notes_are_printed(demo):
    text = norm(demo.facts.all_text)
    for entry in demo.routine.entries:
        if entry.note:
            assert f"Note from your therapist: {norm(entry.note)}" in text


def test_two_pictures_per_exercise_plus_a_logo_per_page(demo):
    titles = [sum(1 for n, e in enumerate(demo.routine.entries, 1) if f"{n}. {e.exercise.name}" in norm(text))
              for text in demo.facts.texts]
    assert sum(titles) == len(demo.routine.entries)
    assert all(len(e.exercise.images) == 2 for e in demo.routine.entries)
    for page, (images, cards) in enumerate(zip(demo.facts.images, titles), start=1):
        assert images == 2 * cards + 1, f"page {page}: {images} images for {cards} cards"
    assert sum(demo.facts.images) == 2 * len(demo.routine.entries) + demo.facts.pages


def test_qr_codes_for_exercises_with_a_video(demo):
    with_video = [e for e in demo.routine.entries if e.exercise.video]
    assert with_video, "the demo program should have at least one exercise with a video"
    assert norm(demo.facts.all_text).count("Scan with your phone camera") == len(with_video)


def test_no_character_outside_the_page(demo):
    assert demo.facts.outside == []


def test_metadata_has_clinic_and_no_patient(demo):
    meta = demo.facts.metadata
    assert meta.get("/Author") == CLINIC_NAME
    blob = " ".join(meta.values())
    for piece in (PATIENT, "Maria", "Gómez", NOTE.split("\n")[0]):
        assert piece not in blob
    assert demo.facts.xmp is None or PATIENT not in str(demo.facts.xmp)


def test_patient_name_not_in_raw_bytes(demo):
    """Text is in compressed content streams; only metadata or names would show it in the clear."""
    data = demo.facts.data
    for encoding in ("utf-8", "latin-1", "utf-16-be"):
        assert PATIENT.encode(encoding) not in data
    assert b"Maria" not in data


def test_output_is_private(demo):
    assert os.stat(demo.path).st_mode & 0o777 == 0o600


def test_letter_page_size(demo):
    assert all((round(w), round(h)) == (612, 792) for w, h in demo.facts.sizes)


# -- determinism ----------------------------------------------------------------------------------------

def test_second_build_is_byte_identical(demo, clinic, tmp_path):
    out = tmp_path / "again.pdf"
    result = run(routine_args(out), clinic)
    assert result.exit_code == 0, explain(result)
    assert out.read_bytes() == demo.path.read_bytes()


def test_fresh_process_with_other_hash_seed_tz_and_lang_is_byte_identical(demo, clinic, tmp_path, cache_dir):
    out = tmp_path / "fresh.pdf"
    env = {"PYTHONHASHSEED": "12345", "TZ": "Asia/Kolkata", "LANG": "de_DE.UTF-8", "LC_ALL": "C.UTF-8",
           "HANDOUTS_CACHE": str(tmp_path / "fresh-cache")}
    proc = run_module(["--root", clinic, *routine_args(out)], env)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == demo.path.read_bytes()


# -- overwriting ----------------------------------------------------------------------------------------

def test_existing_output_is_not_replaced_without_overwrite(clinic, tmp_path):
    out = tmp_path / "handout.pdf"
    out.write_bytes(b"old bytes")
    result = run(routine_args(out), clinic)
    assert_no_crash(result)
    assert result.exit_code == 73, explain(result)
    assert "--overwrite" in result.stderr
    assert out.read_bytes() == b"old bytes"
    assert files_in(tmp_path) == ["handout.pdf"]

    result = run(routine_args(out, "--overwrite"), clinic)
    assert result.exit_code == 0, explain(result)
    assert out.read_bytes().startswith(b"%PDF-")
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert files_in(tmp_path) == ["handout.pdf"]


def test_default_output_name_has_no_patient_data(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["routine", "--program", "core-activation", "--patient", PATIENT, "--date", DATE], clinic)
    assert result.exit_code == 0, explain(result)
    names = files_in(tmp_path)
    assert len(names) == 1
    assert re.fullmatch(rf"handout-{DATE}-[0-9a-f]{{8}}\.pdf", names[0]), names
    assert names[0] in result.stdout


# -- visit files and options ---------------------------------------------------------------------------

def test_visit_file_builds(clinic, library, tmp_path):
    visit_file = tmp_path / "visit.yaml"
    shutil.copy(REPO / "examples" / "visit.yaml", visit_file)
    out = tmp_path / "visit.pdf"
    result = run(["routine", visit_file, "-o", out], clinic)
    assert result.exit_code == 0, explain(result)

    from handouts import compose
    from handouts.load.visit import load_visit

    visit = load_visit(visit_file, library)
    routine = compose.compose_routine(library, visit)
    facts = pdf_facts(out)
    flat = norm(facts.all_text)
    first = norm(facts.texts[0])
    assert visit.patient and visit.patient in first
    for number, entry in enumerate(routine.entries, start=1):
        assert f"{number}. {entry.exercise.name}" in flat
    for ident in visit.remove:
        assert library.exercises[ident].name not in flat
    assert facts.outside == []


def test_options_override_the_visit_file(clinic, tmp_path):
    visit_file = tmp_path / "visit.yaml"
    shutil.copy(REPO / "examples" / "visit.yaml", visit_file)
    out = tmp_path / "visit.pdf"
    result = run(["routine", visit_file, "--patient", "Ana Silva", "--page-size", "a4", "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(out)
    assert "Ana Silva" in norm(facts.texts[0])
    assert "Gómez" not in facts.all_text
    assert all((round(w), round(h)) == (595, 842) for w, h in facts.sizes)


def test_remove_and_exercise_options_change_the_cards(clinic, library, tmp_path):
    out = tmp_path / "changed.pdf"
    extra = ["--remove", "cat-cow", "--remove", "lower-back-rotation",
             "--exercise", "dead-bug:sets=3,reps=12,side=each", "--exercise", "bridge:reps=15,hold=4"]
    args = ["routine", "--program", "core-activation", "--date", DATE, "-o", out, *extra]
    built = build_with(clinic, out, library, args, program="core-activation", date=DATE,
                       remove=["cat-cow", "lower-back-rotation"],
                       exercises=["dead-bug:sets=3,reps=12,side=each", "bridge:reps=15,hold=4"])
    from handouts.wording import dosage_text

    flat = norm(built.facts.all_text)
    ids = [e.exercise.id for e in built.routine.entries]
    assert "cat-cow" not in ids and "lower-back-rotation" not in ids
    assert ids[-1] == "dead-bug"
    assert library.exercises["cat-cow"].name not in flat
    assert library.exercises["lower-back-rotation"].name not in flat
    for number, entry in enumerate(built.routine.entries, start=1):
        assert f"{number}. {entry.exercise.name}" in flat
    dead_bug = built.routine.entries[-1]
    assert (dead_bug.dosage.sets, dead_bug.dosage.reps, dead_bug.dosage.side) == (3, 12, "each")
    bridge = next(e for e in built.routine.entries if e.exercise.id == "bridge")
    assert (bridge.dosage.reps, bridge.dosage.hold) == (15, 4)
    assert bridge.dosage.sets == library.exercises["bridge"].dosage.sets
    for entry in (dead_bug, bridge):
        assert squash(dosage_text(entry.dosage)) in squash(built.facts.all_text)
    assert "3 sets of 12" in flat and "each side" in flat
    assert built.facts.outside == []


def test_a4_page_size(clinic, tmp_path):
    out = tmp_path / "a4.pdf"
    result = run(routine_args(out, "--page-size", "a4"), clinic)
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(out)
    assert all((round(w), round(h)) == (595, 842) for w, h in facts.sizes)
    assert facts.outside == []
    assert f"Page 1 of {facts.pages}" in norm(facts.texts[0])


def test_single_exercise_without_program_gets_default_warning_box(clinic, tmp_path):
    from handouts import i18n

    english = i18n.catalogue("en")
    DEFAULT_TITLE, DEFAULT_WARNING_SIGNS = english.text("routine.default_title"), english.texts("routine.warning_signs")
    out = tmp_path / "one.pdf"
    result = run(["routine", "--exercise", "bridge", "--date", DATE, "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    first = norm(pdf_facts(out).texts[0])
    assert DEFAULT_TITLE in first and "STOP and call us if" in first
    assert all(norm(sign) in first for sign in DEFAULT_WARNING_SIGNS)


# -- errors: exit code, message, nothing written --------------------------------------------------------

def test_unknown_program_gives_65_and_did_you_mean(clinic, tmp_path):
    out = tmp_path / "x.pdf"
    result = run(["routine", "--program", "core-activaton", "-o", out], clinic)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert "unknown program id 'core-activaton'; did you mean 'core-activation'?" in result.stderr
    assert files_in(tmp_path) == []


def _break_image(root: Path) -> None:
    (root / "images/exercises/bridge-start.png").unlink()


def _truncate_image(root: Path) -> None:
    path = root / "images/exercises/bridge-start.png"
    path.write_bytes(path.read_bytes()[:200])


def _bad_content(root: Path) -> None:
    path = root / "content/exercises/bridge.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  reps: 10", "  reps: ten"), encoding="utf-8")


@pytest.mark.parametrize("args, change, code, words", [
    (["--program", "core-activaton"], None, 65, "did you mean 'core-activation'"),
    (["--program", "core-activation", "--exercise", "dead-bug:reps=ten"], None, 65, "expected a whole number"),
    (["--program", "core-activation", "--exercise", "no-such-thing"], None, 65, "unknown exercise id"),
    (["--program", "core-activation", "--remove", "no-such-thing"], None, 65, "unknown exercise id"),
    (["--program", "core-activation", "--therapist", "jordan-le"], None, 65, "did you mean 'jordan-lee'"),
    (["--program", "core-activation", "--patient", "Maria\x1b[2J"], None, 65, "U+001B"),
    (["--program", "core-activation", "--patient", "\u202eMaria"], None, 65, "U+202E"),
    (["--program", "core-activation", "--patient", "שרה לוי"], None, 65, "right-to-left"),
    (["--program", "core-activation", "--date", "2026-13-01"], None, 65, "--date"),
    ([], None, 65, "no exercises"),
    (["--program", "core-activation"], _break_image, 65, "bridge-start.png"),
    (["--program", "core-activation"], _truncate_image, 65, "bridge-start.png"),
    (["--program", "core-activation"], _bad_content, 65, "bridge.yaml"),
    (["--program", "core-activation", "--page-size", "legal"], None, 2, "legal"),
], ids=["unknown-program", "bad-exercise-option", "unknown-exercise", "unknown-remove", "unknown-therapist",
        "escape-in-name", "rtl-override", "hebrew", "bad-date", "nothing-to-print", "missing-image",
        "truncated-image", "bad-content", "bad-page-size"])
def test_no_output_file_is_left_on_error(clinic_copy, tmp_path, args, change, code, words):
    if change:
        change(clinic_copy)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = run(["routine", *args, "-o", out_dir / "handout.pdf"], clinic_copy)
    assert_no_crash(result)
    assert result.exit_code == code, explain(result)
    assert words in result.stderr, explain(result)
    assert files_in(out_dir) == []
    assert "Maria" not in result.output  # the patient's name is never echoed back


def test_python_m_handouts_version():
    from handouts import __version__

    proc = run_module(["--version"])
    assert proc.returncode == 0, proc.stderr
    assert __version__ in proc.stdout and "handouts" in proc.stdout


# -- long text the schema accepts must print (in full), never crash --------------------------------------

LONG_PARAGRAPH = ("Walk for ten minutes after breakfast and again after dinner. " * 90)[:4990].strip()
MANY_LINES = "\n".join(f"Day {n}: walk {n % 7 + 5} minutes." for n in range(1, 121))


@pytest.mark.parametrize("note", [LONG_PARAGRAPH, MANY_LINES], ids=["4990-characters", "120-lines"])
def test_long_visit_note_prints_in_full(clinic, tmp_path, note):
    """The schema allows notes up to 5,000 characters; such a note is taller than a page. It must still
    print in full (the note box may continue on the next page), with no traceback and no PHI in errors."""
    out = tmp_path / "long-note.pdf"
    result = run(["routine", "--exercise", "bridge", "--patient", PATIENT, "--note", note, "--date", DATE,
                  "-o", out], clinic)
    assert_no_crash(result)
    assert "Walk" not in result.stderr and "Day 1" not in result.stderr
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(out)
    assert squash(note) in squash(facts.body_text)
    assert facts.outside == []


def test_long_exercise_note_in_visit_file(clinic, tmp_path):
    """A per-exercise note makes the card taller than a page: the card is shrunk to fit, never a crash."""
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: Ana Silva\nexercises:\n  - id: bridge\n    note: >-\n      "
                     + LONG_PARAGRAPH[:3000] + "\n", encoding="utf-8")
    out = tmp_path / "card-note.pdf"
    result = run(["routine", visit, "--date", DATE, "-o", out], clinic)
    assert_no_crash(result)
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(out)
    assert squash(LONG_PARAGRAPH[:3000]) in squash(facts.all_text)
    assert facts.outside == []


def test_logo_is_prepared_for_the_size_it_is_drawn(clinic):
    """One logo box for preparing and drawing: the header's logo prints at the clinic's image_dpi,
    not a prepared picture squeezed into a smaller box."""
    from handouts import Clinic
    from handouts.render.fonts import register
    from handouts.render.layout import logo_box
    from handouts.render.pages import branding

    opened = Clinic.open(clinic)
    opened.routine(opened.visit(program="core-activation", date=DATE))
    clinic_settings = opened.library.clinic
    dpi = clinic_settings.image_dpi
    prepared = opened._warm.pictures[(clinic_settings.logo.file, logo_box(), dpi)]
    theme = opened._warm.theme(clinic_settings, opened.root, clinic_settings.page_size)
    drawn_w, drawn_h = branding(clinic_settings, theme, register(theme), prepared).logo_size
    assert abs(prepared.width * 72 / dpi - drawn_w) < 1 and abs(prepared.height * 72 / dpi - drawn_h) < 1
