"""Catalogue §5 rows 22 and 27-36 (images), and §6's image-corpus target.

Already covered in test_images.py (referenced, not repeated): every bad kind fails fast with one
line naming the file and the YAML place and writes nothing (rows 27 bomb, 28 over 52 MP, 29 forged
SOF, 30 truncated, 31 empty/text/SVG/EPS: test_bad_image_fails_fast_*, memory-bounded in a fresh
process: test_bad_image_memory_bounded_*, messages: test_bad_image_messages_say_what_is_wrong, EPS
never reaches Ghostscript: test_eps_never_reaches_ghostscript), 32 EXIF orientation
(test_exif_orientation_ends_upright), 33 transparency (test_transparent_logo_prints_white), 34 CMYK
and 16-bit (test_cmyk_and_16_bit_grey_print_with_the_right_colours), 35 animation
(test_animated_image_uses_first_frame_and_warns_on_every_build), 36 EXIF/GPS
(test_prepared_image_carries_no_exif, test_phone_photos_print_small_sharp_upright_and_clean), and a
hypothesis fuzz of damaged files (test_damaged_files_raise_image_problem_or_work).

This module adds: the "nothing existing overwritten" half of the contract for every bad kind; a
100 MP image in Pillow's warning zone; HEIC and float TIFF; a 4000x12000 picture scaled into its
box; and a corpus of at least 300 damaged real photos (§6) in a memory-limited process.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import copy_clinic, explain, pdf_facts, run
from reliability_support import output_folder, refused, snapshot

sys.path.insert(0, str(Path(__file__).resolve().parent))
import image_fixtures as fx  # noqa: E402

EXIT_DATAERR = 65
EXERCISE_DB_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "exercise-db" / "images"
NOT_SUPPORTED = "not a supported image (allowed: PNG, JPEG, WebP, GIF)"


@pytest.fixture(scope="module")
def bad_clinic(clinic, tmp_path_factory):
    """The demo clinic + one exercise per kind of unusable picture (test_images' kinds and more)."""
    from PIL import Image

    root = copy_clinic(clinic, tmp_path_factory.mktemp("bad-images") / "clinic")
    folder = root / "images" / "bad"
    made = fx.bad_files(folder)
    made["100-mp"] = folder / "hundred-mp.png"  # in Pillow's own warning zone (89-179 MP), far above ours
    Image.new("1", (10000, 10000)).save(made["100-mp"], "PNG")
    made["heic"] = folder / "phone.heic"
    made["heic"].write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200))
    made["float-tiff"] = folder / "depth.tif"
    Image.new("F", (60, 40), 0.5).save(made["float-tiff"], "TIFF")
    cases = {}
    for kind, path in made.items():
        rel = path.relative_to(root).as_posix()
        (line, col), = fx.write_exercise(root, f"bad-{kind}", [rel]).values()
        cases[kind] = (rel, line, col)
    return root, cases


KINDS = ["bomb", "forged-sof", "over-limit", "100-mp", "oversize-file", "truncated-jpeg", "truncated-png",
         "corrupt-png", "empty", "text-as-png", "svg", "eps", "eps-as-png", "heic", "float-tiff"]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_picture_leaves_the_existing_handout_untouched(bad_clinic, tmp_path, kind):
    root, cases = bad_clinic
    rel, line, col = cases[kind]
    folder, existing = output_folder(tmp_path)
    before = snapshot(folder)
    result = run(["routine", "--exercise", f"bad-{kind}", "-o", existing, "--overwrite"], root,
                 env={"HANDOUTS_CACHE": str(tmp_path / "cache")})
    refused(result, EXIT_DATAERR,
            rf"^error: content/exercises/bad-{re.escape(kind)}\.yaml:{line}:{col}: images\[0\]\.file: {re.escape(rel)}: ",
            folder, before)


@pytest.mark.parametrize("kind, words", [("100-mp", "too many pixels"), ("heic", NOT_SUPPORTED),
                                         ("float-tiff", NOT_SUPPORTED)])
def test_rows_28_31_34_messages(bad_clinic, tmp_path, kind, words):
    root, cases = bad_clinic
    result = run(["routine", "--exercise", f"bad-{kind}", "-o", tmp_path / "h.pdf"], root,
                 env={"HANDOUTS_CACHE": str(tmp_path / "cache")})
    assert result.exit_code == EXIT_DATAERR and words in result.stderr, explain(result)


