"""Spanish handouts and guides end to end: no English label left, dates and dosage in Spanish, the layout
invariants on Spanish pages, `check --language es`, refusal of untranslated content, and the readability
of the Spanish demo."""

from __future__ import annotations

import re
import string

import pytest
import yaml
from conftest import REPO, explain, pdf_facts, run, squash

from handouts import i18n
from handouts.i18n.catalogue import catalogue
from handouts.invariants import check_pdf
from handouts.model import Dosage
from handouts.wording import dosage_text

SPANISH_STOP = {"stop_heading": "PARE y llámenos si", "phone_line": "Llame al"}


def english_labels() -> list[str]:
    """The fixed English words of every label (placeholders cut out), for 'none of them is printed'."""
    texts = []
    for key, value in catalogue("en").entries.items():
        if key.startswith("email.") or key == "language" or isinstance(value, list):
            continue
        for text in value.values() if isinstance(value, dict) else [value]:
            texts += [part for part, *_ in string.Formatter().parse(str(text))]
    words = {" ".join(t.strip(" ,.:?").split()) for t in texts}
    spanish = set(" ".join(str(v) for v in catalogue("es").entries.values()).split())
    # Keep the fragments that say something (a word of 3+ letters) and that Spanish does not share.
    return sorted(w for w in words if re.search(r"[A-Za-z]{3}", w) and w not in spanish)


