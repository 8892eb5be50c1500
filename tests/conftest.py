"""Shared fixtures and helpers for the handouts test suite.

Every test that builds works on a copy of the demo clinic in a temporary folder, so nothing is ever
written into the repository. Images that are not (yet) in the repository are replaced by simple
stand-in PNGs, so the suite runs whether or not the real drawings exist.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
EXERCISE_DB = SHARED / "exercise-db"

PATIENT = "Maria Gómez"
THERAPIST_ID = "jordan-lee"
THERAPIST_NAME = "Jordan Lee"
CLINIC_NAME = "Brightwater Physical Therapy"
CLINIC_PHONE = "(503) 555-0142"
DATE = "2026-11-21"
LONG_DATE = "November 21, 2026"


# -- text helpers -----------------------------------------------------------------------------------

# pdfium reads the hyphen drawn where a long word breaks at the end of a line as U+FFFE (page text)
# or U+0002 (bounded text).
_BREAK_HYPHEN = re.compile("[\ufffe\x02]\\s*")


def norm(text: str) -> str:
    """Collapse every run of whitespace (incl. CR/LF and no-break spaces) to one space; a word
    hyphenated at a line end is read whole."""
    return " ".join(_BREAK_HYPHEN.sub("", text).split())


def squash(text: str) -> str:
    """Remove all whitespace: robust against line wrapping anywhere, even inside a word."""
    return "".join(_BREAK_HYPHEN.sub("", text).split())


# -- stand-in images ------------------------------------------------------------------------------

def _usable_image(path: Path) -> bool:
    """True when `path` is a complete, decodable image (a file being drawn right now may be half written)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.load()
        return True
    except Exception:
        return False


def make_stand_in(path: Path, logo: bool = False) -> None:
    """A simple, deterministic picture: 720x480 RGB for exercises, an RGBA logo with transparency."""
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    seed = hashlib.sha256(path.name.encode()).digest()
    if logo:
        im = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
        draw = ImageDraw.Draw(im)
        draw.ellipse((10, 10, 190, 190), fill=(31, 111, 139, 255))
        draw.rectangle((220, 70, 580, 130), fill=(242, 158, 76, 255))
    else:
        im = Image.new("RGB", (720, 480), (255, 255, 255))
        draw = ImageDraw.Draw(im)
        x = 60 + seed[0] % 300
        draw.rectangle((x, 220, x + 320, 270), fill=(31, 111, 139))
        draw.ellipse((x - 60, 170, x + 20, 250), fill=(242, 158, 76))
        draw.line((40, 300, 680, 300), fill=(30, 42, 50), width=6)
    im.save(path, "PNG")


IMAGE_PATH = re.compile(r"^images/[^\\]+\.(png|jpe?g|webp|gif)$", re.IGNORECASE)


