"""A small class-conditional UNet (the denoiser epsilon_theta) for C x H x W images, gray or colour.

Architecture (Ho et al. 2020, appendix B, shrunk for a 2-core CPU), for 28x28 (32x32 likewise):
    28x28 --res--> 28x28 --down--> 14x14 --res--> --down--> 7x7 --res, res (middle)-->
    7x7 --up--> 14x14 --res--> --up--> 28x28 --res--> 1x1 conv -> predicted noise.
Each residual block adds a projection of (time embedding + class embedding). The class
embedding has ``num_classes + 1`` rows: the last row is the "no class" token used for
classifier-free guidance (Ho & Salimans 2022).

Two options grow the network where shapes are decided (the shipped grey models use neither):
``res_blocks`` residual blocks per level instead of one (Ho et al. use two), and self-attention
(Ho et al. appendix B, at 16x16 there; here at the levels listed in ``attention_levels``, e.g. (2,) for
the 8x8 level of a 32x32 image) after each residual block of that level and in the middle.

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
    res_blocks: int = 1  # residual blocks per level on the way down (one more on the way up takes the skip)
    attention_levels: tuple[int, ...] = ()  # levels (0 = full resolution) with self-attention
    attention_heads: int = 4

    def to_dict(self) -> dict:
        return {**asdict(self), "channels": list(self.channels), "attention_levels": list(self.attention_levels)}

    @classmethod
    def from_dict(cls, d: dict) -> UNetConfig:
        """The config a file records; files written before an option existed get its default."""
        return cls(**{**d, "channels": tuple(d["channels"]), "attention_levels": tuple(d.get("attention_levels", ()))})


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


class SelfAttention(nn.Module):
    """Multi-head self-attention over the H*W positions, GroupNorm first, residual; (B,C,H,W) -> same.

    The output projection starts at zero, so a new block begins as the identity.
    """

    def __init__(self, channels: int, heads: int, groups: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).transpose(-1, -2).unbind(1)
        out = F.scaled_dot_product_attention(q, k, v)  # (B, heads, HW, C/heads)
        return x + self.proj(out.transpose(-1, -2).reshape(b, c, h, w))


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
        # The options, in modules of their own so that files of the one-block, no-attention net keep their names.
        extra, attend = config.res_blocks - 1, set(config.attention_levels)
        self.down_extra = nn.ModuleList(nn.ModuleList(ResBlock(ch, ch, e, g) for _ in range(extra)) for ch in c)
        self.up_extra = nn.ModuleList(nn.ModuleList(ResBlock(c[i - 1] if i else c[0], c[i - 1] if i else c[0], e, g)
                                                    for _ in range(extra)) for i in reversed(range(len(c))))
        heads = config.attention_heads
        self.down_attn = nn.ModuleList(SelfAttention(ch, heads, g) if i in attend else nn.Identity()
                                       for i, ch in enumerate(c))
        self.mid_attn = SelfAttention(c[-1], heads, g) if attend else nn.Identity()
        self.up_attn = nn.ModuleList(SelfAttention(c[i], heads, g) if i in attend else nn.Identity()
                                     for i in reversed(range(len(c))))
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
            for more in self.down_extra[i]:
                h = more(h, emb)
            h = self.down_attn[i](h)
            skips.append(h)
            if i < len(self.downsamples):
                h = self.downsamples[i](h)
        h = self.mid_attn(self.mid(h, emb))
        for i, block in enumerate(self.up_blocks):
            h = self.up_attn[i](h)
            h = block(torch.cat([h, skips.pop()], dim=1), emb)
            for more in self.up_extra[i]:
                h = more(h, emb)
            if i < len(self.upsamples):
                skip_size = skips[-1].shape[-1]
                h = self.upsamples[i](F.interpolate(h, size=skip_size, mode="nearest"))
        return self.out(F.silu(self.out_norm(h)))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
