"""Writing a shipped model's card (assets/<model>_card.md) from its training checkpoint and evaluation.

    python -m diffusion_core.model_card --model digits --data ../shared/data/mnist10k --guidance 1.5
    python -m diffusion_core.model_card --model digits --data ../shared/data/mnist10k --guidance 1.5 \
        --run-dir runs/digits-continued --earlier-minutes 76

Reads ``<run-dir>/checkpoint.pt`` (configuration, steps, training time, loss curve) and
``<run-dir>/eval.json`` (from :mod:`diffusion_core.judge.evaluate`), checks the quality bars, and writes
the card; the card records the exact commands, the data, and every measured figure. For a run that
continued from earlier weights (``--init-from``), the checkpoint knows how many steps those weights had
had; ``--earlier-minutes`` adds their training time, so the card shows the whole training.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
from pathlib import Path

import torch

from diffusion_core import ASSETS
from diffusion_core.model.unet import UNet, UNetConfig, count_parameters
from diffusion_core.model.weights import MANIFEST

ACCURACY_BAR = {"digits": 0.98}  # fashion: the classifier's own real-test accuracy
FD_RATIO_BAR = 3.0


def bars(model: str, report: dict, guidance: str) -> list[tuple[str, str, bool]]:
    """(bar, measured, met) rows for the model's quality bars at the given guidance."""
    g = report["by_guidance"][guidance]
    acc_bar = ACCURACY_BAR.get(model, report["classifier_test_accuracy"])
    acc_name = ("≥ 98% classified as asked" if model in ACCURACY_BAR
                else f"accuracy ≥ classifier's real-test accuracy ({report['classifier_test_accuracy']:.1%})")
    samples_nn, test_nn = g["nn_distance_samples"], report["nn_distance_real_test"]
    rows = [
        (acc_name, f"{g['accuracy']:.1%}", g["accuracy"] >= acc_bar),
        (f"Fréchet distance ≤ {FD_RATIO_BAR:g}× the real floor ({report['fd_floor_test_vs_train']:.2f})",
         f"{g.get('fd_same_size_as_floor', g['fd']):.2f} ({g['fd_ratio_to_floor']:.2f}×)",
         g["fd_ratio_to_floor"] <= FD_RATIO_BAR),
        ("no copies: sample nearest-neighbour distances not below real test images'",
         f"min {samples_nn['min']:.2f} / p1 {samples_nn['p1']:.2f} / median {samples_nn['median']:.2f} vs "
         f"{test_nn['min']:.2f} / {test_nn['p1']:.2f} / {test_nn['median']:.2f}",
         samples_nn["p1"] >= test_nn["p1"] and samples_nn["median"] >= test_nn["median"]),
    ]
    if "near_copy_fraction" in g:  # evaluations since the per-class yardstick was added to the report
        rows.append(("no more near-copies than real held-out images have: samples closer than 95% of real test "
                     "images of their class ≤ 5%", f"{g['near_copy_fraction']:.1%}", g["near_copy_fraction"] <= 0.05))
    return rows


def _training_rows(cfg: dict, checkpoint: dict, loss: float, earlier: tuple[int, float] | None) -> tuple[str, str]:
    """The card's "training" and "wall time" cells, over every stage."""
    step, minutes, batch = checkpoint["step"], checkpoint["elapsed"] / 60, cfg["batch_size"]
    total_steps, total_minutes = step, minutes
    stages = f"{step:,} steps"
    if earlier:
        total_steps, total_minutes = earlier[0] + step, earlier[1] + minutes
        stages = (f"{earlier[0]:,} steps from scratch, then {step:,} more from those weights (fresh warm-up and decay), "
                  f"{total_steps:,} in all")
    training = f"{stages} × batch {batch} = {total_steps * batch:,} images, seed {cfg['seed']}, final loss {loss:.4f}"
    split = f" ({earlier[1]:.0f} + {minutes:.0f})" if earlier else ""
    wall = (f"{total_minutes:.0f} minutes{split} of training steps on 1 CPU thread "
            f"({platform.machine()}, shared 2-core machine, no GPU)")
    return training, wall


