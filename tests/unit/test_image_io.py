"""Reading untrusted image bytes: only ImageInputError ever escapes, only the named formats are decoded, and
what comes back is small (decoded reduced), whatever the file.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from diffusion_core.images.image_io import FORMATS, MAX_PIXELS, MAX_SIDE, ImageInputError, read_image

ROOT = Path(__file__).resolve().parents[2]

# Found by mutating an 8x8 RGB TIFF byte by byte: each made Pillow raise TypeError, which escaped every handler.
TIFF_MUTANTS = [base64.b64decode(s) for s in (
    "eNrz9NRi4GBgYOBiYGBkYWAEskA8Rhg7m4GBiZGZgRnIbgNiZiAbJA7CbFA2ExALQtX3ALEoVBykRwzJTHEo+wAQyyCZAwTGHAwgGNd48Ma5V3yLFK7"
    "daPy+h99l+/Mzvitsajhl3jsKbVWzYrYKuKtdXml43lfafmlFxMoXdRvf1BdUec9ymdn4Pc5j/859dbcXPGPQ6nqzL7SP7Xn8O28zN59jt86v79+7Kr"
    "180/svT5P3Xa+9JTflWU8R/wz2ikvnDrFtOrlzqdqO6x6Hv2nz1t0StfT6cVu3YjkLt9GcTnPBKcLyr3Z4f7iqWnXO0iSbe5Flms0XO7b0k7EM8WwX5"
    "Ja/kr25gnPtql0Pe1stTdcuMUgFAJa/ZHs=",
    "eNrz9NRi4GBgYOBiYGBkYWAEskA8RiQ2EyMzAzOQbgNiZiAbJA7CbFA2ExALMvKA2T1ALAoVB+kRQzJHHMo+AMQySOYwgOVBMK7x4I1zr/gWKVy70fh"
    "9D7/L9udnfFfY1HDKvHcU2qpmxWwVcFe7vNLwvK+0/dKKiJUv6ja+qS+ocp3lMrPxe5zH/p376m4veMag1fVmX2gf2/P4d95mbj7Hbp1f3793VXr5pv"
    "dfnibvu157S27Ks54i/hnsFZfOHWLbdHLnUrUd1z0Of9Pmrbslaun147ZuxXKWG0ZzOs0FpwjLv9rh/eGqatY5S5Ns7kWWaTZf7NjST8YyxLNdkFv+S"
    "pZxBefaVbse9rZamq5dYpAKABJVY8Q=",
)]


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _sample(mode: str = "RGB", size: tuple[int, int] = (24, 16)) -> Image.Image:
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    return rgb.convert(mode) if mode != "RGB" else rgb


VALID = {fmt: _encoded(_sample(), fmt) for fmt in FORMATS}
FRAMES = [_sample("P").rotate(180), _sample("P").transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
VALID["GIF-animated"] = _encoded(_sample("P"), "GIF", save_all=True, append_images=FRAMES)


@pytest.mark.parametrize("data", [zlib.decompress(m) for m in TIFF_MUTANTS], ids=["missing-dimensions", "float-tag"])
def test_damaged_tiff_is_a_reader_error_not_a_traceback(data):
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        read_image(data, "scan.tif")


@pytest.mark.parametrize("fmt", ["PPM", "ICO", "PCX", "TGA", "EPS-header"])
def test_formats_the_app_does_not_name_are_refused_whatever_the_file_is_called(fmt):
    data = (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n" if fmt == "EPS-header"
            else _encoded(_sample(), fmt))
    with pytest.raises(ImageInputError, match="not an image this app can read"):
        read_image(data, "photo.png")


@pytest.mark.parametrize("fmt", list(VALID))
def test_every_named_format_decodes_to_rgb(fmt):
    """Lossless formats give back exactly the pixels written; lossy ones exactly what the file decodes to."""
    loaded = read_image(VALID[fmt], f"x.{fmt.lower()}")
    assert loaded.pixels.shape == (16, 24, 3) and loaded.pixels.dtype == np.uint8
    assert loaded.notes == (() if fmt != "GIF-animated" else ("x.gif-animated is animated (3 frames); using the first frame.",))
    if fmt in ("PNG", "BMP", "TIFF"):  # lossless: exactly the pixels written
        assert np.array_equal(loaded.pixels, np.asarray(_sample()))
    else:  # JPEG, WebP (lossy), GIF (a palette): the first frame as a plain decoder reads it
        with Image.open(io.BytesIO(VALID[fmt])) as plain:
            assert np.array_equal(loaded.pixels, np.asarray(plain.convert("RGB")))


def test_animation_and_transparency_are_converted_with_a_note():
    animated = read_image(VALID["GIF-animated"], "anim.gif")
    assert animated.notes == ("anim.gif is animated (3 frames); using the first frame.",)
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 0  # fully transparent red: shown over white
    rgba[0, 0] = (10, 20, 30, 255)
    loaded = read_image(_encoded(Image.fromarray(rgba, "RGBA"), "PNG"), "t.png")
    assert loaded.notes == ("t.png has transparency; transparent parts are shown over white.",)
    assert loaded.pixels[0, 0].tolist() == [10, 20, 30] and loaded.pixels[1, 1].tolist() == [255, 255, 255]


# ---- converted uploads: the note the reader sees, and exactly the pixels that come back ----------------------

INKS = {"C": (255, 0, 0, 0), "M": (0, 255, 0, 0), "Y": (0, 0, 255, 0), "K": (0, 0, 0, 255), "none": (0, 0, 0, 0)}
INK_RGB = {"C": (0, 255, 255), "M": (255, 0, 255), "Y": (255, 255, 0), "K": (0, 0, 0), "none": (255, 255, 255)}


def cmyk_quadrants(size: int = 16) -> tuple[Image.Image, np.ndarray]:
    """A CMYK image of four pure-ink quadrants and the RGB any CMYK -> RGB conversion must give for it."""
    layout = [["C", "M"], ["Y", "K"]]
    cmyk, rgb = np.zeros((size, size, 4), np.uint8), np.zeros((size, size, 3), np.uint8)
    h = size // 2
    for r in range(2):
        for c in range(2):
            cmyk[r * h:(r + 1) * h, c * h:(c + 1) * h] = INKS[layout[r][c]]
            rgb[r * h:(r + 1) * h, c * h:(c + 1) * h] = INK_RGB[layout[r][c]]
    cmyk[0, 0] = INKS["none"]  # bare paper
    rgb[0, 0] = INK_RGB["none"]
    return Image.fromarray(cmyk, "CMYK"), rgb


@pytest.mark.parametrize("fmt", ["TIFF", "JPEG"])
def test_cmyk_is_converted_to_rgb_with_a_note(fmt):
    """Pure inks: cyan, magenta, yellow, black, bare paper become their RGB colours (exactly, for lossless TIFF)."""
    image, expected = cmyk_quadrants()
    loaded = read_image(_encoded(image, fmt, **({"quality": 100} if fmt == "JPEG" else {})), f"print.{fmt.lower()}")
    assert loaded.notes == (f"print.{fmt.lower()} is CMYK (print colours); converted to RGB.",)
    if fmt == "TIFF":
        assert np.array_equal(loaded.pixels, expected)
    else:  # JPEG: lossy, so within a few levels, and the corner pixel of bare paper is white
        assert np.abs(loaded.pixels.astype(int) - expected).max() <= 40
        assert np.abs(loaded.pixels[4:, 4:].astype(int) - expected[4:, 4:]).max() <= 6


def gradient_16_bit(shape: tuple[int, int] = (16, 16)) -> tuple[np.ndarray, np.ndarray]:
    """16-bit values 1000 + 200 k for k = 0..255 (row-major, wrapping), and the 8-bit k they must rescale to.

    The rescaling maps min..max (1000..52000) onto 0..255, so value 1000 + 200 k lands exactly on k.
    """
    k = (np.arange(shape[0] * shape[1]) % 256).reshape(shape)
    return (1000 + 200 * k).astype(np.uint16), k.astype(np.uint8)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_gradient_is_rescaled_to_0_255_exactly(fmt):
    values, expected = gradient_16_bit()
    image = Image.fromarray(values)
    assert image.mode == "I;16"
    loaded = read_image(_encoded(image, fmt), f"scan.{fmt.lower()}")
    assert loaded.notes == (f"scan.{fmt.lower()} has 16-bit pixels; rescaled to 8-bit 0-255.",)
    assert np.array_equal(loaded.pixels, np.repeat(expected[:, :, None], 3, axis=2))


def test_float_grayscale_is_rescaled_with_a_note():
    values = np.linspace(-2.0, 3.0, 256, dtype=np.float32).reshape(16, 16)  # evenly spaced: k / 255 of the range
    loaded = read_image(_encoded(Image.fromarray(values, "F"), "TIFF"), "depth.tif")
    assert loaded.notes == ("depth.tif has high-precision pixels; rescaled to 8-bit 0-255.",)
    assert np.array_equal(loaded.pixels[:, :, 0].ravel(), np.arange(256))


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_with_transparency_is_shown_over_white_with_a_note(fmt):
    """Palette index 1 is transparent: those pixels become white; the others keep their palette colour."""
    index = np.zeros((8, 8), np.uint8)
    index[:, 4:] = 1  # right half transparent
    index[0, 0] = 2
    image = Image.fromarray(index, "P")
    image.putpalette([200, 30, 10, 0, 255, 0, 5, 6, 7] + [0, 0, 0] * 253)
    loaded = read_image(_encoded(image, fmt, transparency=1), f"logo.{fmt.lower()}")
    assert loaded.notes == (f"logo.{fmt.lower()} has transparency; transparent parts are shown over white.",)
    expected = np.zeros((8, 8, 3), np.uint8)
    expected[:, :4], expected[:, 4:], expected[0, 0] = (200, 30, 10), (255, 255, 255), (5, 6, 7)
    assert np.array_equal(loaded.pixels, expected)


def test_animated_gif_gives_exactly_its_first_frame():
    first = np.zeros((8, 8, 3), np.uint8)
    first[:, :4] = (250, 0, 0)  # left half red, right half black
    frames = [Image.fromarray(first)] + [Image.new("RGB", (8, 8), colour) for colour in ((0, 255, 0), (0, 0, 255))]
    loaded = read_image(_encoded(frames[0], "GIF", save_all=True, append_images=frames[1:]), "wave.gif")
    assert loaded.notes == ("wave.gif is animated (3 frames); using the first frame.",)
    assert np.array_equal(loaded.pixels, first)


def _displayed(stored: np.ndarray, orientation: int) -> np.ndarray:
    """How a viewer must show ``stored`` (H, W, 3) for each EXIF Orientation value, from the tag's definition:
    where the stored 0th row and 0th column go (1 top/left, 2 top/right, 3 bottom/right, 4 bottom/left,
    5 left/top, 6 right/top, 7 right/bottom, 8 left/bottom)."""
    h, w = stored.shape[:2]
    if orientation in (1, 2, 3, 4):
        out = np.empty_like(stored)
        for r in range(h):
            for c in range(w):
                rr = r if orientation in (1, 2) else h - 1 - r
                cc = c if orientation in (1, 4) else w - 1 - c
                out[rr, cc] = stored[r, c]
        return out
    out = np.empty((w, h, 3), stored.dtype)  # the stored rows become columns
    for r in range(h):
        for c in range(w):
            col = r if orientation in (5, 8) else h - 1 - r  # 0th row on the left (5, 8) or on the right (6, 7)
            row = c if orientation in (5, 6) else w - 1 - c  # 0th column at the top (5, 6) or the bottom (7, 8)
            out[row, col] = stored[r, c]
    return out


def _with_orientation(stored: np.ndarray, orientation: int, fmt: str, **options) -> bytes:
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = orientation  # Orientation
    return _encoded(image, fmt, exif=exif.tobytes(), **options)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation):
    """Every EXIF orientation (PNG's eXIf chunk: lossless) comes back as a viewer would show it.

    The reader is told when the picture was turned (orientations 2-8), as for every other conversion.
    """
    stored = np.random.default_rng(orientation).integers(0, 256, (6, 10, 3), dtype=np.uint8)
    loaded = read_image(_with_orientation(stored, orientation, "PNG"), "phone.png")
    assert np.array_equal(loaded.pixels, _displayed(stored, orientation))
    assert loaded.notes == (() if orientation == 1 else
                            ("phone.png is stored turned or mirrored (its EXIF orientation); shown upright.",))


def test_exif_rotated_jpeg_comes_back_upright():
    """A phone photo stored landscape with Orientation 6 (rotate 90° clockwise to view): the stored top-left
    red quadrant must come back at the top right, and the picture portrait."""
    stored = np.zeros((32, 48, 3), np.uint8)
    stored[:] = (0, 0, 255)
    stored[:16, :24] = (255, 0, 0)  # the stored top-left quadrant: red (8-pixel aligned: JPEG keeps it flat)
    loaded = read_image(_with_orientation(stored, 6, "JPEG", quality=95, subsampling=0), "phone.jpg")
    assert loaded.pixels.shape == (48, 32, 3)
    assert np.abs(loaded.pixels.astype(int) - _displayed(stored, 6)).max() <= 8
    assert np.abs(loaded.pixels[0, -1].astype(int) - (255, 0, 0)).max() <= 8  # top-right corner: red
    assert np.abs(loaded.pixels[0, 0].astype(int) - (0, 0, 255)).max() <= 8  # top-left corner: blue


@pytest.mark.parametrize("fmt, mode", [("PNG", "L"), ("PNG", "P"), ("PNG", "RGBA"), ("JPEG", "RGB"), ("TIFF", "I;16")])
def test_large_images_come_back_reduced_to_max_side(fmt, mode):
    w, h = 4100, 2050  # a factor of 5 (4100 / 1024 rounded up)
    big = Image.linear_gradient("L").resize((w, h))
    big = big.convert(mode) if mode != "I;16" else Image.fromarray(np.asarray(big, np.uint16) * 257)
    loaded = read_image(_encoded(big, fmt), f"big.{fmt.lower()}")
    assert max(loaded.pixels.shape[:2]) <= MAX_SIDE
    assert loaded.pixels.shape[1] / loaded.pixels.shape[0] == pytest.approx(2, rel=0.01)
    column = loaded.pixels[:, 0, 0].astype(int)  # the gradient survives the reduction: dark at the top, light below
    assert column[0] < 20 and column[-1] > 235 and np.all(np.diff(column) >= -2)


def test_reduced_transparent_edges_keep_their_colour():
    """Averaging is premultiplied: transparent black pixels beside opaque white must not darken the edge."""
    rgba = np.zeros((2048, 2048, 4), np.uint8)
    rgba[:, 1::2] = (255, 255, 255, 255)  # every other column opaque white, the rest transparent black
    loaded = read_image(_encoded(Image.fromarray(rgba, "RGBA"), "PNG"), "stripes.png")
    assert loaded.pixels.shape == (1024, 1024, 3) and loaded.pixels.min() >= 254


def test_decompression_bomb_is_refused_from_the_header():
    side = int(MAX_PIXELS**0.5) + 10
    data = _encoded(Image.new("1", (side, side)), "PNG")  # a few kB that would decode to 40+ MP
    with pytest.raises(ImageInputError, match="decompression bomb"):
        read_image(data, "bomb.png")


def test_a_40_megapixel_png_decodes_in_bounded_memory():
    """Measured in a fresh process: before decoding reduced, this file took +840 MB; now at most ~2 copies of its
    RGBA pixels (the decode and the premultiplied reduction) are alive at once."""
    script = f"""
import io, json, resource, sys
sys.path.insert(0, {str(ROOT)!r})
from PIL import Image
from diffusion_core.images.image_io import read_image
buf = io.BytesIO(); Image.new("RGBA", (6300, 6300), (20, 200, 90, 255)).save(buf, "PNG"); data = buf.getvalue()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pixels = read_image(data, "big.png").pixels
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"shape": pixels.shape, "growth_mb": (after - before) / 1024}}))
"""
    # The image itself is built before the measurement: ``before`` already includes one RGBA copy (159 MB).
    out = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
    assert out["shape"][:2] == [900, 900]
    assert out["growth_mb"] < 400, out


MUTATION_BASES = [VALID[f] for f in ("PNG", "JPEG", "GIF", "TIFF", "WEBP")]


@st.composite
def mutated(draw) -> bytes:
    """A valid file of a named format with a few bytes overwritten, a slice cut out, or its end truncated."""
    data = bytearray(draw(st.sampled_from(MUTATION_BASES)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["set", "cut", "truncate"]))
        if len(data) < 2:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "set":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return bytes(data)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_fuzzed_files_only_ever_raise_image_input_error(data):
    try:
        loaded = read_image(data, "fuzz")
    except ImageInputError as e:
        assert str(e).startswith("fuzz ")  # a message for the reader, naming their file
    else:
        assert loaded.pixels.ndim == 3 and loaded.pixels.shape[2] == 3 and loaded.pixels.dtype == np.uint8
        assert max(loaded.pixels.shape[:2]) <= MAX_SIDE
