"""The forward-process page under Streamlit's AppTest: slider, schedule switch, uploads, data sets, URL state."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from diffusion_core.forward.schedules import NoiseSchedule

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "forward.py")


def _run(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    _assert_ok(at)
    return at


def _assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _noisy_image(at: AppTest):
    """The x_t picture beside the slider (the player's slot)."""
    return next(i for i in at.get("image") if i.proto.imgs[0].caption.startswith("x_t at t"))


def _summary(at: AppTest) -> str:
    return at.caption[0].value


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def test_default_page_renders_and_writes_shareable_url():
    at = _run()
    assert at.title[0].value.endswith("The forward process")
    formulas = " ".join(f.value for f in at.latex)
    for shown in (r"\text{(Ho et al. 2020, eq. 4)}", r"\text{(Ho et al. 2020, eq. 2)}", r"\mathrm{SNR}(t)"):
        assert shown in formulas  # the jump, the single step and the schedule's signal-to-noise ratio
    assert dict(at.query_params) == {"img": "photo:Astronaut", "colour": "rgb", "res": "128",
                                     "schedule": "cosine", "T": "1000", "t": "250", "seed": "0"}
    assert "128 × 128 pixels × 3 colours = 49,152 integers" in _summary(at)
    assert _noisy_image(at).proto.imgs[0].caption == "x_t at t = 250"


def test_slider_changes_the_noisy_image_and_the_numbers():
    at = _run()
    before_url = _noisy_image(at).proto.imgs[0].url
    before_grid = at.dataframe[1].value.to_numpy().copy()
    at.slider(key="fw_t").set_value(700).run()
    _assert_ok(at)
    assert _noisy_image(at).proto.imgs[0].caption == "x_t at t = 700"
    assert _noisy_image(at).proto.imgs[0].url != before_url
    assert not np.array_equal(at.dataframe[1].value.to_numpy(), before_grid)
    assert at.query_params["t"] == "700"
    cosine = NoiseSchedule("cosine", 1000).alpha_bar[699]
    assert f"ᾱ_t = {cosine:.4f}" in _summary(at)


def test_schedule_switch_uses_the_shared_schedule_module():
    at = _run()
    at.slider(key="fw_t").set_value(400).run()
    at.radio(key="fw_sched").set_value("linear").run()
    _assert_ok(at)
    linear = NoiseSchedule("linear", 1000).alpha_bar[399]
    assert f"ᾱ_t = {linear:.4f}" in _summary(at)
    assert at.query_params["schedule"] == "linear"


def test_changing_T_keeps_t_at_the_same_fraction():
    at = _run()
    at.slider(key="fw_t").set_value(500).run()
    at.number_input(key="fw_T").set_value(200).run()
    _assert_ok(at)
    assert at.slider(key="fw_t").value == 100 and at.slider(key="fw_t").max == 200


def test_good_upload_is_used_at_the_chosen_resolution():
    at = _run()
    at.radio(key="fw_image_source").set_value("Upload your own").run()
    at.file_uploader(key="fw_image_upload").upload("mine.png", _png(60, 40), "image/png").run()
    _assert_ok(at)
    assert not at.error
    assert "The image: 128 × 192 pixels" in _summary(at)  # short side 40 -> 128, aspect kept


@pytest.mark.parametrize("name,data,expected", [
    ("bad.png", b"this is not an image", "not an image"),
    ("cut.png", _png(50, 50)[:200], "damaged or truncated"),
    ("empty.png", b"", "empty"),
])
def test_bad_upload_shows_an_error_and_the_page_keeps_working(name, data, expected):
    at = _run()
    at.radio(key="fw_image_source").set_value("Upload your own").run()
    at.file_uploader(key="fw_image_upload").upload(name, data, "image/png").run()
    _assert_ok(at)
    assert len(at.error) == 1 and expected in at.error[0].value and "bundled photo" in at.error[0].value
    assert "Astronaut" not in _summary(at) and "128 × 128 pixels" in _summary(at)  # fell back, still drawn
    at.slider(key="fw_t").set_value(10).run()
    _assert_ok(at)


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def _cmyk_quadrants() -> tuple[bytes, np.ndarray]:
    """28 x 28 CMYK TIFF: cyan, magenta / yellow, black quadrants; and the RGB they must become."""
    inks = {"C": ((255, 0, 0, 0), (0, 255, 255)), "M": ((0, 255, 0, 0), (255, 0, 255)),
            "Y": ((0, 0, 255, 0), (255, 255, 0)), "K": ((0, 0, 0, 255), (0, 0, 0))}
    cmyk, rgb = np.zeros((28, 28, 4), np.uint8), np.zeros((28, 28, 3), np.uint8)
    for (r, c), ink in zip(((0, 0), (0, 1), (1, 0), (1, 1)), "CMYK"):
        cmyk[r * 14:(r + 1) * 14, c * 14:(c + 1) * 14], rgb[r * 14:(r + 1) * 14, c * 14:(c + 1) * 14] = inks[ink]
    return _encoded(Image.fromarray(cmyk, "CMYK"), "TIFF"), rgb


def _gradient_16_bit() -> tuple[bytes, np.ndarray]:
    """28 x 28 16-bit PNG of 1000 + 200 k, k = 0..255 row-major (wrapping): rescaling min..max to 0..255 gives k."""
    k = (np.arange(28 * 28) % 256).reshape(28, 28)
    return _encoded(Image.fromarray((1000 + 200 * k).astype(np.uint16)), "PNG"), np.repeat(k[:, :, None], 3, 2)


def _palette_with_transparency() -> tuple[bytes, np.ndarray]:
    """28 x 28 palette PNG: left half colour 0 (200, 30, 10), right half colour 1, transparent: shown white."""
    index = np.zeros((28, 28), np.uint8)
    index[:, 14:] = 1
    image = Image.fromarray(index, "P")
    image.putpalette([200, 30, 10, 0, 255, 0] + [0, 0, 0] * 254)
    rgb = np.zeros((28, 28, 3), np.uint8)
    rgb[:, :14], rgb[:, 14:] = (200, 30, 10), (255, 255, 255)
    return _encoded(image, "PNG", transparency=1), rgb


def _animated_gif() -> tuple[bytes, np.ndarray]:
    """28 x 28, three frames: the first half red, half black; then all green, all blue. The first frame is used."""
    first = np.zeros((28, 28, 3), np.uint8)
    first[:, :14] = (250, 0, 0)
    rest = [Image.new("RGB", (28, 28), colour) for colour in ((0, 255, 0), (0, 0, 255))]
    return _encoded(Image.fromarray(first), "GIF", save_all=True, append_images=rest), first


def _exif_rotated_jpeg() -> tuple[bytes, np.ndarray]:
    """Stored 48 wide x 32 high with EXIF Orientation 6 (turn 90° clockwise to view): the stored top-left
    quadrant (red; the rest blue) must show at the top right of a 32-wide, 48-high picture."""
    stored = np.zeros((32, 48, 3), np.uint8)
    stored[:] = (0, 0, 255)
    stored[:16, :24] = (255, 0, 0)
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = 6
    upright = np.rot90(stored, k=-1)  # numpy's clockwise quarter turn: the oracle
    return _encoded(image, "JPEG", quality=95, subsampling=0, exif=exif.tobytes()), upright


def _x0_patch(at: AppTest) -> tuple[np.ndarray, int, int]:
    """The page's 8 x 8 table of x₀'s integers (channel chosen by the radio): values, top row, left column."""
    table = at.dataframe[0].value
    return table.to_numpy(), int(table.index[0]), int(table.columns[0])


CONVERTED = {  # name: (file, MIME type, builder, note shown, res (= the short side: no resampling), tolerance)
    "cmyk.tif": ("image/tiff", _cmyk_quadrants, "cmyk.tif is CMYK (print colours); converted to RGB.", 28, 0),
    "deep.png": ("image/png", _gradient_16_bit, "deep.png has 16-bit pixels; rescaled to 8-bit 0-255.", 28, 0),
    "logo.png": ("image/png", _palette_with_transparency,
                 "logo.png has transparency; transparent parts are shown over white.", 28, 0),
    "wave.gif": ("image/gif", _animated_gif, "wave.gif is animated (3 frames); using the first frame.", 28, 0),
    # JPEG is lossy: flat 8-pixel-aligned blocks come back within a few levels.
    "phone.jpg": ("image/jpeg", _exif_rotated_jpeg,
                  "phone.jpg is stored turned or mirrored (its EXIF orientation); shown upright.", 32, 8),
}


@pytest.mark.parametrize("name", list(CONVERTED))
def test_converted_upload_shows_its_note_and_its_converted_pixels(name):
    """Each awkward upload is converted, the reader is told how (st.info), and the page works on the converted
    pixels: its table of x₀'s integers holds exactly the pixels the conversion must give, in every channel.

    ``res`` is the upload's short side, so the page's resize is the identity and the oracle is the file's own
    construction (numpy: quadrants, a gradient, a clockwise quarter turn), not a resampling.
    """
    mime, build, note, res, tolerance = CONVERTED[name]
    data, expected = build()
    at = _run({"res": str(res), "colour": "rgb"})
    at.radio(key="fw_image_source").set_value("Upload your own").run()
    at.file_uploader(key="fw_image_upload").upload(name, data, mime).run()
    _assert_ok(at)
    assert not at.error
    assert [i.value for i in at.info] == ([note] if note else [])
    h, w = expected.shape[:2]
    assert f"The image: {h} × {w} pixels × 3 colours = {h * w * 3:,} integers" in _summary(at)
    for channel in "RGB":
        at.radio(key="fw_patch_ch").set_value(channel).run()
        values, top, left = _x0_patch(at)  # where the reader's patch is (kept from the photo shown before)
        assert 0 <= top <= h - 8 and 0 <= left <= w - 8
        want = expected[top:top + 8, left:left + 8, "RGB".index(channel)].astype(int)
        assert np.abs(values - want).max() <= tolerance, (channel, values, want)
    if name == "phone.jpg":  # the known corner: the stored top-left (red) is now the top right
        at.number_input(key="fw_patch_top").set_value(0).run()
        at.number_input(key="fw_patch_left").set_value(w - 8).run()
        at.radio(key="fw_patch_ch").set_value("R").run()
        values, top, left = _x0_patch(at)
        assert (top, left) == (0, w - 8) and values.min() >= 255 - tolerance
        at.radio(key="fw_patch_ch").set_value("B").run()
        assert _x0_patch(at)[0].max() <= tolerance


def test_data_set_sample_is_28_by_28_grayscale():
    at = _run()
    at.radio(key="fw_src").set_value("fashion").run()
    at.number_input(key="fw_index").set_value(42).run()
    _assert_ok(at)
    assert "Clothing (Fashion-MNIST) #42: 28 × 28 pixels = 784 integers" in _summary(at)
    assert at.query_params["img"] == "fashion:42" and at.query_params["colour"] == "gray"


def test_shared_link_is_restored():
    at = _run({"img": "digits:7", "schedule": "linear", "T": "500", "t": "123", "seed": "4"})
    assert not at.warning
    assert at.slider(key="fw_t").value == 123 and at.slider(key="fw_t").max == 500
    assert at.radio(key="fw_sched").value == "linear" and at.radio(key="fw_src").value == "digits"
    assert at.number_input(key="fw_index").value == 7


def test_tampered_link_warns_and_uses_defaults():
    at = _run({"t": "99999", "schedule": "evil", "res": "-1", "img": "photo:nope"})
    assert len(at.warning) == 4
    assert all("Using the default instead" in w.value for w in at.warning)
    assert at.slider(key="fw_t").value == 250 and at.radio(key="fw_sched").value == "cosine"
    assert at.query_params["t"] == "250"  # the URL is rewritten with valid values


def test_one_jump_versus_single_steps():
    at = _run({"T": "100", "t": "30", "res": "32"})
    at.button(key="fw_compare_btn").click().run()
    _assert_ok(at)
    table = at.dataframe[-1].value
    assert list(table.index) == ["one jump", "single steps", "N(0, 1)"]
    # Both are standard normal noise after standardising (n = 3,072 values: 5 standard errors).
    assert np.all(np.abs(table["mean"].to_numpy()[:2]) < 5 / np.sqrt(3072))
    assert np.all(np.abs(table["standard deviation"].to_numpy()[:2] - 1) < 5 * np.sqrt(0.5 / 3072))


def test_patch_kept_in_range_without_streamlits_duplicate_value_warning(monkeypatch):
    """A patch origin beyond a smaller image is pulled back into range, and the widget then takes its value
    from the session only: Streamlit logs (once per process) when a widget gets a value argument as well as a
    value set through Session State, which the page did on every such switch."""
    from streamlit.elements.lib import policies

    said: list[str] = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda message, *args, **kw: said.append(message % args))
    at = _run()
    at.number_input(key="fw_patch_top").set_value(25).run()
    at.radio(key="fw_src").set_value("fashion").run()  # 28 x 28: the last top row of an 8 x 8 patch is 20
    _assert_ok(at)
    assert at.number_input(key="fw_patch_top").value == 20
    assert not [m for m in said if "fw_patch" in m], said