def _train_commands(cfg: dict, data: str, run_dir: str, earlier: tuple[int, float] | None) -> str:
    base = f"python -m diffusion_core.train --dataset {cfg['dataset']} --data {data}"
    if list(cfg["unet"]["channels"]) != [32, 64, 64]:
        base += " --channels " + ",".join(str(c) for c in cfg["unet"]["channels"])
    if cfg.get("hflip"):
        base += " --hflip"
    if cfg["batch_size"] != 128:
        base += f" --batch-size {cfg['batch_size']}"
    last = f"{base} --steps {cfg['steps']} --threads 1"
    if cfg.get("lr", 1e-3) != 1e-3:  # the default peak learning rate (TrainConfig.lr)
        last += f" --lr {cfg['lr']:g}"
    if cfg.get("init_from"):
        last += f" --init-from {cfg['init_from']}"
    if run_dir != f"runs/{cfg['dataset']}":
        last += f" --run-dir {run_dir}"
    last += " --export"
    return f"{base} --steps {earlier[0]} --threads 1 --export\n{last}" if earlier else last


def render(model: str, data: str, guidance: str, checkpoint: dict, report: dict, manifest_entry: dict,
           run_dir: str | None = None, earlier_minutes: float | None = None) -> str:
    """The card's markdown. ``earlier_minutes``: training time of the weights this run started from."""
    cfg = checkpoint["config"]
    init_steps = checkpoint.get("init_steps", 0)
    earlier = (init_steps, earlier_minutes or 0.0) if init_steps else None
    params = count_parameters(UNet(UNetConfig.from_dict(cfg["unet"])))
    loss = checkpoint["loss_history"][-1][1] if checkpoint["loss_history"] else float("nan")
    rows = "\n".join(f"| {name} | {value} | {'✅ met' if ok else '❌ not met'} |" for name, value, ok in
                     bars(model, report, guidance))
    sweep = "\n".join(
        f"| {g} | {r['accuracy']:.1%} | {r['fd']:.2f} ({r['fd_ratio_to_floor']:.2f}×) | "
        f"{r['nn_distance_samples']['median']:.2f} | {r['sampling_seconds']:.0f} s |"
        for g, r in report["by_guidance"].items())
    training, wall = _training_rows(cfg, checkpoint, loss, earlier)
    size_mb = manifest_entry["bytes"] / 1e6
    optimiser = (f"AdamW lr {cfg['lr']}, {cfg['warmup']} warm-up steps then cosine decay, grad clip {cfg['grad_clip']}, "
                 f"EMA {cfg['ema_decay']} (shipped)")
    train_commands = _train_commands(cfg, data, run_dir or f"runs/{model}", earlier)
    eval_out = f" --out {run_dir}/eval.json" if run_dir else ""
    card_run = f" --run-dir {run_dir}" + (f" --earlier-minutes {earlier[1]:g}" if earlier else "")
    data_flag = "" if report.get("data", data).startswith("assets/") else f" --data {data}"
    per_class = " · ".join(f"{k}: {a:.0%}" for k, a in enumerate(report["by_guidance"][guidance]["per_class_accuracy"]))
    yard = report.get("fd_real_training_images")  # reports since the Fréchet samples follow the data's class mix
    samples = f"{report['n']:,} samples, balanced over classes"
    if yard is not None:
        samples += f" (accuracy, copies), and {report['n']:,} more in the training set's class mix (Fréchet distance)"
    copier = ("" if yard is None else f" Real training images themselves, as many as the floor, score "
              f"{yard['in_data_mix']:.2f} in the data's class mix and {yard['balanced']:.2f} balanced over classes.")
    side, colours = cfg["unet"]["image_size"], cfg["unet"]["in_channels"]
    shape = f"{side}x{side} " + ("grayscale" if colours == 1 else "RGB")
    return f"""# Model card: `{model}`

A class-conditional denoiser eps_theta(x_t, t, y) for {shape} images, trained by this project.

| | |
|---|---|
| file | `assets/{manifest_entry['file']}` ({size_mb:.1f} MB, SHA-256 `{manifest_entry['sha256'][:16]}…`) |
| architecture | UNet, widths {cfg['unet']['channels']}, one residual block per level, no attention, {params:,} parameters |
| objective | eps-prediction (Ho et al. 2020, eq. 14), {cfg['schedule']} schedule, T = {cfg['T']} |
| conditioning | class embedding + "no class" token, label dropout {cfg['label_dropout']} (classifier-free guidance) |
| optimiser | {optimiser} |
| training | {training} |
| wall time | {wall} |
| data | `{data}` — training split only (see `diffusion_core.model.data`); held-out images were never seen |

## Exact commands

```bash
{train_commands}
python -m diffusion_core.onnx_twin --model {model}
python -m diffusion_core.evaluate --model {model}{data_flag} --guidance {' '.join(report['by_guidance'])} \\
    --n {report['n']} --classifier-epochs {report.get('classifier_epochs', 4)}{eval_out}
python -m diffusion_core.model_card --model {model} --data {data} --guidance {guidance}{card_run}
```

## Quality bars

Default sampler: DPM-Solver++(2M), {report['steps']} steps evenly spaced in log-SNR, guidance {guidance};
{samples}; the network run by {report.get('engine', 'PyTorch')}.

Judge: an independent small CNN trained only on the real training images
(`diffusion_core.judge.classifier`), real-test accuracy **{report['classifier_test_accuracy']:.1%}**.
Fréchet distance: between Gaussian fits of the judge's 64-d features of samples and of real training
images; the floor is the same distance for {report.get('fd_floor_images', report['n']):,} real *test* images
(the samples' distance is measured on as many samples).{copier}

| bar | measured | |
|---|---|---|
{rows}

Per-class accuracy: {per_class}

## Guidance sweep

| guidance s | accuracy | Fréchet distance (× floor) | median NN distance | sampling time ({report['n']:,} images) |
|---|---|---|---|---|
{sweep}
"""


