"""What the browser's player is sent: frames as data URIs, x₀ as raw bytes in base64, ᾱ as float64 in base64.

The player (``pages/frame_player.py``) plays a run in the reader's browser, so the server sends the data once and
no frame travels per tick. This module packs that data as plain JSON-ready dicts; it knows nothing of Streamlit.

* **frames mode** (:func:`frames_payload`): a list of :class:`Frame`, each one to four small pictures side by side
  (x_t and x̂_0), a caption and an alt text. A picture is PNG or JPEG bytes (sent as a ``data:`` URI), a uint8
  array (encoded as PNG here, lossless) or a URL string the page already serves (sent as it is).
* **forward mode** (:func:`forward_payload`): x₀'s pixels, uint8 (H, W) grey or (H, W, 3) RGB, as their raw bytes in
  base64 (row-major, channels last: lossless, and nothing to decode but base64), the noise seed, ᾱ_t for
  t = 0..T as little-endian float64 in base64 (exact), the current t and the patch of integers to list. The
  browser computes every frame itself (:mod:`diffusion_core.forward.noise_stream`).

Each payload carries an ``id``: a digest of what would make it a different film (the pictures, captions and alt texts;
or x₀, the seed and ᾱ), not of where it starts or whether it is locked. The browser keeps its place while the id stays
the same; a new id is a new run. Sizes are bounded (:data:`MAX_SIDE`, :data:`MAX_PIXELS`); anything else raises
:class:`PlayerDataError` with what was wrong.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from diffusion_core.images.pictures import png_bytes
from diffusion_core.images.pixel_patch import clamp_origin

MAX_SIDE = 512  # the forward player takes x₀ up to 512 pixels a side ...
MAX_PIXELS = 256 * 512  # ... and up to 256 × 512 pixels in all (× 3 for colour)
SEED_LIMIT = 2**32  # the browser's noise stream takes 32-bit seeds (diffusion_core.forward.noise_stream)
PATCH = 8  # the forward player lists an 8 × 8 patch of x_t as numbers
MAX_IMAGES = 4  # pictures side by side in one frame (x_t | x̂_0; the 2-D page's three panels)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
DATA_URI_PREFIXES = ("data:image/png;base64,", "data:image/jpeg;base64,")

Image = bytes | np.ndarray | str  # PNG or JPEG bytes, uint8 pixels, or a URL the page serves


class PlayerDataError(ValueError):
    """The player was given data it cannot show (the message says what and why)."""


@dataclass(frozen=True)
class Frame:
    """One frame of a run: ``images`` (one to four pictures, left to right), its ``caption`` and ``alt`` text.

    A picture is PNG or JPEG bytes (e.g. :func:`diffusion_core.images.pictures.png_bytes`), a uint8 array (H, W) or
    (H, W, 3), or a URL string. The caption is shown under the pictures ("step 13 of 20 · t = 342"); the alt text
    is what a screen reader says for them.
    """

    images: tuple[Image, ...]
    caption: str
    alt: str


# ---------------------------------------------------------------- pictures
def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, read from its IHDR chunk; PlayerDataError if ``png`` is not a PNG."""
    if len(png) < 24 or png[:8] != PNG_SIGNATURE or png[12:16] != b"IHDR":
        raise PlayerDataError("not a PNG file (no PNG signature and IHDR chunk)")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """(width, height) of a JPEG, read from its start-of-frame marker; PlayerDataError if there is none."""
    if jpeg[:3] != b"\xff\xd8\xff":
        raise PlayerDataError("not a JPEG file (no start-of-image marker)")
    at = 2
    while at + 9 <= len(jpeg) and jpeg[at] == 0xFF:
        marker, length = jpeg[at + 1], struct.unpack(">H", jpeg[at + 2:at + 4])[0]
        if marker in SOF_MARKERS:
            height, width = struct.unpack(">HH", jpeg[at + 5:at + 9])
            return int(width), int(height)
        at += 2 + length
    raise PlayerDataError("a JPEG without a start-of-frame marker")


def picture_size(data: bytes) -> tuple[int, int, str]:
    """(width, height, MIME type) of PNG or JPEG bytes; PlayerDataError for anything else."""
    if data[:8] == PNG_SIGNATURE:
        return (*png_size(data), "image/png")
    if data[:3] == b"\xff\xd8\xff":
        return (*jpeg_size(data), "image/jpeg")
    raise PlayerDataError("a picture must be PNG or JPEG bytes")


