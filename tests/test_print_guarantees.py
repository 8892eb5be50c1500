"""#11 guarantees 1-3 on content built to break them: the STOP box is never split, no page is blank,
and a card taller than a page splits between steps instead of being shrunk.

Builds run in-process (render to bytes) and every PDF goes through the layout-invariant checker.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_clinic, fill_missing_images, pdf_facts, squash
from handouts.invariants import check_pdf

WORDS = ("Keep the movement slow and stop if your pain spreads down your leg or gets sharper than it was "
         "before you started today. ").split()


def text_of(length: int) -> str:
    """About `length` characters of plain English words."""
    out: list[str] = []
    while len(" ".join(out)) < length:
        out.append(WORDS[len(out) % len(WORDS)])
    return " ".join(out)[:length].rstrip()


@pytest.fixture(scope="module")
def extremes(tmp_path_factory, cache_dir) -> Path:
    """The demo clinic plus exercises and a program built to be taller than a page."""
    root = copy_clinic(REPO, tmp_path_factory.mktemp("extremes") / "clinic")
    fill_missing_images(root)
    bridge = yaml.safe_load((root / "content/exercises/bridge.yaml").read_text(encoding="utf-8"))
    many = dict(bridge, name="Twenty-four step lift", steps=[f"Step {i}: " + text_of(90) for i in range(1, 25)])
    huge = dict(bridge, name="One very long step", steps=["Begin. " + text_of(750), "Rest."])
    giant = dict(bridge, name="A step longer than a page", steps=["Begin.", text_of(5000), "Rest."])
    for ident, doc in (("many-steps", many), ("long-step", huge), ("giant-step", giant)):
        (root / f"content/exercises/{ident}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    signs = {"title": "Many warning signs", "exercises": ["bridge"],
             "warning_signs": [f"Sign {i}: " + text_of(160) for i in range(1, 31)]}
    (root / "content/programs/many-signs.yaml").write_text(yaml.safe_dump(signs, sort_keys=False), encoding="utf-8")
    return root


_libraries: dict[Path, object] = {}


def build(root: Path, **options) -> bytes:
    from handouts.build import render_routine_pdf
    from handouts.load.visit import visit_from_options
    from handouts.load.folder import load_library

    if root not in _libraries:
        _libraries[root] = load_library(root)
    library = _libraries[root]
    visit = visit_from_options(library, date="2026-11-21", **options)
    return render_routine_pdf(root, library, visit)[0]


def page_texts(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


# -- 1. The STOP box ------------------------------------------------------------------------------------

def test_note_sweep_keeps_the_stop_box_whole_on_page_one(extremes):
    """A therapist note of 0 to 3,000 characters (steps of 50) never splits the box or moves it."""
    for length in range(0, 3001, 50):
        data = build(extremes, program="core-activation", patient="Maria Gómez", note=text_of(length))
        assert check_pdf(data) == [], length
        first = squash(page_texts(data)[0])
        assert "STOPandcallusif" in first and "Call(503)555-0142" in first, length


def test_a_box_longer_than_a_page_splits_between_signs_with_heading_and_phone_on_each_part(extremes):
    data = build(extremes, program="many-signs")
    assert check_pdf(data) == []
    pages = [squash(t) for t in page_texts(data)]
    parts = [i for i, t in enumerate(pages) if "STOPandcallusif" in t]
    assert len(parts) >= 2 and "(continued)" in pages[parts[1]]
    assert all("Call(503)555-0142" in pages[i] for i in parts)
    for i in range(1, 31):  # every sign printed, none cut between pages
        assert sum(f"Sign{i}:" in t for t in pages) == 1, i


# -- 2 and 3. Tall cards: split between steps, never shrunk, no blank page --------------------------------

@pytest.mark.parametrize("tall", ["many-steps", "long-step", "giant-step"])
@pytest.mark.parametrize("place", ["first", "middle", "last"])
def test_a_tall_card_splits_between_steps_at_full_size(extremes, tall, place):
    others = ["bridge", "clamshell", "bird-dog", "cat-cow"]
    order = {"first": [tall] + others, "middle": others[:2] + [tall] + others[2:], "last": others + [tall]}[place]
    data = build(extremes, exercises=order, patient="Maria Gómez")
    assert check_pdf(data) == []  # no blank page, nothing below 9.5 pt, nothing off the page
    pages = [squash(t) for t in page_texts(data)]
    ex = yaml.safe_load((extremes / f"content/exercises/{tall}.yaml").read_text(encoding="utf-8"))
    number = order.index(tall) + 1
    name = squash(f"{number}. {ex['name']}")
    heads = [i for i, t in enumerate(pages) if name in t]
    if tall != "long-step":  # taller than a page: it must continue, named, on the next page
        assert any(squash(f"{ex['name']} (continued)") in pages[i] for i in heads[1:]), heads
    # The dosage is never separated from the name: "How much" is on the page of the first part.
    assert "Howmuch" in pages[heads[0]]
    # A step may continue on the next part, under the "(continued)" name bar.
    bar = squash(f"{number}. {ex['name']} (continued)") + "Lyingonyourback"
    text = squash(pdf_facts(data).body_text).replace(bar, "")
    for step in ex["steps"]:
        assert squash(step) in text


def test_small_cards_never_split(extremes):
    data = build(extremes, program="core-activation", note=text_of(1200))
    assert check_pdf(data) == []
    assert "(continued)" not in "".join(page_texts(data))
    steps = yaml.safe_load((extremes / "content/exercises/bird-dog.yaml").read_text(encoding="utf-8"))["steps"]
    last = (steps["en"] if isinstance(steps, dict) else steps)[-1]  # translated steps: the English ones
    pages = [squash(t) for t in page_texts(data)]
    # The card's name and its last step are on the same page.
    assert any("Bird" in t and squash(last) in t for t in pages)
