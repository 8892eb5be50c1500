"""The image pipeline (handouts/images.py and its use by `routine` and `check`), end to end.

Every picture is generated at test time by tests/image_fixtures.py; nothing binary is committed.
Each test works in its own clinic copy (or a read-only session one) with HANDOUTS_CACHE in a temp
folder. Outputs are judged by their pixels (pypdfium2 rasters) and bytes (pypdf streams), never by
trusting what the code under test says about itself.

Acceptance points of the image issue, by test:
  1 phone photos: test_phone_photos_*           5 warm cache / memory: test_warm_build_*, test_first_build_*
  2 transparency: test_transparent_logo_*       6 exercise-db: test_exercise_db_*
  3 CMYK / 16-bit: test_cmyk_and_16_bit_*       7 low-dpi warning: test_check_warns_*
  4 bad files: test_bad_image_*                 8 catalogue rows 27-36 and extras: the rest
"""

from __future__ import annotations

import hashlib
import io
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import image_fixtures as fx  # noqa: E402

EXERCISE_DB_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "exercise-db" / "images"
EXIT_DATAERR = 65
BOX = (135.0, 90.0)  # the card picture box, points (handouts/render/layout.py)
DPI = 200
MAX_BOX_PX = (round(BOX[0] / 72 * DPI) + 1, round(BOX[1] / 72 * DPI) + 1)  # 376 x 251 with the 1 px slack


# -- helpers -----------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Never the user's cache, never a clinic from the environment (self-contained: conftest may change)."""
    monkeypatch.setenv("HANDOUTS_CACHE", str(tmp_path / "handouts-cache"))
    monkeypatch.delenv("HANDOUTS_ROOT", raising=False)


def cli(root: Path, *args, cache: Path):
    """The CLI in-process; returns (result, seconds)."""
    from click.testing import CliRunner

    from handouts.cli import main

    start = time.perf_counter()
    result = CliRunner().invoke(main, ["--root", str(root), *map(str, args)],
                                env={"HANDOUTS_CACHE": str(cache), "HANDOUTS_ROOT": None})
    elapsed = time.perf_counter() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        pytest.fail("the CLI raised:\n" + "".join(traceback.format_exception(*result.exc_info)))
    return result, elapsed


def show(result) -> str:
    return f"exit {result.exit_code}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"


@dataclass(frozen=True)
class Placed:
    page: int
    bounds: tuple[float, float, float, float]  # left, bottom, right, top in points
    px: tuple[int, int]
    page_size: tuple[float, float]

    @property
    def drawn(self) -> tuple[float, float]:
        return self.bounds[2] - self.bounds[0], self.bounds[3] - self.bounds[1]

    @property
    def in_header(self) -> bool:
        # The logo sits in the page header (top margin + header band); card pictures are below it.
        return self.bounds[1] > self.page_size[1] - 120


def placed_images(pdf: bytes) -> list[Placed]:
    """Every image drawn in the PDF, in reading order (page, top to bottom, left to right)."""
    import pypdfium2 as pdfium

    out = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            page = doc[index]
            size = page.get_size()
            for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=8):
                out.append(Placed(index, tuple(obj.get_bounds()), tuple(obj.get_px_size()), size))
    finally:
        doc.close()
    # Pictures in one row are centred on the same line, whatever their heights.
    return sorted(out, key=lambda p: (p.page, -round((p.bounds[1] + p.bounds[3]) / 2), p.bounds[0]))


def card_pictures(pdf: bytes) -> list[Placed]:
    return [p for p in placed_images(pdf) if not p.in_header]


def render(pdf: bytes, page: int, scale: float):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page].render(scale=scale).to_pil().convert("RGB")
    finally:
        doc.close()


def region(raster, placed: Placed, scale: float, inset: float = 1.5):
    """The raster pixels where `placed` was drawn, `inset` raster pixels in from its edges."""
    left, bottom, right, top = placed.bounds
    height = placed.page_size[1]
    box = (round(left * scale + inset), round((height - top) * scale + inset),
           round(right * scale - inset), round((height - bottom) * scale - inset))
    return raster.crop(box)


def is_red(p):
    return p[0] > 150 and p[1] < 100 and p[2] < 100


def is_blue(p):
    return p[2] > 150 and p[0] < 100 and p[1] < 120


def is_green(p):
    return p[1] > 120 and p[0] < 100 and p[2] < 120


def centroid(im, test) -> tuple[float, float, float]:
    """(x, y, share of pixels) of the pixels passing `test`, x and y as fractions of the size."""
    w, h = im.size
    sx = sy = n = 0
    pixels = im.get_flattened_data() if hasattr(im, "get_flattened_data") else im.getdata()
    for i, p in enumerate(pixels):
        if test(p):
            sx += i % w
            sy += i // w
            n += 1
    if not n:
        return float("nan"), float("nan"), 0.0
    return sx / n / w, sy / n / h, n / (w * h)


