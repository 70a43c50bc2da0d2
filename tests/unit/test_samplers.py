"""The samplers, step by step, against diffusers' schedulers (an independent implementation) as oracle,
and their behaviour on a tiny untrained UNet.

Oracle comparisons feed both implementations identical model outputs: a stub denoiser (the UNet's call
signature, ``null_class`` and ``config.num_classes``) returns a fixed, x- and t-dependent epsilon and
records it; at every step diffusers' ``scheduler.step`` gets our x_t and the recorded epsilon, and its
result must equal our x_prev. Random noise (DDPM, DDIM with eta > 0) matches because both draw it from
a CPU ``torch.Generator`` with the same seed, in the same order, with the same shape and dtype.

Two schedule variants:
* "ours": the oracle's alpha-bar (and DPM-Solver's sigmas) replaced by our float64 values, which
  isolates the update rule: agreement to float32 rounding (rtol 1e-5 of the sample's scale).
* "theirs": the oracle's own float32 schedule (equal to ours to ~1e-6, see test_schedules). Where
  1 - alpha-bar is small (t < 10) or alpha-bar is tiny (t = T-1, cosine), that float32 rounding is
  amplified by the step coefficients to ~1e-4 relative; tolerance 5e-4 there.

Convention differences found and kept (ours follows the papers):
* diffusers' DDIMScheduler steps from t to ``t - T // num_steps`` whatever its timestep list says; with
  trailing spacing and a step count that does not divide T (e.g. 7), that is not the next timestep it
  evaluates (999 -> 857 while the next model call is at 856). Song et al. 2021 eq. 12 steps from tau_i
  to tau_{i-1} of the chosen subsequence, as ours does. For such counts the test uses
  DPMSolverMultistepScheduler with solver_order=1 as oracle instead: first-order DPM-Solver++ is
  exactly DDIM with eta = 0 (Lu et al. 2022, sec. 4.1) and it steps along its real timestep list.
* DPM-Solver++ in diffusers has no x0 clipping, so our dpmpp_2m is compared with clip_x0=False.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.model import samplers as S
from diffusion_core.model.unet import UNet, UNetConfig

diffusers = pytest.importorskip("diffusers")

ORACLE_BETAS = {"linear": "linear", "cosine": "squaredcos_cap_v2"}
T = 1000


class StubDenoiser(nn.Module):
    """A fake eps_theta(x, t, y) with the UNet's interface: the epsilon that points at a fixed target
    image x0* = pattern + 0.05 y + 0.3 sin(3 x), which strays outside [-1, 1] so clipping matters."""

    def __init__(self, schedule: NoiseSchedule, num_classes: int = 10) -> None:
        super().__init__()
        self.config = UNetConfig(num_classes=num_classes)
        self.anchor = nn.Parameter(torch.zeros(()))  # samplers read the device from the parameters
        self.alpha_bar = torch.tensor(schedule.alpha_bar, dtype=torch.float32)
        g = torch.Generator().manual_seed(123)
        self.pattern = torch.rand((1, 1, 28, 28), generator=g) * 2.6 - 1.3
        self.outputs: list[torch.Tensor] = []

    @property
    def null_class(self) -> int:
        return self.config.num_classes

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ab = self.alpha_bar[t][:, None, None, None]
        x0 = self.pattern + 0.05 * y[:, None, None, None].float() + 0.3 * torch.sin(3 * x)
        eps = (x - ab.sqrt() * x0) / (1 - ab).sqrt()
        self.outputs.append(eps.clone())
        return eps


def _oracle(name: str, kind: str, num_steps: int, schedule: NoiseSchedule, use_ours: bool,
            timesteps: list[int] | None = None):
    common = {"num_train_timesteps": T, "beta_schedule": ORACLE_BETAS[kind], "timestep_spacing": "trailing"}
    if name == "ddpm":
        ref = diffusers.DDPMScheduler(clip_sample=True, variance_type="fixed_small", **common)
    elif name == "ddim":
        ref = diffusers.DDIMScheduler(clip_sample=True, set_alpha_to_one=True, **common)
    elif name in ("dpmpp", "dpm1"):
        ref = diffusers.DPMSolverMultistepScheduler(
            algorithm_type="dpmsolver++", solver_order=2 if name == "dpmpp" else 1,
            final_sigmas_type="zero", lower_order_final=True, **common)
    if timesteps is None:
        ref.set_timesteps(num_steps)
    else:  # our own list (DPM-Solver++'s log-SNR spacing): the oracle checks the update rule along it
        ref.set_timesteps(timesteps=timesteps)
    if use_ours:
        ref.alphas_cumprod = torch.tensor(schedule.alpha_bar, dtype=torch.float64)
        if name in ("dpmpp", "dpm1"):
            ab = schedule.alpha_bar[ref.timesteps.numpy()]
            ref.sigmas = torch.tensor(np.append(np.sqrt((1 - ab) / ab), 0.0), dtype=torch.float64)
    return ref


def _compare(name: str, kind: str, num_steps: int, *, use_ours: bool = True, eta: float = 0.0,
             rtol: float = 1e-5, batch: int = 3, spacing: str = "trailing") -> None:
    schedule = NoiseSchedule(kind, T)
    model = StubDenoiser(schedule)
    labels = torch.tensor([0, 3, 9][:batch])
    x_T = torch.randn((batch, 1, 28, 28), generator=torch.Generator().manual_seed(1))
    seed = 7
    gen = torch.Generator().manual_seed(seed)
    if name == "ddpm":
        steps = list(S.ddpm(model, schedule, labels, num_steps=num_steps, generator=gen, x_T=x_T))
    elif name == "ddim":
        steps = list(S.ddim(model, schedule, labels, num_steps=num_steps, eta=eta, generator=gen, x_T=x_T))
    elif name == "dpm1":  # DDIM, eta = 0, unclipped, checked against first-order DPM-Solver++
        steps = list(S.ddim(model, schedule, labels, num_steps=num_steps, generator=gen, x_T=x_T, clip_x0=False))
    else:
        steps = list(S.dpmpp_2m(model, schedule, labels, num_steps=num_steps, generator=gen, x_T=x_T,
                                clip_x0=False, spacing=spacing))
    ref = _oracle(name, kind, num_steps, schedule, use_ours,
                  timesteps=[s.t for s in steps] if spacing == "logsnr" else None)
    assert [s.t for s in steps] == ref.timesteps.tolist()
    assert [s.index for s in steps] == list(range(num_steps))
    assert len(model.outputs) == num_steps
    ref_gen = torch.Generator().manual_seed(seed)
    for step, eps in zip(steps, model.outputs):
        if name == "ddpm":
            out = ref.step(eps, step.t, step.x_t, generator=ref_gen)
        elif name == "ddim":
            out = ref.step(eps, step.t, step.x_t, eta=eta, use_clipped_model_output=True, generator=ref_gen)
        else:
            out = ref.step(eps, step.t, step.x_t)
        scale = max(1.0, float(out.prev_sample.abs().max()))
        err = float((step.x_prev - out.prev_sample).abs().max())
        assert err <= rtol * scale, f"{name} {kind} step {step.index} (t={step.t}): x_prev differs by {err:.2e}"
        if name in ("ddpm", "ddim"):  # both report the clipped x0 prediction
            err = float((step.x0_hat - out.pred_original_sample).abs().max())
            assert err <= rtol * 10, f"{name} {kind} step {step.index} (t={step.t}): x0_hat differs by {err:.2e}"
    assert steps[-1].x_prev.shape == (batch, 1, 28, 28)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_ddpm_matches_diffusers(kind):
    _compare("ddpm", kind, 20)


def test_ddpm_1000_steps_matches_diffusers():
    _compare("ddpm", "cosine", 1000, batch=1)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
@pytest.mark.parametrize("num_steps,eta", [(20, 0.0), (50, 0.0), (50, 0.5), (20, 1.0)])
def test_ddim_matches_diffusers(kind, num_steps, eta):
    _compare("ddim", kind, num_steps, eta=eta)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
@pytest.mark.parametrize("num_steps", [7, 30])
def test_ddim_uneven_trailing_steps_match_first_order_dpm_solver(kind, num_steps):
    # 1000 / 7 and 1000 / 30 are not integers: see the module docstring for why not DDIMScheduler here.
    _compare("dpm1", kind, num_steps)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
@pytest.mark.parametrize("num_steps", [20, 10, 7, 1])
@pytest.mark.parametrize("spacing", ["trailing", "logsnr"])
def test_dpmpp_2m_matches_diffusers(kind, num_steps, spacing):
    _compare("dpmpp", kind, num_steps, spacing=spacing)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_logsnr_timesteps_are_evenly_spaced_in_log_snr(kind):
    ab = NoiseSchedule(kind, T).alpha_bar
    lam = S.log_snr(ab)
    for num_steps in range(1, T + 1):
        ts = S.logsnr_timesteps(ab, num_steps)
        assert len(ts) == num_steps and ts[0] == T - 1 and np.all(np.diff(ts) < 0) and ts[-1] >= 0
    ts = S.logsnr_timesteps(ab, 20)
    assert ts[-1] == S.LOGSNR_LAST_T
    gaps = np.diff(lam[ts[1:]])  # after the first step from T-1, equal steps in lambda up to rounding t
    expected = (lam[S.LOGSNR_LAST_T] - max(lam[T - 1], S.LOGSNR_MIN)) / 19
    assert np.allclose(gaps, expected, rtol=0.15), gaps
    assert lam[ts[1]] >= S.LOGSNR_MIN - 0.1  # no step wasted in the pure-noise tail of the cosine schedule


def test_dpmpp_spacing_is_checked(tiny):
    with pytest.raises(ValueError, match="spacing"):
        next(S.dpmpp_2m(*tiny, torch.tensor([1]), generator=torch.Generator(), spacing="leading"))


@pytest.mark.parametrize("name,kind,num_steps", [
    ("ddpm", "linear", 1000), ("ddpm", "cosine", 20), ("ddim", "cosine", 20), ("ddim", "linear", 20),
    ("dpmpp", "cosine", 20), ("dpmpp", "linear", 20),
])
def test_samplers_match_diffusers_own_float32_schedule(name, kind, num_steps):
    _compare(name, kind, num_steps, use_ours=False, rtol=5e-4, batch=1 if num_steps == 1000 else 3)


@pytest.mark.parametrize("num_steps", [1, 7, 20, 50, 999, 1000])
def test_trailing_timesteps_match_diffusers(num_steps):
    ref = diffusers.DDPMScheduler(num_train_timesteps=T, timestep_spacing="trailing")
    ref.set_timesteps(num_steps)
    ts = S.trailing_timesteps(T, num_steps)
    assert ts.tolist() == ref.timesteps.tolist()
    assert ts[0] == T - 1 and len(ts) == num_steps and np.all(np.diff(ts) < 0) and ts[-1] >= 0


@pytest.mark.parametrize("num_steps", [0, -1, T + 1])
def test_trailing_timesteps_bad_counts(num_steps):
    with pytest.raises(ValueError, match="number of steps"):
        S.trailing_timesteps(T, num_steps)


def test_guided_eps_is_classifier_free_guidance():
    schedule = NoiseSchedule("cosine", T)
    model = StubDenoiser(schedule)
    x = torch.randn((4, 1, 28, 28), generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([2, 10, 7, 10])  # 10 = "no class"
    tt = torch.full((4,), 500)
    cond, uncond = model(x, tt, labels), model(x, tt, torch.full_like(labels, 10))
    for s in (0.0, 1.0, 2.5):
        expected = uncond + s * (cond - uncond)
        expected[[1, 3]] = uncond[[1, 3]]  # "no class" rows stay unconditional
        torch.testing.assert_close(S.guided_eps(model, x, 500, labels, s), expected, rtol=1e-6, atol=1e-6)


# ---- a tiny untrained UNet ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model = UNet(UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4)).eval()
    with torch.no_grad():  # the output conv starts at zero (eps = 0 for every class); make it say something
        model.out.weight.normal_(0, 0.5)
    return model, NoiseSchedule("cosine", T)


def _run(tiny, name="dpmpp", labels=(1, 4, 10), steps=5, guidance=2.0, seed=0, **kw):
    model, schedule = tiny
    return list(S.run_sampler(name, model, schedule, torch.tensor(labels), num_steps=steps, guidance=guidance,
                              generator=torch.Generator().manual_seed(seed), **kw))


@pytest.mark.parametrize("name", S.SAMPLERS)
def test_shapes_and_step_records(tiny, name):
    steps = _run(tiny, name)
    assert len(steps) == 5
    for i, s in enumerate(steps):
        assert (s.index, s.num_steps) == (i, 5)
        for x in (s.x_t, s.x0_hat, s.x_prev):
            assert x.shape == (3, 1, 28, 28) and x.dtype == torch.float32 and torch.isfinite(x).all()
        assert s.x0_hat.abs().max() <= 1.0
        if i:
            assert torch.equal(s.x_t, steps[i - 1].x_prev)
    expected_t = S.logsnr_timesteps(tiny[1].alpha_bar, 5) if name == "dpmpp" else S.trailing_timesteps(T, 5)
    assert [s.t for s in steps] == expected_t.tolist()
    out = S.sample(name, *tiny, torch.tensor([1, 4, 10]), num_steps=5, guidance=2.0,
                   generator=torch.Generator().manual_seed(0))
    assert out.shape == (3, 1, 28, 28) and out.abs().max() <= 1.0
    torch.testing.assert_close(out, steps[-1].x_prev.clamp(-1, 1))


@pytest.mark.parametrize("name", S.SAMPLERS)
def test_same_seed_same_images_other_seed_other_images(tiny, name):
    a, b, c = (_run(tiny, name, seed=s)[-1].x_prev for s in (3, 3, 4))
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)


@pytest.mark.parametrize("name", S.SAMPLERS)
def test_guidance_scale_changes_conditional_samples_only(tiny, name):
    g0 = _run(tiny, name, guidance=0.0)[-1].x_prev
    g3 = _run(tiny, name, guidance=3.0)[-1].x_prev
    assert not torch.allclose(g0[:2], g3[:2], atol=1e-4)  # rows with a class
    torch.testing.assert_close(g0[2], g3[2], rtol=0, atol=1e-4)  # the "no class" row (batch 3 vs 6: float order)


@pytest.mark.parametrize("name", S.SAMPLERS)
def test_no_class_label_is_unconditional(tiny, name):
    # Every label at "no class" with strong guidance == any labels with guidance 0 (the unconditional model).
    uncond = _run(tiny, name, labels=(10, 10, 10), guidance=4.0)[-1].x_prev
    g0 = _run(tiny, name, labels=(3, 5, 7), guidance=0.0)[-1].x_prev
    torch.testing.assert_close(uncond, g0, rtol=1e-5, atol=1e-5)


def test_batch_rows_equal_single_runs(tiny):
    model, schedule = tiny
    x_T = torch.randn((3, 1, 28, 28), generator=torch.Generator().manual_seed(9))
    labels = torch.tensor([0, 6, 10])
    kw = {"num_steps": 4, "guidance": 2.0, "generator": torch.Generator().manual_seed(0)}
    batch = S.sample("dpmpp", model, schedule, labels, x_T=x_T, **kw)
    for i in range(3):
        one = S.sample("dpmpp", model, schedule, labels[i:i + 1], x_T=x_T[i:i + 1], **kw)
        # float32 conv kernels may sum in another order for another batch size: 1e-4 absolute
        torch.testing.assert_close(one[0], batch[i], rtol=0, atol=1e-4)


def test_run_sampler_dispatch(tiny):
    model, schedule = tiny
    labels = torch.tensor([2, 8])
    kw = {"num_steps": 4, "guidance": 1.5}
    funcs = {"dpmpp": S.dpmpp_2m, "ddim": S.ddim, "ddpm": S.ddpm}
    for name, func in funcs.items():
        via = list(S.run_sampler(name, model, schedule, labels, generator=torch.Generator().manual_seed(1), **kw))
        direct = list(func(model, schedule, labels, generator=torch.Generator().manual_seed(1), **kw))
        assert torch.equal(via[-1].x_prev, direct[-1].x_prev)
    eta = list(S.run_sampler("ddim", model, schedule, labels, eta=1.0, generator=torch.Generator().manual_seed(1), **kw))
    ddim0 = list(S.ddim(model, schedule, labels, generator=torch.Generator().manual_seed(1), **kw))
    assert not torch.allclose(eta[-1].x_prev, ddim0[-1].x_prev)


@pytest.mark.parametrize("kwargs,match", [
    ({"name": "euler"}, "unknown sampler"),
    ({"num_steps": 0}, "number of steps"),
    ({"num_steps": T + 1}, "number of steps"),
    ({"name": "ddim", "eta": 1.5}, "eta"),
    ({"name": "ddim", "eta": -0.1}, "eta"),
])
def test_bad_arguments_raise_value_error_at_call(tiny, kwargs, match):
    model, schedule = tiny
    args = {"name": "dpmpp", "num_steps": 5, "eta": 0.0} | kwargs
    with pytest.raises(ValueError, match=match):
        # raised by the call itself, before the caller starts iterating (a page validates up front)
        S.run_sampler(args["name"], model, schedule, torch.tensor([1]), num_steps=args["num_steps"],
                      guidance=1.0, generator=torch.Generator(), eta=args["eta"])


# ---- starting below T-1 (SDEdit) and the known-region hook (inpainting), diffusion_core.live.edit ----------


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_start_at_T_minus_1_is_the_full_run_bit_for_bit(kind):
    ab = NoiseSchedule(kind, T).alpha_bar
    for num_steps in (1, 2, 7, 20, 50, 333, 999, 1000):
        assert np.array_equal(S.logsnr_timesteps(ab, num_steps, start=T - 1), S.logsnr_timesteps(ab, num_steps))
        assert np.array_equal(S.trailing_timesteps(T, num_steps, T - 1), S.trailing_timesteps(T, num_steps))


@pytest.mark.parametrize("kind", ["cosine", "linear"])
@pytest.mark.parametrize("start", [0, 3, 99, 499, 998])
def test_timesteps_from_a_start(kind, start):
    ab = NoiseSchedule(kind, T).alpha_bar
    lam = S.log_snr(ab)
    for num_steps in sorted({1, min(2, start + 1), min(10, start + 1), start + 1}):
        for ts in (S.logsnr_timesteps(ab, num_steps, start=start), S.trailing_timesteps(T, num_steps, start)):
            assert len(ts) == num_steps and ts[0] == start and ts[-1] >= 0 and np.all(np.diff(ts) < 0)
    # trailing from a start spaces its steps as a run of T' = start + 1 would
    n = min(10, start + 1)
    assert np.array_equal(S.trailing_timesteps(T, n, start), S.trailing_timesteps(start + 1, n))
    if start >= 99:  # log-SNR: evenly spaced in lambda from lambda(start) up to lambda(LOGSNR_LAST_T)
        ts = S.logsnr_timesteps(ab, 10, start=start)
        assert ts[-1] == S.LOGSNR_LAST_T
        gaps = np.diff(lam[ts])
        if lam[start] < S.LOGSNR_MIN:  # the first step jumps out of the pure-noise tail, as in a full run
            gaps = gaps[1:]
        assert np.allclose(gaps, (lam[S.LOGSNR_LAST_T] - max(lam[start], S.LOGSNR_MIN)) / 9, rtol=0.15), gaps


@pytest.mark.parametrize("bad", [-1, T, 2.5, True])
def test_bad_start_raises(bad):
    with pytest.raises(ValueError, match="start timestep"):
        S.trailing_timesteps(T, 5, bad)
    with pytest.raises(ValueError, match="start timestep"):
        S.logsnr_timesteps(NoiseSchedule("cosine", T).alpha_bar, 5, start=bad)


def test_more_steps_than_timesteps_below_the_start_raise():
    with pytest.raises(ValueError, match="from timestep 9"):
        S.trailing_timesteps(T, 11, 9)
    with pytest.raises(ValueError, match="from timestep 9"):
        S.logsnr_timesteps(NoiseSchedule("cosine", T).alpha_bar, 11, start=9)


@pytest.mark.parametrize("bad", [[], [5, 5, 3], [3, 7], [T, 3], [4, -1], [[9, 3]], [9.0, 3.0]])
def test_check_timesteps_refuses_bad_lists(bad):
    with pytest.raises(ValueError, match="timesteps"):
        S.check_timesteps(T, np.array(bad) if bad else bad)


@pytest.mark.parametrize("name", S.SAMPLERS)
def test_explicit_full_timesteps_are_the_default_run_bit_for_bit(tiny, name):
    model, schedule = tiny
    steps = 7 if name != "ddpm" else 12
    ts = S.sampler_timesteps(name, schedule, steps)
    a = _run(tiny, name, steps=steps, seed=5)
    b = _run(tiny, name, steps=steps, seed=5, timesteps=ts)
    assert [s.t for s in a] == [s.t for s in b] == ts.tolist()
    for x, y in zip(a, b):
        assert torch.equal(x.x_t, y.x_t) and torch.equal(x.x0_hat, y.x0_hat) and torch.equal(x.x_prev, y.x_prev)


@pytest.mark.parametrize("name", ["ddpm", "dpmpp"])
@pytest.mark.parametrize("start", [499, 120])
def test_partial_runs_match_diffusers_along_the_same_timesteps(name, start):
    """From a start below T-1 (x_T given: a partly noised picture), each step is still the oracle's step."""
    schedule = NoiseSchedule("cosine", T)
    model = StubDenoiser(schedule)
    ts = S.sampler_timesteps(name, schedule, 6, start)
    x_start = torch.randn((2, 1, 28, 28), generator=torch.Generator().manual_seed(2))
    gen = torch.Generator().manual_seed(4)
    kw = {"generator": gen, "x_T": x_start, "timesteps": ts}
    steps = (list(S.ddpm(model, schedule, torch.tensor([1, 7]), **kw)) if name == "ddpm" else
             list(S.dpmpp_2m(model, schedule, torch.tensor([1, 7]), clip_x0=False, **kw)))
    ref = _oracle(name, "cosine", len(ts), schedule, True, timesteps=ts.tolist())
    assert ref.timesteps.tolist() == ts.tolist() == [s.t for s in steps]
    assert torch.equal(steps[0].x_t, x_start)
    ref_gen = torch.Generator().manual_seed(4)
    for step, eps in zip(steps, model.outputs):
        out = ref.step(eps, step.t, step.x_t, generator=ref_gen) if name == "ddpm" else ref.step(eps, step.t, step.x_t)
        scale = max(1.0, float(out.prev_sample.abs().max()))
        assert float((step.x_prev - out.prev_sample).abs().max()) <= 1e-5 * scale, (name, step.index, step.t)


