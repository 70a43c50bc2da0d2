"""What the frame player plays for a run (diffusion_core.live.playback): every frame's step and t agree with the
recording, the last frame is the finished picture at t = 0, grids are held to the byte budget, and runs of
different lengths play side by side to the same end."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.player_data import frames_payload
from diffusion_core.live.playback import (
    MIN_FRAMES,
    all_frames,
    base64_size,
    evenly,
    plan,
    run_film,
    shown_t,
    side_by_side_film,
    side_by_side_indices,
)
from diffusion_core.live.trajectory import record
from diffusion_core.model.samplers import run_sampler
from diffusion_core.model.unet import UNet, UNetConfig


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return UNet(UNetConfig(channels=(8, 8, 8), groups=4, embed_dim=16)).eval(), NoiseSchedule("cosine", 1000)


def _run(tiny, sampler: str, steps: int, batch: int = 1, **kw):
    model, schedule = tiny
    labels = torch.arange(batch)
    return record(run_sampler(sampler, model, schedule, labels, num_steps=steps, guidance=1.5,
                              generator=torch.Generator().manual_seed(3)), steps, labels.numpy(), **kw)


def _alt(f) -> str:
    return f"alt {f.done} {f.t}"


def _png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def test_the_app_writes_the_models_timestep_plus_one():
    assert shown_t(999) == 1000 and shown_t(0) == 1


def test_twenty_steps_play_as_step_0_to_step_20_and_step_20_is_t_0(tiny):
    traj = _run(tiny, "dpmpp", 20)
    frames = all_frames(traj)
    assert [f.done for f in frames] == list(range(21))
    assert [f.t for f in frames[:-1]] == [t + 1 for t in traj.timesteps] and frames[0].t == 1000
    assert frames[-1].finished and frames[-1].t == 0
    assert frames[0].caption() == "step 0 of 20 · t = 1000: pure noise, before the first step"
    assert frames[13].caption() == f"step 13 of 20 · t = {traj.timesteps[13] + 1}"
    assert frames[-1].caption() == "step 20 of 20 · t = 0: the finished picture"


def test_a_strided_recording_counts_the_steps_it_recorded(tiny):
    traj = _run(tiny, "ddim", 50, max_frames=8)  # stride 7: steps 0, 7, ..., 49
    frames = all_frames(traj)
    assert [f.done for f in frames] == [0, 7, 14, 21, 28, 35, 42, 49, 50]
    assert frames[-2].t == traj.timesteps[-1] + 1 and frames[-1].t == 0


def test_the_film_shows_each_recorded_frame_and_ends_on_the_finished_picture(tiny):
    traj = _run(tiny, "dpmpp", 10)
    film = run_film(traj, None, _alt)
    assert film.left_out == 0 and len(film.frames) == 11
    for frame, played in zip(film.frames, film.played):
        x_t, x0_hat = (_png(p) for p in frame.images)
        if played.finished:
            assert np.array_equal(x_t, traj.final[0]) and np.array_equal(x0_hat, traj.final[0])
        else:
            assert np.array_equal(x_t, traj.x_t[played.index, 0]) and np.array_equal(x0_hat, traj.x0_hat[played.index, 0])
        assert frame.caption == played.caption() and frame.alt == _alt(played)
    frames_payload(film.frames, labels=("x_t", "x̂₀"))  # the player takes it


def test_a_grid_over_the_budget_plays_fewer_frames_evenly_with_the_first_and_the_last(tiny):
    traj = _run(tiny, "dpmpp", 20, batch=10)
    whole = run_film(traj, 5, _alt, budget=10**9)
    small = run_film(traj, 5, _alt, budget=whole.bytes // 3)
    assert whole.left_out == 0 and 0 < small.left_out
    assert small.bytes <= whole.bytes // 3 or len(small.frames) == MIN_FRAMES
    assert small.played[0].done == 0 and small.played[-1].finished
    assert [f.done for f in small.played] == sorted(f.done for f in small.played)


@given(st.integers(1, 200), st.integers(2, 50))
def test_evenly_keeps_the_ends_and_never_repeats(count, most):
    chosen = evenly(count, most)
    assert chosen[0] == 0 and chosen[-1] == count - 1
    assert len(chosen) == min(count, most) and chosen == sorted(set(chosen))


@given(st.lists(st.integers(100, 5000), min_size=2, max_size=60), st.integers(1000, 200_000))
def test_plan_fits_the_budget_unless_the_floor_does_not(sizes, budget):
    frames = list(range(len(sizes)))
    chosen = plan(frames, sizes, budget)
    assert chosen[0] == 0 and chosen[-1] == len(sizes) - 1
    total = sum(base64_size(sizes[i]) for i in chosen)
    assert total <= budget or len(chosen) == min(len(sizes), MIN_FRAMES)


def test_base64_size_is_what_base64_writes():
    import base64

    for n in range(0, 20):
        assert base64_size(n) == len(base64.b64encode(b"x" * n))


def test_runs_of_different_lengths_meet_at_the_end():
    rows = side_by_side_indices([113, 51, 21], 21)
    assert rows[0] == [0, 0, 0] and rows[-1] == [112, 50, 20] and rows[10] == [56, 25, 10]
    for column in zip(*rows):
        assert list(column) == sorted(column)


def test_three_samplers_side_by_side(tiny):
    runs = [_run(tiny, name, n, max_frames=20) for name, n in (("ddpm", 100), ("ddim", 50), ("dpmpp", 20))]
    frames, moments = side_by_side_film(runs, ["DDPM", "DDIM", "DPM-Solver++"], lambda m: "alt")
    assert len(frames) == 21 and all(len(f.images) == 3 for f in frames)
    assert frames[0].caption.startswith("pure noise, the same for all · DDPM t = 1000 · DDIM t = 1000")
    assert frames[-1].caption.startswith("the finished pictures") and all(m.finished for m in moments[-1])
    for run, picture in zip(runs, frames[-1].images):
        assert np.array_equal(_png(picture), run.final[0])
