"""The walk from the reader's own picture (diffusion_core.live.edit, .inpaint): SDEdit and inpainting.

Tiny untrained UNets (as in test_samplers) for the exact claims: strength 0 returns the picture, strength 1 without
a mask is plain generation bit for bit, known pixels never change (a property test), an edit's cost in network
calls. The shipped digits model, with few steps, for the statistical one: lower strength stays closer.
"""

from __future__ import annotations

import math
from collections import deque
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffusion_core import ASSETS
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_images, to_model_range
from diffusion_core.live.edit import (
    EditError,
    EditSettings,
    edit_images,
    edit_live,
    edit_steps,
    edit_timesteps,
    network_calls,
    pixel_distance,
    start_timestep,
)
from diffusion_core.live.gate import HeavyWorkGate
from diffusion_core.live.generation_settings import NO_CLASS, GenerationSettings
from diffusion_core.live.inpaint import KnownRegion, jump_back, resampled_steps
from diffusion_core.model import samplers as S
from diffusion_core.model.unet import UNet, UNetConfig

T = 1000
STEPS = {"dpmpp": 5, "ddim": 5, "ddpm": 8}


def _tiny(in_channels: int = 1, image_size: int = 28) -> UNet:
    torch.manual_seed(0)
    model = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4, in_channels=in_channels,
                            image_size=image_size)).eval()
    with torch.no_grad():  # the output conv starts at zero (eps = 0 for every class); make it say something
        model.out.weight.normal_(0, 0.5)
    return model


SCHEDULE = NoiseSchedule("cosine", T)
GREY = _tiny()
COLOUR = _tiny(3, 16)


class Counting:
    """A denoiser that counts its network calls (and the images in them)."""

    def __init__(self, model) -> None:
        self.model, self.calls, self.images = model, 0, 0
        self.config, self.null_class = model.config, model.null_class

    def parameters(self):
        return self.model.parameters()

    def __call__(self, x, t, y):
        self.calls += 1
        self.images += len(x)
        return self.model(x, t, y)


def _pictures(n: int, colour: bool = False, seed: int = 0) -> np.ndarray:
    """Blobby uint8 pictures (not pure noise): a random walk of strokes on black."""
    rng = np.random.default_rng(seed)
    side = 16 if colour else 28
    pics = np.zeros((n, side, side, 3) if colour else (n, side, side), np.uint8)
    for i in range(n):
        r, c = rng.integers(4, side - 4, 2)
        for _ in range(side * 2):
            r, c = np.clip([r, c] + rng.integers(-1, 2, 2), 1, side - 2)
            pics[i, r - 1:r + 2, c - 1:c + 2] = rng.integers(150, 256, 3) if colour else rng.integers(150, 256)
    return pics


def _last(walk):
    (step,) = deque(walk, maxlen=1)
    return step


# ---- strength and timesteps --------------------------------------------------------------------------------------

def test_start_timestep_rounds_half_up():
    assert [start_timestep(s, T) for s in (0.0, 0.0004, 0.0005, 0.5, 0.6, 0.9995, 1.0)] == [0, 0, 1, 500, 600, 1000, 1000]
    assert start_timestep(1, T) == T


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), True, "0.5", None])
def test_start_timestep_refuses_a_bad_strength(bad):
    with pytest.raises(EditError, match="strength"):
        start_timestep(bad, T)


@pytest.mark.parametrize("sampler", S.SAMPLERS)
def test_edit_timesteps(sampler):
    full = S.sampler_timesteps(sampler, SCHEDULE, 20)
    assert np.array_equal(edit_timesteps(sampler, SCHEDULE, 20, T), full)
    for t0 in (1, 2, 37, 250, 500, 501, 999):
        ts = edit_timesteps(sampler, SCHEDULE, 20, t0)
        assert ts[0] == t0 - 1 and len(ts) == math.ceil(20 * t0 / T) and np.all(np.diff(ts) < 0) and ts[-1] >= 0
    assert len(edit_timesteps(sampler, SCHEDULE, 20, 500)) == 10


