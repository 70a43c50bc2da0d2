"""Trajectory recording (frame stride, final image) and its GIF / PNG exports."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pictures import gif_bytes, pair_image, png_bytes, tile, upscale
from diffusion_core.live.trajectory import MAX_FRAMES, frame_stride, record, trajectory_gif
from diffusion_core.model.samplers import run_sampler
from diffusion_core.model.unet import UNet, UNetConfig


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return UNet(UNetConfig(channels=(8, 8, 8), groups=4, embed_dim=16)).eval(), NoiseSchedule("cosine", 1000)


def _run(tiny, sampler: str, steps: int, batch: int = 2, **kw):
    model, schedule = tiny
    labels = torch.arange(batch)
    it = run_sampler(sampler, model, schedule, labels, num_steps=steps, guidance=2.0,
                     generator=torch.Generator().manual_seed(3))
    return record(it, steps, labels.numpy(), **kw)


def test_every_step_recorded_when_few_steps(tiny):
    traj = _run(tiny, "dpmpp", 10)
    assert traj.num_frames == 10
    assert traj.x_t.shape == traj.x0_hat.shape == (10, 2, 28, 28)
    assert traj.x_t.dtype == np.uint8 and traj.final.shape == (2, 28, 28)
    assert traj.x_t_raw.shape == (10, 2, 784) and traj.x_t_raw.dtype == np.float32
    assert list(traj.timesteps) == sorted(traj.timesteps, reverse=True) and traj.timesteps[0] == 999


def test_long_runs_are_capped_and_keep_last_step(tiny):
    traj = _run(tiny, "ddpm", 1000, batch=1)
    assert traj.num_frames <= MAX_FRAMES
    assert traj.timesteps[0] == 999 and traj.timesteps[-1] == 0
    assert frame_stride(1000) == 9 and frame_stride(20) == 1


def test_max_frames_argument(tiny):
    assert _run(tiny, "ddim", 50, max_frames=8).num_frames <= 9


def test_final_equals_sampler_output(tiny):
    """The recorded final image is the sampler's last x_prev, quantised to uint8."""
    model, schedule = tiny
    labels = torch.tensor([1])
    *_, last = run_sampler("ddim", model, schedule, labels, num_steps=5, guidance=1.0,
                           generator=torch.Generator().manual_seed(0))
    expected = np.clip(np.rint((last.x_prev.clamp(-1, 1).numpy()[:, 0] + 1) * 127.5), 0, 255).astype(np.uint8)
    traj = record(run_sampler("ddim", model, schedule, labels, num_steps=5, guidance=1.0,
                              generator=torch.Generator().manual_seed(0)), 5, labels.numpy())
    np.testing.assert_array_equal(traj.final, expected)


def test_tile_layout():
    images = np.stack([np.full((2, 3), i * 10, np.uint8) for i in range(5)])
    grid = tile(images, columns=2, pad=1, pad_value=255)
    assert grid.shape == (3 * 3 - 1, 2 * 4 - 1)
    assert grid[0, 0] == 0 and grid[0, 4] == 10 and grid[3, 0] == 20 and grid[6, 0] == 40
    assert grid[2, 0] == 255  # padding row
    assert grid[6, 4] == 255  # empty cell of the last row


def test_upscale_and_pair():
    img = np.array([[0, 255]], np.uint8)
    np.testing.assert_array_equal(upscale(img, 2), [[0, 0, 255, 255], [0, 0, 255, 255]])
    pair = pair_image(np.zeros((1, 28, 28), np.uint8), np.full((1, 28, 28), 9, np.uint8), scale=1)
    assert pair.shape == (28, 62) and pair[0, 61] == 9


def test_gif_has_all_frames_and_loops(tiny):
    traj = _run(tiny, "dpmpp", 6)
    gif = Image.open(io.BytesIO(trajectory_gif(traj, columns=2, scale=2)))
    assert gif.format == "GIF" and 2 <= gif.n_frames <= traj.num_frames + 1
    assert gif.info.get("loop") == 0
    # Pillow merges identical consecutive frames and adds their durations: the timing is all there.
    durations = []
    for k in range(gif.n_frames):
        gif.seek(k)
        durations.append(gif.info["duration"])
    assert sum(durations) == 80 * traj.num_frames + 1500 and durations[-1] >= 1500
    assert gif.size == (2 * (2 * 28 + 2 + 6 + 2 * 28 + 2), 2 * 28)


def test_gif_and_png_roundtrip_pixels():
    frame = (np.arange(28 * 28).reshape(28, 28) % 256).astype(np.uint8)
    png = Image.open(io.BytesIO(png_bytes(frame)))
    np.testing.assert_array_equal(np.asarray(png), frame)
    with pytest.raises(ValueError):
        gif_bytes([])


def test_the_walk_projected_on_a_pca_plane(tiny):
    """Every recorded x_t (unclipped) and the final images, each through the projection's own formula:
    (x - mean) @ components.T with x flattened channels first."""
    from diffusion_core.images.pixels import to_model_range
    from diffusion_core.model.shipped_data import Projection

    traj = _run(tiny, "ddim", 6, batch=3)
    rng = np.random.default_rng(0)
    components = np.linalg.qr(rng.standard_normal((784, 2)))[0].T
    proj = Projection(rng.standard_normal(784), components, np.zeros((1, 2)), np.zeros(1))
    path, end = traj.projected(proj)
    assert path.shape == (traj.num_frames, 3, 2) and end.shape == (3, 2)
    for k in (0, traj.num_frames - 1):
        np.testing.assert_allclose(path[k], (traj.x_t_raw[k].astype(np.float64) - proj.mean) @ components.T, rtol=1e-6)
    final = to_model_range(traj.final).reshape(3, -1).astype(np.float64)
    np.testing.assert_allclose(end, (final - proj.mean) @ components.T, rtol=1e-6)


def test_the_gap_between_two_finished_pictures_is_a_root_mean_square_in_grey_levels():
    from diffusion_core.access import alt_text
    from diffusion_core.live.run import final_gap

    a = np.zeros((1, 28, 28), np.uint8)
    b = a.copy()
    b[0, :14] = 255  # half the pixel values 255 apart: √(255² / 2)
    assert final_gap(a, a) == 0.0 and abs(final_gap(a, b) - 255 / 2 ** 0.5) < 1e-9 and final_gap(a, b) == final_gap(b, a)
    words = alt_text.samplers_compared(3.2, 61.7)
    # computed, where it said DDPM "lands somewhere else in the same class" (nothing on the page checked the class)
    assert "here 3 grey levels apart" in words and "here 62 grey levels from DPM-Solver++'s picture" in words
    assert "in the same class" not in words
