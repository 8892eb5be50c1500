"""Languages: label catalogues complete in every language, plurals and dates by locale, language specs,
translatable content fields and the located error for a missing translation."""

from __future__ import annotations

import re

import datetime as dt

import pytest

from handouts import i18n
from handouts.i18n.catalogue import catalogue, placeholders
from handouts.i18n.content import localize, missing_translations
from handouts.load.folder import scan_library

DAY = dt.date(2026, 11, 30)


# -- catalogues ---------------------------------------------------------------------------------------

def test_spanish_and_english_catalogues_exist():
    assert {"en", "es"} <= set(i18n.available())


@pytest.mark.parametrize("code", [c for c in i18n.available() if c != "en"])
def test_every_language_has_every_key_with_the_same_placeholders(code):
    english, other = catalogue("en").entries, catalogue(code).entries
    assert sorted(set(english) - set(other)) == [], f"{code}.yaml lacks these keys"
    assert sorted(set(other) - set(english)) == [], f"{code}.yaml has keys English does not"
    for key, value in english.items():
        theirs = other[key]
        assert type(theirs) is type(value), f"{code}: {key} is a {type(theirs).__name__}, not {type(value).__name__}"
        assert placeholders(theirs) == placeholders(value), f"{code}: {key} placeholders differ"
        if isinstance(value, list):
            assert len(theirs) == len(value), f"{code}: {key} has {len(theirs)} items, English {len(value)}"
        if isinstance(value, dict):
            assert "other" in theirs, f"{code}: {key} needs an 'other' form"


@pytest.mark.parametrize("code", i18n.available())
def test_no_value_is_empty(code):
    for key, value in catalogue(code).entries.items():
        texts = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        assert all(str(t).strip() for t in texts), f"{code}: {key} is empty"


def test_plural_forms_follow_cldr_and_exact_numbers_win():
    cat = i18n.Catalogue("es", {"x": {"=2": "dos veces", "one": "{n} vez", "other": "{n} veces"}})
    assert [cat.plural("x", n) for n in (1, 2, 3)] == ["1 vez", "dos veces", "3 veces"]
    # CLDR gives Spanish a 'many' form for a million; without one in the catalogue, 'other' is used.
    assert cat.plural("x", 1_000_000) == "1000000 veces"


# -- dates and language specs --------------------------------------------------------------------------

@pytest.mark.parametrize("spec, text", [
    ("en", "November 30, 2026"), ("en-US", "November 30, 2026"), ("en-GB", "30 November 2026"),
    ("es", "30 de noviembre de 2026"), ("es-US", "30 de noviembre de 2026"), ("es-ES", "30 de noviembre de 2026"),
    ("es-MX", "30 de noviembre de 2026"),
])
def test_dates_by_locale(spec, text):
    assert i18n.parse(spec).long_date(DAY) == text


def test_a_language_code_in_capitals_is_read():
    """'ES' is how a spreadsheet column often says it (a batch refused it)."""
    assert i18n.parse("ES").spec == "es" and i18n.parse("Es-mx").spec == "es-MX" and i18n.parse("EN+ES").tag == "en+es"


def test_a_language_without_region_takes_the_clinics_region():
    assert i18n.parse("en", region="GB").long_date(DAY) == "30 November 2026"
    assert i18n.parse("es+en").codes == ("es", "en")
    assert i18n.parse("es-MX+en").spec == "es-MX+en"


@pytest.mark.parametrize("spec, words", [
    ("ar", ["'ar' (Arabic)", "right to left", "available: en (English), es (Spanish)"]),
    ("he", ["'he' (Hebrew)", "right to left"]),
    ("zh", ["'zh' (Chinese)", "fonts and line breaking"]),
    ("fr", ["no labels for 'fr' (French)", "Adding a language"]),
    ("es+es", ["two different languages"]),
    ("es+en+fr", ["two at most"]),
    ("spanish", ["expected a language code"]),
    ("en-UK", ["no region 'UK' for English", "did you mean en-GB?"]),  # dates silently US before
    ("es-XX", ["no region 'XX' for Spanish", "es-MX"]),
])
def test_unusable_languages_are_named(spec, words):
    with pytest.raises(ValueError) as caught:
        i18n.parse(spec)
    for word in words:
        assert word in str(caught.value)


def test_bilingual_labels_give_both_languages():
    words = i18n.words("es+en")
    assert words.all("card.how_much") == ("Cuánto", "How much")
    assert words.joined("page.page_of", page=1, total=2) == "Página 1 de 2 / Page 1 of 2"


# -- translatable content ------------------------------------------------------------------------------