def assert_upright(im, label: str) -> None:
    """Red bar at the top, blue bar at the bottom, green block at the left: the picture is upright
    and not mirrored (see image_fixtures.draw_markers)."""
    im = im.convert("RGB")
    rx, ry, rn = centroid(im, is_red)
    bx, by, bn = centroid(im, is_blue)
    gx, gy, gn = centroid(im, is_green)
    where = (f"{label}: red at ({rx:.2f},{ry:.2f}) {rn:.1%}, blue at ({bx:.2f},{by:.2f}) {bn:.1%}, "
             f"green at ({gx:.2f},{gy:.2f}) {gn:.1%}, size {im.size}")
    assert im.size[0] > im.size[1], "landscape scene printed portrait: " + where
    assert rn > 0.05 and bn > 0.05 and gn > 0.005, "markers missing: " + where
    assert ry < 0.2 and by > 0.8, "not upright (red must be on top, blue at the bottom): " + where
    assert 0.35 < rx < 0.65 and 0.35 < bx < 0.65, "bars are not horizontal: " + where
    assert gx < 0.2 and 0.3 < gy < 0.7, "mirrored (green must be at the left): " + where


def mean_rgb(im) -> tuple[float, float, float]:
    from PIL import ImageStat

    return tuple(ImageStat.Stat(im.convert("RGB")).mean)


def assert_colour(im, expected, tolerance: int, label: str) -> None:
    """The mean colour, and every pixel, within `tolerance` per channel of `expected`."""
    mean = mean_rgb(im)
    assert all(abs(m - e) <= tolerance for m, e in zip(mean, expected)), \
        f"{label}: mean colour {tuple(round(m) for m in mean)}, expected {expected} +-{tolerance}"
    extrema = im.convert("RGB").getextrema()
    for (low, high), e, channel in zip(extrema, expected, "RGB"):
        assert e - tolerance <= low and high <= e + tolerance, \
            f"{label}: channel {channel} spans {low}..{high}, expected {e} +-{tolerance}"


