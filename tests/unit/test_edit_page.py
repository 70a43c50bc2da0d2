"""The "Draw your own" page's core: its link (draw_settings), the checks of the reader's picture (draw_input), and what
it shows of an edit (edit_view): the film from the picture to the result, the walk from the picture, the start level,
the comparison of two bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.live import draw_input
from diffusion_core.live.draw_settings import EDIT_GUIDANCE, DrawSettings, edit_guidance
from diffusion_core.live.edit import EditSettings, edit_live, edit_timesteps
from diffusion_core.live.edit_view import (
    compare_bounds,
    compare_many,
    copy_words,
    film,
    landing_words,
    rms_change,
    start_level,
    walk_from_picture,
)
from diffusion_core.live.generation_settings import NO_CLASS
from diffusion_core.model.samplers import default_guidance
from diffusion_core.model.unet import UNet, UNetConfig

MODELS, SIZES = ["digits", "fashion", "emoji"], {"digits": 1000, "fashion": 1000, "emoji": 348}
AWKWARD = ("", "-3", "abc", "1e100", "10" + "0" * 100, "nan", "inf", "9" * 5000, "\u0663", "../../etc/passwd",
           "<script>alert(1)</script>", "[x](https://e.vil)")
SCHEDULE = NoiseSchedule("cosine", 1000)


def read(query):
    return DrawSettings.from_query(query, MODELS, SIZES)


# ---------------------------------------------------------------- the link
def test_the_defaults_link_reads_back_as_the_defaults():
    defaults = DrawSettings().to_query()
    settings, problems = read(defaults)
    assert problems == [] and settings == DrawSettings() and settings.to_query() == defaults
    assert "picture" not in defaults and "pixels" not in defaults  # the drawing is never in the link


def test_every_parameter_refuses_every_awkward_value_alone():
    defaults = DrawSettings().to_query()
    failures = []
    for key in defaults:
        for value in AWKWARD:
            settings, problems = read({key: value})
            prefix = f"Ignored {key}={value[:40]}{'…' if len(value) > 40 else ''} in the link: "
            if len(problems) != 1 or not problems[0].startswith(prefix) or settings.to_query() != defaults:
                failures.append(f"{key}={value[:20]!r}: {problems}")
            elif not problems[0].endswith(" Using the default instead."):
                failures.append(f"{key}={value[:20]!r}: worded {problems[0][:120]!r}")
    assert not failures, "\n".join(failures)


def test_a_full_link_round_trips():
    wanted = DrawSettings(model="fashion", start="held", index=999, mode="fill", strength=0.35, label=3, guidance=2.5,
                          sampler="ddpm", steps=100, eta=0.0, seed=12345, fills=5, repeats=3)
    assert read(wanted.to_query()) == (wanted, [])


def test_values_are_read_against_the_rows_before_them():
    # the emoji model ships 348 held-out images: held:500 is fine for digits, refused for emoji
    assert read({"model": "digits", "start": "held:500"})[0].index == 500
    settings, problems = read({"model": "emoji", "start": "held:500"})
    assert settings.start == "blank" and "held:N with N from 0 to 347" in problems[0]
    # steps follow the sampler: 1000 is DDPM's, too many for DPM-Solver++
    assert read({"sampler": "ddpm", "steps": "1000"})[0].steps == 1000
    settings, problems = read({"sampler": "dpmpp", "steps": "1000"})
    assert settings.steps == 20 and "use 5 to 50 steps" in problems[0]
    # the guidance defaults to the model's edit default
    assert read({})[0].guidance == edit_guidance("digits") == EDIT_GUIDANCE["digits"] == 5.0  # measured for edits
    assert read({"model": "emoji"})[0].guidance == edit_guidance("emoji") == default_guidance("emoji")  # its own
    # each sampler's steps default to this page's
    assert [read({"sampler": s})[0].steps for s in ("dpmpp", "ddim", "ddpm")] == [20, 20, 100]


@given(st.integers(0, 20))
def test_strength_is_read_in_steps_of_a_twentieth(k):
    text = f"{k * 0.05:.2f}".rstrip("0").rstrip(".") or "0"
    settings, problems = read({"strength": text})
    assert problems == [] and math.isclose(settings.strength, k / 20) and settings.to_query()["strength"] == text


@pytest.mark.parametrize("text", ["0.33", "1.05", "0.051", "2"])
def test_a_strength_off_the_slider_is_refused(text):
    assert read({"strength": text})[1][0].startswith(f"Ignored strength={text} in the link: use a number from 0 to 1")


def test_none_and_classes_as_the_prompt():
    assert read({"label": "none"})[0].label == NO_CLASS
    assert read({"label": "7"})[0].label == 7
    assert DrawSettings(label=NO_CLASS).to_query()["label"] == "none"


def test_generation_settings_of_a_run():
    gen = DrawSettings(sampler="dpmpp", eta=1.0, label=4, seed=9).generation()
    assert (gen.sampler, gen.eta, gen.label, gen.seed, gen.mode) == ("dpmpp", 0.0, 4, 9, "one")  # η is DDIM's alone
    assert DrawSettings(sampler="ddim", eta=1.0).generation().eta == 1.0


# ---------------------------------------------------------------- the reader's picture
def test_blank_and_flat_pictures():
    grey, colour = draw_input.background(28, False), draw_input.background(32, True)
    assert grey.shape == (28, 28) and not grey.any() and draw_input.is_blank(grey)
    assert colour.shape == (32, 32, 3) and (colour == 255).all() and draw_input.is_blank(colour)
    assert draw_input.flat_colour(grey) == (0,) and draw_input.flat_colour(colour) == (255, 255, 255)
    drawn = grey.copy()
    drawn[10, 10] = 200
    assert not draw_input.is_blank(drawn) and draw_input.flat_colour(drawn) is None
    pink = np.zeros((32, 32, 3), np.uint8) + np.array([200, 30, 90], np.uint8)
    assert draw_input.flat_colour(pink) == (200, 30, 90) and not draw_input.is_blank(pink)


def test_what_cannot_be_run_is_said_with_what_to_do():
    grey = draw_input.background(28, False)
    none = np.zeros((28, 28), bool)
    assert "Nothing is drawn" in draw_input.problem(grey, none, "sdedit")
    assert "Send the drawing" in draw_input.problem(None, None, "sdedit")
    assert "blank pad's white" in draw_input.problem(draw_input.background(32, True), None, "sdedit")
    drawn = grey.copy()
    drawn[5:20, 14] = 255
    assert draw_input.problem(drawn, none, "sdedit") is None
    assert "Nothing is marked" in draw_input.problem(drawn, none, "fill")
    marked = none.copy()
    marked[14:] = True
    assert draw_input.problem(drawn, marked, "fill") is None
    assert draw_input.problem(grey, marked, "fill") is None  # filling in part of a blank pad is a fair question
    assert draw_input.notes(drawn, marked, "fill") == []
    assert "plain generation from pure noise" in draw_input.notes(drawn, ~none, "fill")[0]
    assert "grey level 128" in draw_input.notes(np.full((28, 28), 128, np.uint8), none, "sdedit")[0]


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 60), st.integers(1, 60), st.just(3))))
def test_uploads_reduce_to_the_model_size_and_light_grey_pictures_are_swapped(pixels):
    grey = draw_input.from_upload(pixels, (1, 28, 28))
    assert grey.picture.shape == (28, 28) and grey.picture.dtype == np.uint8
    plain = draw_input.from_upload(pixels, (1, 28, 28), invert=False).picture
    assert grey.inverted == grey.light == draw_input.mostly_light(plain)
    assert np.array_equal(grey.picture, 255 - plain if grey.inverted else plain)
    assert np.array_equal(draw_input.from_upload(pixels, (1, 28, 28), invert=True).picture, 255 - plain)
    colour = draw_input.from_upload(pixels, (3, 32, 32), invert=True)
    assert colour.picture.shape == (32, 32, 3) and not colour.inverted  # colour is never swapped


def test_a_pencil_drawing_on_paper_is_swapped_and_a_saved_pad_comes_back_unchanged():
    paper = np.full((28, 28, 3), 250, np.uint8)
    paper[4:24, 13:15] = 20  # a dark stroke on light paper
    up = draw_input.from_upload(paper, (1, 28, 28))
    assert up.inverted and up.picture[10, 13] > 200 and up.picture[0, 0] < 10
    pad = np.zeros((28, 28), np.uint8)
    pad[5:20, 10:12] = 255  # the pad's own picture, saved as PNG and uploaded again (RGB)
    back = draw_input.from_upload(np.repeat(pad[..., None], 3, axis=2), (1, 28, 28))
    assert not back.inverted and np.array_equal(back.picture, pad)


# ---------------------------------------------------------------- what the page shows of an edit
def _tiny() -> UNet:
    torch.manual_seed(0)
    model = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, in_channels=1, image_size=28)).eval()
    with torch.no_grad():
        model.out.weight.normal_(0, 0.5)
    return model


class _Loaded:
    runner = _tiny()
    schedule = SCHEDULE
    class_names = tuple(str(k) for k in range(10))

    @staticmethod
    def network_labels(labels, seed):  # a plain model: the prompts themselves (LoadedModel.network_labels)
        return torch.as_tensor(labels, dtype=torch.long)


def _edit(strength, copies=1, known=None, repeats=1):
    picture = np.zeros((28, 28), np.uint8)
    picture[6:22, 12:16] = 255
    gen = DrawSettings(sampler="ddim", steps=10, eta=1.0, seed=3).generation()
    return edit_live(_Loaded, picture, gen, EditSettings(strength=strength, copies=copies, repeats=repeats),
                     lambda frame: None, known=known)


def test_the_film_of_two_walks_says_which_walk_each_step_is_in():
    result = _edit(0.6, repeats=2)
    assert result.walks == 2 and result.trajectory.num_steps == 12 and result.calls == 12
    captions = [f.caption for f in film(result, "Prompt: none")[1:-1]]
    assert captions[0] == "Step 1 of 12 (walk 1 of 2): x_t at t = 600, your picture noised to t₀ = 600 in one jump"
    assert captions[6] == "Step 7 of 12 (walk 2 of 2): x_t at t = 600, the last walk's picture noised to t₀ = 600 again"
    assert _edit(1.0, repeats=2).walks == 1  # from pure noise: one walk


def test_the_film_runs_from_the_picture_through_every_recorded_step_to_the_result():
    result = _edit(0.6)
    frames = film(result, "Prompt: none")
    assert len(frames) == result.trajectory.num_frames + 2
    assert np.array_equal(frames[0].x_t, result.picture) and frames[0].t == 0 and "Your picture" in frames[0].caption
    assert np.array_equal(frames[-1].x_t, result.result[0]) and "result" in frames[-1].caption
    assert frames[1].t == result.t0 == 600 and "t₀ = 600" in frames[1].caption  # x_{t0}: the forward step's numbering
    assert frames[1].caption.startswith(f"Step 1 of {result.trajectory.num_steps}: x_t at t = 600")
    assert frames[-2].caption.startswith(f"Step {result.trajectory.num_steps} of {result.trajectory.num_steps}:")
    shown = [f.t for f in frames[1:-1]]
    assert shown == sorted(shown, reverse=True) and shown[-1] >= 1
    assert all(f.alt and "Prompt: none" in f.alt for f in frames)


def test_a_film_of_several_fills_and_of_strength_zero():
    known = np.ones((28, 28), bool)
    known[14:] = False
    frames = film(_edit(None, copies=3, known=known), "Prompt: 3")
    assert frames[0].x_t.shape == (28, 3 * 28 + 2 * 2)  # three copies side by side (tile's gaps)
    still = film(_edit(0.0), "Prompt: none")
    assert len(still) == 2 and np.array_equal(still[0].x_t, still[1].x_t)  # no step: the picture is the result


class _FirstPixels:
    """A projection onto two pixels: easy to check by hand."""

    def project(self, x):
        flat = np.asarray(x, np.float64).reshape(len(x), -1)
        return flat[:, [0, 300]]


def test_the_walk_starts_at_the_picture_itself_then_at_x_t0():
    result = _edit(0.5, copies=2, known=np.ones((28, 28), bool) & (np.arange(28)[:, None] < 14))
    path, end = walk_from_picture(result, _FirstPixels())
    k = result.trajectory.num_frames
    assert path.shape == (k + 1, 2, 2) and end.shape == (2, 2)
    picture = result.picture.astype(np.float64) / 127.5 - 1
    assert np.allclose(path[0], [picture.reshape(-1)[[0, 300]]] * 2)
    assert np.allclose(path[1:], result.trajectory.projected(_FirstPixels())[0])


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1.0), st.sampled_from(["dpmpp", "ddim", "ddpm"]), st.integers(5, 50))
def test_the_start_level_is_the_edits_own(strength, sampler, steps):
    level = start_level(strength, SCHEDULE, sampler, steps)
    assert math.isclose(level.keep ** 2 + level.noise ** 2, 1.0)
    if level.t0 == 0:
        assert (level.keep, level.steps) == (1.0, 0)
    else:
        assert level.steps == len(edit_timesteps(sampler, SCHEDULE, steps, level.t0)) == math.ceil(steps * level.t0 / 1000)
        assert level.keep == (0.0 if level.t0 == 1000 else math.sqrt(SCHEDULE.alpha_bar[level.t0 - 1]))
    more = start_level(min(1.0, strength + 0.05), SCHEDULE, sampler, steps)
    assert more.keep <= level.keep and more.steps >= level.steps


def test_the_rms_change_of_a_value():
    assert rms_change(28 * 45, 784) == 45.0


def test_bounds_are_called_different_only_when_their_intervals_do_not_overlap():
    assert "lower by 1.00" in compare_bounds(3.0, 0.05, 2.0, 0.05)
    assert "higher by 0.26" in compare_bounds(1.75, 0.02, 2.01, 0.03)
    assert "cannot tell" in compare_bounds(2.0, 0.05, 1.92, 0.04)
    assert "cannot tell" in compare_bounds(2.0, 0.05, 2.0, 0.05)
    # upper bounds: a lower bound shows plausibility, a higher one shows nothing ("the model finds the result more
    # plausible than your picture" claimed more than two bounds can)
    assert "not that your picture is less so" in compare_bounds(3.0, 0.05, 2.0, 0.05)
    assert "more plausible than your picture" not in compare_bounds(3.0, 0.05, 2.0, 0.05)
    assert "does not show that the model finds the result less plausible" in compare_bounds(1.75, 0.02, 2.01, 0.03)


@pytest.mark.parametrize("sampler", ["dpmpp", "ddim", "ddpm"])
def test_every_edit_the_page_offers_has_k_valid_timesteps(sampler):
    """Every strength of the page's slider (steps of 0.05) with every number of steps its Steps slider offers: K =
    ceil(N t0 / T) timesteps, strictly decreasing, from t0 - 1 down, none below 0. (trailing_timesteps's float arange
    gave one too many, a final -1, for 1,095 of these with DDIM and DDPM, e.g. DDIM 11 steps at strength 0.6: the edit
    raised ValueError.)"""
    from diffusion_core.live.generation_settings import STEP_LIMITS

    lo, hi = STEP_LIMITS[sampler]
    bad = []
    for n in range(lo, hi + 1):
        for t0 in range(50, 1001, 50):
            ts = edit_timesteps(sampler, SCHEDULE, n, t0)
            k = math.ceil(n * t0 / 1000)
            if len(ts) != k or ts[0] != t0 - 1 or ts.min() < 0 or np.any(np.diff(ts) >= 0):
                bad.append((n, t0, len(ts), k))
    assert not bad, bad[:10]


def test_an_edit_with_a_step_count_the_float_spacing_got_wrong_runs():
    result = edit_live(_Loaded, np.full((28, 28), 60, np.uint8), DrawSettings(sampler="ddim", steps=11).generation(),
                       EditSettings(strength=0.6), lambda frame: None)
    assert result.trajectory.num_steps == 7 and result.calls == 7


def test_fills_are_compared_one_by_one():
    assert compare_many(2.0, 0.05, [(1.5, 0.05)]) == compare_bounds(2.0, 0.05, 1.5, 0.05)
    said = compare_many(1.06, 0.02, [(2.09, 0.02), (1.54, 0.02), (1.07, 0.02)])
    assert said.startswith("Against your picture's bound, beyond both 95% intervals: higher for fill 1 and fill 2.")
    assert "a higher one shows nothing by itself" in said
    assert "For the other fill the intervals overlap your picture's" in said and "cannot tell it from" in said
    assert "lower for fill 2; higher for fill 1" in compare_many(2.0, 0.05, [(2.5, 0.05), (1.0, 0.05)])
    assert compare_many(2.0, 0.05, [(2.0, 0.05), (2.01, 0.05)]).startswith("For all 2 fills the intervals overlap")
    assert "For the other 2 fills" in compare_many(2.0, 0.05, [(3.0, 0.05), (2.0, 0.05), (2.01, 0.05)])


def _check(labels, indices, distances, suspicious, far):
    from diffusion_core.live.memorisation import CopyCheck

    return CopyCheck(np.array(distances), np.array(indices), np.array(labels), np.array(suspicious), np.array(far))


def test_several_fills_are_judged_together_against_their_class():
    from types import SimpleNamespace

    names = tuple(str(k) for k in range(10))
    ruler = SimpleNamespace(typical=np.arange(11) + 0.5, unusually_close=np.arange(11) + 0.25)
    check = _check([10, 10, 10], [0, 1, 2], [6.8, 7.5, 7.06], [False] * 3, [True, True, False])
    words = copy_words(check, ruler, names)
    assert words[0] == ("**No sign of copying:** none of the 3 is closer to a training image than 95% of real images "
                        "the model never saw are.")
    assert words[1].startswith("2 of the 3 (fill 1 and fill 2) are unusually far") and "6.80, 7.50, 7.06" in words[2]
    one_far = _check([10, 10, 10], [0, 1, 2], [6.8, 7.5, 7.06], [False] * 3, [False, True, False])
    assert copy_words(one_far, ruler, names)[1].startswith("1 of the 3 (fill 2) is unusually far")  # was "1 … are"
    assert "not a copy," in copy_words(one_far, ruler, names)[1]
    assert "typically 10.50" in words[2]  # the no-class yardstick: all real images
    three = _check([3, 3], [0, 1], [1.0, 5.0], [True, False], [False, False])
    assert copy_words(three, ruler, names)[0].startswith("**1 of the 2 may be a near-copy** (fill 1): closer to a "
                                                         "training image than 95% of real “3” images")
    train_labels = np.array([2, 2, 7])
    assert landing_words(check, train_labels, names) == ("Asked for no class, the 3 end nearest training images of "
                                                         "class “2”, “2” and “7”.")
    assert landing_words(_check([2, 2, 2], [0, 1, 2], [1, 1, 1], [False] * 3, [False] * 3), train_labels, names) == (
        "Asked for “2”, the 3 end nearest training images of class “2”, “2” and “7”: 2 of them of the class asked for.")
