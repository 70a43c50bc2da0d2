"""Training: the loss falls on small synthetic data, a resumed run equals an uninterrupted one, and the
learning-rate schedule has its documented shape."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from diffusion_core.model.train import (
    TrainConfig,
    Trainer,
    checkpoint_exists,
    learning_rate,
    power_ema_gamma,
    read_checkpoint,
    write_checkpoint,
)
from diffusion_core.model.unet import UNetConfig

TINY = UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4)


def shapes_dataset(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """n 28x28 uint8 images of three simple shapes (label 0 square, 1 bar, 2 cross) at random places."""
    rng = np.random.default_rng(0)
    images = np.zeros((n, 28, 28), np.uint8)
    labels = np.arange(n) % 3
    for img, label in zip(images, labels):
        r, c = rng.integers(4, 16, size=2)
        if label == 0:
            img[r:r + 8, c:c + 8] = 255
        elif label == 1:
            img[2:26, c:c + 3] = 255
        else:
            img[r + 3:r + 5, c:c + 8] = 255
            img[r:r + 8, c + 3:c + 5] = 255
    return images, labels.astype(np.uint8)


def make_trainer(steps: int, **kw) -> Trainer:
    cfg = TrainConfig(steps=steps, batch_size=16, warmup=5, lr=2e-3, unet=TINY, **kw)
    return Trainer(cfg, *shapes_dataset(), device=torch.device("cpu"))


def held_out_loss(trainer: Trainer) -> float:
    """The eps-prediction loss on fixed batches the run never trains on (steps 10^6..), same noise each call."""
    losses = []
    with torch.no_grad():
        for step in range(10**6, 10**6 + 4):
            x0, t, y, eps = trainer.batch(step)
            ab = trainer.alpha_bar[t][:, None, None, None]
            x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
            losses.append(float(F.mse_loss(trainer.model(x_t, t, y), eps)))
    return float(np.mean(losses))


def test_a_few_dozen_steps_lower_the_loss():
    trainer = make_trainer(40)
    before = held_out_loss(trainer)
    log = io.StringIO()
    trainer.run(out=log, log_every=0.0)
    after = held_out_loss(trainer)
    assert trainer.step == 40
    assert after < 0.6 * before, (before, after)  # measured: 1.00 -> 0.39
    assert "step 40/40" in log.getvalue() and "img/s" in log.getvalue()
    assert trainer.loss_history and trainer.loss_history[-1][0] == 40
    # the EMA copy moved away from the initial weights but is not the raw model
    assert any(not torch.equal(a, b) for a, b in zip(trainer.ema.parameters(), trainer.model.parameters()))


def test_batches_are_a_pure_function_of_seed_and_step():
    a, b = make_trainer(10), make_trainer(10, seed=1)
    for x, y in zip(a.batch(3), a.batch(3)):
        assert torch.equal(x, y)
    assert not torch.equal(a.batch(3)[3], a.batch(4)[3])
    assert not torch.equal(a.batch(3)[3], b.batch(3)[3])
    x0, t, y, eps = a.batch(0)
    assert x0.shape == eps.shape == (16, 1, 28, 28) and t.shape == y.shape == (16,)
    assert x0.min() >= -1 and x0.max() <= 1 and 0 <= t.min() and t.max() < 1000
    assert set(y.tolist()) <= {0, 1, 2, 10}  # 10 = "no class" (label dropout)


def test_label_dropout_uses_the_no_class_token():
    trainer = make_trainer(10, label_dropout=1.0)
    assert set(trainer.batch(0)[2].tolist()) == {10}
    trainer = make_trainer(10, label_dropout=0.0)
    assert 10 not in trainer.batch(0)[2].tolist()


def test_resumed_run_matches_uninterrupted_run(tmp_path):
    steps, cut = 12, 5
    straight = make_trainer(steps)
    straight.run(out=io.StringIO())

    first = make_trainer(steps)
    for _ in range(cut):
        first.train_step()
    ckpt = tmp_path / "run" / "checkpoint.pt"
    first.save_checkpoint(ckpt)
    assert ckpt.exists() and not list(ckpt.parent.glob("*.tmp"))
    del first

    torch.manual_seed(12345)  # a different global RNG state must not matter
    resumed = make_trainer(steps)
    resumed.load_state(torch.load(ckpt, weights_only=False))
    assert resumed.step == cut
    resumed.run(checkpoint=ckpt, out=io.StringIO())
    assert resumed.step == straight.step == steps
    for (name, a), b in zip(straight.model.named_parameters(), resumed.model.parameters()):
        assert torch.equal(a, b), name
    for a, b in zip(straight.ema.parameters(), resumed.ema.parameters()):
        assert torch.equal(a, b)
    # run() wrote a final checkpoint at step 12
    assert torch.load(ckpt, weights_only=False)["step"] == steps


def test_resume_with_other_config_is_refused(tmp_path):
    a = make_trainer(10)
    a.save_checkpoint(tmp_path / "c.pt")
    b = make_trainer(11)
    with pytest.raises(ValueError, match="different configuration"):
        b.load_state(torch.load(tmp_path / "c.pt", weights_only=False))


def test_learning_rate_warmup_then_cosine_decay():
    cfg = TrainConfig(steps=1000, warmup=100, lr=1e-3, min_lr_ratio=0.05)
    lrs = np.array([learning_rate(cfg, s) for s in range(1200)])
    assert lrs[0] == pytest.approx(1e-3 / 100)
    assert np.all(np.diff(lrs[:100]) > 0)  # linear warm-up
    np.testing.assert_allclose(np.diff(lrs[:100]), 1e-3 / 100, rtol=1e-9)
    assert lrs[99] == pytest.approx(1e-3) and lrs[100] == pytest.approx(1e-3)  # peak
    assert np.all(np.diff(lrs[100:1000]) < 0)  # cosine decay
    mid = 100 + (1000 - 100) // 2
    assert lrs[mid] == pytest.approx(1e-3 * (0.05 + 0.95 * 0.5))  # halfway: half-way between peak and floor
    np.testing.assert_allclose(lrs[1000:], 1e-3 * 0.05)  # floor after the end
    assert lrs[100:].min() == pytest.approx(5e-5)  # never below the floor after warm-up


def test_init_from_shipped_weights_starts_from_them(tmp_path):
    """--init-from: a new run (fresh schedule) starts from exported weights, model and EMA alike."""
    from diffusion_core.forward.schedules import NoiseSchedule
    from diffusion_core.model.weights import export_weights

    trained = make_trainer(steps=6)
    trained.run(checkpoint=None, log_every=1e9)
    path = export_weights("tiny", trained.ema, NoiseSchedule(), "digits", tuple("0123456789"), 6, tmp_path)
    fresh = make_trainer(steps=6, init_from=str(path))
    for a, b, c in zip(trained.ema.parameters(), fresh.model.parameters(), fresh.ema.parameters()):
        assert torch.equal(a, b) and torch.equal(a, c)
    with pytest.raises(ValueError, match="another shape"):
        Trainer(TrainConfig(unet=UNetConfig(channels=(8, 8, 16), groups=4), init_from=str(path)), *shapes_dataset(8))


def test_continued_run_counts_the_steps_of_its_starting_weights(tmp_path):
    """The exported file of a continued run counts every step; a resumed run keeps the count even after
    --export has overwritten the file it started from."""
    from diffusion_core.forward.schedules import NoiseSchedule
    from diffusion_core.model.weights import export_weights

    first = make_trainer(steps=6)
    path = export_weights("tiny", first.ema, NoiseSchedule(), "digits", tuple("0123456789"), 6, tmp_path)
    continued = make_trainer(steps=4, init_from=str(path))
    continued.run(checkpoint=None, log_every=1e9)
    assert continued.init_steps == 6 and continued.init_steps + continued.step == 10
    export_weights("tiny", continued.ema, NoiseSchedule(), "digits", tuple("0123456789"), 10, tmp_path)
    resumed = make_trainer(steps=4, init_from=str(path))  # the file now says 10 steps
    resumed.load_state(continued.state())
    assert resumed.init_steps == 6
    assert make_trainer(steps=4).init_steps == 0


def test_shift_moves_each_image_by_its_own_offset_with_edges_replicated():
    from diffusion_core.model.train import shift_images

    x = torch.arange(2 * 1 * 5 * 5, dtype=torch.float32).reshape(2, 1, 5, 5)
    out = shift_images(x, torch.tensor([[1, 0], [0, -2]]))
    assert torch.equal(out[0, 0, 1:], x[0, 0, :-1])  # down by one row
    assert torch.equal(out[0, 0, 0], x[0, 0, 0])  # the top row replicated
    assert torch.equal(out[1, 0, :, :3], x[1, 0, :, 2:])  # left by two columns
    assert torch.equal(out[1, 0, :, 3], x[1, 0, :, 4]) and torch.equal(out[1, 0, :, 4], x[1, 0, :, 4])
    assert torch.equal(shift_images(x, torch.zeros(2, 2, dtype=torch.long)), x)


def test_shifted_batches_stay_a_pure_function_and_keep_the_unshifted_draws():
    plain, shifted = make_trainer(10), make_trainer(10, shift=2)
    a, b = plain.batch(3), shifted.batch(3)
    for x, y in zip(shifted.batch(3), b):
        assert torch.equal(x, y)
    assert all(torch.equal(u, v) for u, v in zip(a[1:], b[1:]))  # same t, labels and noise
    assert not torch.equal(a[0], b[0])
    moved = sum(not torch.equal(u, v) for u, v in zip(a[0], b[0]))
    assert moved >= 8  # of 16: offsets (0, 0) have probability 1/25


def test_min_snr_weight_caps_the_clean_timesteps_and_leaves_the_noisy_ones():
    trainer = make_trainer(10, min_snr_gamma=5.0)
    ab = trainer.alpha_bar
    w = trainer.loss_weight(ab)
    snr = ab / (1 - ab)
    assert torch.all(w <= 1) and torch.all(w > 0)
    np.testing.assert_allclose(w[snr <= 5].numpy(), 1.0)
    np.testing.assert_allclose(w[snr > 5].numpy(), (5 / snr[snr > 5]).numpy(), rtol=1e-5)
    assert torch.equal(make_trainer(10).loss_weight(ab), torch.ones_like(ab))


def test_shift_and_min_snr_still_lower_the_loss_and_resume_old_checkpoints(tmp_path):
    trainer = make_trainer(40, shift=2, min_snr_gamma=5.0)
    before = held_out_loss(trainer)
    trainer.run(out=io.StringIO(), log_every=1e9)
    assert held_out_loss(trainer) < 0.7 * before
    old = make_trainer(10).state()
    for key in ("shift", "min_snr_gamma"):  # a checkpoint written before the options existed
        del old["config"][key]
    make_trainer(10).load_state(old)
    with pytest.raises(ValueError, match="different configuration"):
        make_trainer(10, shift=1).load_state(old)


@pytest.mark.parametrize("sigma_rel", [0.05, 0.1, 0.2])
def test_power_ema_gamma_has_the_asked_width(sigma_rel):
    """Karras et al. 2024 eq. 3, checked against the averaging profile itself: the weights of a power EMA
    with exponent gamma over a run of n steps are proportional to t^gamma, whose std over t / n is sigma_rel."""
    gamma = power_ema_gamma(sigma_rel)
    t = np.linspace(0, 1, 200_001)
    w = t**gamma / np.sum(t**gamma)
    mean = np.sum(w * t)
    assert np.sqrt(np.sum(w * (t - mean) ** 2)) == pytest.approx(sigma_rel, rel=1e-3)
    with pytest.raises(ValueError):
        power_ema_gamma(0.3)


def _power_ema_weights(decays: list[float]) -> np.ndarray:
    """The weight of each step's parameters in an EMA with these decays: (1 - b_k) prod_{j>k} b_j."""
    decays = np.asarray(decays, np.float64)
    later = np.append(np.cumprod(decays[::-1])[::-1][1:], 1.0)
    return (1 - decays) * later


