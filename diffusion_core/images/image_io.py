"""Reading images from untrusted bytes (uploads) and bundled files, safely.

:func:`read_image` turns any bytes into an RGB uint8 array or raises :class:`ImageInputError`
with a message fit to show a reader, and nothing else: whatever a damaged file makes Pillow raise
becomes that error. It decodes only the formats the app names (``FORMATS``, whatever the file's
name says), and refuses non-images, truncated or corrupt files, files over ``MAX_BYTES``, and
decompression bombs (more than ``MAX_PIXELS`` pixels, checked from the header *before* decoding).
No page shows more than a few hundred pixels a side, so images come back reduced to at most
``MAX_SIDE`` pixels a side: JPEGs are decoded at 1/2, 1/4 or 1/8 scale directly (Pillow's ``draft``),
other formats reduced by box-averaging right after decoding, before any colour conversion. It
accepts and normalises the awkward cases, saying what it did: CMYK and other colour models, 16-bit
and 32-bit integer or float grayscale, palette images, alpha (composited over white), animations
(first frame), EXIF rotation.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from diffusion_core import ASSETS

MAX_BYTES = 25 * 1024 * 1024  # same cap as server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # a 40 MP image decodes to 120 MB of RGB; refuse more
MAX_SIDE = 1024  # images are reduced to at most this many pixels a side
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")  # the formats the upload widget names
EXIF_ORIENTATION = 0x0112  # the EXIF tag saying how a camera's stored pixels must be turned to be seen upright

SAMPLE_DIR = ASSETS / "photos"
SAMPLE_SUFFIXES = (".png", ".jpg", ".jpeg")


class ImageInputError(ValueError):
    """Bytes that cannot be used as an image; ``str(err)`` is a message for the reader."""


@dataclass(frozen=True)
class LoadedImage:
    """pixels: (H, W, 3) uint8 RGB, at most MAX_SIDE a side; notes: what was done to make it so (for the reader)."""

    pixels: np.ndarray
    notes: tuple[str, ...] = field(default_factory=tuple)


def read_image(data: bytes, name: str = "upload") -> LoadedImage:
    """Decode ``data`` into RGB uint8; see the module docstring for what is refused and accepted."""
    if len(data) == 0:
        raise ImageInputError(f"{name} is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise ImageInputError(
            f"{name} is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB. Try a smaller copy.")
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageInputError(
                    f"{name} claims {w:,} x {h:,} pixels ({w * h / 1e6:,.0f} MP); the limit is "
                    f"{MAX_PIXELS / 1e6:.0f} MP. (A tiny file that decodes to a huge image is a "
                    f"'decompression bomb'.)")
            if getattr(img, "n_frames", 1) > 1:
                notes.append(f"{name} is animated ({img.n_frames} frames); using the first frame.")
                img.seek(0)
            img.draft(img.mode, (MAX_SIDE, MAX_SIDE))  # JPEG only: decode at a reduced scale
            img.load()
            if img.getexif().get(EXIF_ORIENTATION, 1) != 1:
                notes.append(f"{name} is stored turned or mirrored (its EXIF orientation); shown upright.")
            img = _reduced(ImageOps.exif_transpose(img))
            pixels = _to_rgb(img, name, notes)
    except ImageInputError:
        raise
    except UnidentifiedImageError:
        raise ImageInputError(f"{name} is not an image this app can read (PNG, JPEG, GIF, BMP, TIFF, WebP).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError(f"{name} decodes to too many pixels (a 'decompression bomb'); refused.") from None
    except MemoryError:
        raise ImageInputError(f"{name} needs more memory to decode than this server can spare.") from None
    except Exception as e:  # a damaged file can make Pillow raise almost anything (TypeError, struct.error, ...)
        raise ImageInputError(f"{name} is damaged or truncated and cannot be decoded ({type(e).__name__}: {e}).") from None
    return LoadedImage(pixels, tuple(notes))


def _reduced(img: Image.Image) -> Image.Image:
    """``img`` box-averaged by a whole factor so that no side exceeds MAX_SIDE; small images are kept as they are.

    Averaging needs values, not palette indices, and correct colour at transparent edges: palette and
    1-bit images become RGBA / L first, and RGBA is averaged premultiplied ("RGBa").
    """
    factor = math.ceil(max(img.size) / MAX_SIDE)
    if factor <= 1:
        return img
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")
    elif img.mode == "1":
        img = img.convert("L")
    elif img.mode.startswith("I;16"):
        img = img.convert("I")
    if img.mode == "RGBA":
        return img.convert("RGBa").reduce(factor).convert("RGBA")
    return img.reduce(factor)


def _to_rgb(img: Image.Image, name: str, notes: list[str]) -> np.ndarray:
    """Any PIL mode -> (H, W, 3) uint8, appending a note for each conversion the reader should know of."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, dtype=np.float64)
        lo, hi = float(a.min()), float(a.max())
        a = np.zeros_like(a) if hi == lo else (a - lo) / (hi - lo) * 255.0
        notes.append(f"{name} has {'16-bit' if mode.startswith('I;16') else 'high-precision'} pixels; "
                     "rescaled to 8-bit 0-255.")
        gray = np.rint(a).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "P":
        img = img.convert("RGBA")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA") or (mode in ("RGB", "L") and "transparency" in img.info):
        rgba = img.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            notes.append(f"{name} has transparency; transparent parts are shown over white.")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    elif mode == "CMYK":
        notes.append(f"{name} is CMYK (print colours); converted to RGB.")
    elif mode not in ("RGB", "L", "1"):
        notes.append(f"{name} uses colour model {mode}; converted to RGB.")
    return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()


def list_samples(folder: Path = SAMPLE_DIR) -> dict[str, Path]:
    """Bundled photos by display name ("Astronaut" for astronaut.png), sorted."""
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES)
    return {p.stem.replace("_", " ").capitalize(): p for p in files}


def load_sample(path: Path) -> LoadedImage:
    return read_image(path.read_bytes(), path.name)


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H, W) uint8 with ITU-R BT.601 luma weights (PIL's "L" conversion)."""
    return np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.uint8)


def fit_square(pixels: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square and resize to ``size`` x ``size`` (Lanczos); keeps channels and dtype uint8."""
    img = Image.fromarray(pixels)
    return np.asarray(ImageOps.fit(img, (size, size), Image.Resampling.LANCZOS), dtype=np.uint8)


def fit_short_side(pixels: np.ndarray, short_side: int) -> np.ndarray:
    """Resize so the shorter side is ``short_side`` pixels (aspect kept; long side capped at 2x)."""
    h, w = pixels.shape[:2]
    scale = short_side / min(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    img = Image.fromarray(pixels)
    if max(new_w, new_h) > 2 * short_side:  # very long panoramas: centre-crop the long side
        img = ImageOps.fit(img, (min(new_w, 2 * short_side), min(new_h, 2 * short_side)), Image.Resampling.LANCZOS)
        return np.asarray(img, dtype=np.uint8)
    return np.asarray(img.resize((new_w, new_h), Image.Resampling.LANCZOS), dtype=np.uint8)
