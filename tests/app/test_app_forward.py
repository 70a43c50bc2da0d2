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
    assert len(at.latex) >= 3
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


def test_palette_upload_is_converted_with_a_note():
    at = _run()
    at.radio(key="fw_image_source").set_value("Upload your own").run()
    at.file_uploader(key="fw_image_upload").upload("pal.png", _png(30, 30, mode="P"), "image/png").run()
    _assert_ok(at)
    assert not at.error


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