def referenced_images(root: Path) -> list[tuple[str, bool]]:
    """(path, is_logo) for every picture named anywhere in the content of `root` (read with plain PyYAML).

    Any string value that looks like `images/....png` counts, whatever its key, so new kinds of
    content (guides, covers, photos) are covered without changing this helper.
    """
    found: dict[str, bool] = {}

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and IMAGE_PATH.match(node.strip()):
            found[node.strip()] = key == "logo" or "logo" in node

    for f in sorted((root / "content").rglob("*.y*ml")):
        try:
            walk(yaml.safe_load(f.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            continue  # another engineer may be half way through editing it
    return sorted(found.items())


def fill_missing_images(root: Path) -> list[str]:
    """Create stand-ins for referenced pictures that are missing or unreadable; return their paths."""
    made = []
    for rel, is_logo in referenced_images(root):
        target = root / rel
        if not _usable_image(target):
            if target.exists():
                target.unlink()
            make_stand_in(target, logo=is_logo)
            made.append(rel)
    return made


def copy_clinic(source: Path, target: Path) -> Path:
    for part in ("content", "images"):
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
    return target


# -- CLI helpers ------------------------------------------------------------------------------------

def run(args, root: Path | None = None, env: dict | None = None, input: str | None = None):
    """Run the CLI in-process. `result.stderr` is separate; `result.output` holds both streams.

    A Python exception escaping the CLI (a bug: users must never see a traceback) is kept as
    `result.traceback_text` so assertion messages can show it.
    """
    from handouts.cli import main

    argv = (["--root", str(root)] if root is not None else []) + [str(a) for a in args]
    result = CliRunner().invoke(main, argv, env=env, input=input)
    result.traceback_text = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        result.traceback_text = "".join(traceback.format_exception(*result.exc_info))
    return result


def explain(result) -> str:
    """Everything useful about a CliRunner result, for assertion messages."""
    return (f"exit code {result.exit_code}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
            f"\n--- exception ---\n{result.traceback_text}")


def assert_no_crash(result) -> None:
    """The CLI handled the situation itself: no escaped exception, no traceback text, no exit code 1."""
    assert not result.traceback_text, explain(result)
    assert "Traceback" not in result.output, explain(result)
    assert result.exit_code != 1, explain(result)


def run_module(args, env_extra: dict | None = None, cwd: Path | None = None, timeout: float = 60):
    """`python -m handouts ARGS` in a fresh process."""
    env = dict(os.environ)
    env.pop("HANDOUTS_ROOT", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "handouts", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


# -- PDF helpers ------------------------------------------------------------------------------------

class PdfFacts:
    """What the tests need from a PDF, read once with pypdfium2 and pypdf."""

    def __init__(self, data: bytes):
        import io

        import pypdf
        import pypdfium2 as pdfium

        self.data = data
        self.texts: list[str] = []
        self.sizes: list[tuple[float, float]] = []
        self.images: list[int] = []  # image objects drawn per page
        self.outside: list[tuple[int, str, tuple]] = []  # (page, char, box) of characters off the page
        pdf = pdfium.PdfDocument(data)
        try:
            for index in range(len(pdf)):
                page = pdf[index]
                width, height = page.get_size()
                self.sizes.append((width, height))
                textpage = page.get_textpage()
                count = textpage.count_chars()
                self.texts.append(textpage.get_text_range())
                for i in range(count):
                    left, bottom, right, top = textpage.get_charbox(i)
                    if left < -0.01 or bottom < -0.01 or right > width + 0.01 or top > height + 0.01:
                        self.outside.append((index + 1, textpage.get_text_range(i, 1), (left, bottom, right, top)))
                self.images.append(sum(1 for _ in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE],
                                                                   max_depth=8)))
                textpage.close()
                page.close()
        finally:
            pdf.close()
        reader = pypdf.PdfReader(io.BytesIO(data))
        self.metadata = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
        self.xmp = reader.xmp_metadata

    @property
    def pages(self) -> int:
        return len(self.texts)

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)

    @property
    def body_text(self) -> str:
        """The text between the branded header and footer of every page, pages joined: a block that
        continues on the next page reads as one piece, without the page furniture in between."""
        from handouts.render.layout import FOOTER_HEIGHT, HEADER_HEIGHT

        margin = 36.0  # theme.margin: 0.5 in
        parts = []
        for index, (width, height) in enumerate(self.sizes):
            parts.append(self.bounded_text(index, 0, margin + FOOTER_HEIGHT, width, height - margin - HEADER_HEIGHT))
        return "\n".join(parts)

    def bounded_text(self, page: int, left: float, bottom: float, right: float, top: float) -> str:
        """Text inside a rectangle of one page (0-based index), e.g. one column of a table."""
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(self.data)
        try:
            textpage = pdf[page].get_textpage()
            return textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=top)
        finally:
            pdf.close()


def pdf_facts(source) -> PdfFacts:
    data = source.read_bytes() if isinstance(source, Path) else source
    return PdfFacts(data)


# -- fixtures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """One image cache for the whole session (never ~/.cache); also set for session-scoped builds."""
    path = tmp_path_factory.mktemp("image-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("HANDOUTS_CACHE", str(path))
    mp.delenv("HANDOUTS_ROOT", raising=False)
    yield path
    mp.undo()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, cache_dir):
    monkeypatch.setenv("HANDOUTS_CACHE", str(cache_dir))
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)


@pytest.fixture(scope="session")
def clinic(tmp_path_factory, cache_dir) -> Path:
    """A session-wide copy of the demo clinic (content/ + images/). Treat as read-only."""
    root = copy_clinic(REPO, tmp_path_factory.mktemp("demo") / "clinic")
    fill_missing_images(root)
    return root


@pytest.fixture
def clinic_copy(clinic, tmp_path) -> Path:
    """A private copy of the demo clinic that a test may change."""
    return copy_clinic(clinic, tmp_path / "clinic")


@pytest.fixture(scope="session")
def library(clinic):
    from handouts.load.folder import load_library

    return load_library(clinic)


@pytest.fixture(scope="session")
def exercise_db() -> Path:
    if not (EXERCISE_DB / "exercises.json").is_file():
        pytest.skip("../shared/exercise-db is not available")
    return EXERCISE_DB


# -- opt-in long runs ---------------------------------------------------------------------------------------
# Fuzzing (tests/test_reliability_fuzz.py): CI runs a short, derandomized set; the long run (20,000
# content examples) is `pytest --hypothesis-profile=long` or HANDOUTS_FUZZ=long. Tests with an explicit
# max_examples (test_text_property.py, test_images.py) keep theirs under either profile.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("long", max_examples=20_000, deadline=None, database=None)
if os.environ.get("HANDOUTS_FUZZ") == "long":
    _hypothesis_settings.load_profile("long")


def pytest_collection_modifyitems(config, items):
    """Tests marked `slow` (e.g. the 100-kill run) are skipped unless HANDOUTS_SLOW=1."""
    if os.environ.get("HANDOUTS_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: set HANDOUTS_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
