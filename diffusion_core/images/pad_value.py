"""The drawing pad's value on its way between the browser and Python: a picture and a mask as plain JSON.

The pad (``pages/draw_pad.py``) draws at the model's own resolution in the browser and sends its picture back only
when the reader submits. Both ways, to start the pad from a picture and to bring the drawing back, the value is one
JSON object:

    {"shape": [H, W] or [H, W, 3],             grey or colour
     "pixels": base64 of the H*W[*3] uint8 values, row-major, channels last (exactly numpy's tobytes()),
     "fill": base64 of H*W bytes, each 0 or 1 (1 = the reader painted "fill this in"), or null for none,
     "token": a short string naming this content (the pad's way of telling a new picture from one it has)}

Base64 of raw bytes is what JavaScript's ``btoa`` over a ``Uint8Array`` gives, so the browser needs no library,
and 28 x 28 grey is 1,048 characters. :func:`decode` trusts nothing: the shape, the lengths, the alphabet and the
mask's values are all checked, and anything else raises :class:`PadValueError` with what was wrong.

The mask is kept the way the reader paints it (``fill``: True = to be filled in); the model's inpainting wants the
other side, the known pixels (:attr:`DrawPadValue.known`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

import numpy as np

MAX_SIDE = 64  # the models draw 28 x 28 and 32 x 32; anything much larger is not a pad's value
MAX_TOKEN = 80


class PadValueError(ValueError):
    """A value that is not a drawing pad's; the message says what is wrong."""


@dataclass(frozen=True, eq=False)
class DrawPadValue:
    """image: uint8 (H, W) grey or (H, W, 3) colour; fill: bool (H, W), True where the reader asked for a fill-in;
    token: names this content (see the module docstring)."""

    image: np.ndarray
    fill: np.ndarray
    token: str = ""

    def __post_init__(self) -> None:
        check_image(self.image)
        if not isinstance(self.fill, np.ndarray) or self.fill.dtype != np.bool_ or self.fill.shape != self.image.shape[:2]:
            raise PadValueError(f"fill must be bool {self.image.shape[:2]}, got "
                                f"{getattr(self.fill, 'dtype', type(self.fill).__name__)} {getattr(self.fill, 'shape', '')}")
        if not isinstance(self.token, str) or len(self.token) > MAX_TOKEN:
            raise PadValueError(f"token must be a string of at most {MAX_TOKEN} characters")

    @property
    def known(self) -> np.ndarray:
        """(H, W) bool, True where a pixel is kept: the inpainting mask of :mod:`diffusion_core.live.edit`."""
        return ~self.fill

    @property
    def colour(self) -> bool:
        return self.image.ndim == 3

    def same_content(self, other: DrawPadValue) -> bool:
        """Equal pictures and masks (the tokens aside)."""
        return np.array_equal(self.image, other.image) and np.array_equal(self.fill, other.fill)


def check_image(image: np.ndarray) -> None:
    """Raise PadValueError unless ``image`` is uint8 (H, W) or (H, W, 3) with 1 <= H, W <= MAX_SIDE."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise PadValueError(f"image must be a uint8 array, got {getattr(image, 'dtype', type(image).__name__)}")
    shape = image.shape
    if not (len(shape) == 2 or (len(shape) == 3 and shape[2] == 3)) or not all(1 <= s <= MAX_SIDE for s in shape[:2]):
        raise PadValueError(f"image must be (H, W) or (H, W, 3) with sides 1..{MAX_SIDE}, got {shape}")


def blank(size: int, colour: bool) -> DrawPadValue:
    """An empty pad: black (H, W) for grey models (their pictures are light on black), white (H, W, 3) for colour."""
    image = np.full((size, size, 3), 255, np.uint8) if colour else np.zeros((size, size), np.uint8)
    return DrawPadValue(image, np.zeros((size, size), bool))


def content_digest(image: np.ndarray, fill: np.ndarray | None = None) -> str:
    """A short hex digest of a picture (and mask), for tokens: the same content, the same digest."""
    h = hashlib.sha256(repr(image.shape).encode() + np.ascontiguousarray(image).tobytes())
    if fill is not None:
        h.update(np.packbits(np.asarray(fill, bool)).tobytes())
    return h.hexdigest()[:16]


def encode(value: DrawPadValue) -> dict:
    """The JSON object of ``value`` (see the module docstring)."""
    fill = value.fill.astype(np.uint8).tobytes() if value.fill.any() else None
    return {"shape": list(value.image.shape), "pixels": base64.b64encode(np.ascontiguousarray(value.image).tobytes()).decode(),
            "fill": None if fill is None else base64.b64encode(fill).decode(), "token": value.token}


def _bytes(text, what: str, length: int) -> bytes:
    if not isinstance(text, str):
        raise PadValueError(f"{what} must be a base64 string, got {type(text).__name__}")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise PadValueError(f"{what} is not valid base64") from None
    if len(raw) != length:
        raise PadValueError(f"{what} holds {len(raw)} bytes; its shape needs {length}")
    return raw


def decode(obj) -> DrawPadValue:
    """The :class:`DrawPadValue` of a JSON object from the pad; PadValueError if it is not a well-formed one."""
    if not isinstance(obj, dict):
        raise PadValueError(f"a pad value is a JSON object, got {type(obj).__name__}")
    missing = {"shape", "pixels"} - obj.keys()
    if missing:
        raise PadValueError(f"a pad value needs {', '.join(sorted(missing))}")
    shape = obj["shape"]
    if (not isinstance(shape, list) or len(shape) not in (2, 3)
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in shape)
            or (len(shape) == 3 and shape[2] != 3) or not all(1 <= s <= MAX_SIDE for s in shape[:2])):
        raise PadValueError(f"shape must be [H, W] or [H, W, 3] with sides 1..{MAX_SIDE}, got {shape!r}")
    h, w = shape[:2]
    image = np.frombuffer(_bytes(obj["pixels"], "pixels", int(np.prod(shape))), np.uint8).reshape(shape).copy()
    fill_text = obj.get("fill")
    if fill_text is None:
        fill = np.zeros((h, w), bool)
    else:
        raw = np.frombuffer(_bytes(fill_text, "fill", h * w), np.uint8)
        if raw.max(initial=0) > 1:
            raise PadValueError("fill bytes must be 0 or 1")
        fill = raw.reshape(h, w).astype(bool)
    token = obj.get("token", "")
    if not isinstance(token, str) or len(token) > MAX_TOKEN:
        raise PadValueError(f"token must be a string of at most {MAX_TOKEN} characters")
    return DrawPadValue(image, fill, token)
