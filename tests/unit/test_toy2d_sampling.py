"""The 2-D samplers: the same steps as the image pages' samplers, and the exact ODE carrying N(0, I) to the data.

* DDIM and DPM-Solver++ on points are compared with :mod:`diffusion_core.model.samplers` (written for image
  tensors) driven by the same exact field through a stub with the UNet's interface, in float64: they must agree;
* the reference ODE (RK4 in log-SNR) converges, and its end points are samples of the mixture: their energy
  distance to fresh data is that of fresh data to fresh data (the floor); for a point set they are the points;
* DDIM converges to it at first order, DPM-Solver++(2M) at second order; DDPM's samples are data too.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from diffusion_core.model import samplers as image_samplers
from diffusion_core.model.unet import UNetConfig
from diffusion_core.toy2d import exact, metrics, sampling
from diffusion_core.toy2d.datasets import dataset, heart_points, point_set
from diffusion_core.toy2d.settings import SCHEDULE


class ExactAsUNet(nn.Module):
    """The exact ε* of a mixture behind the UNet's call signature: images (B, 2, 1, 1) are points (B, 2)."""

    def __init__(self, mix) -> None:
        super().__init__()
        self.config = UNetConfig(in_channels=2, image_size=1, num_classes=mix.num_classes)
        self.null_class = mix.num_classes
        self.device = torch.device("cpu")
        self.mix = mix

    def forward(self, x, t, labels):
        a = float(SCHEDULE.alpha_bar[int(t[0])])
        e = exact.eps(self.mix, x.reshape(-1, 2).double().numpy(), a)
        return torch.from_numpy(e).reshape(x.shape).to(x.dtype)


def _image_sampler_end(name: str, mix, x_T: np.ndarray, steps: int) -> np.ndarray:
    model = ExactAsUNet(mix)
    labels = torch.full((len(x_T),), mix.num_classes)
    start = torch.from_numpy(x_T).reshape(-1, 2, 1, 1)  # float64 throughout: no rounding between the two
    common = dict(num_steps=steps, generator=torch.Generator().manual_seed(0), x_T=start, clip_x0=False)
    run = image_samplers.ddim(model, SCHEDULE, labels, **common) if name == "ddim" else \
        image_samplers.dpmpp_2m(model, SCHEDULE, labels, **common)
    *_, last = run
    return last.x_prev.reshape(-1, 2).numpy()


@pytest.mark.parametrize("name", ["ddim", "dpmpp"])
@pytest.mark.parametrize("steps", [7, 20, 50])
def test_2d_samplers_take_the_image_samplers_steps(name, steps):
    mix = dataset("blobs")
    x_T = sampling.initial_noise(64, 1)
    field = sampling.exact_field(mix, SCHEDULE)
    ours = (sampling.ddim(field, SCHEDULE, x_T, steps) if name == "ddim"
            else sampling.dpmpp_2m(field, SCHEDULE, x_T, steps))
    assert ours.states.shape == (steps + 1, 64, 2) and len(ours.timesteps) == steps
    np.testing.assert_allclose(ours.final, _image_sampler_end(name, mix, x_T, steps), rtol=1e-9, atol=1e-9)


def test_at_t_T_an_eps_error_is_amplified_and_a_v_error_is_not():
    """Why the MLP predicts v: at t = T−1 (ᾱ ≈ 2.4e-9) DDIM's first step carries an ε error of 1% some 600-fold
    into x_t; the same 1% error in v = α ε − σ x_0 moves it by about as much as the error itself."""
    mix, x_T = dataset("ring8"), sampling.initial_noise(200, 3)
    exact_field = sampling.exact_field(mix, SCHEDULE)
    alpha, sigma = SCHEDULE.signal, SCHEDULE.noise
    truth = sampling.ddim(exact_field, SCHEDULE, x_T, 50).states[1]

    def eps_off(x, t):
        return exact_field(x, t) * 1.01

    def v_off(x, t):
        e = exact_field(x, t)
        v = (e - sigma[t] * x) / alpha[t]  # ε = σ x + α v
        return sigma[t] * x + alpha[t] * (v * 1.01)

    assert np.abs(sampling.ddim(eps_off, SCHEDULE, x_T, 50).states[1] - truth).max() > 1.0
    assert np.abs(sampling.ddim(v_off, SCHEDULE, x_T, 50).states[1] - truth).max() < 0.01


def test_reference_ode_converges():
    mix, x_T = dataset("smiley"), sampling.initial_noise(100, 4)
    coarse = sampling.reference_ode(mix, SCHEDULE, x_T, steps=200)
    fine = sampling.reference_ode(mix, SCHEDULE, x_T, steps=400)
    assert np.abs(coarse - fine).max() < 1e-5


