"""Coarse to fine: which sizes of structure the forward process buries first, measured in frequency bands.

Write a picture as a sum of waves (its 2-D Fourier transform). Gaussian noise is *white*: every wave, coarse or
fine, gets the same expected power. Natural pictures are not: most of their power sits in the coarse waves (the
layout, big shapes) and little in the fine ones (edges, texture), roughly as 1/f² (van der Schaaf & van Hateren
1996). So when x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε (Ho et al. 2020, eq. 4) mixes in noise, the fine bands fall under the
noise first and the coarse ones last; run backwards, generation settles the layout first and the detail last
(Dieleman 2024, "Diffusion is spectral autoregression"; Rissanen et al. 2023).

Conventions: ``x`` is (H, W) or (H, W, C) in model units; each channel's mean is removed and its 2-D DFT is
scaled by 1/√(H·W), so that the mean power of all coefficients equals the variance of the values (Parseval) and
unit Gaussian noise has expected power exactly 1 in every coefficient. A coefficient's frequency f is measured
in cycles across the picture's *shorter* side; band k holds the coefficients with round(f) = k, for
k = 1 … ⌊min(H, W) / 2⌋ (the circle inside the Nyquist square; the corners beyond it are left out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# People recognise most objects and scenes in tiny thumbnails (Torralba, Fergus & Freeman 2008, "80 million tiny
# images": 32 x 32 in colour; faces and large objects still at 16 x 16). A thumbnail of side n holds the waves up
# to n / 2 cycles across: the picture is taken as recognisable while a 16 x 16 thumbnail's waves hold more of the
# picture than of the noise. A convention, stated as such on the page, which shows that blurred x_t so a reader
# can judge for themselves.
THUMBNAIL = 16


@dataclass(frozen=True)
class RadialPower:
    """A picture's power spectrum averaged over rings: ``frequency`` (K,) in cycles across the short side (1..K),
    ``power`` (K,) the mean power of one coefficient in the band, ``count`` (K,) coefficients in the band
    (summed over channels)."""

    frequency: np.ndarray
    power: np.ndarray
    count: np.ndarray

    def signal_to_noise(self, alpha_bar: np.ndarray) -> np.ndarray:
        """(len(alpha_bar), K): each band's expected signal power over noise power in x_t,
        ᾱ_t P_k / (1 − ᾱ_t), for each ᾱ_t given (inf where ᾱ_t = 1)."""
        ab = np.asarray(alpha_bar, dtype=np.float64)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ab < 1, ab * self.power[None, :] / (1 - ab), np.inf)

    def coarse_snr(self, alpha_bar: np.ndarray, max_cycles: int) -> np.ndarray:
        """(len(alpha_bar),): the expected signal-to-noise ratio of x_t's waves up to ``max_cycles`` cycles across
        together, ᾱ_t Σ P_k n_k / ((1 − ᾱ_t) Σ n_k) over those bands (inf where ᾱ_t = 1)."""
        k = slice(0, max_cycles)
        signal, noise = float(np.sum(self.power[k] * self.count[k])), float(np.sum(self.count[k]))
        ab = np.asarray(alpha_bar, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ab < 1, ab * signal / ((1 - ab) * max(noise, 1.0)), np.inf)

    def buried_above(self, alpha_bar: float) -> float:
        """The lowest frequency from which every finer band has less signal than noise at this ᾱ_t
        (in cycles across the short side); +inf when no band is buried, the first band's frequency when all are."""
        above = self.signal_to_noise(np.array([alpha_bar]))[0] >= 1
        if above.all():
            return float("inf")
        last_above = np.nonzero(above)[0]
        k = 0 if last_above.size == 0 else int(last_above[-1]) + 1
        return float(self.frequency[min(k, len(self.frequency) - 1)])


