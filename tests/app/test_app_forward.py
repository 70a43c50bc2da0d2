"""The forward-process page under Streamlit's AppTest: the player's data (x₀, the seed of ε, ᾱ, t, the patch), t
moved by the player's report or by Python, the schedule switch, uploads, data sets, URL state, the markers of when
the picture is gone, the coarse-to-fine chart, lessons that lock the player.

AppTest cannot run the player's JavaScript: it reads what the page sends the browser (the component's JSON) and
plays the browser's part by putting a report in the player's state, as the browser does on Pause
(tests/e2e/test_e2e_forward.py plays it for real)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from diffusion_core.access import alt_text
from diffusion_core.access.lessons import Lesson, lesson_link_query
from diffusion_core.forward import spectrum as sp
from diffusion_core.forward import stats as fs
from diffusion_core.forward.noise_stream import forward_pixels, gaussian
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.image_io import fit_short_side, list_samples, load_sample
from diffusion_core.images.pixels import to_model_space
from diffusion_core.images.player_data import decode_float64, decode_x0

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


def _player(at: AppTest) -> dict:
    """What the page sent the browser's player: mode, x0, seed, alpha_bar, T, t, patch, locked, … (pages/frame_player)."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith("-fw_player")]
    return json.loads(element.proto.json)


def _report(at: AppTest, t: int, seq: int = 1) -> AppTest:
    """Do what the browser does when the reader pauses (or lets go of the scrubber) at ``t``, and rerun."""
    at.session_state["fw_player"] = {"report": {"id": _player(at)["id"], "position": t, "playing": False, "seq": seq}}
    at.run()
    _assert_ok(at)
    return at


def _mix(at: AppTest) -> str:
    """The sentence under "Any t in one jump" that names the t everything below the player is drawn at."""
    return next(m.value for m in at.markdown if m.value.startswith("**At t = "))


def _summary(at: AppTest) -> str:
    return next(c.value for c in at.caption if "integers from 0 to 255" in c.value)


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def _markdown_grid(text: str) -> tuple[np.ndarray, list[int], list[int]]:
    """A markdown table of numbers with numbered rows and columns: (values, row numbers, column numbers)."""
    lines = [line.strip().strip("|").split("|") for line in text.strip().splitlines()]
    columns = [int(c) for c in lines[0][1:]]
    rows = [[cell.strip().strip("*") for cell in line] for line in lines[2:]]
    return np.array([[int(v) for v in row[1:]] for row in rows]), [int(row[0]) for row in rows], columns


def _x0_patch(at: AppTest) -> tuple[np.ndarray, int, int]:
    """The page's 8 x 8 table of x₀'s integers (channel chosen by the radio): values, top row, left column."""
    table = next(m.value for m in at.markdown if m.value.startswith("| |"))
    values, rows, columns = _markdown_grid(table)
    return values, rows[0], columns[0]


def _astronaut(res: int = 128) -> np.ndarray:
    return fit_short_side(load_sample(list_samples()["Astronaut"]).pixels, res)


def test_default_page_renders_and_writes_shareable_url():
    at = _run()
    assert at.title[0].value.endswith("The forward process")
    formulas = " ".join(f.value for f in at.latex)
    for shown in (r"\text{(Ho et al. 2020, eq. 4)}", r"\text{(Ho et al. 2020, eq. 2)}", r"\mathrm{SNR}(t)"):
        assert shown in formulas  # the jump, the single step and the schedule's signal-to-noise ratio
    assert dict(at.query_params) == {"img": "photo:Astronaut", "colour": "rgb", "res": "128",
                                     "schedule": "cosine", "T": "1000", "t": "250", "seed": "0"}
    assert "128 × 128 pixels × 3 colours (red, green, blue) = 49,152 integers" in _summary(at)
    assert _mix(at).startswith("**At t = 250**")
    assert not at.get("arrow_data_frame") and not at.dataframe  # issue 30: no data grid on this page


def test_the_player_gets_x0_the_seed_and_alpha_bar_and_computes_the_same_x_t():
    """The browser computes x_t from what the page sends: x₀'s pixels, the seed of ε and ᾱ_t. Those are the page's
    own, and x_t made from them is the page's (its patch of numbers, here computed as the browser does)."""
    at = _run({"res": "64", "seed": "5"})
    data = _player(at)
    pixels = decode_x0(data["x0"])
    np.testing.assert_array_equal(pixels, _astronaut(64))
    ab = decode_float64(data["alpha_bar"])
    np.testing.assert_array_equal(ab, alpha_bar_with_zero(NoiseSchedule("cosine", 1000)))
    assert (data["mode"], data["seed"], data["T"], data["t"], data["seconds"]) == ("forward", 5, 1000, 250, 10.0)
    assert data["patch"] == {"top": 28, "left": 28, "channel": 0, "size": 8} and not data["locked"]
    x_t = forward_pixels(pixels, gaussian(pixels.shape, 5), ab[250])
    assert not np.array_equal(x_t, pixels) and x_t.shape == pixels.shape


