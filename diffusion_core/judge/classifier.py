"""An independent small CNN classifier for small images, gray or colour: the judge of generated samples.

It is trained only on the real training images (never on generated ones, never sharing weights
with the denoiser) and gives (a) the class it sees in a sample and (b) a 64-d feature vector
(the penultimate layer) in which :mod:`diffusion_core.judge.evaluate` measures a Fréchet distance,
like FID but with a judge that knows these data sets.

Input (B, C, H, W) float32 in [-1, 1] (H and W divisible by 4); logits (B, classes); features (B, 64).
For 28x28 gray images it is exactly the judge the shipped digit and clothes models were measured with.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from diffusion_core.images.pixels import to_model_range

FEATURE_DIM = 64


class SmallCNN(nn.Module):
    def __init__(self, num_classes: int = 10, in_channels: int = 1, image_size: int = 28) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),  # 1/2 size
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),  # 1/4 size
        )
        side = image_size // 4
        self.features = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * side * side, FEATURE_DIM), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(FEATURE_DIM, num_classes))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(self.conv(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))


def judge_for(images: np.ndarray, labels: np.ndarray) -> SmallCNN:
    """An untrained judge shaped for these images (N, H, W[, 3]) and their classes 0..max(labels)."""
    return SmallCNN(int(labels.max()) + 1, 1 if images.ndim == 3 else images.shape[3], images.shape[1])


def train_classifier(images: np.ndarray, labels: np.ndarray, epochs: int = 4, batch_size: int = 128,
                     seed: int = 0, out=sys.stderr) -> SmallCNN:
    """Train on uint8 images (N, H, W[, 3]) with small random shifts (±2 px) as augmentation."""
    torch.manual_seed(seed)
    model = judge_for(images, labels)
    x_all = torch.from_numpy(to_model_range(images))
    y_all = torch.from_numpy(labels.astype(np.int64))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * (len(x_all) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    g = torch.Generator().manual_seed(seed)
    model.train()
    start = time.perf_counter()
    for epoch in range(epochs):
        order = torch.randperm(len(x_all), generator=g)
        for i in range(len(x_all) // batch_size):
            idx = order[i * batch_size:(i + 1) * batch_size]
            dx, dy = (int(v) for v in torch.randint(-2, 3, (2,), generator=g))
            x = torch.roll(x_all[idx], shifts=(dy, dx), dims=(2, 3))
            loss = F.cross_entropy(model(x), y_all[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"classifier epoch {epoch + 1}/{epochs}  loss {loss.item():.3f}  "
              f"{time.perf_counter() - start:.0f} s", file=out, flush=True)
    return model.eval()


@torch.no_grad()
def predict(model: SmallCNN, images: np.ndarray, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """uint8 (N, H, W[, 3]) -> (predicted labels (N,) int64, features (N, FEATURE_DIM) float64)."""
    model.eval()
    preds, feats = [], []
    for i in range(0, len(images), batch_size):
        x = torch.from_numpy(to_model_range(images[i:i + batch_size]))
        f = model.embed(x)
        preds.append(model.head(f).argmax(1).numpy())
        feats.append(f.double().numpy())
    return np.concatenate(preds), np.concatenate(feats)


def load_or_train(path: Path, images: np.ndarray, labels: np.ndarray, epochs: int = 4) -> SmallCNN:
    """The classifier cached at ``path`` (trained once, then reused so every evaluation has the same judge)."""
    model = judge_for(images, labels)
    if path.exists():
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return model.eval()
    model = train_classifier(images, labels, epochs)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return model