# ---- the exact claims ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("strength", [0.0, 0.0004])
@pytest.mark.parametrize("colour", [False, True])
def test_strength_zero_returns_the_input_exactly_with_no_network_call(strength, colour):
    model = Counting(COLOUR if colour else GREY)
    pics = _pictures(3, colour)
    known = np.zeros(pics.shape[:3], bool)
    known[:, :5] = True
    for mask in (None, known):
        out = edit_images(model, SCHEDULE, pics, np.array([1, 2, 10]), known=mask, strength=strength, guidance=2.0)
        assert out.dtype == np.uint8 and np.array_equal(out, pics)
    assert model.calls == 0
    walk = list(edit_steps("dpmpp", model, SCHEDULE, torch.from_numpy(to_model_range(pics)), torch.tensor([1, 2, 10]),
                           strength=strength, num_steps=20, guidance=2.0, generator=torch.Generator()))
    assert [(s.index, s.num_steps, s.t) for s in walk] == [(0, 1, -1)]  # one record of the picture itself


@pytest.mark.parametrize("sampler", S.SAMPLERS)
@pytest.mark.parametrize("seed", [0, 7])
def test_strength_one_without_a_mask_is_plain_generation_bit_for_bit(sampler, seed):
    labels = torch.tensor([1, 4, 10])
    pics = torch.from_numpy(to_model_range(_pictures(3, seed=seed)))
    kw = {"num_steps": STEPS[sampler], "guidance": 2.0}
    eta = {"eta": 0.5} if sampler == "ddim" else {}
    plain = list(S.run_sampler(sampler, GREY, SCHEDULE, labels, generator=torch.Generator().manual_seed(seed),
                               **kw, **eta))
    for strength in (1.0, None):
        edit = list(edit_steps(sampler, GREY, SCHEDULE, pics, labels, strength=strength,
                               generator=torch.Generator().manual_seed(seed), **kw, **eta))
        assert [s.t for s in edit] == [s.t for s in plain]
        for a, b in zip(edit, plain):
            assert torch.equal(a.x_t, b.x_t) and torch.equal(a.x0_hat, b.x0_hat) and torch.equal(a.x_prev, b.x_prev)
    out = edit_images(GREY, SCHEDULE, _pictures(3, seed=seed), labels.numpy(), strength=1.0, sampler=sampler,
                      steps=STEPS[sampler], guidance=2.0, seed=seed, **eta)
    assert np.array_equal(out, to_images(plain[-1].x_prev.clamp(-1, 1).numpy()))


def test_sdedit_starts_from_the_picture_noised_with_plain_generations_first_noise():
    pics = torch.from_numpy(to_model_range(_pictures(2)))
    walk = list(edit_steps("ddim", GREY, SCHEDULE, pics, torch.tensor([3, 3]), strength=0.3, num_steps=10,
                           guidance=1.0, generator=torch.Generator().manual_seed(5)))
    eps = S.initial_noise(tuple(pics.shape), torch.Generator().manual_seed(5))
    ab = SCHEDULE.alpha_bar[299]  # t0 = 300: the forward step 300, the samplers' index 299
    expected = np.float32(np.sqrt(ab)) * pics + np.float32(np.sqrt(1 - ab)) * eps
    assert walk[0].t == 299 and len(walk) == 3
    torch.testing.assert_close(walk[0].x_t, expected, rtol=0, atol=1e-6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), strength=st.one_of(st.none(), st.floats(0.0, 1.0)),
       sampler=st.sampled_from(S.SAMPLERS), resample=st.integers(1, 3), colour=st.booleans(),
       density=st.floats(0.0, 1.0), guidance=st.sampled_from([0.0, 1.0, 3.0]), repeats=st.integers(1, 2))
def test_known_pixels_are_never_changed(seed, strength, sampler, resample, colour, density, guidance, repeats):
    rng = np.random.default_rng(seed)
    pics = _pictures(2, colour, seed)
    known = rng.random(pics.shape[:3]) < density
    out = edit_images(COLOUR if colour else GREY, SCHEDULE, pics, rng.integers(0, 11, 2), known=known,
                      strength=strength, sampler=sampler, steps=3, guidance=guidance, seed=seed, resample=resample,
                      repeats=repeats)
    assert out.shape == pics.shape and out.dtype == np.uint8
    assert np.array_equal(out[known], pics[known])