def image_xobjects(pdf: bytes) -> list[tuple[str, object]]:
    """(name, stream) of every image XObject, including those inside form XObjects."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    out, seen = [], set()

    def walk(resources):
        if not resources or "/XObject" not in resources:
            return
        for name, ref in resources["/XObject"].items():
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                out.append((name, obj))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return out


def decoded_streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, raw and decoded where pypdf can (so compressed metadata is seen too)."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
    numbers |= {(num, 0) for num in reader.xref_objStm}
    out = []
    for num, gen in sorted(numbers):
        obj = reader.get_object(pypdf.generic.IndirectObject(num, gen, reader))
        if isinstance(obj, pypdf.generic.StreamObject):
            out.append(obj._data)
            try:
                out.append(obj.get_data())
            except Exception:  # noqa: BLE001 - a filter pypdf cannot undo (DCT): the raw bytes are kept
                pass
    assert out, "no streams found"
    return out


def assert_no_exif_in_pdf(pdf: bytes) -> None:
    """No EXIF, maker or GPS data anywhere: whole file, every stream decoded, every image stream."""
    for needle in (b"Exif", fx.MAKE.encode(), fx.MODEL.encode()):
        assert needle not in pdf, f"{needle!r} in the PDF bytes"
    for data in decoded_streams(pdf):
        for needle in (b"Exif", fx.MAKE.encode(), fx.MODEL.encode()):
            assert needle not in data, f"{needle!r} in a PDF stream"
    images = image_xobjects(pdf)
    assert images, "no image XObjects found"
    for name, obj in images:
        raw = obj._data
        assert b"Exif" not in raw and b"GPS" not in raw and fx.MAKE.encode() not in raw, name
        if raw[:2] == b"\xff\xd8":  # a JPEG stream: no APP1 (EXIF/XMP) segment at all
            markers = [m for m, _, _ in fx.jpeg_segments(raw)]
            assert 0xE1 not in markers, f"{name}: JPEG stream keeps an APP1 (EXIF) segment"


# -- session fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def phone_clinic(tmp_path_factory):
    """The demo clinic + 8 exercises x 2 phone photos (4032x3024, ~3 MB, half EXIF-6 with GPS).
    Made once per session; read-only for tests."""
    root, shots = fx.phone_clinic(tmp_path_factory.mktemp("phone") / "clinic")
    return root, shots


@dataclass
class PhoneBuilds:
    cold: list  # fx.Measured, each with an empty cache
    warm: list  # fx.Measured, each the second build with that cache
    pdfs_cold: list
    pdfs_warm: list


@pytest.fixture(scope="session")
def phone_builds(phone_clinic, tmp_path_factory) -> PhoneBuilds:
    """The phone-photo handout built through the CLI in fresh processes: three times with an empty
    cache, each followed by a second build with that (now warm) cache."""
    root, _ = phone_clinic
    work = tmp_path_factory.mktemp("phone-builds")
    builds = PhoneBuilds([], [], [], [])
    for n in range(3):
        cache = work / f"cache-{n}"
        for kind, runs, pdfs in (("cold", builds.cold, builds.pdfs_cold), ("warm", builds.warm, builds.pdfs_warm)):
            out = work / f"{kind}-{n}.pdf"
            m = fx.measured_cli(["--root", root, "routine", "--program", fx.PHONE_PROGRAM, "-o", out], cache)
            assert m.code == 0, f"{kind} build failed: exit {m.code}\n{m.stdout}\n{m.stderr}"
            runs.append(m)
            pdfs.append(out.read_bytes())
    return builds


@dataclass(frozen=True)
class BadCase:
    kind: str
    ident: str  # exercise id
    rel: str  # image path as written in the YAML
    line: int
    col: int


@pytest.fixture(scope="session")
def bad_clinic(tmp_path_factory):
    """The demo clinic + one exercise per kind of unusable picture."""
    root = fx.copy_demo_clinic(tmp_path_factory.mktemp("bad") / "clinic")
    cases = {}
    for kind, path in fx.bad_files(root / "images" / "bad").items():
        rel = path.relative_to(root).as_posix()
        ident = f"bad-{kind}"
        (line, col), = fx.write_exercise(root, ident, [rel]).values()
        cases[kind] = BadCase(kind, ident, rel, line, col)
    return root, cases


BAD_KINDS = ["bomb", "forged-sof", "over-limit", "oversize-file", "truncated-jpeg", "truncated-png", "corrupt-png",
             "empty", "text-as-png", "svg", "eps", "eps-as-png"]


# -- 1. phone photos -------------------------------------------------------------------------------------

def test_phone_photo_fixtures_are_realistic(phone_clinic):
    """The inputs are what the issue describes: 16 phone JPEGs of 2-4 MB, half sideways with EXIF 6 + GPS."""
    from PIL import Image

    _, shots = phone_clinic
    assert len(shots) == 16
    for shot in shots:
        size = shot.path.stat().st_size
        assert 2_000_000 <= size <= 4_000_000, f"{shot.path.name}: {size} bytes"
        with Image.open(shot.path) as im:
            exif = im.getexif()
            assert im.format == "JPEG" and exif.get(0x010F) == fx.MAKE
            assert exif.get(0x0112, 1) == shot.orientation
            stored = im.size
        if shot.orientation == 6:
            assert stored == (3024, 4032) and exif.get_ifd(0x8825).get(2) == fx.GPS_LATITUDE
        else:
            assert stored == (4032, 3024)
    assert sum(s.orientation == 6 for s in shots) == 8


def test_phone_photos_print_small_sharp_upright_and_clean(phone_clinic, phone_builds):
    _, shots = phone_clinic
    pdf = phone_builds.pdfs_cold[0]
    given = sum(s.path.stat().st_size for s in shots)

    # Small: at most 600 KB, and at least 15x smaller than the photos as given.
    assert len(pdf) <= 600_000, f"PDF is {len(pdf)} bytes"
    assert given / len(pdf) >= 15, f"only {given / len(pdf):.1f}x smaller than the photos as given ({given} bytes)"

    # Sharp at print size: every photo embedded at about 200 dpi of the size it is drawn at.
    pictures = card_pictures(pdf)
    assert len(pictures) == 16, [p.px for p in pictures]
    for p in pictures:
        w_pt, h_pt = p.drawn
        dpi_x, dpi_y = p.px[0] / (w_pt / 72), p.px[1] / (h_pt / 72)
        assert 190 <= dpi_x <= 210 and 190 <= dpi_y <= 210, f"page {p.page + 1}: {p.px} px drawn {w_pt:.1f}x" \
                                                              f"{h_pt:.1f} pt = {dpi_x:.0f}x{dpi_y:.0f} dpi"
        assert w_pt <= BOX[0] + 0.5 and h_pt <= BOX[1] + 0.5

    # Upright, judged by pixels: red bar on top, blue at the bottom, green at the left of each photo.
    scale = 1.5
    rasters = {}
    for n, p in enumerate(pictures):
        if p.page not in rasters:
            rasters[p.page] = render(pdf, p.page, scale)
        assert_upright(region(rasters[p.page], p, scale), f"photo {n + 1} (page {p.page + 1})")

    # No EXIF, maker or GPS data in the PDF.
    assert_no_exif_in_pdf(pdf)


def test_warm_build_output_is_identical(phone_builds):
    """A cached picture is the same picture: the warm build writes the same bytes as the cold one."""
    assert phone_builds.pdfs_warm[0] == phone_builds.pdfs_cold[0]
    assert len(set(phone_builds.pdfs_cold + phone_builds.pdfs_warm)) == 1


# -- 5. warm cache, memory --------------------------------------------------------------------------------

def test_warm_build_is_at_least_3x_faster(phone_builds):
    # CPU seconds of each build process: wall-clock ratios swing with other load on a shared machine.
    cold = statistics.median(m.cpu_s for m in phone_builds.cold)
    warm = statistics.median(m.cpu_s for m in phone_builds.warm)
    detail = (f"first builds {[round(m.cpu_s, 3) for m in phone_builds.cold]} CPU s, "
              f"second builds {[round(m.cpu_s, 3) for m in phone_builds.warm]} CPU s, ratio {cold / warm:.2f}")
    print(detail)
    assert cold / warm >= 3.0, detail


def test_warm_cache_never_decodes_again(phone_clinic, tmp_path, monkeypatch):
    """The cache, measured without process start-up: preparing the 16 photos again reads the cache
    (the decoder is never called) and takes a fraction of the first time."""
    from PIL import ImageFile

    from handouts import images

    _, shots = phone_clinic
    folder = tmp_path / "cache"
    start = time.perf_counter()
    first = [images.prepare(s.path, *BOX, folder=folder) for s in shots]
    cold = time.perf_counter() - start

    def no_decode(*args, **kwargs):
        raise AssertionError("a cached picture was decoded again")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decode)  # Pillow's one way to decode pixel data
    start = time.perf_counter()
    again = [images.prepare(s.path, *BOX, folder=folder) for s in shots]
    warm = time.perf_counter() - start
    assert again == first
    assert len({p.path for p in first}) == 16
    assert warm * 5 <= cold, f"image stage: first {cold:.3f} s, warm {warm:.3f} s"


def test_first_build_peak_memory_under_100_mb(phone_builds):
    for m in phone_builds.cold:
        assert 0 < m.maxrss_kb < 100 * 1024, f"peak RSS (ru_maxrss) {m.maxrss_kb} KiB"
        if m.vmhwm_kb > 0:
            assert m.vmhwm_kb < 100 * 1024, f"peak RSS (VmHWM) {m.vmhwm_kb} KiB"


# -- 2. transparency -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(fx.LOGO_KINDS))
def test_transparent_logo_prints_white(kind, tmp_path):
    from PIL import Image

    root = fx.copy_demo_clinic(tmp_path / "clinic")
    logo = root / "images" / "clinic" / "logo.png"  # the path clinic.yaml names
    disc = fx.LOGO_KINDS[kind]
    fx.transparent_logo(logo, kind)
    with Image.open(logo) as im:
        assert im.mode == "RGBA" or "transparency" in im.info, "fixture lost its transparency"
    out = tmp_path / "out.pdf"
    result, _ = cli(root, "routine", "--exercise", "bridge", "-o", out, cache=tmp_path / "cache")
    assert result.exit_code == 0, show(result)
    pdf = out.read_bytes()
    logos = [p for p in placed_images(pdf) if p.in_header and p.page == 0]
    assert len(logos) == 1, logos
    scale = 4
    im = region(render(pdf, 0, scale), logos[0], scale, inset=2)
    w, h = im.size
    assert w > 2.2 * h, f"logo drawn {im.size}: aspect lost"
    # The disc is centred and as tall as the logo: the outer 20% at each side is background.
    for side, box in (("left", (0, 0, int(w * 0.2), h)), ("right", (int(w * 0.8), 0, w, h))):
        low = min(lo for lo, _ in im.crop(box).getextrema())
        assert low >= 245, f"{kind} logo: transparent {side} part printed as {low} (expected white >= 245)"
    assert_colour(im.crop((int(w * 0.45), int(h * 0.35), int(w * 0.55), int(h * 0.65))), disc, 25, f"{kind} disc")


# -- 3. CMYK JPEG and 16-bit grey PNG ------------------------------------------------------------------

def test_cmyk_and_16_bit_grey_print_with_the_right_colours(tmp_path):
    from PIL import Image

    root = fx.copy_demo_clinic(tmp_path / "clinic")
    folder = root / "images" / "odd"
    folder.mkdir()
    cmyk = fx.cmyk_jpeg(folder / "cmyk.jpg")
    grey = fx.grey16_png(folder / "grey16.png")
    with Image.open(cmyk) as im:
        assert im.mode == "CMYK"
    with Image.open(grey) as im:
        assert im.mode == "I;16"
    fx.write_exercise(root, "odd-formats", ["images/odd/cmyk.jpg", "images/odd/grey16.png"])
    out = tmp_path / "out.pdf"
    result, _ = cli(root, "routine", "--exercise", "odd-formats", "-o", out, cache=tmp_path / "cache")
    assert result.exit_code == 0, show(result)
    pdf = out.read_bytes()

    for name, obj in image_xobjects(pdf):
        assert obj.get("/ColorSpace") in ("/DeviceRGB", "/DeviceGray"), f"{name}: {obj.get('/ColorSpace')}"
    pictures = card_pictures(pdf)
    assert len(pictures) == 2
    scale = 3
    raster = render(pdf, pictures[0].page, scale)
    cmyk_im, grey_im = (region(raster, p, scale, inset=3) for p in pictures)
    w, h = cmyk_im.size
    assert w > 1.8 * h, f"CMYK picture drawn {cmyk_im.size}, expected about 2:1"
    assert_colour(cmyk_im.crop((0, 0, int(w * 0.42), h)), (255, 0, 0), 25, "CMYK red half")
    assert_colour(cmyk_im.crop((int(w * 0.58), 0, w, h)), (0, 0, 255), 25, "CMYK blue half")
    w, h = grey_im.size
    left, right = fx.GREY16_LEFT / 257, fx.GREY16_RIGHT / 257
    assert_colour(grey_im.crop((0, 0, int(w * 0.42), h)), (left,) * 3, 25, "16-bit grey left half")
    assert_colour(grey_im.crop((int(w * 0.58), 0, w, h)), (right,) * 3, 25, "16-bit grey right half")


# -- 4. unusable pictures -----------------------------------------------------------------------------

def _error_pattern(case: BadCase) -> str:
    return (rf"content/exercises/{re.escape(case.ident)}\.yaml:{case.line}:{case.col}: images\[0\]\.file: "
            rf"{re.escape(case.rel)}: \S")


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_image_fails_fast_with_one_line_naming_file_and_yaml(kind, bad_clinic, tmp_path):
    root, cases = bad_clinic
    case = cases[kind]
    out = tmp_path / "out" / "handout.pdf"
    out.parent.mkdir()
    result, elapsed = cli(root, "routine", "--exercise", case.ident, "-o", out, cache=tmp_path / "cache")
    assert result.exit_code == EXIT_DATAERR, show(result)
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, show(result)
    assert re.search(_error_pattern(case), lines[0]), show(result)
    assert "Traceback" not in result.output
    assert list(out.parent.iterdir()) == [], "something was written"


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_image_memory_bounded_in_a_fresh_process(kind, bad_clinic, tmp_path):
    """The same build in its own process with a 1 GiB address-space limit: a clean exit 65, no
    MemoryError and no crash, quickly."""
    root, cases = bad_clinic
    case = cases[kind]
    out = tmp_path / "handout.pdf"
    m = fx.measured_cli(["--root", root, "routine", "--exercise", case.ident, "-o", out], tmp_path / "cache",
                        timeout=30, limit_as=1 << 30)
    detail = f"exit {m.code}, {m.inner_cpu_s:.2f} CPU s in-process\n{m.stdout}\n{m.stderr}"
    assert m.code == EXIT_DATAERR, detail
    assert "MemoryError" not in m.stderr and "Traceback" not in m.stderr, detail
    assert re.search(_error_pattern(case), m.stderr), detail
    assert m.inner_cpu_s < 1.0, detail
    assert not out.exists()


def test_check_reports_every_bad_image_at_once(bad_clinic, tmp_path):
    root, cases = bad_clinic
    result, _ = cli(root, "check", cache=tmp_path / "cache")
    assert result.exit_code == EXIT_DATAERR, show(result)
    for kind in BAD_KINDS:
        assert re.search(_error_pattern(cases[kind]), result.stderr), f"{kind} not reported\n{show(result)}"
    assert re.search(rf"^{len(BAD_KINDS)} problems found\.$", result.stderr, re.M), show(result)
    assert "Traceback" not in result.output


def test_bad_image_messages_say_what_is_wrong(bad_clinic, tmp_path):
    """The reason, not just the place: size limit, truncation, empty, unsupported format."""
    root, cases = bad_clinic
    result, _ = cli(root, "check", cache=tmp_path / "cache")
    by_kind = {}
    for kind in BAD_KINDS:
        lines = [line for line in result.stderr.splitlines() if cases[kind].rel + ":" in line]
        assert len(lines) == 1, (kind, lines)
        by_kind[kind] = lines[0].lower()
    expect = {"bomb": "pixels", "forged-sof": "pixels", "over-limit": "pixels", "oversize-file": "30 mb",
              "truncated-jpeg": "truncated", "truncated-png": "truncated", "corrupt-png": "corrupt", "empty": "empty",
              "text-as-png": "not a supported image", "svg": "not a supported image",
              "eps": "not a supported image", "eps-as-png": "not a supported image"}
    for kind, words in expect.items():
        assert words in by_kind[kind], f"{kind}: {by_kind[kind]}"


def test_eps_never_reaches_ghostscript(bad_clinic, tmp_path, monkeypatch):
    """EPS is refused by the format allow-list before Pillow's EPS plugin (which runs gs) is asked."""
    from PIL import EpsImagePlugin, Image

    from handouts import images

    def refuse(*args, **kwargs):
        raise AssertionError("the EPS plugin was asked to open the file")

    Image.init()
    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", refuse)
    monkeypatch.setitem(Image.OPEN, "EPS", (refuse, lambda prefix: True))
    root, cases = bad_clinic
    for kind in ("eps", "eps-as-png"):
        with pytest.raises(images.ImageProblem, match="not a supported image"):
            images.prepare(root / cases[kind].rel, *BOX, folder=tmp_path / "cache")


