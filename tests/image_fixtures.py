"""Fixture images for the image-pipeline tests and benchmark, made at run time (no binaries in git).

Shared by tests/test_images.py and benchmarks/bench_images.py, so it imports neither pytest nor
anything from the package under test: only Pillow and the standard library.

Every picture that is checked for orientation carries the same marker map on its TRUE upright
content: a red bar along the top edge, a blue bar along the bottom edge and a green block at the
left edge. Sideways, upside-down or mirrored output is told apart by where those colours land.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PHONE_SIZE = (4032, 3024)  # a 12 MP phone photo, landscape, as the scene is upright
PHONE_QUALITY = 92
MAKE = "FixturePhoneMaker"  # EXIF maker strings that must never reach a PDF
MODEL = "FPX-12 Pro Max"
GPS_LATITUDE = (45.0, 31.0, 12.5)

RED = (215, 25, 30)
BLUE = (25, 45, 215)
GREEN = (30, 175, 60)
BAR = 0.14  # marker bars take this share of the upright height
SIDE = 0.10  # the green block takes this share of the upright width

# What Image.transpose() must be applied to the upright picture to get the pixels a camera stores
# with each EXIF orientation (the inverse of what ImageOps.exif_transpose applies).
_STORE_FOR_ORIENTATION = {
    1: None,
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_90",
    7: "TRANSVERSE",
    8: "ROTATE_270",
}


# -- photo-like pictures ------------------------------------------------------------------------------

class _Noise:
    """One shared RGB noise layer per size (effect_noise is the slow part: make it once)."""

    _cache: dict = {}

    @classmethod
    def layer(cls, size):
        from PIL import Image

        if size not in cls._cache:
            grain = Image.effect_noise(size, 42)
            cls._cache[size] = Image.merge("RGB", (grain, grain.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                                                   grain.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
        return cls._cache[size]


def _gradient(size, seed: int):
    """A soft two-axis colour gradient in muted tones (no saturated red, green or blue)."""
    from PIL import Image

    horizontal = Image.linear_gradient("L").rotate(90).resize(size)
    vertical = Image.linear_gradient("L").resize(size)
    base = (150 + seed * 7 % 40, 135 + seed * 11 % 35, 115 + seed * 5 % 30)
    return Image.merge("RGB", (
        horizontal.point(lambda v, b=base[0]: b + v // 6),
        vertical.point(lambda v, b=base[1]: b + v // 7),
        horizontal.point(lambda v, b=base[2]: b + (255 - v) // 8),
    ))


def draw_markers(im) -> None:
    """Red bar on top, blue bar at the bottom, green block on the left (of the upright picture)."""
    from PIL import ImageDraw

    w, h = im.size
    draw = ImageDraw.Draw(im)
    bar = max(1, round(h * BAR))
    draw.rectangle((0, 0, w - 1, bar - 1), fill=RED)
    draw.rectangle((0, h - bar, w - 1, h - 1), fill=BLUE)
    side = max(1, round(w * SIDE))
    draw.rectangle((0, round(h * 0.35), side - 1, round(h * 0.65)), fill=GREEN)


def _scene(size, seed: int):
    """Gradient, muted shapes, per-pixel grain: compresses like a real photo (about 3 MB at q92)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    im = _gradient(size, seed)
    draw = ImageDraw.Draw(im)
    w, h = size
    muted = [(170, 150, 110), (110, 120, 110), (190, 180, 160), (95, 85, 75), (140, 150, 160), (200, 170, 140)]
    for _ in range(9):
        x, y = rng.randrange(w), rng.randrange(h)
        rx, ry = rng.randrange(w // 20, w // 5), rng.randrange(h // 20, h // 4)
        shape = draw.ellipse if rng.random() < 0.6 else draw.rectangle
        shape((x - rx, y - ry, x + rx, y + ry), fill=rng.choice(muted))
    return Image.blend(im, _Noise.layer(size), 0.27)


def photo(size=PHONE_SIZE, seed: int = 0, markers: bool = True):
    """An upright, photo-like RGB picture."""
    im = _scene(size, seed)
    if markers:
        draw_markers(im)
    return im


def stored_pixels(upright, orientation: int):
    """The pixels a camera stores so that applying EXIF `orientation` shows `upright`."""
    from PIL import Image

    op = _STORE_FOR_ORIENTATION[orientation]
    return upright.copy() if op is None else upright.transpose(getattr(Image.Transpose, op))


def exif_bytes(orientation: int | None = None, gps: bool = False, maker: bool = True) -> bytes:
    from PIL import Image, TiffImagePlugin

    exif = Image.Exif()
    if maker:
        exif[0x010F] = MAKE
        exif[0x0110] = MODEL
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        r = TiffImagePlugin.IFDRational
        ifd = exif.get_ifd(0x8825)
        ifd[1] = "N"
        ifd[2] = (r(45), r(31), r(1250, 100))
        ifd[3] = "W"
        ifd[4] = (r(122), r(40), r(3025, 100))
    return exif.tobytes()


def save_jpeg(upright, path: Path, orientation: int = 1, gps: bool = False, quality: int = PHONE_QUALITY,
              maker: bool = True) -> Path:
    """Save `upright` as a camera would: pixels stored for `orientation`, with that EXIF tag."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = stored_pixels(upright, orientation)
    stored.save(path, "JPEG", quality=quality, exif=exif_bytes(orientation, gps, maker))
    return path


@dataclass(frozen=True)
class PhoneShot:
    path: Path
    orientation: int
    gps: bool


def phone_photos(folder: Path, count: int = 16, size=PHONE_SIZE) -> list[PhoneShot]:
    """`count` phone photos (about 3 MB each); every second one is stored sideways with EXIF
    Orientation=6 and a GPS IFD. Pairs share a scene but differ in a patch, so every file is unique."""
    from PIL import ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    scene = None
    for i in range(count):
        if i % 2 == 0:
            scene = photo(size, seed=i // 2 + 1)
        im = scene.copy()
        w, h = size
        ImageDraw.Draw(im).ellipse((w // 2 - 60 - 9 * i, h // 2 - 40, w // 2 + 60 + 9 * i, h // 2 + 40),
                                   fill=(120 + 5 * i, 110, 100))
        orientation = 6 if i % 2 else 1
        path = save_jpeg(im, folder / f"photo-{i + 1:02d}.jpg", orientation, gps=orientation == 6)
        shots.append(PhoneShot(path, orientation, orientation == 6))
    return shots


# -- other kinds of picture -------------------------------------------------------------------------

LOGO_KINDS = {  # kind -> disc colour; in every kind the transparent background is black underneath
    "rgba": (31, 111, 139),  # RGBA, alpha 0 around the disc
    "palette-trns": (200, 90, 20),  # P, palette index 0 black but transparent by tRNS
    "rgb-trns": (31, 111, 139),  # RGB with a tRNS colour key: (0, 0, 0) is transparent
    "grey-trns": (140, 140, 140),  # L with a tRNS grey key: 0 is transparent
}


def transparent_logo(path: Path, kind: str, size=(420, 168)) -> Path:
    """A logo: an opaque disc on a transparent background, stored in one of the LOGO_KINDS ways."""
    from PIL import Image, ImageDraw

    disc = LOGO_KINDS[kind]
    w, h = size
    box = (w // 2 - h // 2 + 4, 4, w // 2 + h // 2 - 4, h - 4)
    if kind == "rgba":
        im = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(im).ellipse(box, fill=(*disc, 255))
        im.save(path, "PNG")
    elif kind == "palette-trns":
        im = Image.new("P", size, 0)
        im.putpalette([0, 0, 0, *disc] + [0, 0, 0] * 254)
        ImageDraw.Draw(im).ellipse(box, fill=1)
        im.save(path, "PNG", transparency=0)
    elif kind == "rgb-trns":
        im = Image.new("RGB", size, (0, 0, 0))
        ImageDraw.Draw(im).ellipse(box, fill=disc)
        im.save(path, "PNG", transparency=(0, 0, 0))
    elif kind == "grey-trns":
        im = Image.new("L", size, 0)
        ImageDraw.Draw(im).ellipse(box, fill=disc[0])
        im.save(path, "PNG", transparency=0)
    else:
        raise ValueError(kind)
    return path


CMYK_RED = (0, 255, 255, 0)
CMYK_BLUE = (255, 255, 0, 0)


def cmyk_jpeg(path: Path, size=(600, 300)) -> Path:
    """Left half pure CMYK red (0,255,255,0), right half blue (255,255,0,0)."""
    from PIL import Image, ImageDraw

    im = Image.new("CMYK", size, CMYK_RED)
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0] - 1, size[1] - 1), fill=CMYK_BLUE)
    im.save(path, "JPEG", quality=95)
    return path


GREY16_LEFT, GREY16_RIGHT = 0x4000, 0xC000  # expect about 64 and 192 on an 8-bit scale


def grey16_png(path: Path, size=(450, 300)) -> Path:
    """A 16-bit greyscale PNG (mode I;16): left half 0x4000, right half 0xC000."""
    from PIL import Image, ImageDraw

    im = Image.new("I", size, GREY16_LEFT)
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0] - 1, size[1] - 1), fill=GREY16_RIGHT)
    im.convert("I;16").save(path, "PNG")
    return path


FRAME_COLOURS = [(220, 30, 30), (30, 40, 220), (30, 180, 60)]


def animated(path: Path, fmt: str = "GIF", size=(300, 200)) -> Path:
    """Three frames of solid colour: red (the first), blue, green."""
    from PIL import Image

    frames = [Image.new("RGB", size, c) for c in FRAME_COLOURS]
    extra = {"lossless": True} if fmt == "WEBP" else {}
    frames[0].save(path, fmt, save_all=True, append_images=frames[1:], duration=200, loop=0, **extra)
    return path


def small_photo(path: Path, size=(800, 600), seed: int = 5, fmt: str = "JPEG", **save) -> Path:
    photo(size, seed).save(path, fmt, **save)
    return path


# -- bad files -------------------------------------------------------------------------------------

def jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, offset, length) of each segment before the scan data of a JPEG."""
    out, i = [], 2
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError(f"bad marker at {i}")
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2:i + 4], "big")
        out.append((marker, i, length))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        i += 2 + length
    return out


