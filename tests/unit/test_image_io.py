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
    loaded = read_image(VALID[fmt], f"x.{fmt.lower()}")
    assert loaded.pixels.shape == (16, 24, 3) and loaded.pixels.dtype == np.uint8
    if fmt in ("PNG", "BMP", "TIFF"):  # lossless: exactly the pixels written
        assert np.array_equal(loaded.pixels, np.asarray(_sample()))


def test_animation_and_transparency_are_converted_with_a_note():
    animated = read_image(VALID["GIF-animated"], "anim.gif")
    assert animated.notes == ("anim.gif is animated (3 frames); using the first frame.",)
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 0  # fully transparent red: shown over white
    rgba[0, 0] = (10, 20, 30, 255)
    loaded = read_image(_encoded(Image.fromarray(rgba, "RGBA"), "PNG"), "t.png")
    assert loaded.notes == ("t.png has transparency; transparent parts are shown over white.",)
    assert loaded.pixels[0, 0].tolist() == [10, 20, 30] and loaded.pixels[1, 1].tolist() == [255, 255, 255]


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
