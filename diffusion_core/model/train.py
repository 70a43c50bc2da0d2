"""Training a class-conditional denoiser (DDPM eps-prediction, Ho et al. 2020 Algorithm 1).

    python -m diffusion_core.train --dataset digits --data ../shared/data/mnist10k --steps 6000
    python -m diffusion_core.train --dataset fashion --data ../shared/data/fashion-mnist --resume
    python -m diffusion_core.train --dataset emoji --data ../shared/data/emoji --channels 32,64,128 --hflip

Each step: draw a batch x_0 and labels, drop labels to "no class" with probability
``label_dropout`` (classifier-free guidance, Ho & Salimans 2022), draw t ~ U{0..T-1} and
eps ~ N(0, I), form x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps (eq. 4) and minimise
||eps - eps_theta(x_t, t, y)||^2 (eq. 14). AdamW, linear warm-up then cosine decay, gradient
clipping, EMA of the weights (what gets shipped). Images of any (C, H, W): the UNet is built for the
data's shape. ``--hflip`` mirrors half of each batch's images, of the classes whose meaning survives a
mirror (for emoji: all but flags; see :mod:`diffusion_core.model.emoji_data`). ``--shift N`` moves
each image by up to N pixels in each direction (edges replicated: the white of an emoji's background),
so that a small data set is not learnt by heart. ``--min-snr-gamma G`` weights each sample's loss by
min(SNR_t, G) / SNR_t (Hang et al. 2023, "Min-SNR", eq. 6 for eps-prediction), which stops the many
nearly clean timesteps from dominating the gradient.

``--power-ema S1,S2`` keeps power-function averages of the weights (Karras et al. 2024, "Analyzing and
Improving the Training Dynamics of Diffusion Models", sec. 3.1 and eq. 2-3: beta_t = (1 - 1/t)^(gamma+1))
instead of one with a fixed decay: an average of width sigma_rel (std of the averaging profile over
the run's length), whose reach grows with the run, so early weights are forgotten at any length. The first
is exported; the others are kept to compare. ``--bf16`` runs the forward and backward passes in bfloat16
autocast (weights, optimiser and loss stay float32): 1.7x faster on CPUs with AVX-512 BF16.

Reproducible and resumable: every step draws its batch and noise from a generator seeded by
(seed, step), so a run resumed from a checkpoint continues exactly as an uninterrupted one.
A checkpoint (model, EMA, optimiser, step, elapsed time) is written atomically every few minutes
to ``<run-dir>/checkpoint.pt``; ``--resume`` continues from it. A checkpoint over 18 MiB is written in
parts (``checkpoint.pt.part000``, ... and an index ``checkpoint.pt.parts`` with each part's SHA-256), so
that a run can be committed to a repository that takes files under 20 MB and resumed in another session.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from diffusion_core import ASSETS
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_model_range
from diffusion_core.model import emoji_data
from diffusion_core.model.data import CLASS_NAMES, load_dataset
from diffusion_core.model.kinds import kind_metadata
from diffusion_core.model.unet import UNet, UNetConfig, count_parameters
from diffusion_core.model.weights import export_weights


@dataclass(frozen=True)
class TrainConfig:
    dataset: str = "digits"  # "digits" or "fashion": names the classes and the shipped file
    steps: int = 6000  # optimiser steps in total
    batch_size: int = 128
    lr: float = 1e-3  # peak AdamW learning rate
    warmup: int = 200  # linear warm-up steps, then cosine decay to lr * min_lr_ratio
    min_lr_ratio: float = 0.05
    weight_decay: float = 0.0
    ema_decay: float = 0.999
    label_dropout: float = 0.1  # probability of training a sample as "no class"
    grad_clip: float = 1.0
    seed: int = 0
    schedule: str = "cosine"
    T: int = 1000
    init_from: str = ""  # a shipped weights file to start from (fine-tuning with a fresh schedule), or none
    unet: UNetConfig = field(default_factory=UNetConfig)
    hflip: bool = False  # mirror a random half of each batch, for the classes in FLIPPABLE[dataset]
    shift: int = 0  # move each image by up to this many pixels per axis (0: never)
    min_snr_gamma: float = 0.0  # Min-SNR loss weight min(SNR, gamma) / SNR (0: plain eq. 14)
    power_ema: tuple[float, ...] = ()  # sigma_rel of power-function EMAs (empty: one EMA of decay ema_decay)
    bf16: bool = False  # bfloat16 autocast for the network's passes


# Classes whose images may be mirrored in training, per data set (digits and clothes are never flipped:
# a mirrored 2 is no digit, and the shipped models were trained without flips).
FLIPPABLE = {"emoji": emoji_data.FLIPPABLE, "emoji-kinds": emoji_data.KIND_FLIPPABLE}


def power_ema_gamma(sigma_rel: float) -> float:
    """The exponent gamma of a power-function EMA of relative width sigma_rel (Karras et al. 2024, eq. 3:
    sigma_rel^2 = (gamma + 1) / ((gamma + 2)^2 (gamma + 3)), solved for its largest real root)."""
    if not 0 < sigma_rel < 0.28:  # sigma_rel(gamma = 0) = 1/sqrt(12) ~ 0.289 is the widest (a plain mean)
        raise ValueError(f"sigma_rel must lie in (0, 0.28), got {sigma_rel}")
    t = sigma_rel ** -2
    return float(np.roots([1, 7, 16 - t, 12 - t]).real.max())


def learning_rate(cfg: TrainConfig, step: int) -> float:
    """Linear warm-up over ``cfg.warmup`` steps, then cosine decay to ``lr * min_lr_ratio``."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