def test_the_players_report_moves_t_everywhere_below_it():
    """Pause (or let go of the scrubber) at t = 700: the URL, the mix sentence, the maths and the player's own
    data follow (the browser's part is played by putting its report in the player's state)."""
    at = _run()
    _report(at, 700)
    assert at.query_params["t"] == "700"
    cosine = NoiseSchedule("cosine", 1000).alpha_bar[699]
    assert _mix(at).startswith("**At t = 700**") and f"x_t = {np.sqrt(cosine):.3f} × x₀" in _mix(at)
    assert any(f"ᾱ_{{700}} = {cosine:.4f}" in m.value for m in at.markdown)
    at.run()  # the next run asks the player for the t it reported: no jump back to 250
    assert _player(at)["t"] == 700 and at.query_params["t"] == "700"


def test_a_report_on_another_film_is_ignored():
    at = _run()
    at.session_state["fw_player"] = {"report": {"id": "not-this-film", "position": 900, "playing": False, "seq": 1}}
    at.run()
    _assert_ok(at)
    assert at.query_params["t"] == "250" and _player(at)["t"] == 250


def test_schedule_switch_uses_the_shared_schedule_module():
    at = _run()
    _report(at, 400)
    at.radio(key="fw_sched").set_value("linear").run()
    _assert_ok(at)
    linear = NoiseSchedule("linear", 1000).alpha_bar[399]
    assert f"x_t = {np.sqrt(linear):.3f} × x₀" in _mix(at)
    assert at.query_params["schedule"] == "linear"
    np.testing.assert_array_equal(decode_float64(_player(at)["alpha_bar"]),
                                  alpha_bar_with_zero(NoiseSchedule("linear", 1000)))
    assert _player(at)["t"] == 400  # a new film (another ᾱ) starts where the reader was


def test_changing_T_keeps_t_at_the_same_fraction():
    at = _run()
    _report(at, 500)
    at.number_input(key="fw_T").set_value(200).run()
    _assert_ok(at)
    data = _player(at)
    assert (data["t"], data["T"]) == (100, 200) and at.query_params["t"] == "100"


def test_the_schedule_maths_says_what_holds_for_this_T():
    """β from 0.0001 to 0.02 at T = 1,000 only (rescaled by 1,000 / T), ᾱ like a squared cosine, β_T capped at
    0.999 (issue 28, item 15): the numbers printed are the schedule's own."""
    betas = NoiseSchedule("linear", 500).betas
    for kind in ("linear", "cosine"):  # the linear sentence gives the linear β whichever schedule is chosen
        maths = " ".join(m.value for m in _run({"schedule": kind, "T": "500"}).markdown)
        assert f"for this page's T = 500: from {betas[0]:.3g} to {betas[-1]:.3g})" in maths and "1,000 / T" in maths
        assert "squared cosine" in maths and "0.999" in maths and "β_t small" not in maths
    maths = " ".join(m.value for m in _run({"schedule": "cosine", "T": "1000"}).markdown)
    assert "caps them at 0.999 (only the last step is capped)" in maths and "for this page's T" not in maths


def test_the_variance_sentence_is_the_telescoping_sum_not_the_betas():
    """Issue 28, item 1: the steps' variances that add up to 1 − ᾱ_t are β_s times the later α_r, not the β_s."""
    at = _run({"schedule": "linear", "T": "1000", "t": "1000"})
    text = " ".join(m.value for m in at.markdown)
    assert "the variances add up to 1 − ᾱ_t" not in text
    assert "Σ β_s = 10.05 for the first 1,000 steps" in text  # the betas alone: far more than 1
    assert any(r"\prod_{r=s+1}^{t} \alpha_r" in f.value for f in at.latex)


def test_the_article_is_quoted_as_the_article_and_what_the_model_learns_is_said():
    """Issue 28, item 8: the "slightly cleaner" sentence is the article's, named; the page says the denoiser learns
    to predict the noise of a one-jump x_t at every noise level, and that the small steps belong to the sampler."""
    text = " ".join(m.value for m in _run().markdown)
    assert "“How Diffusion Models Generate Images: The Math Behind AI Creativity”" in text
    assert "learns “one thing: given a slightly noisy image, how to make it slightly cleaner”" in text
    assert "predict the noise ε" in text and "made in one jump" in text and "The small steps belong to generation" in text


