"""NoiseSchedule against diffusers' DDPMScheduler (an independent implementation) and closed forms."""

import math

import numpy as np
import pytest
import torch

from diffusion_core.forward.schedules import NoiseSchedule

diffusers = pytest.importorskip("diffusers")

# diffusers keeps betas and alphas_cumprod in float32, so they carry float32 rounding (~6e-8 per
# beta), which the 1000-term product accumulates; ours are float64. Where ᾱ is tiny the relative error
# grows: the cosine schedule's last beta is capped at 0.999, and float32(0.999) is off by ~2.5e-8, i.e.
# 2.5e-5 relative in 1 - beta = 0.001. So: betas to float32 precision, ᾱ to 2e-5 relative, 1e-6
# relative everywhere but the capped last step.
ORACLE = {"linear": "linear", "cosine": "squaredcos_cap_v2"}


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_alpha_bar_matches_diffusers(kind):
    ours = NoiseSchedule(kind, 1000)
    ref = diffusers.DDPMScheduler(num_train_timesteps=1000, beta_schedule=ORACLE[kind],
                                  beta_start=1e-4, beta_end=0.02)
    ref_betas = ref.betas.double().numpy()
    ref_ab = ref.alphas_cumprod.double().numpy()
    np.testing.assert_allclose(ours.betas, ref_betas, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.alpha_bar, ref_ab, rtol=2e-5, atol=0)
    np.testing.assert_allclose(ours.alpha_bar[:-1], ref_ab[:-1], rtol=1e-6, atol=0)


def test_linear_endpoints_and_cosine_closed_form():
    lin = NoiseSchedule("linear", 1000)
    assert lin.betas[0] == pytest.approx(1e-4, rel=1e-12)
    assert lin.betas[-1] == pytest.approx(0.02, rel=1e-12)
    cos = NoiseSchedule("cosine", 1000)
    s = 0.008
    f = lambda t: math.cos((t / 1000 + s) / (1 + s) * math.pi / 2) ** 2
    # Nichol & Dhariwal eq. 17 directly: ᾱ_t = f(t+1)/f(0) in the 0-based convention (no cap before the end).
    expected = np.array([f(t + 1) / f(0) for t in range(999)])
    np.testing.assert_allclose(cos.alpha_bar[:-1], expected, rtol=1e-9)


@pytest.mark.parametrize("kind", ["linear", "cosine"])
@pytest.mark.parametrize("T", [1000, 50])
def test_monotone_and_in_range(kind, T):
    s = NoiseSchedule(kind, T)
    assert s.betas.shape == s.alpha_bar.shape == s.log_snr.shape == (T,)
    assert np.all((s.betas > 0) & (s.betas < 1))
    assert np.all(np.diff(s.betas) > 0)
    assert np.all(np.diff(s.alpha_bar) < 0)
    assert np.all(np.diff(s.log_snr) < 0)
    assert 0.99 < s.alpha_bar[0] < 1 and 0 < s.alpha_bar[-1] < 1e-3


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_snr_consistency(kind):
    s = NoiseSchedule(kind, 1000)
    np.testing.assert_allclose(s.alphas, 1 - s.betas)
    np.testing.assert_allclose(s.alpha_bar, np.cumprod(s.alphas))
    np.testing.assert_allclose(s.signal**2 + s.noise**2, 1.0, rtol=1e-12)
    snr = s.alpha_bar / (1 - s.alpha_bar)
    np.testing.assert_allclose(np.exp(s.log_snr), snr, rtol=1e-9)
    np.testing.assert_allclose(s.log_snr, 2 * np.log(s.signal / s.noise), rtol=1e-9, atol=1e-12)
    # log SNR is the logit of ᾱ, so the sigmoid of it gives ᾱ back.
    np.testing.assert_allclose(torch.sigmoid(torch.from_numpy(s.log_snr)).numpy(), s.alpha_bar, rtol=1e-9)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown schedule"):
        NoiseSchedule("quadratic")
    with pytest.raises(ValueError, match="T must be"):
        NoiseSchedule("linear", 1)
