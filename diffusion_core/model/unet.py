"""A small class-conditional UNet (the denoiser epsilon_theta) for C x H x W images, gray or colour.

Architecture (Ho et al. 2020, appendix B, shrunk for a 2-core CPU), for 28x28 (32x32 likewise):
    28x28 --res--> 28x28 --down--> 14x14 --res--> --down--> 7x7 --res, res (middle)-->
    7x7 --up--> 14x14 --res--> --up--> 28x28 --res--> 1x1 conv -> predicted noise.
Each residual block adds a projection of (time embedding + class embedding). The class
embedding has ``num_classes + 1`` rows: the last row is the "no class" token used for
classifier-free guidance (Ho & Salimans 2022).

Input  x: (B, C, H, W) float32 in roughly [-1, 1] (noisy image x_t); C = in_channels, H = W = image_size
       t: (B,) int64 timesteps in [0, T)
       y: (B,) int64 class labels in [0, num_classes]; ``num_classes`` means "no class".
Output  : (B, C, H, W) float32, the predicted noise epsilon.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class UNetConfig:
    """Hyper-parameters of :class:`UNet`; stored beside the weights so a file rebuilds its model."""

    channels: tuple[int, ...] = (32, 64, 64)  # feature maps at full, 1/2 and 1/4 resolution
    num_classes: int = 10  # real classes; one extra "no class" row is added
    embed_dim: int = 128  # width of the time/class embedding
    groups: int = 8  # GroupNorm groups
    image_size: int = 28  # H = W
    in_channels: int = 1  # 1 gray, 3 RGB

    def to_dict(self) -> dict:
        return {**asdict(self), "channels": list(self.channels)}

    @classmethod
    def from_dict(cls, d: dict) -> UNetConfig:
        return cls(**{**d, "channels": tuple(d["channels"])})


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10_000.0) -> torch.Tensor:
    """Sinusoidal embedding of integer timesteps (Vaswani et al. 2017), shape (B,) -> (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-Conv twice, with the embedding added in between; (B,Cin,H,W) -> (B,Cout,H,W)."""

    def __init__(self, c_in: int, c_out: int, embed_dim: int, groups: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(embed_dim, c_out)
        self.norm2 = nn.GroupNorm(groups, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class UNet(nn.Module):
    """epsilon_theta(x_t, t, y): see the module docstring for shapes."""

    def __init__(self, config: UNetConfig = UNetConfig()) -> None:
        super().__init__()
        self.config = config
        c, e, g = config.channels, config.embed_dim, config.groups
        self.time_mlp = nn.Sequential(nn.Linear(e, e), nn.SiLU(), nn.Linear(e, e))
        self.class_emb = nn.Embedding(config.num_classes + 1, e)
        self.stem = nn.Conv2d(config.in_channels, c[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        self.downsamples = nn.ModuleList()
        for i, ch in enumerate(c):
            self.down_blocks.append(ResBlock(c[i - 1] if i else c[0], ch, e, g))
            if i < len(c) - 1:
                self.downsamples.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
        self.mid = ResBlock(c[-1], c[-1], e, g)
        self.up_blocks = nn.ModuleList()
        self.upsamples = nn.ModuleList()
        for i in reversed(range(len(c))):
            c_next = c[i - 1] if i else c[0]
            self.up_blocks.append(ResBlock(c[i] * 2, c_next, e, g))
            if i > 0:
                self.upsamples.append(nn.Conv2d(c_next, c_next, 3, padding=1))
        self.out_norm = nn.GroupNorm(g, c[0])
        self.out = nn.Conv2d(c[0], config.in_channels, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    @property
    def null_class(self) -> int:
        """The label meaning "no class" (classifier-free guidance's unconditional token)."""
        return self.config.num_classes

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        emb = self.time_mlp(timestep_embedding(t, self.config.embed_dim)) + self.class_emb(y)
        emb = F.silu(emb)
        h = self.stem(x)
        skips = []
        for i, block in enumerate(self.down_blocks):
            h = block(h, emb)
            skips.append(h)
            if i < len(self.downsamples):
                h = self.downsamples[i](h)
        h = self.mid(h, emb)
        for i, block in enumerate(self.up_blocks):
            h = block(torch.cat([h, skips.pop()], dim=1), emb)
            if i < len(self.upsamples):
                skip_size = skips[-1].shape[-1]
                h = self.upsamples[i](F.interpolate(h, size=skip_size, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