def data_uri(picture: bytes) -> str:
    """PNG or JPEG bytes as a ``data:image/…;base64,…`` URI (checked to be one of the two)."""
    mime = picture_size(picture)[2]
    return f"data:{mime};base64," + base64.b64encode(picture).decode("ascii")


def decode_data_uri(uri: str) -> bytes:
    """The bytes of a URI made by :func:`data_uri`."""
    for prefix in DATA_URI_PREFIXES:
        if uri.startswith(prefix):
            return base64.b64decode(uri[len(prefix):], validate=True)
    raise PlayerDataError(f"not a PNG or JPEG data URI: {uri[:40]!r}")


def image_source(image: Image) -> dict:
    """One picture as the player takes it: ``{"src": …, "width": …, "height": …}`` (sizes None for a URL)."""
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
            raise PlayerDataError(f"a picture must be uint8 (H, W), (H, W, 3) or (H, W, 4), got {image.dtype} "
                                  f"{image.shape}")
        image = png_bytes(np.ascontiguousarray(image))
    if isinstance(image, (bytes, bytearray)):
        width, height, _ = picture_size(bytes(image))
        return {"src": data_uri(bytes(image)), "width": width, "height": height}
    if isinstance(image, str):
        if not image.startswith(("/", "http://", "https://", "data:image/")):
            raise PlayerDataError(f"a picture URL must be a path, http(s) or data:image URL, got {image[:40]!r}")
        return {"src": image, "width": None, "height": None}
    raise PlayerDataError(f"a picture must be PNG/JPEG bytes, a uint8 array or a URL, got {type(image).__name__}")