def test_row_28_pillow_warning_is_never_ignored_in_a_process_that_makes_it_an_error(bad_clinic, tmp_path):
    """With -W error::DecompressionBombWarning (Pillow's own fuzzer setting) the 100 MP file is still
    a clean exit 65, never a traceback."""
    root, cases = bad_clinic
    env = {"HANDOUTS_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-W", "error::PIL.Image.DecompressionBombWarning", "-m", "handouts",
                           "--root", str(root), "routine", "--exercise", "bad-100-mp", "-o", str(tmp_path / "h.pdf")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == EXIT_DATAERR and "Traceback" not in proc.stderr, proc.stderr
    assert "too many pixels" in proc.stderr


@pytest.mark.parametrize("size", [(4000, 12000), (3000, 9000)], ids=["48-mp", "27-mp"])
def test_row_22_a_very_tall_picture_is_scaled_into_its_box_with_its_aspect(clinic_copy, tmp_path, size):
    """A 1:3 picture, up to 48 MP (as large as a current phone camera's photos; the limit is 52 MP), is
    fitted into the card's picture box with its aspect kept, and the card stays on one page."""
    from PIL import Image, ImageDraw

    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] - 1, size[1] - 1), outline=0, width=40)
    im.save(clinic_copy / "images" / "tall.png", compress_level=1)
    fx.write_exercise(clinic_copy, "tall", ["images/tall.png", "images/tall.png"])
    result = run(["routine", "--exercise", "tall", "--date", "2026-11-21", "-o", tmp_path / "h.pdf"], clinic_copy)
    assert result.exit_code == 0, explain(result)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(tmp_path / "h.pdf")
    try:
        boxes = []
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
                left, bottom, right, top = obj.get_bounds()
                boxes.append((index, left, bottom, right, top, width, height))
    finally:
        pdf.close()
    pictures = [b for b in boxes if (b[4] - b[2]) > 1.5 * (b[3] - b[1])]  # the tall ones (not the logos)
    assert len(pictures) == 2, boxes
    for _, left, bottom, right, top, width, height in pictures:
        assert 0 <= left and right <= width and 0 <= bottom and top <= height
        assert (top - bottom) <= 90.5 and (right - left) <= 135.5, "not fitted into the card's picture box"
        assert abs((right - left) / (top - bottom) - 1 / 3) < 0.02, "aspect ratio not kept"
    assert pdf_facts(tmp_path / "h.pdf").pages == 1  # front matter and the one card, as for any small card


# -- §6: a corpus of damaged real photos -----------------------------------------------------------------------

CORPUS_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time, warnings
    from pathlib import Path
    from handouts import images
    sources, folder, limit = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    files = sorted(p for p in Path(sources).rglob("*") if p.is_file())[:limit]
    stats = {"files": 0, "refused": 0, "usable": 0, "slowest": 0.0, "other": []}

    def forge(data, w, h):
        for i in range(len(data) - 9):
            if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC1, 0xC2):
                return data[:i + 5] + h.to_bytes(2, "big") + w.to_bytes(2, "big") + data[i + 9:]
        return data[:20]

    for source in files:
        data = source.read_bytes()
        variants = [data[: len(data) * k // 11] for k in range(1, 11)]  # cut at 10 offsets
        variants += [forge(data, 60000, 60000), forge(data, 0, 0), data[:2] + bytes(len(data) - 2)]
        for n, blob in enumerate(variants):
            path = folder / f"{source.parent.name}-{source.stem}-{n}.jpg"
            path.write_bytes(blob)
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    images.prepare(path, 135.0, 90.0, folder=folder / "cache")
                stats["usable"] += 1
            except images.ImageProblem:
                stats["refused"] += 1
            except BaseException as exc:
                stats["other"].append(f"{path.name}: {type(exc).__name__}")
            stats["slowest"] = max(stats["slowest"], time.perf_counter() - start)
            stats["files"] += 1
    # VmHWM, not getrusage: Linux keeps ru_maxrss across exec, so a child of a big pytest process
    # would report its parent's peak.
    hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    stats["max_rss_mb"] = int(hwm.split()[1]) / 1024
    print(json.dumps(stats))
""")


def run_corpus(tmp_path: Path, sources: int) -> dict:
    if not EXERCISE_DB_IMAGES.is_dir():
        pytest.skip("../shared/exercise-db/images is not available")
    proc = subprocess.run([sys.executable, "-c", CORPUS_SCRIPT, str(EXERCISE_DB_IMAGES), str(tmp_path), str(sources)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_corpus_of_damaged_photos_gives_no_traceback_no_slow_file_and_little_memory(tmp_path):
    """§6: at least 300 bad files: every photo of the exercise database (126) cut at 10 offsets, with
    forged 60000x60000 and 0x0 headers, and zeroed (1,638 files): only ImageProblem or a usable
    picture, none slower than 5 s, peak memory of the whole run under 512 MB (in a 1 GiB address
    space). About 3 s."""
    stats = run_corpus(tmp_path, sources=10_000)
    assert stats["files"] >= 300, stats
    assert stats["other"] == [], stats["other"]
    assert stats["slowest"] < 5.0, stats
    assert stats["max_rss_mb"] < 512, stats
    assert stats["refused"] > stats["files"] // 2, stats