def forge_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """A JPEG whose SOF header claims `width` x `height` pixels."""
    for marker, offset, _ in jpeg_segments(data):
        if marker in (0xC0, 0xC1, 0xC2):
            patched = bytearray(data)
            patched[offset + 5:offset + 7] = height.to_bytes(2, "big")
            patched[offset + 7:offset + 9] = width.to_bytes(2, "big")
            return bytes(patched)
    raise ValueError("no SOF segment")


EPS_TEXT = """%!PS-Adobe-3.0 EPSF-3.0
%%BoundingBox: 0 0 100 100
%%HiResBoundingBox: 0 0 100 100
%%EndComments
newpath 10 10 moveto 90 90 lineto stroke
showpage
%%EOF
"""

SVG_TEXT = ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
            '<rect width="300" height="200" fill="red"/></svg>\n')


def bad_files(folder: Path) -> dict[str, Path]:
    """Every kind of unusable picture, by name. Made cheaply (the bomb PNG is a few dozen KB)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    out["bomb"] = folder / "bomb.png"
    Image.new("1", (20000, 20000)).save(out["bomb"], "PNG")
    real_jpeg = io.BytesIO()
    photo((800, 600), seed=3).save(real_jpeg, "JPEG", quality=90)
    out["forged-sof"] = folder / "forged.jpg"
    out["forged-sof"].write_bytes(forge_jpeg_size(real_jpeg.getvalue(), 60000, 60000))
    out["truncated-jpeg"] = folder / "truncated.jpg"
    out["truncated-jpeg"].write_bytes(real_jpeg.getvalue()[:len(real_jpeg.getvalue()) // 2])
    real_png = io.BytesIO()
    photo((400, 300), seed=4).save(real_png, "PNG")
    out["truncated-png"] = folder / "truncated.png"
    out["truncated-png"].write_bytes(real_png.getvalue()[:len(real_png.getvalue()) // 2])
    corrupt = bytearray(real_png.getvalue())
    middle = len(corrupt) // 2
    corrupt[middle:middle + 16] = bytes(16)  # zeros inside the compressed pixel data (IDAT)
    out["corrupt-png"] = folder / "corrupt.png"
    out["corrupt-png"].write_bytes(bytes(corrupt))
    out["over-limit"] = folder / "huge-canvas.png"  # 60 MP: inside Pillow's own limit, above ours
    Image.new("1", (10000, 6000)).save(out["over-limit"], "PNG")
    out["oversize-file"] = folder / "huge-file.jpg"  # 31 MB (sparse): refused before it is read
    with open(out["oversize-file"], "wb") as fh:
        fh.write(real_jpeg.getvalue()[:2])
        fh.truncate(31_000_000)
    out["empty"] = folder / "empty.png"
    out["empty"].write_bytes(b"")
    out["text-as-png"] = folder / "notes.png"
    out["text-as-png"].write_text("These are my notes, not a picture.\n")
    out["svg"] = folder / "drawing.svg"
    out["svg"].write_text(SVG_TEXT)
    out["eps"] = folder / "figure.eps"
    out["eps"].write_text(EPS_TEXT)
    out["eps-as-png"] = folder / "figure-eps.png"
    out["eps-as-png"].write_text(EPS_TEXT)
    return out


def animated_gif_cut_in_second_frame(path: Path) -> Path:
    """An animated GIF that ends inside the header of its second frame (first frame intact)."""
    buffer = io.BytesIO()
    animated(buffer, "GIF")
    data = buffer.getvalue()
    gce = [i for i in range(len(data) - 3) if data[i:i + 3] == b"\x21\xf9\x04"]  # graphic control ext.
    if len(gce) < 2:
        raise ValueError("expected a graphic control extension per frame")
    path.write_bytes(data[:gce[1] + 8 + 4])  # extension (8 bytes), then 4 of the 10-byte image descriptor
    return path


def jpeg_with_malformed_gps(path: Path, orientation: int = 6, size=(800, 600)) -> Path:
    """A phone-style JPEG (EXIF orientation + GPS) whose GPS IFD has GPSLatitude as ASCII text and
    GPSLatitudeRef as rationals: the type mismatches sloppy apps and editors write. Pixels are fine."""
    save_jpeg(photo(size, seed=7), path, orientation, gps=True)
    data = bytearray(path.read_bytes())
    app1 = next(offset for marker, offset, _ in jpeg_segments(bytes(data)) if marker == 0xE1)
    tiff = app1 + 4 + 6  # after the marker, the length and b"Exif\0\0"
    big = data[tiff:tiff + 2] == b"MM"
    u16 = lambda at: int.from_bytes(data[at:at + 2], "big" if big else "little")  # noqa: E731
    u32 = lambda at: int.from_bytes(data[at:at + 4], "big" if big else "little")  # noqa: E731
    ifd0 = tiff + u32(tiff + 4)
    gps = None
    for n in range(u16(ifd0)):
        entry = ifd0 + 2 + 12 * n
        if u16(entry) == 0x8825:
            gps = tiff + u32(entry + 8)
    if gps is None:
        raise ValueError("no GPS IFD")
    for n in range(u16(gps)):
        entry = gps + 2 + 12 * n
        if u16(entry) == 1:  # GPSLatitudeRef "N" (ASCII) becomes GPSLatitude "N"
            data[entry:entry + 2] = (2).to_bytes(2, "big" if big else "little")
        elif u16(entry) == 2:  # the real GPSLatitude becomes GPSLatitudeRef: keeps tags unique and sorted
            data[entry:entry + 2] = (1).to_bytes(2, "big" if big else "little")
    path.write_bytes(bytes(data))
    return path


# -- clinic folders ----------------------------------------------------------------------------------

def copy_demo_clinic(target: Path, source: Path = REPO) -> Path:
    """content/ and images/ of the demo clinic (the repository root) into `target`."""
    for part in ("content", "images"):
        shutil.copytree(source / part, target / part)
    return target


def write_exercise(root: Path, ident: str, files: list[str], name: str | None = None) -> dict:
    """content/exercises/IDENT.yaml showing `files`; returns {file: (line, col)} of each file value."""
    lines = [f"name: {name or ident.replace('-', ' ').title()}", "position: standing", "steps:",
             "  - Stand tall and breathe out.", "  - Hold, then relax.", "images:"]
    where = {}
    for i, rel in enumerate(files):
        prefix = "  - file: "
        lines.append(prefix + rel)
        where[rel] = (len(lines), len(prefix) + 1)
        lines.append(f"    caption: Picture {i + 1}")
    path = root / "content" / "exercises" / f"{ident}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


def write_program(root: Path, ident: str, exercise_ids: list[str], title: str = "Photo test program") -> None:
    text = f"title: {title}\nexercises:\n" + "".join(f"  - {e}\n" for e in exercise_ids)
    (root / "content" / "programs" / f"{ident}.yaml").write_text(text, encoding="utf-8")


PHONE_PROGRAM = "phone-photos"


def phone_clinic(root: Path, count_exercises: int = 8) -> tuple[Path, list[PhoneShot]]:
    """The demo clinic plus 8 exercises with 2 phone photos each and a program of those 8."""
    copy_demo_clinic(root)
    shots = phone_photos(root / "images" / "photos", 2 * count_exercises)
    ids = []
    for n in range(count_exercises):
        ident = f"photo-exercise-{n + 1}"
        pair = shots[2 * n:2 * n + 2]
        write_exercise(root, ident, [s.path.relative_to(root).as_posix() for s in pair])
        ids.append(ident)
    write_program(root, PHONE_PROGRAM, ids)
    return root, shots


# -- measured builds in fresh processes -------------------------------------------------------------------

_WRAPPER = r"""
import json, resource, sys, time
start, start_cpu = time.perf_counter(), time.process_time()
from handouts.cli import main
code = 0
try:
    main(sys.argv[1:], prog_name="handouts")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