def leftovers(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [w for w in english_labels() if re.search(rf"(?<![A-Za-zÀ-ÿ]){re.escape(w)}(?![A-Za-zÀ-ÿ])", flat)]


@pytest.fixture(scope="module")
def spanish_routine(clinic, tmp_path_factory):
    out = tmp_path_factory.mktemp("es") / "es.pdf"
    result = run(["routine", "--program", "core-activation", "--language", "es", "--patient", "María Gómez",
                  "--therapist", "jordan-lee", "--date", "2026-11-30", "--note", "Camine 10 minutos al día.",
                  "--log-sheet", "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    assert result.stderr == "", explain(result)  # no fallback, no warning: the demo is fully translated
    return out.read_bytes()


def test_spanish_routine_has_no_english_label(spanish_routine):
    text = pdf_facts(spanish_routine).all_text
    assert english_labels(), "the English label list is empty: the test would prove nothing"
    assert leftovers(text) == []


def test_spanish_routine_has_spanish_dates_dosage_and_labels(spanish_routine):
    text = " ".join(pdf_facts(spanish_routine).all_text.split())
    for words in ("30 de noviembre de 2026", "PARE y llámenos si:", "Llame al (503) 555-0142", "Cuánto",
                  "Página 1 de", "Sus metas", "Una nota de su terapeuta", "Boca arriba", "A gatas (manos y rodillas)",
                  ("2 series de 10 · mantenga 5 segundos · descanse 30 segundos entre series · una vez al día · "
                   "5 días a la semana"), "cambie de lado cada vez", "Mi registro de ejercicios",
                  "Semana del 30 de noviembre de 2026", "lun", "Puente", "¿Muy fácil? Pruebe: Puente con marcha."):
        assert words in text, words


def test_layout_invariants_hold_on_spanish_pages(spanish_routine):
    assert [str(v) for v in check_pdf(spanish_routine, **SPANISH_STOP)] == []


@pytest.fixture(scope="module")
def spanish_guide(clinic, tmp_path_factory):
    out = tmp_path_factory.mktemp("es-guide") / "guia.pdf"
    result = run(["guide", "back-pain-tips", "--language", "es", "--for", "María", "-o", out], clinic)
    assert result.exit_code == 0 and result.stderr == "", explain(result)
    return out.read_bytes()


def test_spanish_guide_has_no_english_label_and_holds_the_invariants(spanish_guide):
    facts = pdf_facts(spanish_guide)
    text = " ".join(facts.all_text.split())
    assert leftovers(facts.all_text) == []
    for words in ("Preparado para María", "Contenido", "Antes de empezar", "CONSEJO 1", "Pruebe esto:",
                  "María, ¿quiere moverse con menos dolor?", "Llámenos", "Quién escribió esta guía", "Página 2"):
        assert words in text, words
    assert [str(v) for v in check_pdf(spanish_guide, stop_heading=None)] == []


def test_check_language_es_on_the_demo_is_clean(clinic):
    result = run(["check", "--language", "es"], clinic)
    assert result.exit_code == 0, explain(result)


def untranslate_bridge_name(root) -> None:
    path = root / "content" / "exercises" / "bridge.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("name: {en: Bridge, es: Puente}\n")
    path.write_text(text.replace("name: {en: Bridge, es: Puente}", "name: Bridge", 1), encoding="utf-8")


def test_check_language_es_locates_the_one_missing_translation(clinic_copy):
    untranslate_bridge_name(clinic_copy)
    assert run(["check"], clinic_copy).exit_code == 0  # fine in the clinic's own language
    result = run(["check", "--language", "es"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [("error: content/exercises/bridge.yaml:1:7: name: no Spanish (es) translation; write it as "
                       "{en: ..., es: ...} (or build with --fallback to print English here)")], explain(result)


def test_untranslated_plain_steps_are_one_error_for_the_list(clinic_copy, tmp_path):
    """Steps written as a plain list (no {en:, es:}) used to give one error per step."""
    (clinic_copy / "content" / "exercises" / "plain-one.yaml").write_text(
        "name: {en: Plain one, es: Uno simple}\nposition: standing\nsteps:\n  - Stand tall.\n  - Lift your arms.\n"
        "  - Lower them slowly.\n", encoding="utf-8")
    result = run(["routine", "--exercise", "plain-one", "--language", "es", "-o", tmp_path / "x.pdf"], clinic_copy)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.exit_code == 65 and errors == [
        "error: content/exercises/plain-one.yaml:4:5: steps: no Spanish (es) translation; write it as "
        "{en: ..., es: ...} (or build with --fallback to print English here)"], explain(result)


def test_an_untranslated_exercise_is_refused_unless_fallback_is_asked_for(clinic_copy, tmp_path):
    untranslate_bridge_name(clinic_copy)
    out = tmp_path / "es.pdf"
    args = ["routine", "--program", "core-activation", "--language", "es", "--date", "2026-11-30", "-o", out]
    refused = run(args, clinic_copy)
    assert refused.exit_code == 65 and not out.exists(), explain(refused)
    assert "content/exercises/bridge.yaml:1:7: name: no Spanish (es) translation" in refused.stderr
    allowed = run(args + ["--fallback"], clinic_copy)
    assert allowed.exit_code == 0, explain(allowed)
    assert "content/exercises/bridge.yaml:1:7: name: warning: no Spanish (es) translation; printed in English " \
           "instead" in allowed.stderr
    assert "Bridge" in pdf_facts(out).all_text


def test_a_clinic_locale_sets_how_dates_are_written(clinic_copy, tmp_path):
    clinic_yaml = clinic_copy / "content" / "clinic.yaml"
    clinic_yaml.write_text(clinic_yaml.read_text(encoding="utf-8").replace("language: en-US", "language: en-GB"),
                           encoding="utf-8")
    out = tmp_path / "gb.pdf"
    result = run(["routine", "--program", "core-activation", "--date", "2026-11-30", "-o", out], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert "30 November 2026" in " ".join(pdf_facts(out).texts[0].split())


@pytest.mark.parametrize("dosage, text", [
    (Dosage(sets=2, reps=10, hold=5, side="each", per_day=1, per_week=5),
     "2 series de 10 · mantenga 5 segundos · cada lado · una vez al día · 5 días a la semana"),
    (Dosage(sets=1, reps=1), "1 serie de 1"),
    (Dosage(reps=1), "1 vez"),
    (Dosage(reps=10, reps_max=15, per_day=2, per_week=7), "10 a 15 veces · dos veces al día, todos los días"),
    (Dosage(sets=2, reps_open="until-tired", rest=60), ("2 series, cada una hasta que sienta los músculos cansados · "
                                                        "descanse 1 minuto entre series")),
    (Dosage(duration=600, per_week=1), "durante 10 minutos · 1 día a la semana"),
    (Dosage(hold=20, hold_max=30, side="alternating"), "mantenga 20 a 30 segundos · cambie de lado cada vez"),
])
def test_spanish_dosage_words_and_plurals(dosage, text):
    assert dosage_text(dosage, catalogue("es")) == text


def test_every_position_side_and_open_form_has_words_in_every_language():
    from handouts import model

    for code in i18n.available():
        entries = catalogue(code).entries
        assert all(f"positions.{p}" in entries for p in model.POSITIONS if p != "other"), code
        assert all(f"dosage.side.{s}" in entries for s in model.SIDES), code
        assert all(f"dosage.open.{o}" in entries for o in model.OPEN_REPS), code


# -- the Spanish demo is written for patients ------------------------------------------------------------

def spanish_texts(node) -> list[str]:
    """Every `es:` text of a content tree (lists flattened)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "es":
                out += value if isinstance(value, list) else [value]
            else:
                out += spanish_texts(value)
    elif isinstance(node, list):
        for value in node:
            out += spanish_texts(value)
    return out


def plain(markdown: str) -> str:
    """Markdown as read: no emphasis marks, link targets or list markers."""
    text = re.sub(r"\]\([^)]*\)|[*\[]", "", markdown)
    return re.sub(r"^\s*(-|\d+\.)\s+", "", text, flags=re.MULTILINE)


def test_the_spanish_guide_reads_easily():
    import textstat

    guide = yaml.safe_load((REPO / "content" / "guides" / "back-pain-tips.yaml").read_text(encoding="utf-8"))
    parts = [guide["intro"]["es"]] + [s["body"]["es"] for s in guide["sections"]] + [guide["cta"]["text"]["es"]]
    textstat.set_lang("es")
    try:
        score = textstat.fernandez_huerta(plain("\n\n".join(parts)))
    finally:
        textstat.set_lang("en_US")
    assert score >= 70, f"Fernández-Huerta {score:.1f}: the Spanish guide reads harder than 'fairly easy'"


def test_spanish_steps_are_short():
    for path in sorted((REPO / "content" / "exercises").glob("*.yaml")):
        steps = yaml.safe_load(path.read_text(encoding="utf-8"))["steps"]["es"]
        for step in steps:
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", step) if s]
            assert len(step.split()) <= 22, f"{path.name}: {step}"
            assert all(len(s.split()) <= 16 for s in sentences), f"{path.name}: {step}"


def test_every_demo_text_has_its_spanish():
    """The whole demo is translated: the same check `check --language es` makes, from the YAML itself."""
    for path in sorted((REPO / "content").rglob("*.yaml")):
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spanish_texts(tree) or path.name == "clinic.yaml", f"{path.name} has no Spanish"


# -- bilingual -------------------------------------------------------------------------------------------

def test_bilingual_handout_prints_every_step_and_label_in_both_languages(clinic, tmp_path):
    out = tmp_path / "bi.pdf"
    result = run(["routine", "--program", "core-activation", "--language", "es+en", "--date", "2026-11-30",
                  "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    facts = pdf_facts(out)
    text = " ".join(facts.all_text.split())
    for words in ("PARE y llámenos si / STOP and call us if:", "Cuánto / How much", "Puente / Bridge",
                  "Página 1 de", "/ Page 1 of", "30 de noviembre de 2026", "Boca arriba / Lying on your back",
                  "2 series de 10 · mantenga 3 segundos", "2 sets of 10 · hold 3 seconds",
                  "Empiece cada sesión", "Start each session"):
        assert words in text, words
    bridge = yaml.safe_load((REPO / "content" / "exercises" / "bridge.yaml").read_text(encoding="utf-8"))
    for step in bridge["steps"]["es"] + bridge["steps"]["en"]:
        assert " ".join(step.split()) in text, step
    # Nothing smaller than the layout's sizes, nothing off the page, no empty page, the STOP box whole.
    assert [str(v) for v in check_pdf(out.read_bytes(), **SPANISH_STOP)] == []


@pytest.mark.parametrize("layout", ["compact", "large-print"])
def test_bilingual_compact_and_large_print_print_every_step_in_both_languages(clinic, tmp_path, layout):
    out = tmp_path / "bi.pdf"
    result = run(["routine", "--program", "core-activation", "--language", "es+en", "--layout", layout,
                  "--date", "2026-11-30", "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    assert "compact layout aims" not in result.stderr  # a bilingual fridge sheet aims for twice the pages
    facts = pdf_facts(out)
    text = " ".join(facts.all_text.split())
    for words in ("PARE y llámenos si / STOP and call us if:", "Puente / Bridge", "Boca arriba / Lying on your back",
                  "2 series de 10", "2 sets of 10", "El dolor baja por una pierna", "Pain spreads down one",
                  "Empiece cada sesión", "Start each session"):  # a program's note for an exercise, both
        assert words in text, words
    for ident in ("bridge", "pelvic-tilt"):
        tree = yaml.safe_load((REPO / "content" / "exercises" / f"{ident}.yaml").read_text(encoding="utf-8"))
        for step in tree["steps"]["es"] + tree["steps"]["en"]:
            assert " ".join(step.split()) in text, step
    assert [str(v) for v in check_pdf(out.read_bytes(), **SPANISH_STOP)] == []
    if layout == "large-print":  # captions too (compact prints none)
        assert squash("Start - knees bent, back relaxed") in squash(facts.all_text)
    first = " ".join(facts.texts[0].split())
    assert "PARE y llámenos si" in first and "Call (503) 555-0142" in first  # the whole box on page 1
    assert "Core Stability for Low Back Pain" in first  # the title in both languages


def test_a_guide_is_one_language_at_a_time(clinic, tmp_path):
    result = run(["guide", "back-pain-tips", "--language", "es+en", "--for", "Ana", "-o", tmp_path / "g.pdf"], clinic)
    assert result.exit_code == 65 and "a guide is built in one language at a time" in result.stderr, explain(result)


def test_check_language_warns_about_an_email_template_without_its_translation(clinic_copy):
    (clinic_copy / "content" / "email" / "guide" / "es" / "body.txt").unlink()
    result = run(["check", "--language", "es"], clinic_copy)
    assert result.exit_code == 0, explain(result)  # a warning: the built-in Spanish wording is sent
    assert ("content/email/guide/body.txt: warning: no Spanish version of this template: people reading Spanish "
            "get the built-in wording; write content/email/guide/es/body.txt") in result.stderr


@pytest.mark.parametrize("layout", ["compact", "large-print"])
def test_every_layout_in_spanish_has_no_english_label_and_holds_the_invariants(clinic, tmp_path, layout):
    out = tmp_path / f"{layout}.pdf"
    result = run(["routine", "--program", "core-activation", "--language", "es", "--layout", layout, "--date",
                  "2026-11-30", "--patient", "María", "--note", "Camine.", "--log-sheet", "-o", out], clinic)
    assert result.exit_code == 0 and result.stderr == "", explain(result)
    text = pdf_facts(out).all_text
    assert leftovers(text) == [] and "PARE y llámenos si:" in text and "Mi registro de ejercicios" in text
    assert [str(v) for v in check_pdf(out.read_bytes(), **SPANISH_STOP)] == []


def test_the_spanish_example_visit_file_builds_in_spanish(clinic, tmp_path):
    out = tmp_path / "visita.pdf"
    result = run(["routine", REPO / "examples" / "visita-es.yaml", "-o", out], clinic)
    assert result.exit_code == 0 and result.stderr == "", explain(result)
    text = " ".join(pdf_facts(out).all_text.split())
    assert "21 de noviembre de 2026" in text and "Camine 10 minutos cada día." in text and leftovers(text) == []


def test_characters_the_font_lacks_are_found_in_the_language_printed(clinic_copy, tmp_path):
    path = clinic_copy / "content" / "programs" / "core-activation.yaml"
    text = path.read_text(encoding="utf-8")
    spanish_goal = "    - Apretar los músculos del abdomen mientras respira normal.\n"
    assert spanish_goal in text
    path.write_text(text.replace(spanish_goal, spanish_goal.replace("normal.", "normal \u4e2d."), 1), encoding="utf-8")
    result = run(["routine", "--program", "core-activation", "--language", "es", "-o", tmp_path / "es.pdf"],
                 clinic_copy)
    assert "content/programs/core-activation.yaml" in result.stderr and "goals[0]" in result.stderr, explain(result)
    assert "U+4E2D" in result.stderr, explain(result)


def test_bilingual_large_print_breaks_between_whole_steps_under_a_continued_bar(clinic, tmp_path):
    """An exercise taller than an A4 page in two languages used to break inside a step (Spanish on one
    page, English on the next) and go on without its title bar."""
    out = tmp_path / "lp.pdf"
    result = run(["routine", "--program", "core-activation", "--language", "es+en", "--layout", "large-print",
                  "--page-size", "a4", "--date", "2026-11-30", "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    pages = [" ".join(t.split()) for t in pdf_facts(out).texts]
    for ident in ("clamshell", "pelvic-tilt", "cat-cow"):
        tree = yaml.safe_load((REPO / "content" / "exercises" / f"{ident}.yaml").read_text(encoding="utf-8"))
        for es, en in zip(tree["steps"]["es"], tree["steps"]["en"]):
            with_es = [p for p in pages if " ".join(es.split()) in p]
            assert any(" ".join(en.split()) in p for p in with_es), (ident, en)  # both halves on one page
    first = next(n for n, p in enumerate(pages) if "1. Inclinación de pelvis" in p)
    for page in pages[first:]:
        if "(continuación) / (continued)" not in page:  # else: an exercise's first page, or the log
            assert re.search(r"\d\. [^/]+ / ", page), page[:200]
    assert [str(v) for v in check_pdf(out.read_bytes(), **SPANISH_STOP)] == []
