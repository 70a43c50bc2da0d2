"""Model cards: the bars are judged from the evaluation report, and the card records commands and figures."""

from __future__ import annotations

from diffusion_core.judge.model_card import bars, render
from diffusion_core.model.unet import UNetConfig


def _report(accuracy: float, fd_ratio: float, sample_p1: float) -> dict:
    return {
        "n": 1000, "steps": 20, "classifier_test_accuracy": 0.91, "classifier_epochs": 3,
        "fd_floor_test_vs_train": 4.0, "nn_distance_real_test": {"min": 0.3, "p1": 1.6, "median": 3.5},
        "by_guidance": {"2.0": {"accuracy": accuracy, "per_class_accuracy": [accuracy] * 10, "fd": 4.0 * fd_ratio,
                                "fd_ratio_to_floor": fd_ratio, "sampling_seconds": 100.0,
                                "nn_distance_samples": {"min": 1.0, "p1": sample_p1, "median": 3.8}}},
    }


def test_bars_for_digits_and_fashion():
    met = [ok for _, _, ok in bars("digits", _report(0.99, 2.5, 2.0), "2.0")]
    assert met == [True, True, True]
    met = [ok for _, _, ok in bars("digits", _report(0.97, 3.5, 1.0), "2.0")]
    assert met == [False, False, False]
    # fashion's accuracy bar is the judge's own real-test accuracy (0.91 here)
    assert bars("fashion", _report(0.92, 2.0, 2.0), "2.0")[0][2]
    assert not bars("fashion", _report(0.90, 2.0, 2.0), "2.0")[0][2]


def _checkpoint(dataset: str, elapsed: float, loss: float, init_steps: int = 0) -> dict:
    cfg = {"dataset": dataset, "steps": 5000, "batch_size": 128, "lr": 1e-3, "warmup": 200, "grad_clip": 1.0,
           "ema_decay": 0.999, "label_dropout": 0.1, "schedule": "cosine", "T": 1000, "seed": 0,
           "init_from": f"assets/{dataset}.pt", "unet": UNetConfig().to_dict()}
    return {"config": cfg, "step": 5000, "elapsed": elapsed, "loss_history": [(5000, loss)], "init_steps": init_steps}


def test_render_records_commands_and_verdicts():
    entry = {"file": "fashion.pt", "bytes": 2_400_000, "sha256": "ab" * 32}
    card = render("fashion", "DATA", "2.0", _checkpoint("fashion", 3600.0, 0.065), _report(0.95, 5.1, 2.0), entry)
    assert "--init-from assets/fashion.pt" in card and "--classifier-epochs 3" in card
    assert "❌ not met" in card and "✅ met" in card and "597,377 parameters" in card
    assert "5,000 steps × batch 128 = 640,000 images" in card and "60 minutes of training" in card


def test_render_shows_every_stage_of_a_continued_run():
    entry = {"file": "digits.pt", "bytes": 2_400_000, "sha256": "cd" * 32}
    card = render("digits", "DATA", "2.0", _checkpoint("digits", 3000.0, 0.037, init_steps=3000),
                  _report(0.99, 2.5, 2.0), entry, run_dir="runs/digits-continued", earlier_minutes=76.0)
    assert "3,000 steps from scratch, then 5,000 more" in card and "8,000 in all" in card
    assert "= 1,024,000 images" in card and "126 minutes (76 + 50)" in card
    first, second = (line for line in card.splitlines() if line.startswith("python -m diffusion_core.train"))
    assert first.endswith("--steps 3000 --threads 1 --export")
    assert "--steps 5000 --threads 1 --init-from assets/digits.pt --run-dir runs/digits-continued --export" in second
    assert "--out runs/digits-continued/eval.json" in card
    assert "--run-dir runs/digits-continued --earlier-minutes 76" in card


def test_a_colour_model_card_names_its_shape_flags_and_near_copy_bar():
    entry = {"file": "emoji.pt", "bytes": 4_300_000, "sha256": "ef" * 32}
    checkpoint = _checkpoint("emoji", 7200.0, 0.04)
    checkpoint["config"].update(batch_size=64, hflip=True, init_from="", lr=6e-4,
                                unet=UNetConfig(channels=(32, 64, 128), image_size=32, in_channels=3).to_dict())
    report = _report(0.85, 2.0, 2.0)
    report.update(data="assets/datasets (the shipped copies)", fd_floor_images=208)
    report["by_guidance"]["2.0"].update(near_copy_fraction=0.08, fd_same_size_as_floor=8.0)
    card = render("emoji", "../shared/data/emoji", "2.0", checkpoint, report, entry)
    assert "for 32x32 RGB images" in card
    assert "--channels 32,64,128 --hflip --batch-size 64 --steps 5000 --threads 1 --lr 0.0006" in card
    assert "python -m diffusion_core.evaluate --model emoji --guidance" in card  # the shipped copies: no --data
    assert "the same distance for 208 real *test* images" in card
    near = [row for row in bars("emoji", report, "2.0") if "near-copies" in row[0]]
    assert near == [(near[0][0], "8.0%", False)]


def test_the_card_says_which_samples_the_frechet_distance_used():
    """Reports since the Fréchet samples follow the data's class mix carry the real-image yardstick; their card says
    so and quotes it. Older reports read as one balanced set."""
    entry = {"file": "digits.pt", "bytes": 2_400_000, "sha256": "cd" * 32}
    older = render("digits", "DATA", "2.0", _checkpoint("digits", 3000.0, 0.037), _report(0.99, 2.5, 2.0), entry)
    assert "1,000 samples, balanced over classes; the network" in older and "class mix" not in older
    report = {**_report(0.99, 2.0, 2.0), "fd_real_training_images": {"balanced": 1.8, "in_data_mix": 1.12}}
    card = render("digits", "DATA", "2.0", _checkpoint("digits", 3000.0, 0.037), report, entry)
    assert "and 1,000 more in the training set's class mix (Fréchet distance)" in card
    assert "score 1.12 in the data's class mix and 1.80 balanced over classes" in card