def test_power_ema_decays_give_the_t_to_the_gamma_profile():
    """Over a long run the decays (1 - 1/n)^(gamma+1) weight step t's weights in proportion to t^gamma
    (Karras et al. 2024, eq. 2), so the average has the asked width whatever the run's length."""
    trainer = make_trainer(1, power_ema=(0.1,))
    decays = []
    for step in range(4000):
        trainer.step = step
        decays.append(trainer.ema_decays()[0])
    weights = _power_ema_weights(decays)
    profile = np.arange(1, 4001, dtype=np.float64) ** trainer.ema_gammas[0]
    assert weights.sum() == pytest.approx(1.0)
    assert np.abs(weights - profile / profile.sum()).sum() < 0.01


def test_power_emas_average_the_trained_weights():
    trainer = make_trainer(6, power_ema=(0.1, 0.2))
    assert len(trainer.emas) == 2 and trainer.ema is trainer.emas[0]
    history, decays = [], []
    for _ in range(6):
        decays.append(trainer.ema_decays())
        trainer.train_step()
        history.append([p.detach().clone() for p in trainer.model.parameters()])
    assert decays[0] == [0.0, 0.0]  # the first update copies the weights
    for e, ema in enumerate(trainer.emas):
        weights = _power_ema_weights([d[e] for d in decays])
        for i, p_ema in enumerate(ema.parameters()):
            torch.testing.assert_close(p_ema, sum(float(w) * h[i] for w, h in zip(weights, history)))


