"""#11 guarantee 7: a routine's memory stays bounded whatever the pictures.

A baseline JPEG is decoded at a reduced scale; a progressive JPEG or a PNG must be decoded whole (a
progressive JPEG keeps every coefficient of the full image until its last scan), so one that would
need more than images.MAX_DECODE_BYTES is refused with its place and the fix, before any decoding.
Under 120 MB for baseline JPEGs up to 52 MP and 16 MP 4:2:0 progressive ones; an 18 MP 4:4:4
progressive photo peaks near 150 MB (not met; see benchmarks/bench_memory.py).
"""

from __future__ import annotations

import re

import image_fixtures as fx
import pytest
from conftest import explain, fill_missing_images, run

ROUTINE_LIMIT_KB = 120 * 1024


@pytest.fixture
def clinic_copy(tmp_path):
    root = fx.copy_demo_clinic(tmp_path / "clinic")
    fill_missing_images(root)
    return root


def _picture(root, name: str, size, mode: str, **save) -> None:
    from PIL import Image

    (root / "images" / "big").mkdir(exist_ok=True)
    Image.new(mode, size, (90, 120, 150, 200)[: len(mode)] if mode != "L" else 200).save(
        root / "images" / "big" / name, **save)
    fx.write_exercise(root, name.split(".")[0], [f"images/big/{name}"])


@pytest.mark.parametrize("name, size, mode, save, what", [
    ("progressive.jpg", (8320, 6240), "RGB", {"progressive": True, "quality": 80}, "a progressive JPEG"),
    ("huge.png", (7000, 6000), "RGB", {}, "a PNG picture"),
    ("clear.png", (5000, 4000), "RGBA", {}, "a PNG picture"),
])
def test_a_picture_that_must_be_decoded_whole_and_is_too_large_is_refused_with_the_fix(
        clinic_copy, tmp_path, name, size, mode, save, what):
    _picture(clinic_copy, name, size, mode, **save)
    ident = name.split(".")[0]
    for args in (["check"], ["routine", "--exercise", ident, "-o", tmp_path / "h.pdf"]):
        result = run(args, clinic_copy)
        assert result.exit_code == 65, explain(result)
        assert re.search(rf"content/exercises/{ident}.yaml:\d+:\d+: images\[0\].file: images/big/{name}: image is "
                         rf"{size[0]}x{size[1]} pixels \(\d+ MP\); {what} this large must be decoded whole \(about "
                         r"\d+ MB of memory, the limit is 110 MB\): save it as a standard JPEG, or resize it",
                         result.stderr), result.stderr
    assert not (tmp_path / "h.pdf").exists()


def test_refusal_happens_before_decoding(clinic_copy, tmp_path):
    _picture(clinic_copy, "progressive.jpg", (8320, 6240), "RGB", progressive=True)
    m = fx.measured_cli(["--root", clinic_copy, "routine", "--exercise", "progressive", "-o", tmp_path / "h.pdf"],
                        tmp_path / "cache")
    assert m.code == 65 and m.maxrss_kb < ROUTINE_LIMIT_KB, m


@pytest.mark.parametrize("name, size, mode, save", [
    ("progressive-16mp.jpg", (4608, 3456), "RGB", {"progressive": True}),  # 4:2:0: 48 MB of coefficients
    ("baseline-52mp.jpg", (8320, 6240), "RGB", {}),  # decoded at 1/8 scale
])
def test_large_pictures_within_the_limit_build_under_120_mb(clinic_copy, tmp_path, name, size, mode, save):
    _picture(clinic_copy, name, size, mode, **save)
    out = tmp_path / "h.pdf"
    m = fx.measured_cli(["--root", clinic_copy, "routine", "--exercise", name.split(".")[0], "-o", out],
                        tmp_path / "cache")
    assert m.code == 0, m.stderr
    assert m.maxrss_kb < ROUTINE_LIMIT_KB, f"peak {m.maxrss_kb // 1024} MB"

