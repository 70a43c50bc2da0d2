"""Every image is one integer: the exact correspondence between W x H grayscale images and indices.

A ``W x H`` grayscale image is ``W*H`` bytes; read in row-major order (top row first, left to right)
they are the base-256 digits of one integer, most significant first. So the all-black image is
index 0, the image whose only non-zero pixel is the bottom-right one with value 1 is index 1, and
the all-white image is ``256**(W*H) - 1``: every image has exactly one index in
``[0, 256**(W*H))`` and every index there is exactly one image. ``int.from_bytes`` and
``int.to_bytes`` do the conversion exactly.

Indices of a 100 x 100 image have up to 24,083 digits, past Python's default limit for ``int``
<-> ``str`` (4,300 digits) and its quadratic conversion; :func:`index_to_text` and
:func:`text_to_index` convert by divide and conquer instead, without touching that global limit.
"""

from __future__ import annotations

import random

import numpy as np

from diffusion_core.space.image_space import ImageSpaceError, digit_count

MIN_SIDE, MAX_SIDE = 8, 100  # the sizes the index view offers
# Longest text accepted as an index: the 24,083 digits of a 100 x 100 index with a separator after every digit
# and room to spare. Longer text is refused before any work, so a paste of megabytes costs nothing.
MAX_INDEX_CHARS = 50_000
_CHUNK_DIGITS = 2_000  # pieces this small convert with plain int()/str()
_SEPARATORS = str.maketrans("", "", " ,_\n\r\t\u2009\u202f'")


class BadIndexError(ImageSpaceError):
    """Text that is not an index of a W x H image; ``str(err)`` is a message for the reader."""


def index_count(width: int, height: int) -> int:
    """How many W x H grayscale images there are: ``256 ** (W*H)``."""
    return 256 ** (width * height)


def image_to_index(pixels: np.ndarray) -> int:
    """(H, W) uint8 image -> its index in ``[0, 256**(W*H))`` (pixels are base-256 digits, row-major)."""
    if pixels.ndim != 2 or pixels.dtype != np.uint8:
        raise ValueError(f"image_to_index needs an (H, W) uint8 array, got {pixels.dtype} {pixels.shape}")
    return int.from_bytes(np.ascontiguousarray(pixels).tobytes(), "big")


def index_to_image(index: int, width: int, height: int) -> np.ndarray:
    """Index in ``[0, 256**(W*H))`` -> the (H, W) uint8 image it stands for (inverse of :func:`image_to_index`)."""
    if not 0 <= index < index_count(width, height):
        raise BadIndexError(f"The index must be between 0 and 256^{width * height} − 1 for "
                            f"{width} x {height} images.")
    return np.frombuffer(index.to_bytes(width * height, "big"), dtype=np.uint8).reshape(height, width).copy()


def index_to_text(value: int) -> str:
    """Decimal text of a non-negative int of any size, by splitting at ``10**k`` (no global limits)."""
    if value < 0:
        raise ValueError("index_to_text needs a non-negative integer")
    if value < 10**_CHUNK_DIGITS:  # within int->str's limit
        return str(value)
    k = _CHUNK_DIGITS
    while 10 ** (2 * k) <= value:  # keeps 10**k <= value < 10**(2k): both halves are shorter
        k *= 2
    high, low = divmod(value, 10**k)
    return index_to_text(high) + index_to_text(low).zfill(k)


def text_to_index(text: str) -> int:
    """Decimal digits -> int of any size (inverse of :func:`index_to_text`); no global limits touched."""
    if len(text) <= _CHUNK_DIGITS:
        return int(text)
    k = 1 << ((len(text) - 1).bit_length() - 1)  # largest power of two below the length
    return text_to_index(text[:-k]) * 10**k + text_to_index(text[-k:])