def test_the_walk_itself_keeps_the_known_pixels_and_fills_the_rest():
    """Before the copy at the end, too: each step's x_t carries the picture noised to its level (RePaint eq. 8)."""
    pics = _pictures(8)
    x0 = torch.from_numpy(to_model_range(pics))
    known = torch.zeros((8, 1, 28, 28), dtype=torch.bool)
    known[..., :14, :] = True
    walk = list(edit_steps("dpmpp", GREY, SCHEDULE, x0, torch.full((8,), 10), strength=None, num_steps=10,
                           guidance=1.0, generator=torch.Generator().manual_seed(0), known=known))
    for step in walk[1:-1]:
        ab = SCHEDULE.alpha_bar[step.t]
        z = (step.x_t - np.sqrt(ab) * x0) / np.sqrt(1 - ab)
        z = z[known.expand_as(z)]  # 8 * 14 * 28 = 3,136 values: N(0, 1)
        assert abs(float(z.mean())) < 0.1 and abs(float(z.std()) - 1) < 0.1, (step.t, float(z.mean()), float(z.std()))
    final = walk[-1].x_prev
    assert torch.equal(final[known.expand_as(final)], x0[known.expand_as(x0)])
    assert not torch.allclose(final[~known.expand_as(final)], x0[~known.expand_as(x0)], atol=0.1)


@pytest.mark.parametrize("sampler", S.SAMPLERS)
def test_repeats_walk_again_from_the_last_walks_picture(sampler):
    """R walks are one walk of R · K steps: the first K are the one-walk edit itself (the same draws first), and the
    second walk starts from the first one's picture noised to t_0 with the generator's next ε."""
    pics = torch.from_numpy(to_model_range(_pictures(2)))
    kw = {"strength": 0.5, "num_steps": STEPS[sampler], "guidance": 2.0}
    once = list(edit_steps(sampler, GREY, SCHEDULE, pics, torch.tensor([3, 7]), generator=torch.Generator().manual_seed(1),
                           **kw))
    gen = torch.Generator().manual_seed(1)
    twice = list(edit_steps(sampler, GREY, SCHEDULE, pics, torch.tensor([3, 7]), generator=gen, repeats=2, **kw))
    k = len(once)
    assert [s.index for s in twice] == list(range(2 * k)) and {s.num_steps for s in twice} == {2 * k}
    assert [s.t for s in twice] == [s.t for s in once] * 2
    for a, b in zip(once, twice[:k]):
        assert torch.equal(a.x_prev, b.x_prev)
    # The second walk's start: the first walk's picture, clamped, noised to t_0 = 500 with a fresh ε.
    replay = torch.Generator().manual_seed(1)
    _last(edit_steps(sampler, GREY, SCHEDULE, pics, torch.tensor([3, 7]), generator=replay, **kw))
    eps = S.initial_noise(tuple(pics.shape), replay)
    ab = SCHEDULE.alpha_bar[499]
    expected = np.float32(np.sqrt(ab)) * once[-1].x_prev.clamp(-1, 1) + np.float32(np.sqrt(1 - ab)) * eps
    torch.testing.assert_close(twice[k].x_t, expected, rtol=0, atol=1e-6)


def test_repeats_from_pure_noise_or_from_strength_zero_are_one_walk():
    pics = torch.from_numpy(to_model_range(_pictures(2)))
    labels = torch.tensor([1, 2])
    for strength, steps in ((1.0, 5), (None, 5), (0.0, 1)):
        walk = list(edit_steps("ddim", GREY, SCHEDULE, pics, labels, strength=strength, num_steps=5, guidance=1.0,
                               generator=torch.Generator().manual_seed(0), repeats=3))
        assert len(walk) == steps
        assert network_calls("ddim", SCHEDULE, 5, 1.0 if strength is None else strength, repeats=3) == (
            0 if strength == 0.0 else 5)


# ---- cost ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sampler", S.SAMPLERS)
@pytest.mark.parametrize("num_steps", [20, 50])
def test_an_edit_costs_about_s_of_a_full_run_in_network_calls(sampler, num_steps):
    pics = _pictures(2)
    labels = np.array([4, 4])
    full = Counting(GREY)
    _last(S.run_sampler(sampler, full, SCHEDULE, torch.from_numpy(labels), num_steps=num_steps, guidance=2.0,
                        generator=torch.Generator()))
    assert full.calls == num_steps
    for s in (0.1, 0.25, 0.5, 0.75, 0.9):
        model = Counting(GREY)
        edit_images(model, SCHEDULE, pics, labels, strength=s, sampler=sampler, steps=num_steps, guidance=2.0)
        assert model.calls == network_calls(sampler, SCHEDULE, num_steps, s) == math.ceil(s * num_steps)
        assert s <= model.calls / full.calls < s + 1 / num_steps
        if s == 0.5:
            assert model.calls <= 0.6 * full.calls
        assert model.images == 2 * len(pics) * model.calls  # guidance: one pass of 2B per step