def radial_power(x: np.ndarray) -> RadialPower:
    """The ring-averaged power spectrum of a picture x (H, W) or (H, W, C) in model units (module docstring)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    h, w, c = x.shape
    short = min(h, w)
    bands = short // 2
    if bands < 1:
        return RadialPower(np.empty(0), np.empty(0), np.empty(0, dtype=np.int64))
    centred = x - x.mean(axis=(0, 1), keepdims=True)
    spectrum = np.abs(np.fft.fft2(centred, axes=(0, 1))) ** 2 / (h * w)  # (H, W, C)
    fy = np.fft.fftfreq(h)[:, None] * short
    fx = np.fft.fftfreq(w)[None, :] * short
    ring = np.rint(np.hypot(fy, fx)).astype(np.int64)  # (H, W) band of each coefficient
    ring = np.broadcast_to(ring[:, :, None], spectrum.shape).ravel()
    values = spectrum.ravel()
    inside = (ring >= 1) & (ring <= bands)
    count = np.bincount(ring[inside], minlength=bands + 1)[1:]
    total = np.bincount(ring[inside], weights=values[inside], minlength=bands + 1)[1:]
    power = np.divide(total, count, out=np.zeros(bands), where=count > 0)
    return RadialPower(np.arange(1, bands + 1, dtype=np.float64), power, count)


def recognisable_until(x0: np.ndarray, alpha_bar: np.ndarray, side: int = THUMBNAIL) -> int:
    """The first t (index into ``alpha_bar``, ᾱ_t for t = 0..T) at which x_t's coarse waves, those a ``side`` x
    ``side`` thumbnail can show, hold less expected power of the picture than of the noise
    (:meth:`RadialPower.coarse_snr` < 1); len(alpha_bar) if that never happens. This is the squint test: blur
    x_t to its coarse waves (:func:`lowpass`) and ask whether the picture's contrast still beats the noise's.
    A one-value picture has no structure to see at all: 1 (from the first step)."""
    power = radial_power(x0)
    if not np.any(power.power[: side // 2] > 0):
        return 1
    below = np.nonzero(power.coarse_snr(alpha_bar, side // 2)[1:] < 1)[0]
    return int(below[0]) + 1 if below.size else len(alpha_bar)


def lowpass(x: np.ndarray, max_cycles: float) -> np.ndarray:
    """x (H, W) or (H, W, C) keeping only its mean and the waves of at most ``max_cycles`` cycles across the
    shorter side (the rest of the spectrum set to zero): what a reader sees when squinting at x."""
    arr = np.asarray(x, dtype=np.float64)
    h, w = arr.shape[:2]
    short = min(h, w)
    radius = np.hypot(np.fft.fftfreq(h)[:, None] * short, np.fft.fftfreq(w)[None, :] * short)
    keep = np.rint(radius) <= max_cycles
    if arr.ndim == 3:
        keep = keep[:, :, None]
    return np.real(np.fft.ifft2(np.fft.fft2(arr, axes=(0, 1)) * keep, axes=(0, 1)))


def squint(x: np.ndarray, side: int = THUMBNAIL) -> np.ndarray:
    """What a ``side`` x ``side`` thumbnail of x can show, at x's own size: :func:`lowpass` to ``side`` / 2 cycles
    across the shorter side. x (H, W) or (H, W, C) in model units; float64 of the same shape. The picture the page
    shows as "what you see when you squint" at x_t, the one :func:`recognisable_until` measures."""
    return lowpass(x, side / 2)


def period_pixels(frequency: float, short_side: int) -> float:
    """The period, in pixels, of a wave of ``frequency`` cycles across a shorter side of ``short_side`` pixels:
    one light-and-dark cycle every short_side / frequency pixels (inf for frequency 0)."""
    return float(short_side) / frequency if frequency > 0 else float("inf")


def settled_steps(x0_hats: np.ndarray) -> tuple[RadialPower, np.ndarray]:
    """When each frequency band of the model's guess x̂₀ settles during a sampling run.

    ``x0_hats`` (S, H, W[, C]): x̂₀ at each recorded step of one image's run, the last being the result. Returns
    (the result's spectrum, ``difference`` (S, K)): the power of x̂₀(step) − x̂₀(final) in each band relative to the
    result's own power there (0 once a band has settled; where the result has no power in a band, NaN);
    :func:`first_settled` reads when each band settles.
    """
    stack = np.asarray(x0_hats, dtype=np.float64)
    final = radial_power(stack[-1])
    diffs = np.stack([radial_power(frame - stack[-1]).power for frame in stack])
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(final.power > 0, diffs / final.power, np.nan)
    return final, relative


def first_settled(relative: np.ndarray, tolerance: float = 0.1) -> np.ndarray:
    """(K,): for each band, the first step index from which ``relative`` (S, K) stays below ``tolerance``
    (S - 1 for a band that settles only at the end; NaN columns count as settled at the end)."""
    ok = np.nan_to_num(relative, nan=np.inf) < tolerance
    ok[-1] = True
    # the last step from which every later one is fine: reverse cumulative AND
    stays = np.flip(np.logical_and.accumulate(np.flip(ok, axis=0), axis=0), axis=0)
    return np.argmax(stays, axis=0)
