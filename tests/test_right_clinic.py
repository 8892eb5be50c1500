"""Issue #10 §3, the right clinic: the clinic folder is found from any subfolder (the way git and mkdocs
find theirs); the bundled demo is announced every time it is used and its handouts say SAMPLE."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CLINIC_PHONE, explain, pdf_facts, run, run_module, squash

NOTICE = "using the bundled demo clinic; run `handouts init DIR` to start your own"
OWN_PHONE = "(212) 555-0199"


@pytest.fixture
def own_clinic(clinic_copy) -> Path:
    """A clinic of its own (not the demo): another name and phone number."""
    path = clinic_copy / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Brightwater Physical Therapy", "Harbor Light Rehab").replace(CLINIC_PHONE, OWN_PHONE)
    path.write_text(text, encoding="utf-8")
    return clinic_copy


def test_find_root_walks_up_to_the_first_folder_with_a_clinic_file(own_clinic, tmp_path):
    from handouts.load.folder import demo_root, find_root

    deep = own_clinic / "content" / "exercises"
    assert find_root(start=deep) == own_clinic.resolve()
    assert find_root(start=own_clinic / "content") == own_clinic.resolve()
    assert find_root(start=own_clinic / "images" / "clinic") == own_clinic.resolve()
    # A nested clinic wins over the one above it, as git's nearest repository does.
    inner = own_clinic / "branches" / "north"
    (inner / "content").mkdir(parents=True)
    (inner / "content" / "clinic.yaml").write_text("name: North\nphone: '1'\n", encoding="utf-8")
    assert find_root(start=inner / "content") == inner.resolve()
    unrelated = tmp_path / "elsewhere" / "deeper"
    unrelated.mkdir(parents=True)
    assert find_root(start=unrelated) == demo_root()


def test_a_linked_content_folder_belongs_to_the_folder_holding_the_link(own_clinic, tmp_path, monkeypatch):
    """cd into a symlinked content/ folder: the clinic is the one holding the link (as `cd ..` in the
    shell would go), not the link target's parent (whose images/ are not there)."""
    import os
    import shutil

    from handouts.load.folder import find_root

    store = tmp_path / "store"
    store.mkdir()
    shutil.move(str(own_clinic / "content"), store / "content")
    (own_clinic / "content").symlink_to(store / "content", target_is_directory=True)
    inside = own_clinic / "content" / "programs"
    monkeypatch.chdir(inside)
    monkeypatch.setenv("PWD", str(inside))
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)
    assert os.getcwd() == str((store / "content" / "programs").resolve())  # the physical folder
    assert find_root() == own_clinic
    result = run(["routine", "--program", "core-activation", "-o", tmp_path / "x.pdf"], None)
    assert result.exit_code == 0, explain(result)


def test_root_and_environment_come_before_the_walk(own_clinic, tmp_path, monkeypatch):
    from handouts.load.folder import find_root

    other = tmp_path / "other"
    (other / "content").mkdir(parents=True)
    monkeypatch.setenv("HANDOUTS_ROOT", str(other))
    assert find_root(start=own_clinic / "content") == other.resolve()
    assert find_root(own_clinic, start=other) == own_clinic.resolve()


def test_a_handout_made_from_a_subfolder_uses_that_clinic(own_clinic):
    out = own_clinic / "h.pdf"
    done = run_module(["routine", "--program", "core-activation", "--patient", "Maria", "-o", out],
                      cwd=own_clinic / "content" / "exercises")
    assert done.returncode == 0, done.stderr
    assert NOTICE not in done.stderr
    text = squash(pdf_facts(out).all_text)
    assert squash(OWN_PHONE) in text and squash(CLINIC_PHONE) not in text
    assert "SAMPLE" not in text


@pytest.mark.parametrize("args", [["list", "programs"], ["check"], ["list", "guides"]])
def test_every_command_announces_the_demo_from_an_unrelated_folder(tmp_path, args):
    done = run_module(args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert NOTICE in done.stderr
    assert NOTICE not in done.stdout  # stdout stays clean for scripts


def test_the_demo_is_announced_every_time_even_when_named(tmp_path):
    from handouts.load.folder import demo_root

    for _ in range(2):
        result = run(["list", "programs"], demo_root())
        assert result.exit_code == 0, explain(result)
        assert NOTICE in result.stderr


def test_a_clinic_of_its_own_is_not_announced(own_clinic):
    result = run(["list", "programs"], own_clinic)
    assert result.exit_code == 0, explain(result)
    assert NOTICE not in result.stderr


def test_handouts_and_guides_from_the_demo_say_sample_on_every_page(tmp_path):
    handout, guide = tmp_path / "h.pdf", tmp_path / "g.pdf"
    done = run_module(["routine", "--program", "core-activation", "--patient", "Maria", "-o", handout], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert NOTICE in done.stderr
    done = run_module(["guide", "back-pain-tips", "--for", "Maria", "-o", guide], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for path in (handout, guide):
        facts = pdf_facts(path)
        for number, text in enumerate(facts.texts, 1):
            assert "SAMPLE from the demo clinic" in text, f"{path.name} page {number}"


def test_a_clinic_of_its_own_prints_no_sample_mark(own_clinic, tmp_path):
    out = tmp_path / "g.pdf"
    result = run(["guide", "back-pain-tips", "--for", "Maria", "-o", out], own_clinic)
    assert result.exit_code == 0, explain(result)
    assert "SAMPLE" not in pdf_facts(out).all_text