def test_each_repeat_costs_one_more_walk():
    pics = _pictures(2)
    for repeats in (1, 2, 4):
        model = Counting(GREY)
        edit_images(model, SCHEDULE, pics, np.array([1, 2]), strength=0.6, sampler="ddim", steps=20, guidance=1.0,
                    repeats=repeats)
        assert model.calls == repeats * 12 == network_calls("ddim", SCHEDULE, 20, 0.6, repeats=repeats)


def test_resampling_costs_rounds_per_step_but_the_last():
    pics = _pictures(2)
    known = np.zeros((2, 28, 28), bool)
    known[:, 14:] = True
    for rounds in (1, 2, 4):
        model = Counting(GREY)
        edit_images(model, SCHEDULE, pics, np.array([1, 2]), known=known, strength=None, steps=10, guidance=1.0,
                    resample=rounds)
        assert model.calls == rounds * 9 + 1 == network_calls("dpmpp", SCHEDULE, 10, 1.0, rounds)


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_one_round_of_resampling_is_the_plain_walk(sampler):
    """DDIM and DDPM steps need no history: one-step runs chained are the run itself, draws in the same order."""
    x0 = torch.from_numpy(to_model_range(_pictures(2)))
    known = torch.zeros((2, 1, 28, 28), dtype=torch.bool)
    known[..., 10:20] = True
    ts = S.sampler_timesteps(sampler, SCHEDULE, 6)
    labels = torch.tensor([2, 10])
    x_T = torch.randn(x0.shape, generator=torch.Generator().manual_seed(1))
    runs = []
    for how in ("hook", "resampled"):
        gen = torch.Generator().manual_seed(3)
        region = KnownRegion(x0, known, SCHEDULE, gen)
        if how == "hook":
            steps = S.run_sampler(sampler, GREY, SCHEDULE, labels, num_steps=6, guidance=2.0, generator=gen, x_T=x_T,
                                  timesteps=ts, replace_known=region)
        else:
            steps = resampled_steps(sampler, GREY, SCHEDULE, labels, x_T, ts, region, 1, guidance=2.0, generator=gen)
        runs.append(list(steps))
    for a, b in zip(*runs):
        assert (a.index, a.num_steps, a.t) == (b.index, b.num_steps, b.t)
        assert torch.equal(a.x_t, b.x_t) and torch.equal(a.x_prev, b.x_prev)


# ---- the parts of RePaint -----------------------------------------------------------------------------------------

def test_jump_back_is_the_forward_process_over_the_skipped_steps():
    x = torch.full((4000, 1, 4, 4), 0.5)
    out = jump_back(x, 100, 300, SCHEDULE, torch.Generator().manual_seed(0))
    ratio = SCHEDULE.alpha_bar[300] / SCHEDULE.alpha_bar[100]
    assert abs(float(out.mean()) - 0.5 * np.sqrt(ratio)) < 0.01
    assert abs(float(out.var()) - (1 - ratio)) < 0.01
    clean = jump_back(x, -1, 0, SCHEDULE, torch.Generator().manual_seed(0))
    assert abs(float(clean.var()) - (1 - SCHEDULE.alpha_bar[0])) < 1e-5
    for a, b in ((300, 100), (5, 5), (-2, 4), (10, T)):
        with pytest.raises(ValueError, match="jump back"):
            jump_back(x, a, b, SCHEDULE, torch.Generator())


def test_known_region_checks_its_mask_and_finishes_exactly():
    x0 = torch.rand((2, 3, 8, 8)) * 2 - 1
    with pytest.raises(ValueError, match="does not fit"):
        KnownRegion(x0, torch.ones((2, 8, 7), dtype=torch.bool), SCHEDULE, torch.Generator())
    known = torch.rand((2, 8, 8)) < 0.5
    region = KnownRegion(x0, known, SCHEDULE, torch.Generator())
    out = region.finish(torch.zeros_like(x0))
    mask = known[:, None].expand_as(x0)
    assert torch.equal(out[mask], x0[mask]) and bool((out[~mask] == 0).all())


# ---- the statistical claim, on the shipped digits model -----------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    from diffusion_core.model.shipped_data import held_out
    from diffusion_core.model.weights import load_model

    return load_model("digits", ASSETS, torch.device("cpu")), held_out("digits")