def test_both_markers_are_computed_and_said_with_their_meanings():
    """Issue 27: per pixel, the noise's power reaches the picture's at t = 352; the squint test fails first at
    t = 860 (the bundled astronaut, cosine, T = 1000); the page says which is which."""
    at = _run()
    x0 = to_model_space(_astronaut(128))
    ab = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))
    crossover, recognisable = fs.crossover_t(x0, ab), sp.recognisable_until(x0, ab)
    assert (crossover, recognisable) == (352, 860)
    text = " ".join(m.value for m in at.markdown)
    assert alt_text.when_gone(crossover, recognisable, 1000, True) in text
    assert "at t = 352 (dashed line)" in text and "until t = 859, and from t = 860 (long-dashed line)" in text
    assert "Torralba, Fergus & Freeman 2008" in " ".join(c.value for c in at.caption)


def test_the_coarse_to_fine_words_follow_t():
    at = _run()
    x0 = to_model_space(_astronaut(128))
    power = sp.radial_power(x0)
    ab = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))
    for t in (250, 700):
        _report(at, t, seq=t)
        _, words = alt_text.spectrum_plot(t, float(ab[t]), power.buried_above(float(ab[t])), 64, 128, True)
        assert words in [c.value for c in at.caption], t
    assert "every band from 9 waves across" in words  # at t = 700: only the coarsest waves stand above the noise


def test_a_lesson_that_locks_t_or_play_locks_the_player():
    settings = {"img": "photo:Astronaut", "colour": "rgb", "res": "64", "schedule": "linear", "T": "1000", "t": "400",
                "seed": "3"}
    for name in ("t", "play"):
        at = _run(lesson_link_query(settings, Lesson(locked=frozenset({name}), task="Watch.")))
        data = _player(at)
        assert data["locked"] and data["t"] == 400, name
    assert not _player(_run(settings))["locked"]


def test_good_upload_is_used_at_the_chosen_resolution():
    at = _run()
    at.radio(key="fw_image_source").set_value("Upload your own").run()
    at.file_uploader(key="fw_image_upload").upload("mine.png", _png(60, 40), "image/png").run()
    _assert_ok(at)
    assert not at.error
    assert "The image: 128 × 192 pixels" in _summary(at)  # short side 40 -> 128, aspect kept
    assert decode_x0(_player(at)["x0"]).shape == (128, 192, 3)


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
    _report(at, 10)
    assert _mix(at).startswith("**At t = 10**")


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
    assert f"The image: {h} × {w} pixels × 3 colours (red, green, blue) = {h * w * 3:,} integers" in _summary(at)
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
    data = _player(at)
    assert (data["t"], data["T"], data["seed"]) == (123, 500, 4)
    assert at.radio(key="fw_sched").value == "linear" and at.radio(key="fw_src").value == "digits"
    assert at.number_input(key="fw_index").value == 7


def test_tampered_link_warns_and_uses_defaults():
    at = _run({"t": "99999", "schedule": "evil", "res": "-1", "img": "photo:nope"})
    assert len(at.warning) == 4
    assert all("Using the default instead" in w.value for w in at.warning)
    assert _player(at)["t"] == 250 and at.radio(key="fw_sched").value == "cosine"
    assert at.query_params["t"] == "250"  # the URL is rewritten with valid values


def test_one_jump_versus_single_steps():
    at = _run({"T": "100", "t": "30", "res": "32"})
    at.button(key="fw_compare_btn").click().run()
    _assert_ok(at)
    table = next(m.value for m in at.markdown if m.value.startswith("| | mean |"))
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    assert [r[0].strip() for r in rows] == ["one jump", "single steps", "the bell curve N(0, 1)"]
    means, sds = np.array([float(r[1]) for r in rows]), np.array([float(r[2]) for r in rows])
    # Both are standard normal noise after standardising (n = 3,072 values: 5 standard errors).
    assert np.all(np.abs(means[:2]) < 5 / np.sqrt(3072))
    assert np.all(np.abs(sds[:2] - 1) < 5 * np.sqrt(0.5 / 3072))
    # The one jump is the player's x_t: the same ε (noise_stream), the same pixels as the browser draws.
    jump = next(i for i in at.get("image") if i.proto.imgs[0].caption.startswith("one jump"))
    assert jump.proto.imgs[0].caption.endswith("ms)")


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


def test_the_distance_section_says_how_far_each_number_moved():
    """'Each of the n numbers moved only a little' was said at every t (50 grey levels each at t = 250 is not
    little), and 'together they moved far: … 0 grey levels from x₀' at t = 0."""
    text = " ".join(m.value for m in _run({"t": "250"}).markdown)
    assert "numbers moved by about 50 grey levels (a root mean square)" in text and "only a little" not in text
    text = " ".join(m.value for m in _run({"t": "0"}).markdown)
    assert "At t = 0, x_t is x₀ itself: no number has moved yet." in text and "moved far" not in text
