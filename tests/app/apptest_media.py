"""What a page actually served under AppTest: the bytes behind its images and download buttons, by URL.

AppTest gives a fresh in-memory media store to every run and drops it afterwards, so an element's ``url`` alone
cannot be read back. The ``served_media`` fixture (tests/app/conftest.py) records each file as the page hands it
to Streamlit, under the URL its element points to; the helpers here decode what a reader would see or download,
and give the image-space page's index view its oracles (Python's ``int.to_bytes``: an index's base-256 digits).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryFile, MemoryMediaFileStorage


def record_served_media(monkeypatch) -> dict[str, MemoryFile]:
    """Start recording: URL ("/mock/media/<id>.<ext>") -> the file Streamlit would serve there (``.content``
    bytes, ``.mimetype``, and ``.filename`` for downloads)."""
    served: dict[str, MemoryFile] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        served[self.get_url(file_id)] = self.get_file(file_id)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return served


def image_with_caption(at, caption: str):
    """The one ``image`` element whose (first) caption is exactly ``caption``."""
    matches = [i for i in at.get("image") if i.proto.imgs[0].caption == caption]
    assert len(matches) == 1, (caption, [i.proto.imgs[0].caption for i in at.get("image")])
    return matches[0]


def image_pixels(served: dict[str, MemoryFile], element) -> np.ndarray:
    """The pixels (H, W[, C]) uint8 of an AppTest ``image`` element's first picture, decoded from its bytes."""
    return np.asarray(Image.open(io.BytesIO(served[element.proto.imgs[0].url].content)))


# ---- the image-space page's "every image is one number" view -------------------------------------------------

ENLARGED = 280 // 16  # show_pixels enlarges a 16 x 16 image by this factor (nearest neighbour)


def index_image(index: int, side: int = 16) -> np.ndarray:
    """Oracle: the image of an index is its base-256 digits, most significant first, row by row."""
    return np.frombuffer(index.to_bytes(side * side, "big"), np.uint8).reshape(side, side)


def shown_index_image(served: dict[str, MemoryFile], at, caption: str) -> np.ndarray:
    """The 16 x 16 gray image the page shows under ``caption``, from the PNG it served (enlarged, so sampled)."""
    pixels = image_pixels(served, image_with_caption(at, caption))
    assert pixels.shape == (16 * ENLARGED, 16 * ENLARGED)
    return pixels[::ENLARGED, ::ENLARGED]


def plus_one_caption(index: int, side: int = 16) -> str:
    """Oracle for the caption under "index + 1", from the index's base-256 digits."""
    digits = list(index.to_bytes(side * side, "big"))
    if digits[-1] < 255:
        return f"Adding 1 changed only the last pixel (row {side}, column {side}): {digits[-1]} → {digits[-1] + 1}."
    carried = len(digits) - len(bytes(digits).rstrip(b"\xff"))
    return (f"The last pixel was 255, so adding 1 rolled it over to 0 and carried into the pixel before, "
            f"like 199 + 1 = 200: {carried + 1} pixels changed.")
