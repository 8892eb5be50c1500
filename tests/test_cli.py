"""The command line: help with examples, listing, init, where the clinic folder comes from, exit codes."""

from __future__ import annotations

import re

import pytest

from conftest import REPO, assert_no_crash, explain, fill_missing_images, run, run_module

REQUIRED = ["routine", "check", "list", "init"]


def _commands() -> list[list[str]]:
    from handouts.cli import main

    return [[]] + [[name] for name in sorted(set(main.commands) | set(REQUIRED))]


COMMANDS = _commands()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] if c else "main")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help_with_an_example(command, flag):
    result = run([*command, flag])
    assert result.exit_code == 0, explain(result)
    assert "Example" in result.stdout
    assert "Usage:" in result.stdout


def test_the_documented_commands_exist():
    from handouts.cli import main

    assert set(REQUIRED) <= set(main.commands)


def test_main_help_lists_exit_codes():
    result = run(["--help"])
    for code in ("0", "2", "65", "66", "73"):
        assert re.search(rf"\b{code}\b", result.stdout)


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag):
    from handouts import __version__

    result = run([flag])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"handouts, version {__version__}"


def test_unknown_command_is_usage_error():
    result = run(["frobnicate"])
    assert result.exit_code == 2
    assert_no_crash(result)


# -- list ---------------------------------------------------------------------------------------------------

def listed_ids(result) -> list[str]:
    return [line.split()[0] for line in result.stdout.splitlines() if line.strip()]


def test_list_exercises_search_bridge(clinic):
    result = run(["list", "exercises", "--search", "bridge"], clinic)
    assert result.exit_code == 0, explain(result)
    assert listed_ids(result) == ["bridge", "marching-bridge"]


def test_list_exercises_search_is_case_insensitive(clinic):
    result = run(["list", "exercises", "-s", "BRIDGE"], clinic)
    assert listed_ids(result) == ["bridge", "marching-bridge"]


def test_list_exercises_all(clinic, library):
    result = run(["list", "exercises"], clinic)
    assert result.exit_code == 0, explain(result)
    assert listed_ids(result) == list(library.exercises)
    assert "Bridge" in result.stdout and "lying on back" in result.stdout


def test_list_exercises_no_match(clinic):
    result = run(["list", "exercises", "--search", "zzzz-nothing"], clinic)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no exercises match 'zzzz-nothing'" in result.stderr


def test_list_programs(clinic, library):
    result = run(["list", "programs"], clinic)
    assert result.exit_code == 0, explain(result)
    assert listed_ids(result) == list(library.programs)
    assert {"core-activation", "core-strength"} <= set(listed_ids(result))
    for program in library.programs.values():
        assert program.title in result.stdout
        assert f"{len(program.items)} exercises" in result.stdout


def test_list_bad_kind_is_usage_error(clinic):
    result = run(["list", "patients"], clinic)
    assert result.exit_code == 2


# -- init ---------------------------------------------------------------------------------------------------

def test_init_creates_a_folder_that_passes_check(tmp_path):
    target = tmp_path / "my-clinic"
    result = run(["init", target])
    assert result.exit_code == 0, explain(result)
    assert (target / "content" / "clinic.yaml").is_file()
    assert any((target / "content" / "exercises").glob("*.yaml"))
    assert (target / "images").is_dir()
    assert str(target) in result.stdout and "check" in result.stdout
    # The demo pictures may still be being drawn in the repository; stand in for any that are missing.
    fill_missing_images(target)
    result = run(["check"], target)
    assert result.exit_code == 0, explain(result)


