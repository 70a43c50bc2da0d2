"""Coarse to fine on the denoiser (diffusion_core.live.coarse_to_fine): a run whose broad waves settle first is said
to settle layout first, one built the other way round is said so, and the chart and its words come from the numbers."""

from __future__ import annotations

import numpy as np

from diffusion_core.forward.spectrum import lowpass
from diffusion_core.images.pixels import to_pixels
from diffusion_core.live.coarse_to_fine import Settling, chart, settling, words
from diffusion_core.live.trajectory import Trajectory

SIDE = 28


def _picture(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.standard_normal((SIDE, SIDE)) * 0.8, -1, 1)


def _trajectory(guesses: list[np.ndarray], final: np.ndarray) -> Trajectory:
    """A one-image run whose recorded guesses x̂₀ are ``guesses`` (model range) and whose result is ``final``."""
    k = len(guesses)
    x0 = np.stack([to_pixels(g)[None] for g in guesses])  # (K, 1, H, W)
    return Trajectory(np.arange(k)[::-1] * 50 + 9, x0.copy(), x0, np.zeros((k, 1, SIDE * SIDE), np.float32),
                      to_pixels(final)[None], np.array([0]), k, 1)


def test_a_run_that_fixes_the_broad_waves_first_is_said_to():
    final = _picture()
    cutoffs = [0, 0, 2, 4, 6, 8, 10, 12, 14, 14]  # guess k: the final's waves up to cutoffs[k] cycles, nothing finer
    guesses = [lowpass(final, c) for c in cutoffs]
    settle = settling(_trajectory(guesses, to_pixels(final).astype(np.float64) / 127.5 - 1))
    assert list(settle.frequency) == list(range(1, 15))
    assert list(settle.steps) == sorted(settle.steps)  # a band settles once the cutoff passes it
    assert settle.coarse_first() is True
    said = words(settle)
    assert said.startswith("The coarsest waves (1 to 4 cycles across the picture: its layout) had all settled by step")
    assert said.endswith("layout first, detail last.")


def test_a_run_built_fine_first_is_not_called_coarse_to_fine():
    final = _picture(1)
    fine_only = [final - lowpass(final, c) for c in (14, 12, 9, 6, 3)]  # the fine waves arrive first
    settle = settling(_trajectory([np.zeros_like(final), *fine_only, final], final))
    assert settle.coarse_first() is False
    assert words(settle).endswith("in this run the detail settled before the layout, on average.")


def test_steps_and_timesteps_come_from_the_played_frames():
    settle = Settling(np.arange(1, 7, dtype=float), np.array([2, 2, 3, 3, 5, 5]), np.array([700, 700, 500, 500, 9, 9]),
                      20)
    assert words(settle) == ("The coarsest waves (1 to 2 cycles across the picture: its layout) had all settled by "
                             "step 2 of 20 (t = 700); the finest (5 to 6 cycles: edges and texture) only by step 5 "
                             "(t = 9): layout first, detail last.")
    svg = chart(settle, words(settle))
    assert svg.startswith("<svg") and svg.count("<rect") >= 6 and "layout first" in svg