@pytest.mark.parametrize("name", S.SAMPLERS)
def test_replace_known_hook_sets_what_the_model_sees(tiny, name):
    model, schedule = tiny
    seen = []

    def hook(t, x):
        seen.append(t)
        out = x.clone()
        out[:, :, :5] = 0.25  # a "known" band
        return out

    steps = _run(tiny, name, steps=6, seed=1, replace_known=hook)
    assert seen == [s.t for s in steps]
    for s in steps:
        assert bool((s.x_t[:, :, :5] == 0.25).all())  # the recorded x_t is the one after the hook
    identity = _run(tiny, name, steps=6, seed=1, replace_known=lambda t, x: x)
    plain = _run(tiny, name, steps=6, seed=1)
    assert all(torch.equal(a.x_prev, b.x_prev) for a, b in zip(identity, plain))
    assert not torch.equal(steps[-1].x_prev, plain[-1].x_prev)


def test_run_sampler_checks_an_explicit_list(tiny):
    model, schedule = tiny
    common = {"guidance": 1.0, "generator": torch.Generator()}
    with pytest.raises(ValueError, match="length of timesteps"):
        S.run_sampler("ddim", model, schedule, torch.tensor([1]), num_steps=5, timesteps=np.array([9, 4, 1]), **common)
    with pytest.raises(ValueError, match="strictly decrease"):
        S.run_sampler("ddim", model, schedule, torch.tensor([1]), num_steps=2, timesteps=np.array([4, 9]), **common)
    with pytest.raises(ValueError, match="unknown sampler"):
        S.sampler_timesteps("euler", schedule, 5)