hwm = -1
try:
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
sys.stdout.flush()
print("MEASURE " + json.dumps({"code": code, "inner_s": elapsed, "inner_cpu_s": elapsed_cpu, "vmhwm_kb": hwm,
      "self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
sys.exit(code)
"""

# A small process between the caller and the build. On Linux a child's ru_maxrss starts at its
# parent's RSS at fork time (exec keeps the high-water mark), so a build started straight from a big
# pytest process would report pytest's memory. Started from this launcher (about 10 MB), the build's
# ru_maxrss, read here as RUSAGE_CHILDREN, is its own peak.
_LAUNCHER = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:])
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("LAUNCH " + json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
      "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), flush=True)
sys.exit(code)
"""


@dataclass
class Measured:
    code: int
    wall_s: float  # process start to exit of the build process, as the user waits
    inner_s: float  # from the first import of handouts to the end of the command
    cpu_s: float  # CPU seconds of the build process (start-up included): steady on a busy machine
    inner_cpu_s: float  # CPU seconds from the first import of handouts to the end of the command
    maxrss_kb: int  # peak resident memory of the build process: ru_maxrss via RUSAGE_CHILDREN (Linux: KiB)
    vmhwm_kb: int  # the same from /proc/self/status VmHWM (-1 where there is no /proc)
    stdout: str
    stderr: str


_BYTECODE: list[str] = []


def _bytecode_folder() -> str:
    """A private bytecode cache, filled once, for the measured processes.

    An installed tool runs from compiled modules (pip compiles on install). Where the environment sets
    PYTHONDONTWRITEBYTECODE, a build from the source tree would instead compile every module of the
    package on each start, which is not what a user waits for and varies with the machine's load.
    """
    if not _BYTECODE:
        import compileall
        import tempfile

        folder = tempfile.mkdtemp(prefix="handouts-pyc-")
        package = Path(__file__).resolve().parents[1] / "handouts"
        previous = sys.pycache_prefix
        sys.pycache_prefix = folder
        try:
            compileall.compile_dir(str(package), quiet=1)
        finally:
            sys.pycache_prefix = previous
        _BYTECODE.append(folder)
    return _BYTECODE[0]


def measured_cli(args: list[str], cache: Path, timeout: float = 120, limit_as: int | None = None) -> Measured:
    """Run `handouts ARGS` in a fresh Python process with HANDOUTS_CACHE=`cache`, started from a small
    launcher process; return its exit code, wall time and peak RSS. `limit_as` caps its address space."""
    env = dict(os.environ, HANDOUTS_CACHE=str(cache), PYTHONPYCACHEPREFIX=_bytecode_folder())
    env.pop("HANDOUTS_ROOT", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def limits():  # runs in the launcher before exec; the build inherits it
        if limit_as:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))

    cmd = [sys.executable, "-c", _LAUNCHER, sys.executable, "-c", _WRAPPER, *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          preexec_fn=limits if limit_as else None)
    figures = {"code": proc.returncode, "inner_s": float("nan"), "inner_cpu_s": float("nan"), "vmhwm_kb": -1}
    launch = {"wall_s": float("nan"), "cpu_s": float("nan"), "children_maxrss_kb": -1}
    kept = []
    for line in proc.stdout.splitlines():
        if line.startswith("MEASURE "):
            figures = json.loads(line[len("MEASURE "):])
        elif line.startswith("LAUNCH "):
            launch = json.loads(line[len("LAUNCH "):])
        else:
            kept.append(line)
    return Measured(proc.returncode, launch["wall_s"], figures["inner_s"], launch["cpu_s"], figures["inner_cpu_s"],
                    launch["children_maxrss_kb"], figures["vmhwm_kb"], "\n".join(kept), proc.stderr)