def parse_index(text: str, width: int, height: int) -> int:
    """A reader's pasted index -> int, checked to be a whole number in ``[0, 256**(W*H))``.

    Spaces, commas, underscores, apostrophes and line breaks between digits are ignored, and so are leading
    zeros. Text longer than ``MAX_INDEX_CHARS`` is refused unread.
    """
    if len(text) > MAX_INDEX_CHARS:
        raise BadIndexError(f"That text is longer than {MAX_INDEX_CHARS:,} characters; an index of a {width} x "
                            f"{height} image has at most {digit_count(256, width * height):,} digits.")
    cleaned = str(text).translate(_SEPARATORS)
    if not cleaned:
        raise BadIndexError("The index is empty: paste a whole number, or draw a random one.")
    if not (cleaned.isascii() and cleaned.isdigit()):
        bad = next(ch for ch in cleaned if not (ch.isascii() and ch.isdigit()))
        raise BadIndexError(f"An index is a whole number made of the digits 0-9; “{bad}” is not a digit.")
    significant = cleaned.lstrip("0") or "0"
    limit_digits = digit_count(256, width * height)  # 256**n - 1 has as many digits as 256**n
    if len(significant) > limit_digits:
        raise BadIndexError(f"That number has {len(significant):,} digits; indices of {width} x {height} "
                            f"images have at most {limit_digits:,}.")
    index = text_to_index(significant)
    if index >= index_count(width, height):
        raise BadIndexError(f"That number is too large: indices of {width} x {height} images go up to "
                            f"256^{width * height} − 1.")
    return index


def random_index(width: int, height: int, seed: int | None = None) -> int:
    """A uniformly random index in ``[0, 256**(W*H))`` (i.e. an image of independent uniform pixels)."""
    return random.Random(seed).getrandbits(8 * width * height)


def changed_pixels(before: np.ndarray, after: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Pixels that differ, as ``(row, column, old value, new value)``, in row-major order."""
    rows, cols = np.nonzero(before != after)
    return [(int(r), int(c), int(before[r, c]), int(after[r, c])) for r, c in zip(rows, cols)]


def reduction_words(height: int, width: int, colour: bool, side: int) -> str:
    """How a ``height`` x ``width`` picture (``colour`` or grey) becomes the ``side`` x ``side`` grey picture whose
    index the page shows, in the order the page does it: to grey (ITU-R BT.601 weights, as PIL's "L"), the middle
    square cut out, that square resized (Lanczos). Says that a colour index is defined as well, and how long it is."""
    steps = []
    if colour:
        steps.append("each pixel's red, green and blue are mixed into one grey value (0.299 R + 0.587 G + 0.114 B)")
    crop = min(height, width)
    if height != width:
        steps.append(f"its middle {crop:,} × {crop:,} square is cut out")
    if crop != side:
        steps.append(f"{'that square' if height != width else 'it'} is {'shrunk' if crop > side else 'enlarged'} to "
                     f"{side} × {side} pixels")
    kind = "colour" if colour else "grey"
    if not steps:
        return f"The picture is {width:,} × {height:,} grey pixels already: its index is read as it is."
    said = steps[0] if len(steps) == 1 else ", ".join(steps[:-1]) + " and " + steps[-1]
    text = f"The picture, {width:,} × {height:,} {kind} pixels, becomes a {side} × {side} grey one: {said}."
    if colour:
        text += (f" A colour picture has an index too (three values a pixel, red, green and blue, read the same way): "
                 f"at {side} × {side} it would have up to {digit_count(256, 3 * side * side):,} digits instead of up "
                 f"to {digit_count(256, side * side):,}.")
    return text


def is_colour(pixels: np.ndarray) -> bool:
    """Whether an (H, W, 3) picture has any pixel whose red, green and blue differ (else it is grey stored as RGB)."""
    return pixels.ndim == 3 and not (np.array_equal(pixels[..., 0], pixels[..., 1])
                                     and np.array_equal(pixels[..., 1], pixels[..., 2]))
