"""What the frame player is sent: lossless round trips (hypothesis), the film's id, validation, and its size."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from diffusion_core.forward.noise_stream import gaussian
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images import player_data as pd
from diffusion_core.images.pictures import png_bytes
from diffusion_core.images.pixels import to_pixels

AB = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))

pictures = st.one_of(
    hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=24)),
    hnp.arrays(np.uint8, st.tuples(st.integers(1, 24), st.integers(1, 24), st.just(3))),
)


def _frames(n: int = 5, images: int = 2) -> list[pd.Frame]:
    rng = np.random.default_rng(n)
    return [pd.Frame(tuple(png_bytes(rng.integers(0, 256, (28, 28), dtype=np.uint8)) for _ in range(images)),
                     f"step {k + 1} of {n}", f"frame {k + 1}") for k in range(n)]


# ---------------------------------------------------------------- lossless round trips
@settings(max_examples=60, deadline=None)
@given(pixels=pictures)
def test_x0_round_trips_exactly(pixels):
    sent = pd.encode_x0(pixels)
    assert json.loads(json.dumps(sent)) == sent
    assert sent["data"] == base64.b64encode(pixels.tobytes()).decode()  # raw bytes, row-major, channels last
    back = pd.decode_x0(sent)
    assert back.dtype == np.uint8 and back.shape == pixels.shape and (back == pixels).all()


@settings(max_examples=60, deadline=None)
@given(values=hnp.arrays(np.float64, st.integers(0, 40), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_float64_round_trips_bit_for_bit(values):
    back = pd.decode_float64(pd.encode_float64(values))
    assert back.dtype == np.float64 and back.view(np.uint64).tolist() == values.view(np.uint64).tolist()


@settings(max_examples=40, deadline=None)
@given(pixels=pictures)
def test_png_data_uris_round_trip_and_know_their_size(pixels):
    png = png_bytes(pixels)
    uri = pd.data_uri(png)
    assert uri.startswith("data:image/png;base64,")
    assert pd.decode_data_uri(uri) == png
    assert pd.png_size(png) == (pixels.shape[1], pixels.shape[0])
    assert (np.asarray(Image.open(io.BytesIO(pd.decode_data_uri(uri)))) == pixels).all()
    source = pd.image_source(pixels)  # an array is encoded here, losslessly
    assert (source["width"], source["height"]) == (pixels.shape[1], pixels.shape[0])
    assert (np.asarray(Image.open(io.BytesIO(pd.decode_data_uri(source["src"])))) == pixels).all()


@settings(max_examples=30, deadline=None)
@given(pixels=pictures, progressive=st.booleans())
def test_jpeg_data_uris_round_trip_and_know_their_size(pixels, progressive):
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=80, progressive=progressive)
    jpeg = buffer.getvalue()
    uri = pd.data_uri(jpeg)
    assert uri.startswith("data:image/jpeg;base64,") and pd.decode_data_uri(uri) == jpeg
    assert pd.picture_size(jpeg) == (pixels.shape[1], pixels.shape[0], "image/jpeg")
    assert pd.image_source(jpeg)["width"] == pixels.shape[1]


def test_bad_pictures_and_uris_are_refused():
    with pytest.raises(pd.PlayerDataError, match="PNG or JPEG"):
        pd.data_uri(b"GIF89a" + bytes(30))
    with pytest.raises(pd.PlayerDataError, match="start-of-frame"):
        pd.jpeg_size(b"\xff\xd8\xff\xe0\x00\x04ab")
    with pytest.raises(pd.PlayerDataError, match="data URI"):
        pd.decode_data_uri("data:image/gif;base64,AAAA")
    with pytest.raises(pd.PlayerDataError, match="URL"):
        pd.image_source("javascript:alert(1)")
    with pytest.raises(pd.PlayerDataError, match="uint8"):
        pd.image_source(np.zeros((4, 4), np.float32))
    with pytest.raises(pd.PlayerDataError):
        pd.image_source(3)
    assert pd.image_source("/media/abc.png") == {"src": "/media/abc.png", "width": None, "height": None}


# ---------------------------------------------------------------- frames mode
def test_frames_payload_is_json_and_carries_every_frame_in_order():
    frames = _frames()
    sent = pd.frames_payload(frames, start=2, autoplay=False, seconds=4.0, loop=True, labels=("x_t", "x̂_0"))
    assert json.loads(json.dumps(sent)) == sent
    assert sent["mode"] == "frames" and sent["start"] == 2 and sent["loop"] and not sent["autoplay"]
    assert [f["caption"] for f in sent["frames"]] == [f.caption for f in frames]
    assert [f["alt"] for f in sent["frames"]] == [f.alt for f in frames]
    for f, frame in zip(sent["frames"], frames):
        assert [pd.decode_data_uri(i["src"]) for i in f["images"]] == list(frame.images)
        assert all((i["width"], i["height"]) == (28, 28) for i in f["images"])


def test_the_film_id_changes_with_the_film_not_with_how_it_is_played():
    frames = _frames()
    base = pd.frames_payload(frames)["id"]
    assert pd.frames_payload(frames, start=3, autoplay=False, seconds=9, loop=True, locked=True)["id"] == base
    assert pd.frames_payload(frames[:-1])["id"] != base
    renamed = [*frames[:-1], pd.Frame(frames[-1].images, "another caption", frames[-1].alt)]
    assert pd.frames_payload(renamed)["id"] != base
    repainted = [pd.Frame((frames[0].images[1], frames[0].images[0]), frames[0].caption, frames[0].alt), *frames[1:]]
    assert pd.frames_payload(repainted)["id"] != base


@pytest.mark.parametrize("kwargs, match", [
    ({"start": 5}, "start"), ({"start": -1}, "start"), ({"start": True}, "start"),
    ({"seconds": 0}, "seconds"), ({"seconds": float("nan")}, "seconds"), ({"seconds": float("inf")}, "seconds"),
    ({"labels": ("one",)}, "labels"), ({"display_px": 2}, "display_px"),
])
def test_frames_payload_refuses_what_it_cannot_play(kwargs, match):
    with pytest.raises(pd.PlayerDataError, match=match):
        pd.frames_payload(_frames(), **kwargs)


def test_frames_must_exist_and_hold_the_same_number_of_pictures():
    with pytest.raises(pd.PlayerDataError, match="at least one"):
        pd.frames_payload([])
    with pytest.raises(pd.PlayerDataError, match="same number"):
        pd.frames_payload([*_frames(2, 2), *_frames(1, 1)])
    with pytest.raises(pd.PlayerDataError, match="same number"):
        pd.frames_payload(_frames(2, 5))
    assert len(pd.frames_payload(_frames(2, 3))["frames"][0]["images"]) == 3  # the 2-D page's three panels


# ---------------------------------------------------------------- forward mode
def _x0(rgb: bool = True, h: int = 40, w: int = 30) -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (h, w, 3) if rgb else (h, w), dtype=np.uint8)


def test_forward_payload_sends_x0_seed_and_alpha_bar_exactly():
    x0 = _x0()
    sent = pd.forward_payload(x0, 42, AB, 617, patch=(5, 6, 2), alt_words=[(0, "clean"), (300, "noisy")])
    assert json.loads(json.dumps(sent)) == sent
    assert (pd.decode_x0(sent["x0"]) == x0).all() and sent["seed"] == 42
    assert (pd.decode_float64(sent["alpha_bar"]) == AB).all() and sent["T"] == 1000 and sent["t"] == 617
    assert sent["patch"] == {"top": 5, "left": 6, "channel": 2, "size": 8}
    assert sent["alt_words"] == [[0, "clean"], [300, "noisy"]]
    assert "frames" not in sent  # no frame travels: the browser computes them


def test_forward_id_follows_x0_seed_and_schedule_only():
    x0 = _x0()
    base = pd.forward_payload(x0, 1, AB, 0)["id"]
    assert pd.forward_payload(x0, 1, AB, 999, patch=(3, 3, 1), seconds=20, locked=True)["id"] == base
    assert pd.forward_payload(x0, 2, AB, 0)["id"] != base
    assert pd.forward_payload(x0[:, :-1], 1, AB, 0)["id"] != base
    assert pd.forward_payload(x0, 1, alpha_bar_with_zero(NoiseSchedule("linear", 1000)), 0)["id"] != base
    flipped = x0.copy()
    flipped[0, 0, 0] ^= 1
    assert pd.forward_payload(flipped, 1, AB, 0)["id"] != base


def test_the_patch_is_moved_inside_the_picture_and_its_channel_checked():
    sent = pd.forward_payload(_x0(False, 20, 12), 0, AB, 0, patch=(19, 11, 0))
    assert sent["patch"]["top"] == 12 and sent["patch"]["left"] == 4
    with pytest.raises(pd.PlayerDataError, match="channel"):
        pd.forward_payload(_x0(False), 0, AB, 0, patch=(0, 0, 1))
    with pytest.raises(pd.PlayerDataError, match="channel"):
        pd.forward_payload(_x0(True), 0, AB, 0, patch=(0, 0, 3))


@pytest.mark.parametrize("shape, ok", [((256, 512, 3), True), ((512, 256), True), ((257, 512), False),
                                       ((1, 513), False), ((0, 5), False), ((8, 8, 4), False)])
def test_x0_size_limits(shape, ok):
    x0 = np.zeros(shape, np.uint8)
    if ok:
        assert pd.decode_x0(pd.encode_x0(x0)).shape == shape
    else:
        with pytest.raises(pd.PlayerDataError):
            pd.encode_x0(x0)


@pytest.mark.parametrize("kwargs, match", [
    ({"t": 1001}, "t must"), ({"t": -1}, "t must"), ({"seed": 2**32}, "seed"), ({"seed": -1}, "seed"),
    ({"alpha_bar": np.array([1.0])}, "alpha_bar"), ({"alpha_bar": np.array([1.0, 1.5])}, "alpha_bar"),
    ({"alpha_bar": np.array([1.0, np.nan])}, "alpha_bar"), ({"alt_words": [(5, "x")]}, "alt_words"),
    ({"alt_words": [(0, "a"), (9, "b"), (3, "c")]}, "alt_words"), ({"seconds": -2}, "seconds"),
])
def test_forward_payload_refuses_what_it_cannot_play(kwargs, match):
    args = {"x0": _x0(), "seed": 0, "alpha_bar": AB, "t": 0} | kwargs
    with pytest.raises(pd.PlayerDataError, match=match):
        pd.forward_payload(args.pop("x0"), args.pop("seed"), args.pop("alpha_bar"), args.pop("t"), **args)
    with pytest.raises(pd.PlayerDataError):
        pd.forward_payload(np.zeros((4, 4), np.float32), 0, AB, 0)


# ---------------------------------------------------------------- what travels
def test_what_travels_stays_small():
    """The two figures the README quotes (printed with -s); the bounds catch a payload that starts sending frames."""
    rng = np.random.default_rng(0)
    frames = []
    for k in range(20):  # a 20-step run of one 28 x 28 image: x_t beside x̂_0, like the denoiser's frames
        keep = k / 19
        x_t = to_pixels(keep * np.sin(np.mgrid[:28, :28][0] / 4) + (1 - keep) * gaussian((28, 28), 3))
        x0_hat = to_pixels(np.clip(np.sin(np.mgrid[:28, :28][0] / 4) + 0.3 * rng.standard_normal((28, 28)), -1, 1))
        frames.append(pd.Frame((png_bytes(x_t), png_bytes(x0_hat)), f"step {k + 1} of 20 · t = {999 - 50 * k}",
                               f"Sampling at t = {999 - 50 * k}, step {k + 1} of 20."))
    run = len(json.dumps(pd.frames_payload(frames)).encode())
    photo = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)  # incompressible: the worst case for its size
    forward = len(json.dumps(pd.forward_payload(photo, 0, AB, 500)).encode())
    print(f"\n20-frame 28 x 28 run: {run:,} bytes of JSON; 128 x 128 RGB forward player: {forward:,} bytes "
          f"(x0: {128 * 128 * 3:,} raw bytes)")
    assert run < 60_000
    assert forward < 128 * 128 * 3 * 4 / 3 + 12_000  # x0 in base64 plus ᾱ (1,001 float64) and a few numbers