def test_init_into_an_empty_existing_folder(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    result = run(["init", target])
    assert result.exit_code == 0, explain(result)
    assert (target / "content" / "clinic.yaml").is_file()


def test_init_into_a_non_empty_folder_exits_73(tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = run(["init", target])
    assert_no_crash(result)
    assert result.exit_code == 73, explain(result)
    assert "not empty" in result.stderr
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_init_onto_a_file_is_refused(tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    result = run(["init", target])
    assert_no_crash(result)
    assert result.exit_code in (2, 73), explain(result)
    assert target.read_text() == "x"


# -- where the clinic folder comes from ---------------------------------------------------------------------

def test_root_without_content_exits_66(tmp_path):
    result = run(["check"], tmp_path)
    assert_no_crash(result)
    assert result.exit_code == 66, explain(result)
    assert "--root" in result.stderr and "content/" in result.stderr


def test_root_that_does_not_exist_exits_66(tmp_path):
    result = run(["list", "programs"], tmp_path / "nowhere")
    assert_no_crash(result)
    assert result.exit_code == 66, explain(result)


def test_handouts_root_env_is_honoured(clinic_copy, tmp_path, monkeypatch):
    (clinic_copy / "content" / "programs" / "env-only.yaml").write_text(
        "title: Only in this copy\nexercises: [bridge]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(["list", "programs"], env={"HANDOUTS_ROOT": str(clinic_copy)})
    assert result.exit_code == 0, explain(result)
    assert "env-only" in listed_ids(result)


def test_handouts_root_env_without_content_exits_66(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["list", "programs"], env={"HANDOUTS_ROOT": str(tmp_path)})
    assert result.exit_code == 66, explain(result)
    assert "HANDOUTS_ROOT" in result.stderr


def test_root_option_beats_env(clinic_copy, tmp_path):
    result = run(["list", "programs"], clinic_copy, env={"HANDOUTS_ROOT": str(tmp_path)})
    assert result.exit_code == 0, explain(result)


def test_current_folder_with_content_is_used(clinic_copy, monkeypatch):
    (clinic_copy / "content" / "programs" / "cwd-only.yaml").write_text(
        "title: Only here\nexercises: [bridge]\n", encoding="utf-8")
    monkeypatch.chdir(clinic_copy)
    result = run(["list", "programs"])
    assert "cwd-only" in listed_ids(result)


def test_missing_visit_file_exits_66(clinic, tmp_path):
    out = tmp_path / "x.pdf"
    result = run(["routine", tmp_path / "no-such-visit.yaml", "-o", out], clinic)
    assert_no_crash(result)
    assert result.exit_code == 66, explain(result)
    assert "no-such-visit.yaml" in result.stderr
    assert not out.exists()


def test_broken_visit_file_exits_65_with_place(clinic, tmp_path):
    """YAML problems in a visit file name the file as the user gave it, like every other visit problem."""
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: Ana\nprogram: core-activaton\nremove: [cat-cow]\nnote: a\nnote: b\n", encoding="utf-8")
    result = run(["routine", visit, "-o", tmp_path / "x.pdf"], clinic)
    assert_no_crash(result)
    assert result.exit_code == 65, explain(result)
    assert f"{visit}:5:1: duplicate key 'note'" in result.stderr


def test_visit_file_unknown_program_has_line(clinic, tmp_path):
    visit = tmp_path / "visit.yaml"
    visit.write_text("patient: Ana\nprogram: core-activaton\n", encoding="utf-8")
    result = run(["routine", visit, "-o", tmp_path / "x.pdf"], clinic)
    assert result.exit_code == 65, explain(result)
    assert re.search(re.escape(str(visit)) + r":2:\d+: program: unknown program id 'core-activaton'; "
                     r"did you mean 'core-activation'\?", result.stderr), result.stderr
    assert "Ana" not in result.output


def test_errors_go_to_stderr_and_say_how_many(clinic_copy):
    for name in ("bridge", "clamshell"):
        path = clinic_copy / "content" / "exercises" / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "nmae: x\n", encoding="utf-8")
    result = run(["check"], clinic_copy)
    assert result.exit_code == 65
    assert result.stdout == ""
    assert all(line.startswith(("error: ", "warning: ")) or line.endswith("problems found.")
               or re.match(r"content/\S+: warning: ", line) for line in result.stderr.splitlines())


def test_installed_tool_uses_the_bundled_demo_out_of_the_box(tmp_path):
    """From a folder with no content/ and no HANDOUTS_ROOT the bundled demo is used. Under CI the
    package is installed as a wheel (not editable), so this also proves the demo ships inside it."""
    from handouts.load.folder import demo_root

    demo = demo_root()
    assert (demo / "content" / "clinic.yaml").is_file() and (demo / "images" / "clinic" / "logo.png").is_file()
    out = tmp_path / "h.pdf"
    done = run_module(["routine", "--program", "core-activation", "--patient", "Maria", "-o", out], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    guides = run_module(["list", "guides"], cwd=tmp_path)
    assert "back-pain-tips" in guides.stdout


def test_exit_codes_are_listed_once_and_shown_everywhere():
    """errors.EXIT_CODES is the one list: `handouts --help` prints it and the README names every code."""
    from handouts.errors import EXIT_CODES

    shown = run(["--help"]).stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code, text in EXIT_CODES.items():
        assert re.search(rf"^\s+{code}  {re.escape(text)}$", shown, re.M), (code, shown)
        assert f"`{code}`" in readme, code


def test_init_says_the_next_command_as_it_can_be_pasted(tmp_path, monkeypatch):
    """A folder with spaces and accents: the printed command used to break when pasted into a shell."""
    import shlex

    folder = tmp_path / "Clínica São" / "my clinic"
    result = run(["init", folder])
    assert result.exit_code == 0, explain(result)
    command = result.stdout.split("then run: ", 1)[1].strip()
    assert shlex.split(command) == ["handouts", "--root", str(folder), "check"]
    monkeypatch.setenv("HANDOUTS_ROOT", str(folder / "content"))
    wrong = run(["check"])
    assert wrong.exit_code == 66 and f"did you mean its parent folder, '{folder}'?" in wrong.stderr, explain(wrong)