class Trainer:
    """Holds model, EMA copy, optimiser and data; ``run`` trains until ``cfg.steps`` or a deadline."""

    def __init__(self, cfg: TrainConfig, images: np.ndarray, labels: np.ndarray,
                 device: torch.device | None = None) -> None:
        self.cfg = cfg
        self.device = device or torch.device("cuda" if torch.cuda.is_available() else "cpu")
        torch.manual_seed(cfg.seed)
        self.model = UNet(cfg.unet).to(self.device)
        if cfg.init_from:
            payload = torch.load(cfg.init_from, map_location=self.device, weights_only=True)
            if UNetConfig.from_dict(payload["unet"]) != cfg.unet:
                raise ValueError(f"{cfg.init_from} holds a UNet of another shape; pass the same --channels")
            self.model.load_state_dict(payload["state_dict"])
        # Steps already in the starting weights: the exported file counts the whole training.
        self.init_steps = int(payload.get("train_steps", 0)) if cfg.init_from else 0
        self.emas = [self._frozen_copy() for _ in (cfg.power_ema or (cfg.ema_decay,))]
        self.ema = self.emas[0]  # what --export writes
        self.ema_gammas = [power_ema_gamma(s) for s in cfg.power_ema]
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.schedule = NoiseSchedule(cfg.schedule, cfg.T)
        self.alpha_bar = torch.tensor(self.schedule.alpha_bar, dtype=torch.float32, device=self.device)
        self.x0 = torch.from_numpy(to_model_range(images)).to(self.device)
        self.y = torch.from_numpy(labels.astype(np.int64)).to(self.device)
        flippable = FLIPPABLE.get(cfg.dataset, (False,) * cfg.unet.num_classes) if cfg.hflip else None
        self.flippable = None if flippable is None else torch.tensor(flippable, device=self.device)
        self.step = 0
        self.elapsed = 0.0  # training seconds over all sessions
        self.loss_history: list[tuple[int, float]] = []

    def _frozen_copy(self) -> torch.nn.Module:
        copied = copy.deepcopy(self.model).eval()
        for p in copied.parameters():
            p.requires_grad_(False)
        return copied

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """The batch of ``step``: (x_0 (B,C,H,W), t (B,), y (B,), eps (B,C,H,W)), a pure function of (seed, step)."""
        g = torch.Generator().manual_seed(self.cfg.seed * 1_000_003 + step)
        b = self.cfg.batch_size
        idx = torch.randint(0, len(self.x0), (b,), generator=g)
        t = torch.randint(0, self.cfg.T, (b,), generator=g)
        drop = torch.rand(b, generator=g) < self.cfg.label_dropout
        eps = torch.randn((b, *self.x0.shape[1:]), generator=g)
        idx = idx.to(self.device)
        x0, y_true = self.x0[idx], self.y[idx]
        if self.flippable is not None:  # drawn last, so runs without flips keep their batches exactly
            flip = (torch.rand(b, generator=g) < 0.5).to(self.device) & self.flippable[y_true]
            x0 = torch.where(flip[:, None, None, None], x0.flip(3), x0)
        if self.cfg.shift:  # drawn after the flips, for the same reason
            x0 = shift_images(x0, torch.randint(-self.cfg.shift, self.cfg.shift + 1, (b, 2), generator=g))
        y = torch.where(drop.to(self.device), torch.full_like(y_true, self.cfg.unet.num_classes), y_true)
        return x0, t.to(self.device), y, eps.to(self.device)

    def train_step(self) -> float:
        x0, t, y, eps = self.batch(self.step)
        ab = self.alpha_bar[t][:, None, None, None]
        x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * eps  # eq. 4
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.cfg.bf16):
            eps_hat = self.model(x_t, t, y)
        per_sample = F.mse_loss(eps_hat.float(), eps, reduction="none").mean(dim=(1, 2, 3))  # eq. 14
        loss = (per_sample * self.loss_weight(ab.flatten())).mean()
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(self.cfg, self.step)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
        self.optimizer.step()
        with torch.no_grad():
            for ema, decay in zip(self.emas, self.ema_decays()):
                for p_ema, p in zip(ema.parameters(), self.model.parameters()):
                    p_ema.lerp_(p, 1 - decay)
        self.step += 1
        return float(loss.detach())

    def ema_decays(self) -> list[float]:
        """Each average's decay after this step: beta = (1 - 1/n)^(gamma + 1) at the n-th update (power
        EMA, n counted over the whole training including --init-from's steps), or the fixed decay, warmed up."""
        if self.cfg.power_ema:
            n = self.init_steps + self.step + 1
            return [(1 - 1 / n) ** (gamma + 1) for gamma in self.ema_gammas]
        return [min(self.cfg.ema_decay, (1 + self.step) / (10 + self.step))]

    def loss_weight(self, alpha_bar: torch.Tensor) -> torch.Tensor:
        """(B,) weights of the samples' losses: 1, or min(SNR, gamma) / SNR with SNR = ab / (1 - ab) (Min-SNR)."""
        if not self.cfg.min_snr_gamma:
            return torch.ones_like(alpha_bar)
        snr = alpha_bar / (1 - alpha_bar)
        return snr.clamp(max=self.cfg.min_snr_gamma) / snr

    def state(self) -> dict:
        return {
            "config": _config_dict(self.cfg),
            "model": self.model.state_dict(),
            "ema": self.ema.state_dict(),
            "more_emas": [ema.state_dict() for ema in self.emas[1:]],
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "elapsed": self.elapsed,
            "loss_history": self.loss_history,
            "init_steps": self.init_steps,
        }

    def load_state(self, state: dict) -> None:
        # checkpoints from before these options existed
        saved = {"hflip": False, "shift": 0, "min_snr_gamma": 0.0, "power_ema": (), "bf16": False, **state["config"]}
        saved["power_ema"] = tuple(saved["power_ema"])
        if saved != _config_dict(self.cfg):
            raise ValueError("checkpoint was made with a different configuration; pass the same flags to resume")
        self.model.load_state_dict(state["model"])
        self.ema.load_state_dict(state["ema"])
        for ema, saved_ema in zip(self.emas[1:], state.get("more_emas", []), strict=True):
            ema.load_state_dict(saved_ema)
        self.optimizer.load_state_dict(state["optimizer"])
        self.step, self.elapsed = int(state["step"]), float(state["elapsed"])
        self.loss_history = [tuple(x) for x in state["loss_history"]]
        # Read from the checkpoint: by now --export may have overwritten the --init-from file.
        self.init_steps = int(state.get("init_steps", self.init_steps))

    def save_checkpoint(self, path: Path) -> None:
        buffer = io.BytesIO()
        torch.save(self.state(), buffer)
        write_checkpoint(buffer.getvalue(), path)

    def run(self, checkpoint: Path | None = None, checkpoint_minutes: float = 5.0,
            log_every: float = 10.0, out=sys.stderr) -> None:
        """Train to ``cfg.steps``, checkpointing every ``checkpoint_minutes`` and at the end."""
        self.model.train()
        last_ckpt = last_log = time.perf_counter()
        window_start, window_steps, running = time.perf_counter(), 0, None
        while self.step < self.cfg.steps:
            t0 = time.perf_counter()
            loss = self.train_step()
            self.elapsed += time.perf_counter() - t0
            running = loss if running is None else 0.98 * running + 0.02 * loss
            window_steps += 1
            now = time.perf_counter()
            if now - last_log >= log_every or self.step == self.cfg.steps:
                rate = window_steps * self.cfg.batch_size / (now - window_start)
                eta = (self.cfg.steps - self.step) * self.cfg.batch_size / max(rate, 1e-9)
                self.loss_history.append((self.step, running))
                print(f"step {self.step}/{self.cfg.steps}  loss {running:.4f}  {rate:.0f} img/s  "
                      f"lr {learning_rate(self.cfg, self.step):.2e}  eta {eta / 60:.1f} min", file=out, flush=True)
                last_log, window_start, window_steps = now, now, 0
            if checkpoint is not None and now - last_ckpt >= 60 * checkpoint_minutes:
                self.save_checkpoint(checkpoint)
                last_ckpt = now
        if checkpoint is not None:
            self.save_checkpoint(checkpoint)