@pytest.mark.parametrize("kind", ["gif-cut-in-second-frame", "jpeg-malformed-gps"])
def test_damaged_but_decodable_image_never_crashes_the_build(kind, tmp_path):
    """A damaged later frame or malformed EXIF metadata around good pixels: the build either uses the
    picture (upright / first frame) or refuses it with the usual one-line error. Never a traceback."""
    root = fx.copy_demo_clinic(tmp_path / "clinic")
    (root / "images" / "damaged").mkdir()
    if kind.startswith("gif"):
        rel = "images/damaged/moving.gif"
        fx.animated_gif_cut_in_second_frame(root / rel)
    else:
        rel = "images/damaged/phone.jpg"
        fx.jpeg_with_malformed_gps(root / rel)
    where = fx.write_exercise(root, "damaged", [rel])
    out = tmp_path / "out" / "handout.pdf"
    out.parent.mkdir()
    result, _ = cli(root, "routine", "--exercise", "damaged", "-o", out, cache=tmp_path / "cache")
    assert result.exit_code in (0, EXIT_DATAERR), show(result)
    if result.exit_code == EXIT_DATAERR:
        line, col = where[rel]
        case = BadCase(kind, "damaged", rel, line, col)
        assert re.search(_error_pattern(case), result.stderr), show(result)
        assert list(out.parent.iterdir()) == []
        return
    pdf = out.read_bytes()
    picture, = card_pictures(pdf)
    scale = 2
    im = region(render(pdf, picture.page, scale), picture, scale, inset=2)
    if kind.startswith("gif"):
        assert_colour(im, fx.FRAME_COLOURS[0], 25, "first frame")
    else:
        assert_upright(im, kind)
        assert_no_exif_in_pdf(pdf)


