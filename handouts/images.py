"""Images: a file in the clinic folder -> a small, clean, upright image file sized for print.

The only module that uses Pillow. reportlab copies JPEG bytes into the PDF without decoding them, so
a rotated phone photo would print sideways, its EXIF (with GPS) would leak into the PDF, a 3 MB
photo would stay 3 MB and a truncated or hostile file would pass straight through. Every image is
therefore opened with a format allow-list and pixel limit, fully decoded, turned upright, stripped
of metadata, flattened onto white, resized to the size it is drawn at and re-encoded. Results are
cached on disk by the source bytes' hash and the settings, so repeated builds decode each source once.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from handouts import cache

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
# Well below Pillow's 89 MP default, yet above the 48-50 MP photos of current phone cameras (the
# catalogue's 40 MP recipe would refuse those). JPEGs are decoded at a reduced scale anyway.
MAX_PIXELS = 52_000_000
MAX_BYTES = 30_000_000
# Memory the decoder needs at once, beyond what a reduced-scale decode needs. A baseline JPEG is decoded
# straight at a fraction of its size (draft), but a PNG, WebP or GIF is decoded whole, and a
# progressive JPEG keeps every DCT coefficient of the full image until its last scan (libjpeg; 3 bytes a
# pixel at 4:2:0, 6 at 4:4:4, whatever the draft scale). 110 MB admits the 18 MP 4:4:4 progressive
# photos of real exercise libraries (107 MB; such a build peaks near 150 MB) and refuses what would
# need far more (a 52 MP progressive JPEG: 156-312 MB). benchmarks/bench_memory.py has the figures.
MAX_DECODE_BYTES = 110_000_000
DEFAULT_DPI = 200
JPEG_QUALITY = 80
PIPELINE_VERSION = "2"  # bump when the output of prepare() changes for the same input


class ImageProblem(Exception):
    """A picture that cannot be used; the message names no user data beyond the file."""


# What Pillow's decoders raise on damaged or hostile files (besides its own bomb errors). Caught at
# this one boundary so every broken picture is reported as such, never as a traceback.
_DECODER_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError, ZeroDivisionError,
                   struct.error, MemoryError)


@contextmanager
def _pillow_errors():
    from PIL import Image

    try:
        yield
    except ImageProblem:
        raise
    except Image.DecompressionBombError:
        raise ImageProblem(f"image has too many pixels (limit {MAX_PIXELS // 1_000_000} MP)") from None
    except _DECODER_ERRORS as exc:
        raise ImageProblem(f"image data is damaged or truncated ({type(exc).__name__})") from None


@dataclass(frozen=True)
class Prepared:
    path: Path  # the cached, print-ready file (PNG or JPEG) to hand to the renderer
    width: int  # pixels
    height: int
    warning: str = ""  # e.g. "animated image: only the first frame is used"


def cache_dir() -> Path:
    """Where prepared images are kept."""
    return cache.root() / "images"


def read_source(path: Path, inside: Path | None = None) -> bytes:
    """The bytes of a source image, refusing huge files before reading them.

    With `inside`, the file actually opened must lie inside that folder. It is checked on the open
    file itself, so a link swapped in after the content was checked cannot lead outside the clinic
    folder (a check on the path, then an open, would leave that gap).
    """
    try:
        with open(path, "rb") as fh:
            if inside is not None:
                _opened_inside(fh.fileno(), path, inside)
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise ImageProblem(f"file is {size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB")
            if size == 0:
                raise ImageProblem("file is empty (0 bytes)")
            return fh.read()
    except OSError as exc:
        raise ImageProblem(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None


def _opened_inside(fd: int, path: Path, inside: Path) -> None:
    """The resolved path must lie inside `inside` and be the very file that is open (same device and
    inode), which holds on every platform without asking /proc which file an fd is."""
    root = inside.resolve()
    real = path.resolve(strict=True)
    st, opened = real.stat(), os.fstat(fd)
    if (st.st_dev, st.st_ino) != (opened.st_dev, opened.st_ino):
        raise ImageProblem("the file changed while it was being opened")
    if not real.is_relative_to(root):
        raise ImageProblem("path leads outside the clinic folder (through a link?)")


def prepare(path: Path, box_width_pt: float, box_height_pt: float, dpi: int = DEFAULT_DPI,
            folder: Path | None = None, inside: Path | None = None) -> Prepared:
    """A print-ready copy of `path` that fits a box of the given size (points) at `dpi`.

    Raises ImageProblem for anything unusable: unknown format, too many pixels, truncated data.
    """
    target = (max(1, round(box_width_pt / 72 * dpi)), max(1, round(box_height_pt / 72 * dpi)))
    settings = f"{target}:{dpi}:{JPEG_QUALITY}:{PIPELINE_VERSION}"
    folder = folder or cache_dir()
    # Warm path: a file unchanged since it was prepared (same path, size, mtime and inode, as make
    # and rsync judge it) is not read again; re-reading and hashing a folder of phone photos was
    # a fifth of a warm build.
    quick = _stat_key(path, settings)
    if quick:
        hit = _index_lookup(folder, quick)
        if hit is not None:
            return hit
    data = read_source(path, inside)
    digest = hashlib.sha256(data).hexdigest()
    key = hashlib.sha256(f"{digest}:{settings}".encode()).hexdigest()[:32]
    for ext in (".png", ".jpg"):
        hit_path = folder / (key + ext)
        if hit_path.exists():
            with _pillow_errors():
                prepared = _describe(hit_path, _animation_warning(data))
            break
    else:
        with _pillow_errors():
            encoded, ext, warning = _convert(data, target)
        out = folder / (key + ext)
        if not cache.write(out, encoded):
            raise ImageProblem(f"cannot write the image cache in {folder} (set HANDOUTS_CACHE to a writable folder)")
        prepared = _describe(out, warning)
    if quick:
        cache.write(folder / "index" / quick, f"{prepared.path.name}\n{prepared.width}\n{prepared.height}\n"
                    f"{prepared.warning}".encode())
    return prepared


def _stat_key(path: Path, settings: str) -> str:
    try:
        st = path.stat()
    except OSError:
        return ""
    ident = f"{path.resolve()}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{settings}"
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def _index_lookup(folder: Path, quick: str) -> Prepared | None:
    try:
        name, width, height, warning = (folder / "index" / quick).read_text().split("\n", 3)
        prepared = Prepared(folder / name, int(width), int(height), warning)
    except (OSError, ValueError):
        return None
    return prepared if prepared.path.exists() else None


ANIMATED = "animated image: only the first frame is used"


def _animation_warning(data: bytes) -> str:
    """The warning for an animated source, read from its header (only GIF and WebP can animate)."""
    if not (data[:4] == b"GIF8" or data[8:12] == b"WEBP"):
        return ""
    with _open(data) as im:
        return ANIMATED if getattr(im, "n_frames", 1) > 1 else ""


def _describe(path: Path, warning: str = "") -> Prepared:
    # The cache file name holds no size, so read it back from the header (cheap: no decode).
    from PIL import Image

    with Image.open(path) as im:
        width, height = im.size
    return Prepared(path, width, height, warning)


def printed_dpi(size: tuple[int, int], box_pt: tuple[float, float]) -> float:
    """The resolution an image of `size` pixels gets when fitted (aspect kept) into a box in points."""
    scale = min(box_pt[0] / size[0], box_pt[1] / size[1])  # points per pixel
    return 72.0 / scale


def inspect(path: Path) -> tuple[str, int, int]:
    """(format, width, height) from the header only, for checks that need no decode."""
    data = read_source(path)
    with _pillow_errors(), _open(data) as im:
        return im.format, *_upright_size(im)


def _open(data: bytes):
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"image has too many pixels (limit {MAX_PIXELS // 1_000_000} MP)") from None
    except UnidentifiedImageError:
        raise ImageProblem("not a supported image (allowed: PNG, JPEG, WebP, GIF)") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageProblem(f"unreadable image ({type(exc).__name__})") from None
    width, height = im.size
    if width * height > MAX_PIXELS or width <= 0 or height <= 0:
        im.close()
        raise ImageProblem(f"image is {width}x{height} pixels; the limit is {MAX_PIXELS // 1_000_000} MP")
    return im


def _orientation(im) -> int:
    """The EXIF orientation (1-8); 1 when absent or nonsense. (For PNG, whose EXIF may follow the
    pixel data, getexif() decodes the whole image: damage surfaces here.)"""
    value = im.getexif().get(0x0112, 1) if hasattr(im, "getexif") else 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright_size(im) -> tuple[int, int]:
    width, height = im.size
    return (height, width) if _orientation(im) in (5, 6, 7, 8) else (width, height)


def _upright(im, orientation: int):
    """Turn decoded pixels upright. Unlike ImageOps.exif_transpose this never re-writes the EXIF, so a
    photo whose EXIF is malformed (wrong GPS types, seen from some phones) still prints."""
    from PIL import Image

    turn = Image.Transpose
    method = {2: turn.FLIP_LEFT_RIGHT, 3: turn.ROTATE_180, 4: turn.FLIP_TOP_BOTTOM, 5: turn.TRANSPOSE,
              6: turn.ROTATE_270, 7: turn.TRANSVERSE, 8: turn.ROTATE_90}.get(orientation)
    return im.transpose(method) if method is not None else im


def _convert(data: bytes, target: tuple[int, int]):
    """Decode, orient, flatten, resize and encode. Returns (bytes, '.png' or '.jpg', warning)."""
    from PIL import Image

    warning = ""
    with _open(data) as im:
        _check_decode_memory(im)  # first: reading a PNG's orientation decodes it whole
        orientation = _orientation(im)
        source_size = _upright_size(im)
        if getattr(im, "n_frames", 1) > 1:  # GIF and WebP: walks every frame header
            warning = ANIMATED
            im.seek(0)
        scale = min(target[0] / source_size[0], target[1] / source_size[1], 1.0)
        final = (max(1, round(source_size[0] * scale)), max(1, round(source_size[1] * scale)))
        rotated = source_size != im.size
        stored_final = (final[1], final[0]) if rotated else final
        if im.format == "JPEG":
            # Decode straight at a reduced scale: far faster and a fraction of the memory.
            im.draft(im.mode if im.mode in ("RGB", "L") else None, stored_final)
        try:
            im.load()  # full decode: a truncated file is an error here, never half a picture
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise ImageProblem("image data is truncated or corrupt") from None
        had_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
        # Line art, logos and diagrams (few colours, or drawn on transparency) stay PNG so edges stay
        # crisp; judged before any resizing, which adds in-between colours along every edge.
        line_art = had_alpha or im.mode == "P" or (
            im.getcolors(maxcolors=256) is not None if im.mode in ("1", "L", "RGB", "CMYK") else None)
        # Shrink by whole factors first (what resize's reducing_gap does anyway), before turning and
        # flattening make full-size copies of a large picture.
        factors = (max(1, int(im.size[0] / stored_final[0] / 3.0)), max(1, int(im.size[1] / stored_final[1] / 3.0)))
        if factors != (1, 1):
            if im.mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            if im.mode in ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F"):
                im = im.reduce(factors)
        im = _upright(im, orientation)
        im = _flatten(im)
        if line_art is None:  # 16-bit and float pictures: judged once flattened to 8 bits (never reduced)
            line_art = im.getcolors(maxcolors=256) is not None
        if im.size != final:
            im = im.resize(final, Image.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        if line_art:
            im.quantize(colors=128, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
            return out.getvalue(), ".png", warning
        im.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False, subsampling="4:2:0")
        return out.getvalue(), ".jpg", warning


def _check_decode_memory(im) -> None:
    """Refuse a picture whose decode alone would need more than MAX_DECODE_BYTES (see there)."""
    width, height = im.size
    if im.format == "JPEG":
        if not (im.info.get("progressive") or im.info.get("progression")):
            return  # baseline: decoded at a reduced scale
        from PIL import JpegImagePlugin

        sampling = JpegImagePlugin.get_sampling(im)  # 0: 4:4:4, 1: 4:2:2, 2: 4:2:0, -1: greyscale/CMYK
        values = {0: 3.0, 1: 2.0, 2: 1.5}.get(sampling, float(len(im.getbands())))
        needed, what = int(width * height * values * 2), "a progressive JPEG"
    else:
        # Bytes a pixel at the peak: the decoded picture, plus the full-size copy that reducing a
        # picture with transparency makes (premultiplied), or that turning a palette into colours makes.
        per_pixel = {"1": 2, "L": 1, "LA": 4, "RGB": 3, "RGBA": 8, "CMYK": 4, "I": 4, "F": 4,
                     "P": 9 if "transparency" in im.info else 4}.get(im.mode, 2 * len(im.getbands()))
        needed, what = width * height * per_pixel, f"a {im.format} picture"
    if needed > MAX_DECODE_BYTES:
        raise ImageProblem(
            f"image is {width}x{height} pixels ({width * height / 1e6:.0f} MP); {what} this large must be decoded "
            f"whole (about {needed // 1_000_000} MB of memory, the limit is {MAX_DECODE_BYTES // 1_000_000} MB): "
            "save it as a standard JPEG, or resize it (a card picture needs about 2 MP)")


def _flatten(im):
    """Any mode -> RGB or L, transparency composited onto white (transparent must print white)."""
    from PIL import Image

    if im.mode in ("P", "1", "L", "RGB") and "transparency" in im.info:
        im = im.convert("RGBA")  # a palette tRNS or a single transparent colour key
    elif im.mode == "P":
        im = im.convert("RGB")
    im.info.pop("transparency", None)  # never handed on to the encoder
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")
    elif im.mode == "F":
        raise ImageProblem("floating-point images are not supported; save as 8-bit PNG or JPEG")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im).convert("RGB")
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode not in ("RGB", "L"):
        im = im.convert("RGB")  # CMYK, YCbCr, LAB: Pillow applies the JPEG's Adobe inversion itself
    return im


def png_from_raw(buffer, size: tuple[int, int], mode: str, stride: int) -> bytes:
    """Raw pixel rows (e.g. a rasterized page, `mode` "RGB" or "BGR") -> PNG bytes. Fast zlib level:
    previews are made after every change and thrown away; size matters less than time."""
    from PIL import Image

    raw_mode = mode if mode in ("RGB", "BGR", "RGBA", "BGRA", "L") else "RGB"
    target = "RGBA" if raw_mode.endswith("A") else "L" if raw_mode == "L" else "RGB"
    im = Image.frombuffer(target, size, buffer, "raw", raw_mode, stride, 1)
    out = io.BytesIO()
    im.save(out, "PNG", compress_level=1)
    return out.getvalue()
