"""Catalogue §5 rows 37-40 and 61 (paths), plus §6's path target: at least 40 traversal payloads,
100% refused, and no `open` of anything outside the allowed folders (an audit hook in a fresh
process watches every open the real CLI makes).

Already covered elsewhere (not repeated here): fields.path_problem unit cases
(test_schema.py::test_path_problem_*), symlinks out of the clinic (test_schema.py::
test_symlink_leading_outside_is_refused, test_images.py::test_symlink_to_a_file_outside_the_clinic_is_rejected),
the `..` / absolute / backslash fixtures (tests/fixtures/bad/*-image.yaml), batch file names made
from columns (test_batch.py::test_file_names_are_safe_and_collisions_resolved).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, copy_clinic, explain, fill_missing_images, run
from reliability_support import output_folder, refused, snapshot

EXIT_DATAERR, EXIT_NOINPUT, EXIT_CANTCREAT = 65, 66, 73
COL = len("  - file: ") + 1  # where write_payload_exercise puts each path value


def payloads(root: Path, outside: Path) -> list[str]:
    """Image paths as an author (or an attacker editing content) could write them. `outside` is a
    real file next to the clinic folder, so a path that reached it would find something."""
    up = os.path.relpath(outside, root)  # ../secret.png
    return [
        up, f"images/../{up}", f"images/./../{up}", f"./{up}", f"images//../{up}", f"IMAGES/../{up}",
        "../../etc/passwd", "images/../../../etc/hosts", "../" * 12 + "etc/passwd",
        str(outside), "/etc/passwd", "/etc/hosts", "/proc/self/environ", "/dev/zero", "/dev/stdin", "//srv/share/x.png",
        "~/.ssh/id_rsa", "~root/.bashrc", "~", " /etc/passwd", "/etc/passwd ",
        "C:\\Windows\\win.ini", "C:/Windows/win.ini", "c:secret.png", "\\\\srv\\share\\x.png",
        "\\\\?\\C:\\x.png", "images\\..\\..\\secret.png", "..\\secret.png",
        "images/x.png\x00.jpg", "images/\u202e.png", "images/" + "a" * 4990 + ".png",
        "images/" + "b" * 300 + ".png", "images/missing.png", "file:///etc/passwd", f"file:{up}",
        "https://evil.example/x.png", "%2e%2e/secret.png", "..%2fsecret.png", "images/..\u2215secret.png",
        "\uff0e\uff0e/secret.png", "images/link-out.png", "images/dir-link/secret.png", "images/loop.png",
        "images/fifo.png", "images/folder.png", "images", "images/",
    ]


def write_payload_exercise(root: Path, ident: str, path: str) -> int:
    """content/exercises/IDENT.yaml using `path` as its picture; returns the line of the path."""
    text = ("name: Payload\nposition: standing\nsteps:\n  - Stand tall.\nimages:\n"
            f"  - file: {json.dumps(path)}\n    caption: x\n")
    (root / "content" / "exercises" / f"{ident}.yaml").write_text(text, encoding="utf-8")
    return 6


@pytest.fixture(scope="module")
def traps(clinic, tmp_path_factory):
    """A clinic copy with one exercise per payload, plus the things the payloads aim at: a secret
    file outside the clinic, links out of it, a link loop, a FIFO and a folder named like a picture."""
    base = tmp_path_factory.mktemp("traps")
    secret_dir = base / "outside"
    secret_dir.mkdir()
    secret = base / "secret.png"
    secret.write_bytes(next((clinic / "images").rglob("*.png")).read_bytes())  # a real picture
    (secret_dir / "secret.png").write_bytes(secret.read_bytes())
    root = copy_clinic(clinic, base / "clinic")
    images = root / "images"
    os.symlink(secret, images / "link-out.png")
    os.symlink(secret_dir, images / "dir-link")
    os.symlink("loop.png", images / "loop.png")
    os.mkfifo(images / "fifo.png")
    (images / "folder.png").mkdir()
    cases = {}
    for n, path in enumerate(payloads(root, secret), start=1):
        ident = f"payload-{n:02d}"
        cases[ident] = (path, write_payload_exercise(root, ident, path))
    return root, secret, secret_dir, cases


def test_there_are_at_least_40_payloads(traps):
    assert len(traps[3]) >= 40


def _audited(root: Path, args: list[str], log: Path, cwd: Path, cache: Path):
    """`handouts ARGS` in a fresh process with an audit hook logging every open and process start."""
    script = textwrap.dedent(f"""
        import os, sys
        log = open({str(log)!r}, "w", encoding="utf-8", errors="replace")
        def hook(event, args):
            if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
                log.write("open\\t" + os.fsdecode(args[0]).replace("\\n", "?") + "\\n")
            elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"):
                log.write("spawn\\t" + event + "\\n")
        sys.addaudithook(hook)
        from handouts.cli import main
        try:
            main({["--root", str(root), *args]!r}, prog_name="handouts")
        finally:
            log.flush()
    """)
    env = dict(os.environ, HANDOUTS_CACHE=str(cache))
    env.pop("HANDOUTS_ROOT", None)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def _allowed_roots(root: Path, cache: Path, cwd: Path) -> list[str]:
    import site
    import sysconfig

    import handouts

    roots = {root, cache, cwd, Path(handouts.__file__).parent, Path(sys.prefix), Path(sys.base_prefix),
             Path(sys.exec_prefix)}
    roots |= {Path(p) for p in site.getsitepackages() + [site.getusersitepackages()]}
    roots |= {Path(p) for p in sysconfig.get_paths().values()}
    return sorted({str(p.resolve()) for p in roots})


def test_every_payload_is_refused_and_nothing_outside_is_opened(traps, tmp_path):
    root, secret, secret_dir, cases = traps
    log = tmp_path / "opens.log"
    cache = tmp_path / "cache"
    result = _audited(root, ["check"], log, tmp_path, cache)
    assert result.returncode == EXIT_DATAERR, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    for ident, (path, line) in cases.items():
        hits = [x for x in result.stderr.splitlines() if f"content/exercises/{ident}.yaml:{line}:{COL}: images[0].file: " in x]
        assert len(hits) == 1, f"{path!r} was not refused with its place\n{result.stderr[-3000:]}"
    opened = [line.split("\t", 1)[1] for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("open\t")]
    spawned = [line for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("spawn\t")]
    assert not spawned, spawned
    # reportlab reads its own per-user settings (~/.reportlab_settings, ~/.reportlab_mods) when imported;
    # Babel (dates and plural rules by language, handouts.i18n) reads the system's time zone database.
    home = os.path.expanduser("~")
    allowed = _allowed_roots(root, cache, tmp_path) + ["/dev/null", "/dev/urandom", f"{home}/.reportlab_settings",
                                                       f"{home}/.reportlab_mods", "/etc/localtime",
                                                       "/usr/share/zoneinfo"]
    resolved = {p: os.path.realpath(p if os.path.isabs(p) else os.path.join(tmp_path, p)) for p in opened}
    forbidden = {str(secret), str(secret_dir / "secret.png"), "/etc/passwd", "/etc/hosts", "/proc/self/environ",
                 "/dev/zero", "/dev/stdin", os.path.realpath(root / "images" / "fifo.png")}
    assert not [p for p, real in resolved.items() if real in forbidden or p in forbidden], "a payload was opened"
    outside = sorted({real for real in resolved.values()
                      if not any(real == a or real.startswith(a.rstrip("/") + "/") for a in allowed)})
    assert outside == [], f"opened outside the clinic, cache and Python: {outside}"
    assert len(opened) > 10, "the audit hook saw nothing: the test is not watching"


def test_a_routine_with_a_payload_picture_refuses_before_opening_it(traps, tmp_path):
    """The same through `routine`: exit 65 naming the file and line; the secret is never opened."""
    root, secret, _, cases = traps
    log = tmp_path / "opens.log"
    ident = next(i for i, (p, _) in cases.items() if p.startswith(".."))
    out = tmp_path / "out"
    out.mkdir()
    result = _audited(root, ["routine", "--exercise", ident, "-o", str(out / "h.pdf")], log, tmp_path, tmp_path / "c")
    assert result.returncode == EXIT_DATAERR, result.stderr
    assert f"content/exercises/{ident}.yaml:6:{COL}: images[0].file: path escapes the clinic folder" in result.stderr
    assert str(secret) not in log.read_text(encoding="utf-8")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("field, text, message", [
    ("logo", "logo: ../secret.png", r"content/clinic\.yaml:\d+:7: logo: path escapes the clinic folder"),
    ("fonts", "fonts:\n  regular: /usr/share/fonts/x.ttf",
     r"content/clinic\.yaml:\d+:\d+: fonts\.regular: absolute paths are not allowed"),
    ("fonts", "fonts:\n  regular: fonts/missing.ttf",
     r"content/clinic\.yaml:\d+:\d+: fonts\.regular: file not found: fonts/missing\.ttf"),
])
def test_clinic_logo_and_font_paths_are_checked_like_pictures(clinic_copy, tmp_path, field, text, message):
    clinic_yaml = clinic_copy / "content" / "clinic.yaml"
    lines = clinic_yaml.read_text(encoding="utf-8").splitlines()
    lines = [x for x in lines if not x.startswith(field + ":")] + text.splitlines()
    if field == "fonts":  # drop the demo's own fonts block, if any, with its indented lines
        kept, skip = [], False
        for x in lines[: -len(text.splitlines())]:
            skip = x.startswith("fonts:") or (skip and x.startswith(" "))
            if not skip:
                kept.append(x)
        lines = kept + text.splitlines()
    clinic_yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    result = run(["routine", "--exercise", "bridge", "-o", existing, "--overwrite"], clinic_copy)
    refused(result, EXIT_DATAERR, message, folder, before)


# -- names the file system refuses (found by this suite: they were tracebacks) ------------------------

LONG = "n" * 300  # one path component longer than the 255 bytes Linux allows


@pytest.mark.parametrize("args, code, place", [
    (["routine", "--exercise", "bridge", "-o", LONG + ".pdf"], EXIT_CANTCREAT, r"cannot use n+.*File name too long"),
    (["guide", "back-pain-tips", "--for", "Ann", "-o", LONG + "/x.pdf"], EXIT_CANTCREAT, r"File name too long"),
    (["batch", "guide", "back-pain-tips", "--recipients", "leads.csv", "--out", LONG], EXIT_CANTCREAT,
     r"File name too long"),
    (["routine", LONG + ".yaml"], EXIT_NOINPUT, r"cannot read the visit file \(File name too long\)"),
    (["batch", "guide", "back-pain-tips", "--recipients", LONG + ".csv", "--out", "out"], EXIT_NOINPUT,
     r"cannot read the recipient file \(File name too long\)"),
    (["init", LONG], EXIT_CANTCREAT, r"File name too long"),
], ids=["routine-o", "guide-o", "batch-out", "visit-file", "recipients", "init"])
def test_a_name_too_long_for_the_file_system_is_an_error_not_a_traceback(clinic, tmp_path, monkeypatch, args, code,
                                                                          place):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "leads.csv").write_text("name\nAnn\n", encoding="utf-8")
    before = snapshot(tmp_path)
    refused(run(args, None if args[0] == "init" else clinic), code, place, tmp_path, before)


@pytest.mark.parametrize("how", ["--root", "HANDOUTS_ROOT"])
def test_a_clinic_folder_name_too_long_is_exit_66(tmp_path, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    if how == "--root":
        result = run(["check"], tmp_path / LONG)
    else:
        result = run(["check"], env={"HANDOUTS_ROOT": str(tmp_path / LONG)})
    refused(result, EXIT_NOINPUT, rf"{how}: cannot use .*File name too long")


# -- row 61: patient names never become paths --------------------------------------------------------------

ODD_NAMES = ["../../x", "CON", "NUL.txt", "x" * 200, "Zoë → Ñúñez", "/etc/passwd", "a\\b", ".hidden", "-rf"]


def test_routine_default_name_is_opaque_whatever_the_patient_is_called(clinic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = set()
    for name in ODD_NAMES:
        result = run(["routine", "--exercise", "bridge", "--patient", name, "--date", "2026-11-21"], clinic)
        assert result.exit_code == 0, explain(result)
    for path in tmp_path.rglob("*"):
        made.add(path.relative_to(tmp_path).as_posix())
    assert len(made) == len(ODD_NAMES)
    for name in made:
        assert re.fullmatch(r"handout-2026-11-21-[0-9a-f]{8}\.pdf", name), name


def test_routine_batch_names_are_row_numbers_whatever_the_patient_is_called(clinic, tmp_path):
    import csv

    with open(tmp_path / "patients.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["patient", "date"])
        writer.writerows([name, "2026-11-21"] for name in ODD_NAMES)
    out = tmp_path / "out"
    result = run(["batch", "routine", "--program", "core-activation", "--recipients", tmp_path / "patients.csv",
                  "--out", out, "--jobs", "1"], clinic)
    assert result.exit_code == 0, explain(result)
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == [f"handout-{n:05d}.pdf" for n in range(1, len(ODD_NAMES) + 1)]
    assert all(p.parent == out for p in tmp_path.rglob("*.pdf"))


def test_row_39_a_link_swapped_in_after_the_check_is_caught_when_the_file_is_opened(tmp_path):
    """The content check passes on a real picture; then the picture is replaced by a link to a file
    outside the clinic folder (the race between check and open). The build refuses it, because the
    file actually opened is checked, not the path."""
    from PIL import Image

    from handouts import build
    from handouts.load import folder
    from handouts.errors import ContentError
    from handouts.render.layout import picture_box

    root = copy_clinic(REPO, tmp_path / "clinic")
    fill_missing_images(root)
    library = folder.load_library(root, guides=False)
    secret = tmp_path / "elsewhere" / "other-patient.png"
    secret.parent.mkdir()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(secret)
    pictures = list(library.exercises["bridge"].images)
    target = root / pictures[0].file
    target.unlink()
    target.symlink_to(secret)  # swapped in after load_library checked the path
    with pytest.raises(ContentError) as caught:
        build.prepare_pictures(root, pictures, picture_box(), 200)
    assert "outside the clinic folder" in str(caught.value)