KEPT_SECTION = re.compile(r"\n*<!-- (?P<name>[a-z]+): written by .*?<!-- /(?P=name) -->\n", re.S)


def kept_sections(card: Path) -> str:
    """The sections other commands wrote into an existing card between ``<!-- name: written by … -->`` and
    ``<!-- /name -->`` (the likelihood command's, say), kept when the card is written again."""
    if not card.exists():
        return ""
    return "".join("\n" + m.group(0).lstrip("\n") for m in KEPT_SECTION.finditer(card.read_text()))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Write assets/<model>_card.md from the run and its evaluation.")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--guidance", required=True, help="the default guidance the app uses for this model")
    p.add_argument("--run-dir", default=None, help="the training run (default runs/<model>)")
    p.add_argument("--earlier-minutes", type=float, default=None,
                   help="for a run that continued from earlier weights (--init-from): their training minutes")
    args = p.parse_args(argv)
    run_dir = Path(args.run_dir or f"runs/{args.model}")
    checkpoint = torch.load(run_dir / "checkpoint.pt", map_location="cpu", weights_only=False)
    if bool(checkpoint.get("init_steps")) != (args.earlier_minutes is not None):
        p.error("--earlier-minutes is needed exactly when the run continued from earlier weights "
                f"(this one started from {checkpoint.get('init_steps', 0)} earlier steps)")
    report = json.loads((run_dir / "eval.json").read_text())
    guidance = str(float(args.guidance))
    entry = json.loads((ASSETS / MANIFEST).read_text())[args.model]
    card = ASSETS / f"{args.model}_card.md"
    card.write_text(render(args.model, args.data, guidance, checkpoint, report, entry, args.run_dir,
                           args.earlier_minutes) + kept_sections(card))
    print(f"wrote {card}")
    for name, value, ok in bars(args.model, report, guidance):
        print(f"{'MET ' if ok else 'MISS'}  {name}: {value}")