BILINGUAL = """\
name: {en: Probe, es: Sonda}
position: standing
steps:
  en: [Stand tall., Breathe.]
  es: [Párese derecho., Respire.]
tips:
  - {en: Go slow., es: Vaya despacio.}
  - Keep your chin in.
"""


def scan(root, text, rel="content/exercises/probe.yaml"):
    (root / rel).write_text(text, encoding="utf-8")
    library, problems = scan_library(root, check_images=False)
    return library, [p for p in problems if p.file == rel and not p.warning]


def test_translations_load_and_localize(clinic_copy):
    library, problems = scan(clinic_copy, BILINGUAL)
    assert problems == []
    ex = library.exercises["probe"]
    assert ex.name == "Probe"  # plain str: code that ignores languages sees the first text
    spanish, missing = localize(ex, "es", "en")
    assert (spanish.name, spanish.steps, spanish.tips[0]) == ("Sonda", ("Párese derecho.", "Respire."), "Vaya despacio.")
    # The one untranslated text is one located problem naming the file, line and field.
    assert [str(p) for p in missing] == [
        ("content/exercises/probe.yaml:8:5: tips[1]: no Spanish (es) translation; write it as {en: ..., es: ...} "
         "(or build with --fallback to print English here)")]
    english, none = localize(ex, "en", "en")
    assert (english.name, english.tips[1], none) == ("Probe", "Keep your chin in.", [])


def test_fallback_prints_the_clinic_language_and_warns(clinic_copy):
    library, _ = scan(clinic_copy, BILINGUAL)
    spanish, missing = localize(library.exercises["probe"], "es", "en", fallback=True)
    assert spanish.tips[1] == "Keep your chin in."
    assert len(missing) == 1 and missing[0].warning and "printed in English instead" in missing[0].message


@pytest.mark.parametrize("text, line, field, words", [
    ("name: {en: Probe, sp: Sonda}\nposition: standing\nsteps: [a]\n", 1, "name.sp",
     "unknown language code 'sp'; did you mean 'es'?"),
    ("name: {en: Probe, es: ''}\nposition: standing\nsteps: [a]\n", 1, "name.es", "empty translation"),
    ("name: {english: Probe}\nposition: standing\nsteps: [a]\n", 1, "name", "one text per language"),
    ("name: Probe\nposition: standing\nsteps:\n  en: [a]\n  es: []\n", 5, "steps.es", "empty list"),
    ("name: {en: Probe, es: \"\\u202eSonda\"}\nposition: standing\nsteps: [a]\n", 1, "name.es", "invisible formatting"),
])
def test_bad_translations_are_located(clinic_copy, text, line, field, words):
    _, problems = scan(clinic_copy, text)
    assert len(problems) == 1, problems
    assert (problems[0].line, problems[0].field) == (line, field) and words in problems[0].message


def test_an_untranslated_file_is_one_problem_not_one_per_step(clinic_copy):
    library, _ = scan(clinic_copy, "name: Probe\nposition: standing\nsteps: [a, b, c, d]\ntips: [e]\n")
    _, missing = localize(library.exercises["probe"], "es", "en")
    assert [(p.file, p.line) for p in missing] == [("content/exercises/probe.yaml", 1)]
    assert "nothing here is translated into Spanish (es): name, steps, tips" in missing[0].message


def test_clinic_language_is_checked(clinic_copy):
    path = clinic_copy / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    assert "language: en-US\n" in text
    path.write_text(text.replace("language: en-US\n", "language: ar\n"), encoding="utf-8")
    _, problems = scan_library(clinic_copy, check_images=False)
    bad = [p for p in problems if p.field == "language"]
    assert len(bad) == 1 and bad[0].file == "content/clinic.yaml" and "right to left" in bad[0].message


def test_missing_translations_walks_the_whole_library(clinic_copy):
    library, _ = scan(clinic_copy, BILINGUAL)
    files = {p.file for p in missing_translations(library, "es", "en")}
    assert "content/exercises/probe.yaml" in files


def test_translated_lists_have_one_item_per_language(clinic_copy):
    """A sixth warning sign written in Spanish only vanished from every bilingual handout, check 'ok'."""
    from conftest import run

    path = clinic_copy / "content" / "programs" / "core-strength.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "\n  es:\n"
    start = text.index("warning_signs:")
    at = text.index(marker, start) + len(marker)
    path.write_text(text[:at] + "    - Tiene fiebre.\n" + text[at:], encoding="utf-8")
    result = run(["check"], clinic_copy)
    assert result.exit_code == 65
    assert re.search(r"content/programs/core-strength\.yaml:\d+:\d+: warning_signs\.es: 6 item\(s\) in 'es' but 5 in "
                     r"'en': give each item in every language", result.stderr), result.stderr