CHECKPOINT_PART_BYTES = 18 * 2**20  # 18.9 MB: every part well under the 20 MB a repository file may have


def _parts_index(path: Path) -> Path:
    return path.with_name(path.name + ".parts")


def write_checkpoint(data: bytes, path: Path, part_bytes: int = CHECKPOINT_PART_BYTES) -> None:
    """Write a checkpoint's bytes to ``path``, or, when larger than ``part_bytes``, to numbered parts and an
    index written last (a reader trusts parts only through the index's checksums). Each file is replaced
    atomically; the form not written is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old_parts = sorted(path.parent.glob(path.name + ".part[0-9]*"))

    def atomic(target: Path, content: bytes) -> None:
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(content)
        tmp.replace(target)

    if len(data) <= part_bytes:
        atomic(path, data)
        _parts_index(path).unlink(missing_ok=True)
        for old in old_parts:
            old.unlink()
        return
    chunks = [data[i:i + part_bytes] for i in range(0, len(data), part_bytes)]
    names = [f"{path.name}.part{i:03d}" for i in range(len(chunks))]
    for name, chunk in zip(names, chunks):
        atomic(path.with_name(name), chunk)
    index = {"bytes": len(data), "parts": [[n, hashlib.sha256(c).hexdigest()] for n, c in zip(names, chunks)]}
    atomic(_parts_index(path), json.dumps(index, indent=1).encode())
    path.unlink(missing_ok=True)
    for old in old_parts:
        if old.name not in names:
            old.unlink()


def checkpoint_exists(path: Path) -> bool:
    return path.exists() or _parts_index(path).exists()


def read_checkpoint(path: Path, map_location: torch.device | str = "cpu") -> dict:
    """The state written by :func:`write_checkpoint`, from the whole file or its verified parts."""
    if path.exists():
        return torch.load(path, map_location=map_location, weights_only=False)
    index = json.loads(_parts_index(path).read_text())
    chunks = []
    for name, digest in index["parts"]:
        chunk = path.with_name(name).read_bytes()
        if hashlib.sha256(chunk).hexdigest() != digest:
            raise ValueError(f"{path.with_name(name)} does not match its checksum in {_parts_index(path)}")
        chunks.append(chunk)
    data = b"".join(chunks)
    if len(data) != index["bytes"]:
        raise ValueError(f"the parts of {path} hold {len(data)} bytes, the index says {index['bytes']}")
    return torch.load(io.BytesIO(data), map_location=map_location, weights_only=False)


def shift_images(x: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """x (B, C, H, W) with image i moved by offsets[i] = (dy, dx) pixels (|dy|, |dx| <= pad), edges replicated."""
    pad = int(offsets.abs().max()) if len(offsets) else 0
    if pad == 0:
        return x
    h, w = x.shape[2:]
    padded = F.pad(x, (pad, pad, pad, pad), mode="replicate")
    return torch.stack([padded[i, :, pad - dy: pad - dy + h, pad - dx: pad - dx + w]
                        for i, (dy, dx) in enumerate(offsets.tolist())])


def _config_dict(cfg: TrainConfig) -> dict:
    d = asdict(cfg)
    d["unet"] = cfg.unet.to_dict()
    d["power_ema"] = tuple(cfg.power_ema)
    return d


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", choices=sorted(CLASS_NAMES), required=True)
    p.add_argument("--data", required=True, help="IDX folder or .npz file / folder (see diffusion_core.model.data)")
    p.add_argument("--steps", type=int, default=TrainConfig.steps)
    p.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    p.add_argument("--lr", type=float, default=TrainConfig.lr)
    p.add_argument("--channels", default="32,64,64", help="UNet widths at full, 1/2 and 1/4 resolution")
    p.add_argument("--res-blocks", type=int, default=1, help="residual blocks per level")
    p.add_argument("--attention", default="", help="levels with self-attention, e.g. 2 (8x8 for 32x32 images)")
    p.add_argument("--power-ema", default="", help="sigma_rel of power-function EMAs, e.g. 0.05,0.1 (first exported)")
    p.add_argument("--bf16", action="store_true", help="bfloat16 autocast for the network's passes")
    p.add_argument("--hflip", action="store_true", help="mirror half the images of the classes that allow it")
    p.add_argument("--shift", type=int, default=0, help="move each image by up to this many pixels per axis")
    p.add_argument("--min-snr-gamma", type=float, default=0.0,
                   help="weight each loss by min(SNR, gamma) / SNR (Hang et al. 2023); 0: unweighted")
    p.add_argument("--seed", type=int, default=TrainConfig.seed)
    p.add_argument("--init-from", default="", help="start from these weights (e.g. assets/digits.pt) with a fresh schedule")
    p.add_argument("--run-dir", default=None, help="where checkpoints go (default runs/<dataset>)")
    p.add_argument("--resume", action="store_true", help="continue from <run-dir>/checkpoint.pt")
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: all cores)")
    p.add_argument("--export", action="store_true", help="at the end, write EMA weights to <assets>/<dataset>.pt")
    p.add_argument("--export-only", action="store_true",
                   help="do not train: export the EMA weights of the checkpoint as it stands (with --resume)")
    p.add_argument("--assets", default=str(ASSETS), help="where --export writes (default: the repo's assets/)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    channels = tuple(int(c) for c in args.channels.split(","))
    images, labels = load_dataset(args.data, "train", "kinds" if args.dataset == "emoji-kinds" else "classes")
    unet = UNetConfig(channels=channels, num_classes=len(CLASS_NAMES[args.dataset]), image_size=images.shape[1],
                      in_channels=1 if images.ndim == 3 else images.shape[3], res_blocks=args.res_blocks,
                      attention_levels=tuple(int(a) for a in args.attention.split(",") if a))
    cfg = TrainConfig(dataset=args.dataset, steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                      seed=args.seed, init_from=args.init_from, unet=unet, hflip=args.hflip,
                      shift=args.shift, min_snr_gamma=args.min_snr_gamma, bf16=args.bf16,
                      power_ema=tuple(float(s) for s in args.power_ema.split(",") if s))
    trainer = Trainer(cfg, images, labels)
    run_dir = Path(args.run_dir or f"runs/{args.dataset}")
    checkpoint = run_dir / "checkpoint.pt"
    if args.resume and checkpoint_exists(checkpoint):
        trainer.load_state(read_checkpoint(checkpoint, trainer.device))
        print(f"resumed from {checkpoint} at step {trainer.step}", file=sys.stderr)
    print(f"{args.dataset}: {len(images)} images, UNet {count_parameters(trainer.model):,} params, "
          f"device {trainer.device}, {torch.get_num_threads()} threads", file=sys.stderr)
    if not args.export_only:
        trainer.run(checkpoint, args.checkpoint_minutes)
    if args.export or args.export_only:
        extra = None
        if args.dataset == "emoji-kinds":  # the ten prompts over the 25 kinds, in the training data's proportions
            kind_class = np.asarray(emoji_data.KIND_CLASS)
            extra = kind_metadata(emoji_data.CLASS_NAMES, emoji_data.KIND_CLASS, kind_class[labels], labels)
        path = export_weights(args.dataset, trainer.ema, trainer.schedule, args.dataset,
                              CLASS_NAMES[args.dataset], trainer.init_steps + trainer.step, Path(args.assets), extra)
        print(f"exported {path} after {trainer.step} steps, {trainer.elapsed / 60:.1f} training minutes",
              file=sys.stderr)