def _digest(parts: Sequence[bytes]) -> str:
    h = hashlib.blake2b(digest_size=10)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _check_seconds(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
        raise PlayerDataError(f"seconds (one pass at 1x) must be a positive number, got {seconds!r}")
    return float(seconds)


def _check_whole(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise PlayerDataError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def frames_payload(frames: Sequence[Frame], *, start: int = 0, autoplay: bool = True, seconds: float = 4.0,
                   loop: bool = False, locked: bool = False, labels: Sequence[str] = (),
                   display_px: int = 280, label: str = "Frame") -> dict:
    """The frames-mode data: every frame's pictures, caption and alt text, and how to play them.

    start: the frame shown first (0-based); autoplay: play from it at once (the browser shows the last frame
    instead when the reader asks for reduced motion); seconds: one pass from the first to the last frame at 1x;
    loop: start again after the last frame (else stop there); locked: controls shown but disabled;
    labels: a short name over each picture of a frame ("x_t", "x̂_0"); display_px: the longer side of a picture
    on screen, reached by a whole enlargement factor (never wider than the page); label: the scrubber's name.
    """
    frames = list(frames)
    if not frames:
        raise PlayerDataError("the player needs at least one frame")
    count = len(frames[0].images)
    if not 1 <= count <= MAX_IMAGES or any(len(f.images) != count for f in frames):
        raise PlayerDataError(f"every frame must hold the same number (1 to {MAX_IMAGES}) of pictures")
    if labels and len(labels) != count:
        raise PlayerDataError(f"{len(labels)} labels for {count} pictures a frame")
    sent = [{"images": [image_source(i) for i in f.images], "caption": str(f.caption), "alt": str(f.alt)}
            for f in frames]
    identity = [b"frames", *(s["src"].encode() for f in sent for s in f["images"]),
                *(f"{f['caption']}\x00{f['alt']}".encode() for f in sent), "\x00".join(labels).encode()]
    return {"mode": "frames", "id": _digest(identity), "frames": sent, "labels": [str(x) for x in labels],
            "start": _check_whole("start", start, 0, len(frames) - 1), "autoplay": bool(autoplay),
            "seconds": _check_seconds(seconds), "loop": bool(loop), "locked": bool(locked),
            "display_px": _check_whole("display_px", display_px, 16, 4096), "label": str(label)}


# ---------------------------------------------------------------- forward mode
def check_x0(pixels: np.ndarray) -> np.ndarray:
    """x₀ as the forward player takes it: uint8 (H, W) or (H, W, 3), sides ≤ MAX_SIDE, H·W ≤ MAX_PIXELS."""
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise PlayerDataError(f"x0 must be uint8 (H, W) or (H, W, 3), got {pixels.dtype} {pixels.shape}")
    h, w = pixels.shape[:2]
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE and h * w <= MAX_PIXELS):
        raise PlayerDataError(f"x0 is {h} x {w}: the player takes up to {MAX_SIDE} a side and {MAX_PIXELS:,} pixels")
    return np.ascontiguousarray(pixels)


def encode_x0(pixels: np.ndarray) -> dict:
    """x₀ as ``{"height", "width", "channels", "data"}``: its raw bytes (row-major, channels last) in base64."""
    pixels = check_x0(pixels)
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else 3
    return {"height": h, "width": w, "channels": channels, "data": base64.b64encode(pixels.tobytes()).decode("ascii")}


def decode_x0(sent: dict) -> np.ndarray:
    """The inverse of :func:`encode_x0`: uint8 (H, W) or (H, W, 3)."""
    h, w, c = int(sent["height"]), int(sent["width"]), int(sent["channels"])
    raw = np.frombuffer(base64.b64decode(sent["data"], validate=True), dtype=np.uint8)
    if raw.size != h * w * c or c not in (1, 3):
        raise PlayerDataError(f"{raw.size} bytes for a {h} x {w} x {c} picture")
    return raw.reshape((h, w) if c == 1 else (h, w, 3)).copy()


def encode_float64(values: np.ndarray) -> str:
    """A 1-D float64 array as base64 of its little-endian bytes (exact; the browser reads it with a DataView)."""
    return base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode("ascii")


def decode_float64(text: str) -> np.ndarray:
    """The inverse of :func:`encode_float64`."""
    raw = base64.b64decode(text, validate=True)
    if len(raw) % 8:
        raise PlayerDataError(f"{len(raw)} bytes is not a whole number of float64 values")
    return np.frombuffer(raw, dtype="<f8").astype(np.float64)


def forward_payload(x0: np.ndarray, seed: int, alpha_bar: np.ndarray, t: int, *,
                    patch: tuple[int, int, int] = (0, 0, 0), seconds: float = 10.0, locked: bool = False,
                    display_px: int = 280, caption: str = "x_t at t = {t}", alt: str = "x_t at t = {t}",
                    alt_words: Sequence[tuple[int, str]] = ()) -> dict:
    """The forward-mode data: x₀, the seed of ε, ᾱ_t for t = 0..T, where to start and what to list.

    x0: uint8 (H, W) or (H, W, 3); seed: 0 ≤ seed < 2³² (the stream of
    :mod:`diffusion_core.forward.noise_stream`); alpha_bar: float64 (T + 1,), ᾱ_0 … ᾱ_T in [0, 1]; t: 0..T;
    patch: (top, left, channel) of the 8 × 8 patch of x_t listed as numbers (moved inside the picture like
    :func:`~diffusion_core.images.pixel_patch.clamp_origin`; channel 0 for grey); seconds: one pass from 0 to T at
    1x. caption and alt are templates the browser fills for the t shown: ``{t}``, ``{keep}`` (√ᾱ_t as a whole
    percentage, "92%"), ``{noise}`` (√(1 − ᾱ_t), two decimals) and ``{words}`` (the last of ``alt_words``, pairs
    (first t, words) in rising t, that starts at or before t).
    """
    x0 = check_x0(x0)
    ab = np.asarray(alpha_bar, dtype=np.float64)
    if ab.ndim != 1 or len(ab) < 2 or not np.all(np.isfinite(ab)) or np.any(ab < 0) or np.any(ab > 1):
        raise PlayerDataError("alpha_bar must be ᾱ_t for t = 0..T (T ≥ 1), finite, in [0, 1]")
    T = len(ab) - 1
    seed = _check_whole("seed", seed, 0, SEED_LIMIT - 1)
    top, left, channel = patch
    top, left = clamp_origin(x0.shape, top, left, PATCH)
    channel = _check_whole("channel", channel, 0, 0 if x0.ndim == 2 else 2)
    starts = [int(first) for first, _ in alt_words]
    if alt_words and (starts[0] != 0 or starts != sorted(starts)):
        raise PlayerDataError("alt_words must start at t = 0 and rise")
    sent_x0, sent_ab = encode_x0(x0), encode_float64(ab)
    identity = [b"forward", sent_x0["data"].encode(), repr(x0.shape).encode(), str(seed).encode(), sent_ab.encode()]
    return {"mode": "forward", "id": _digest(identity), "x0": sent_x0, "seed": seed, "alpha_bar": sent_ab, "T": T,
            "t": _check_whole("t", t, 0, T), "patch": {"top": top, "left": left, "channel": channel, "size": PATCH},
            "seconds": _check_seconds(seconds), "locked": bool(locked),
            "display_px": _check_whole("display_px", display_px, 16, 4096), "caption": str(caption),
            "alt": str(alt), "alt_words": [[int(first), str(words)] for first, words in alt_words]}