def test_power_emas_and_bf16_resume_exactly(tmp_path):
    kw = dict(power_ema=(0.05, 0.1), bf16=True, unet=UNetConfig(channels=(8, 8, 8), embed_dim=16, groups=4,
                                                                res_blocks=2, attention_levels=(2,)))
    cfg = TrainConfig(steps=8, batch_size=16, warmup=5, lr=2e-3, **kw)
    straight = Trainer(cfg, *shapes_dataset(), device=torch.device("cpu"))
    straight.run(out=io.StringIO())
    first = Trainer(cfg, *shapes_dataset(), device=torch.device("cpu"))
    for _ in range(3):
        first.train_step()
    first.save_checkpoint(tmp_path / "c.pt")
    resumed = Trainer(cfg, *shapes_dataset(), device=torch.device("cpu"))
    resumed.load_state(torch.load(tmp_path / "c.pt", weights_only=False))
    resumed.run(out=io.StringIO())
    for a_ema, b_ema in zip(straight.emas, resumed.emas, strict=True):
        for a, b in zip(a_ema.parameters(), b_ema.parameters()):
            assert torch.equal(a, b)
    assert np.isfinite(straight.loss_history[-1][1])


def test_a_large_checkpoint_is_written_in_verified_parts_and_read_back(tmp_path):
    trainer = make_trainer(3)
    trainer.train_step()
    path = tmp_path / "checkpoint.pt"
    trainer.save_checkpoint(path)
    whole = path.read_bytes()
    write_checkpoint(whole, path, part_bytes=len(whole) // 3 + 1)  # three parts
    assert not path.exists() and checkpoint_exists(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint.pt.part000", "checkpoint.pt.part001", "checkpoint.pt.part002", "checkpoint.pt.parts"]
    resumed = make_trainer(3)
    resumed.load_state(read_checkpoint(path))
    assert resumed.step == 1
    for a, b in zip(trainer.model.parameters(), resumed.model.parameters()):
        assert torch.equal(a, b)
    damaged = bytearray((tmp_path / "checkpoint.pt.part001").read_bytes())
    damaged[10] ^= 1
    (tmp_path / "checkpoint.pt.part001").write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="checksum"):
        read_checkpoint(path)
    write_checkpoint(whole, path)  # small enough again: one file, and the parts are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]