def test_lower_strength_stays_closer_to_the_input(digits):
    loaded, (images, labels) = digits
    pick = np.arange(0, len(images), len(images) // 24)[:24]  # 24 digits of every class
    pics, y = images[pick], labels[pick].astype(np.int64)
    dist = {s: pixel_distance(edit_images(loaded.runner, loaded.schedule, pics, y, strength=s, steps=10,
                                          guidance=1.5, seed=1), pics) for s in (0.02, 0.2, 0.5, 0.8)}
    assert dist[0.02].mean() < dist[0.2].mean() < dist[0.5].mean() < dist[0.8].mean()
    assert (dist[0.2] < dist[0.8]).mean() >= 0.8, dist


# ---- the live run --------------------------------------------------------------------------------------------------

def _loaded(model):
    return SimpleNamespace(runner=model, schedule=SCHEDULE, class_names=tuple(str(i) for i in range(10)),
                           network_labels=lambda labels, seed: torch.as_tensor(labels, dtype=torch.long))  # plain


def test_edit_live_records_the_walk_and_matches_the_batch_edit():
    pic = _pictures(1)[0]
    known = np.zeros((28, 28), bool)
    known[:, :10] = True
    settings = GenerationSettings(label=3, guidance=2.0, steps=8, seed=2)
    gate, frames, busy = HeavyWorkGate(1), [], []

    def on_frame(frame):
        frames.append(frame)
        busy.append(gate.busy)

    model = Counting(GREY)
    edit = EditSettings(strength=0.5, copies=3, resample=1)
    res = edit_live(_loaded(model), pic, settings, edit, on_frame, known=known, gate=gate)
    assert res.t0 == 500 and res.calls == model.calls == 4 and res.settings.mode == "grid"
    assert frames[0].done == 1 and frames[-1].done == frames[-1].total == 4 and set(busy) == {1}
    assert frames[0].t == 499 and frames[0].x_t.shape == (3, 28, 28)
    assert res.trajectory.num_frames == 4 and res.trajectory.timesteps[0] == 499
    assert res.result.shape == (3, 28, 28) and np.array_equal(res.trajectory.final, res.result)
    assert np.array_equal(res.result[:, known], np.repeat(pic[None], 3, 0)[:, known])
    assert np.allclose(res.distance, pixel_distance(res.result, np.repeat(pic[None], 3, 0)))
    assert len({r.tobytes() for r in res.result}) == 3  # three different fills
    batch = edit_images(GREY, SCHEDULE, np.repeat(pic[None], 3, 0), np.full(3, 3), known=np.repeat(known[None], 3, 0),
                        strength=0.5, steps=8, guidance=2.0, seed=2, resample=1)
    assert np.array_equal(batch, res.result)
    rounds = edit_live(_loaded(GREY), pic, settings, EditSettings(strength=0.5, resample=3), lambda f: None,
                       known=known)
    assert rounds.calls == 3 * 3 + 1 and rounds.trajectory.num_frames == 4
    assert res.first_frame_seconds is not None and res.seconds >= res.first_frame_seconds
    assert res.picture_raw.shape == (1, 28 * 28) and res.trajectory.x_t_raw.shape == (4, 3, 28 * 28)
    assert np.array_equal(to_images(res.picture_raw.reshape(1, 1, 28, 28))[0], pic)


def test_edit_live_from_strength_zero_and_without_a_class():
    pic = _pictures(1, colour=True)[0]
    frames = []
    res = edit_live(_loaded(COLOUR), pic, GenerationSettings(label=NO_CLASS), EditSettings(strength=0.0), frames.append)
    assert res.calls == 0 and res.t0 == 0 and [f.t for f in frames] == [-1]
    assert np.array_equal(res.result[0], pic) and res.distance.tolist() == [0.0]


@pytest.mark.parametrize("call,match", [
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28)), np.zeros(2)), "uint8"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 32, 32), np.uint8), np.zeros(2)), r"\(N, 28, 28\)"),
    (lambda: edit_images(COLOUR, SCHEDULE, np.zeros((2, 16, 16), np.uint8), np.zeros(2)), r"\(N, 16, 16, 3\)"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2),
                         known=np.zeros((2, 28, 27), bool)), "mask"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2),
                         known=np.zeros((2, 28, 28), np.uint8)), "mask must be bool"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2), strength=1.5), "strength"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2), resample=0), "resampling"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2), repeats=0), "repeats"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2), repeats=5), "repeats"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2), sampler="euler"), "sampler"),
    (lambda: edit_images(GREY, SCHEDULE, np.zeros((2, 28, 28), np.uint8), np.zeros(2), steps=0), "steps"),
    (lambda: edit_live(_loaded(GREY), np.zeros((28, 28), np.uint8), GenerationSettings(), EditSettings(copies=9),
                       print), "copies"),
])
def test_bad_edits_raise_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