def _fuzz_seeds() -> dict[str, bytes]:
    from PIL import Image

    seeds = {}
    small = fx.photo((64, 48), seed=1)
    for fmt, options in (("PNG", {}), ("JPEG", {"quality": 85, "exif": fx.exif_bytes(6, gps=True)}),
                         ("WEBP", {}), ("GIF", {})):
        buffer = io.BytesIO()
        small.save(buffer, fmt, **options)
        seeds[fmt] = buffer.getvalue()
    buffer = io.BytesIO()
    fx.animated(buffer, "GIF", size=(32, 24))
    seeds["animated GIF"] = buffer.getvalue()
    buffer = io.BytesIO()
    Image.new("I;16", (40, 30), 1000).save(buffer, "PNG")
    seeds["16-bit PNG"] = buffer.getvalue()
    return seeds


def test_damaged_files_raise_image_problem_or_work(tmp_path_factory):
    """Fuzz: random byte damage (overwrite, delete, insert, cut) to small PNG, JPEG with EXIF, WebP,
    GIF, animated GIF and 16-bit PNG files. prepare() either returns a picture or raises
    ImageProblem; any other exception would escape the CLI as a traceback with exit code 1."""
    import warnings

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from handouts import images

    seeds = _fuzz_seeds()
    folder = tmp_path_factory.mktemp("fuzz")
    edit = st.tuples(st.sampled_from(["set", "delete", "insert", "cut"]), st.floats(0, 1, exclude_max=True),
                     st.binary(min_size=1, max_size=8))

    @settings(max_examples=400, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(sorted(seeds)), st.lists(edit, min_size=1, max_size=5))
    def damaged(name, edits):
        data = bytearray(seeds[name])
        for op, where, payload in edits:
            i = int(where * len(data))
            if op == "set":
                data[i:i + len(payload)] = payload
            elif op == "delete":
                del data[i:i + len(payload) * 4]
            elif op == "insert":
                data[i:i] = payload
            else:
                del data[i:]
            if not data:
                data = bytearray(b"x")
        path = folder / "damaged.img"
        path.write_bytes(bytes(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about truncated EXIF; only exceptions matter here
            try:
                images.prepare(path, *BOX, folder=folder / "cache")
            except images.ImageProblem:
                pass

    damaged()


# -- 6. the shared exercise database ------------------------------------------------------------------

def test_exercise_db_images_all_prepare_at_card_size(tmp_path):
    from PIL import Image

    from handouts import images

    if not EXERCISE_DB_IMAGES.is_dir():
        pytest.skip("../shared/exercise-db/images is not available")
    files = sorted(p for p in EXERCISE_DB_IMAGES.rglob("*") if p.is_file())
    assert files, "no images in the exercise db"
    biggest = []
    for path in files:
        with Image.open(path) as im:
            source = im.size
        start = time.perf_counter()
        prepared = images.prepare(path, *BOX, dpi=DPI, folder=tmp_path / "cache")
        elapsed = time.perf_counter() - start
        with Image.open(prepared.path) as out:
            assert out.size == (prepared.width, prepared.height)
            out.load()
        assert prepared.width <= MAX_BOX_PX[0] and prepared.height <= MAX_BOX_PX[1], \
            f"{path}: {prepared.width}x{prepared.height} px exceeds the box at {DPI} dpi"
        assert prepared.width <= source[0] and prepared.height <= source[1], f"{path}: upscaled"
        # Fitted (aspect kept): one side fills the box unless the source is smaller than the box.
        assert (prepared.width >= MAX_BOX_PX[0] - 2 or prepared.height >= MAX_BOX_PX[1] - 2
                or prepared.width == source[0]), f"{path}: {source} -> {prepared.width}x{prepared.height}"
        if source[0] * source[1] >= 15_000_000:
            biggest.append((path, source, elapsed))
    assert any(size == (5184, 3456) for _, size, _ in biggest), "the 5184x3456 photo was not found"
    for path, size, elapsed in biggest:
        assert elapsed < 2.0, f"{path} ({size[0]}x{size[1]}) took {elapsed:.2f} s"


# -- 7. low resolution warning -------------------------------------------------------------------------

def test_check_warns_about_images_printing_below_150_dpi(tmp_path):
    root = fx.copy_demo_clinic(tmp_path / "clinic")
    (root / "images" / "low").mkdir()
    fx.small_photo(root / "images" / "low" / "tiny-photo.png", size=(150, 100), fmt="PNG")
    fx.small_photo(root / "images" / "low" / "fine-photo.png", size=(600, 400), fmt="PNG")
    # Stored 200x300 with EXIF orientation 6: upright 300x200 prints at 160 dpi (judged sideways, 107).
    fx.save_jpeg(fx.photo((300, 200), seed=2), root / "images" / "low" / "fine-rotated.jpg", orientation=6)
    fx.write_exercise(root, "low-res", ["images/low/tiny-photo.png", "images/low/fine-photo.png",
                                        "images/low/fine-rotated.jpg"])

    result, _ = cli(root, "check", cache=tmp_path / "cache")
    assert result.exit_code == 0, show(result)
    warned = [line for line in result.stderr.splitlines() if "dpi" in line]
    assert len(warned) == 1, show(result)
    assert "images/low/tiny-photo.png" in warned[0] and "warning" in warned[0], warned
    assert re.search(r"content/exercises/low-res\.yaml:\d+:\d+: images\[0\]\.file: ", warned[0]), warned
    assert re.search(r"\b80 dpi", warned[0]), warned  # 150 px across 135 pt (1.875 in) = 80 dpi

    strict, _ = cli(root, "check", "--strict", cache=tmp_path / "cache")
    assert strict.exit_code == EXIT_DATAERR, show(strict)
    assert any("images/low/tiny-photo.png" in line and "dpi" in line for line in strict.stderr.splitlines())
    assert "fine-photo" not in strict.stderr and "fine-rotated" not in strict.stderr, show(strict)


# -- 8. animated, WebP, symlinks, EXIF orientation, metadata, concurrency --------------------------------

@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animated_image_uses_first_frame_and_warns_on_every_build(fmt, tmp_path):
    root = fx.copy_demo_clinic(tmp_path / "clinic")
    rel = f"images/anim/moving.{fmt.lower()}"
    (root / "images" / "anim").mkdir()
    fx.animated(root / rel, fmt)
    fx.write_exercise(root, "animated", [rel])
    cache = tmp_path / "cache"
    for attempt in ("first build", "warm-cache build"):
        out = tmp_path / f"{attempt}.pdf"
        result, _ = cli(root, "routine", "--exercise", "animated", "-o", out, cache=cache)
        assert result.exit_code == 0, show(result)
        warned = [line for line in result.stderr.splitlines() if "animated" in line]
        assert len(warned) == 1 and rel in warned[0] and "warning" in warned[0], f"{attempt}\n{show(result)}"
        assert re.search(r"content/exercises/animated\.yaml:\d+:\d+: images\[0\]\.file: ", warned[0]), warned
        pdf = out.read_bytes()
        picture, = card_pictures(pdf)
        scale = 2
        assert_colour(region(render(pdf, picture.page, scale), picture, scale, inset=2),
                      fx.FRAME_COLOURS[0], 25, f"{attempt}: the first frame")


def test_webp_photo_is_prepared_and_printed(tmp_path):
    from PIL import Image

    from handouts import images

    root = fx.copy_demo_clinic(tmp_path / "clinic")
    rel = "images/web/photo.webp"
    (root / "images" / "web").mkdir()
    fx.small_photo(root / rel, size=(1200, 900), fmt="WEBP", quality=90)
    prepared = images.prepare(root / rel, *BOX, folder=tmp_path / "unit-cache")
    with Image.open(prepared.path) as out:
        assert out.format in ("JPEG", "PNG") and (prepared.width, prepared.height) == (333, 250)
        assert_upright(out, "WebP")
    fx.write_exercise(root, "webp", [rel])
    out = tmp_path / "out.pdf"
    result, _ = cli(root, "routine", "--exercise", "webp", "-o", out, cache=tmp_path / "cache")
    assert result.exit_code == 0, show(result)
    picture, = card_pictures(out.read_bytes())
    assert picture.px == (333, 250)


def test_symlink_to_a_file_outside_the_clinic_is_rejected(tmp_path):
    root = fx.copy_demo_clinic(tmp_path / "clinic")
    outside = tmp_path / "elsewhere" / "other-patient.jpg"
    outside.parent.mkdir()
    fx.small_photo(outside)
    (root / "images" / "linked").mkdir()
    (root / "images" / "linked" / "photo.jpg").symlink_to(outside)
    where = fx.write_exercise(root, "linked", ["images/linked/photo.jpg"])
    line, col = where["images/linked/photo.jpg"]
    pattern = rf"content/exercises/linked\.yaml:{line}:{col}: images\[0\]\.file: .*images/linked/photo\.jpg"

    out = tmp_path / "out" / "handout.pdf"
    out.parent.mkdir()
    result, _ = cli(root, "routine", "--exercise", "linked", "-o", out, cache=tmp_path / "cache")
    assert result.exit_code == EXIT_DATAERR, show(result)
    assert re.search(pattern, result.stderr) and "outside" in result.stderr, show(result)
    assert "other-patient" not in result.output and list(out.parent.iterdir()) == []
    assert not (tmp_path / "cache" / "images").exists() or not any((tmp_path / "cache" / "images").iterdir()), \
        "the outside file was read into the cache"

    checked, _ = cli(root, "check", cache=tmp_path / "cache")
    assert checked.exit_code == EXIT_DATAERR and re.search(pattern, checked.stderr), show(checked)


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_ends_upright(orientation, tmp_path):
    from PIL import Image

    from handouts import images

    src = fx.save_jpeg(fx.photo((800, 600), seed=orientation), tmp_path / f"o{orientation}.jpg", orientation,
                       gps=True)
    with Image.open(src) as im:
        assert im.getexif().get(0x0112) == orientation
        assert im.size == ((600, 800) if orientation >= 5 else (800, 600))
    prepared = images.prepare(src, *BOX, folder=tmp_path / "cache")
    assert (prepared.width, prepared.height) == (333, 250)
    with Image.open(prepared.path) as out:
        assert_upright(out, f"EXIF orientation {orientation}")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_prepared_image_carries_no_exif(fmt, tmp_path):
    from PIL import Image

    from handouts import images

    src = tmp_path / f"with-exif.{fmt.lower()}"
    if fmt == "PNG":  # few colours: stays PNG (line art), with an eXIf chunk in the source
        im = Image.new("RGB", (600, 400), (255, 255, 255))
        fx.draw_markers(im)
    else:
        im = fx.photo((800, 600), seed=9)
    im.save(src, fmt, exif=fx.exif_bytes(1, gps=True))
    with Image.open(src) as check:
        assert check.getexif().get(0x010F) == fx.MAKE, "fixture lost its EXIF"
    prepared = images.prepare(src, *BOX, folder=tmp_path / "cache")
    data = prepared.path.read_bytes()
    with Image.open(io.BytesIO(data)) as out:
        assert len(out.getexif()) == 0, dict(out.getexif())
        assert "exif" not in out.info
    for needle in (b"Exif", b"eXIf", fx.MAKE.encode(), fx.MODEL.encode()):
        assert needle not in data, needle
    if data[:2] == b"\xff\xd8":
        assert 0xE1 not in [m for m, _, _ in fx.jpeg_segments(data)]


_RACER = r"""
import hashlib, sys, time
from pathlib import Path
from handouts import images
import PIL.Image, PIL.ImageOps  # loaded before the start line, so both racers start level
start_at = float(sys.argv[3])
while time.time() < start_at:
    pass
began = time.time()
p = images.prepare(Path(sys.argv[1]), 135.0, 90.0, folder=Path(sys.argv[2]))
ended = time.time()
print(p.path, hashlib.sha256(p.path.read_bytes()).hexdigest(), p.width, p.height)
print(began, ended)
"""


def test_two_processes_preparing_the_same_image_at_once_agree(phone_clinic, tmp_path):
    """Two builds sharing a cache and preparing the same photo at the same moment both succeed, get the
    same bytes, and leave one file in the cache (written atomically: no torn or temp files)."""
    _, shots = phone_clinic
    overlapped = 0
    for round_ in range(3):
        cache = tmp_path / f"cache-{round_}"
        source = shots[round_ * 5 + 1].path  # an EXIF-6 photo: the slowest kind to prepare
        start_at = time.time() + 0.6
        racers = [subprocess.Popen([sys.executable, "-c", _RACER, str(source), str(cache), repr(start_at)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(2)]
        results = [r.communicate(timeout=60) + (r.returncode,) for r in racers]
        for out, err, code in results:
            assert code == 0, err
        answers = {out.splitlines()[0] for out, _, _ in results}
        assert len(answers) == 1, answers
        path, digest, width, height = answers.pop().split()
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
        assert (int(width), int(height)) == (333, 250)
        left = sorted(p.name for p in cache.iterdir() if p.name != "index")  # index/: the stat-keyed lookup
        assert left == [Path(path).name], f"cache holds {left} (temp files left behind?)"
        stray = [p.name for p in cache.rglob("*") if p.name.startswith(".tmp")]
        assert not stray, f"temp files left behind: {stray}"
        (b1, e1), (b2, e2) = (map(float, out.splitlines()[1].split()) for out, _, _ in results)
        overlapped += max(b1, b2) < min(e1, e2)
    assert overlapped >= 1, "the two preparations never ran at the same time: the race was not tested"