@pytest.mark.parametrize("name", ["ring8", "blobs"])
def test_exact_ode_carries_gaussian_noise_to_the_mixture(name):
    """Averaged over 6 draws: one draw's distance swings by 2x either way (how many points land in each blob)."""
    mix, n = dataset(name), 1000
    ends, floors = [], []
    for seed in range(6):
        rng = np.random.default_rng([seed, 5])
        fresh = mix.sample(n, rng)[0]
        ends.append(metrics.energy_distance(sampling.reference_ode(mix, SCHEDULE, sampling.initial_noise(n, seed),
                                                                   steps=150), fresh))
        floors.append(metrics.energy_distance(mix.sample(n, rng)[0], fresh))
    assert np.mean(ends) <= 1.25 * np.mean(floors)


def test_exact_ode_of_a_point_set_ends_on_the_points():
    points = heart_points()
    ends = sampling.reference_ode(point_set(points), SCHEDULE, sampling.initial_noise(300, 6), steps=200)
    assert metrics.snapped_fraction(ends, points, tol=1e-4) == 1.0
    assert len(np.unique(metrics.nearest_distance(ends, points).round(3))) >= 1
    hit = {int(np.argmin(((points - e) ** 2).sum(1))) for e in ends}
    assert len(hit) == len(points)  # every training point is reached from some noise


def test_ddim_is_first_order_and_dpm_solver_second_order():
    mix, x_T = dataset("ring8"), sampling.initial_noise(150, 7)
    ref = sampling.reference_ode(mix, SCHEDULE, x_T, steps=300)
    field = sampling.exact_field(mix, SCHEDULE)
    ns = np.array([25, 50, 100, 200])
    ddim = [np.linalg.norm(sampling.ddim(field, SCHEDULE, x_T, n).final - ref, axis=1).mean() for n in ns]
    dpm = [np.linalg.norm(sampling.dpmpp_2m(field, SCHEDULE, x_T, n, spacing="trailing").final - ref, axis=1).mean()
           for n in ns]
    slope = lambda e: np.polyfit(np.log(ns), np.log(e), 1)[0]
    assert -1.25 < slope(ddim) < -0.8
    assert -2.5 < slope(dpm) < -1.6
    assert dpm[-1] < ddim[-1] / 4


def test_ddpm_with_the_exact_field_samples_the_data():
    mix, n = dataset("grid9"), 1500
    rng = np.random.default_rng(8)
    fresh, other = mix.sample(n, rng)[0], mix.sample(n, rng)[0]
    path = sampling.ddpm(sampling.exact_field(mix, SCHEDULE), SCHEDULE, sampling.initial_noise(n, 9), 200,
                         np.random.default_rng(10))
    assert path.states.shape == (201, n, 2)
    assert metrics.energy_distance(path.final, fresh) <= 1.5 * metrics.energy_distance(other, fresh)


def test_ddpm_is_stochastic_and_ddim_is_not():
    mix, x_T = dataset("ring8"), sampling.initial_noise(50, 11)
    field = sampling.exact_field(mix, SCHEDULE)
    a = sampling.run("ddpm", field, SCHEDULE, x_T, 40, np.random.default_rng(1)).final
    b = sampling.run("ddpm", field, SCHEDULE, x_T, 40, np.random.default_rng(2)).final
    assert np.abs(a - b).max() > 0.05
    np.testing.assert_array_equal(sampling.run("ddim", field, SCHEDULE, x_T, 40).final,
                                  sampling.run("ddim", field, SCHEDULE, x_T, 40).final)
    with pytest.raises(ValueError):
        sampling.run("ddpm", field, SCHEDULE, x_T, 40)
    with pytest.raises(ValueError):
        sampling.run("euler", field, SCHEDULE, x_T, 40)
    with pytest.raises(ValueError):
        sampling.dpmpp_2m(field, SCHEDULE, x_T, 10, spacing="uniform")


def test_initial_noise_is_a_pure_function_of_the_seed():
    np.testing.assert_array_equal(sampling.initial_noise(10, 5), sampling.initial_noise(10, 5))
    assert not np.array_equal(sampling.initial_noise(10, 5), sampling.initial_noise(10, 6))


def test_energy_distance_matches_its_definition():
    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(300, 2)), rng.normal(1.0, 1.0, size=(200, 2))
    pair = lambda a, b: np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)).mean()
    assert metrics.energy_distance(x, y) == pytest.approx(np.sqrt(2 * pair(x, y) - pair(x, x) - pair(y, y)), rel=1e-9)
    assert metrics.energy_distance(x, x) == pytest.approx(0.0, abs=1e-6)
    z = rng.normal(size=(100, 2))
    assert metrics.energy_distances([x, z], y) == pytest.approx([metrics.energy_distance(x, y),
                                                                 metrics.energy_distance(z, y)], rel=1e-12)
