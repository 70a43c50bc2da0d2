"""Measuring how much of x_0 survives in x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε (DDPM eq. 4).

Every curve over t is computed *exactly for the given ε* from five sums over the pixels
(means, variances and the covariance of x_0 and ε), so a whole curve for t = 0..T costs O(n + T)
instead of T passes over the image. Curves are of the unclipped x_t in model space [-1, 1]; the
picture on screen is clipped to 0..255 (see :func:`diffusion_core.images.pixels.to_pixels`).

The "noise ball" bound answers: of all levels^n images of this size, what fraction lie within
distance r of a given image? Counting exactly is hopeless, but a rigorous upper bound is easy.
Each image within r of the centre owns the unit cube around it; those cubes are disjoint and lie
inside the ball of radius r + sqrt(n)/2, so  count <= V_n(r + sqrt(n)/2),  with
V_n(R) = pi^(n/2) R^n / Gamma(n/2 + 1). Once that bound reaches 1 it says nothing, and we say so.
:func:`noise_ball_rarity` states it as "at most one in 10^N" with N exact: the exponent is computed in decimal
arithmetic with every rounding bounded, and rounded toward the weaker claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy as np

from diffusion_core.images.pixels import PIXEL_HALF_RANGE

PEAK_TO_PEAK = 2.0  # the range of x in [-1, 1]; the same as 255 in pixel units, so PSNR matches
HIST_EDGES = np.linspace(-4.0, 4.0, 81)  # 80 bins of width 0.1 over ±4 standard deviations


@dataclass(frozen=True)
class PairMoments:
    """Population moments over all n elements of x_0 and ε (float64); enough to know x_t for every t."""

    n: int
    mean_x: float
    mean_e: float
    var_x: float
    var_e: float
    cov_xe: float

    @classmethod
    def of(cls, x0: np.ndarray, eps: np.ndarray) -> PairMoments:
        """x0, eps: arrays of one shape (any), e.g. (H, W) or (H, W, 3)."""
        if x0.shape != eps.shape:
            raise ValueError(f"x0 {x0.shape} and eps {eps.shape} must have the same shape")
        x = np.asarray(x0, np.float64).ravel()
        e = np.asarray(eps, np.float64).ravel()
        # A picture of one value has no variance at all; its float mean can miss that value by an ulp, which would
        # leave a variance of ~1e-34 and a meaningless correlation, so a constant array is taken exactly.
        mx = float(x[0]) if x.size and x.min() == x.max() else float(x.mean())
        me = float(e.mean())
        return cls(n=x.size, mean_x=mx, mean_e=me, var_x=float(np.mean((x - mx) ** 2)),
                   var_e=float(np.mean((e - me) ** 2)), cov_xe=float(np.mean((x - mx) * (e - me))))


def _weights(alpha_bar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """a = sqrt(ᾱ_t) and b = sqrt(1 - ᾱ_t), each shaped like ``alpha_bar``."""
    ab = np.asarray(alpha_bar, np.float64)
    return np.sqrt(ab), np.sqrt(1.0 - ab)


def correlation_curve(m: PairMoments, alpha_bar: np.ndarray) -> np.ndarray:
    """Pearson correlation of x_t with x_0 over the pixels, for each ᾱ_t given; shape of ``alpha_bar``.

    cov(x_t, x_0) = a var(x_0) + b cov(x_0, ε);  var(x_t) = a² var(x_0) + b² var(ε) + 2ab cov(x_0, ε).
    NaN for a flat image (var(x_0) = 0), whose correlation is undefined.
    """
    a, b = _weights(alpha_bar)
    if m.var_x == 0.0:
        return np.full_like(a, np.nan)
    var_t = a * a * m.var_x + b * b * m.var_e + 2 * a * b * m.cov_xe
    return (a * m.var_x + b * m.cov_xe) / np.sqrt(var_t * m.var_x)


def mse_curve(m: PairMoments, alpha_bar: np.ndarray) -> np.ndarray:
    """mean((x_t - x_0)²) in model units, for each ᾱ_t; x_t - x_0 = (a - 1) x_0 + b ε expanded into moments."""
    a, b = _weights(alpha_bar)
    mxx = m.var_x + m.mean_x**2
    mee = m.var_e + m.mean_e**2
    mxe = m.cov_xe + m.mean_x * m.mean_e
    mse = (a - 1) ** 2 * mxx + b * b * mee + 2 * (a - 1) * b * mxe
    return np.maximum(mse, 0.0)  # rounding can leave -1e-17 where the exact value is 0


def psnr_curve(m: PairMoments, alpha_bar: np.ndarray) -> np.ndarray:
    """PSNR of x_t against x_0 in dB, 10 log10(2² / MSE) (peak-to-peak 2 = 255 levels); +inf where MSE = 0."""
    mse = mse_curve(m, alpha_bar)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(PEAK_TO_PEAK**2 / mse)


def distance_curve(m: PairMoments, alpha_bar: np.ndarray) -> np.ndarray:
    """Euclidean distance ||x_t - x_0|| in pixel units (0..255 scale) over all n values, for each ᾱ_t."""
    return PIXEL_HALF_RANGE * np.sqrt(m.n * mse_curve(m, alpha_bar))


def expected_distance(x0: np.ndarray, alpha_bar: float) -> float:
    """sqrt(E_ε ||x_t - x_0||²) in pixel units: 127.5 · sqrt((1 - a)² ||x_0||² + (1 - ᾱ) n), a = sqrt(ᾱ)."""
    x = np.asarray(x0, np.float64)
    a = math.sqrt(alpha_bar)
    return PIXEL_HALF_RANGE * math.sqrt((1 - a) ** 2 * float(np.sum(x * x)) + (1 - alpha_bar) * x.size)


def crossover_t(x0: np.ndarray, alpha_bar: np.ndarray) -> int:
    """First index t >= 1 where the signal's spread sqrt(ᾱ_t)·std(x_0) is no larger than the noise's sqrt(1 - ᾱ_t).

    alpha_bar: ᾱ_t for t = 0..T, shape (T + 1,). Past this point the noise in every pixel is stronger
    than the picture's own contrast. Returns T + 1 if it never happens.
    """
    a, b = _weights(alpha_bar)
    std = float(np.std(np.asarray(x0, np.float64)))
    below = np.nonzero(a[1:] * std <= b[1:])[0]
    return int(below[0]) + 1 if below.size else len(alpha_bar)


def histogram(x: np.ndarray, edges: np.ndarray = HIST_EDGES) -> tuple[np.ndarray, np.ndarray, float]:
    """Density histogram of all values of x (any shape) -> (bin centres, density, fraction outside the edges).

    density = count / (n · bin width), so the bars integrate to the fraction inside the edges, not to 1
    by force: values beyond the range are reported, never silently renormalised away.
    """
    values = np.asarray(x).ravel()
    counts, _ = np.histogram(values, bins=edges)
    widths = np.diff(edges)
    inside = int(counts.sum())
    return (edges[:-1] + edges[1:]) / 2, counts / (values.size * widths), 1.0 - inside / values.size


def normal_pdf(z: np.ndarray) -> np.ndarray:
    """The N(0, 1) density exp(-z²/2) / sqrt(2π), elementwise."""
    z = np.asarray(z, np.float64)
    return np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def noise_ball_log10_bound(n: int, radius: float, levels: int = 256) -> float:
    """Upper bound on log10(fraction of the levels^n images within distance ``radius`` of one image).

    radius in pixel units (one grey level = 1). Uses count <= V_n(radius + sqrt(n)/2) (module
    docstring); capped at 0, where the bound stops being informative. math.lgamma is accurate to
    ~1e-15 relative, so the result is good to about 1e-9 absolute even for n in the millions.
    """
    if n < 1 or levels < 2 or radius < 0:
        raise ValueError(f"need n >= 1, levels >= 2, radius >= 0; got n={n}, levels={levels}, radius={radius}")
    big_r = radius + math.sqrt(n) / 2
    log10_volume = (n / 2 * math.log(math.pi) + n * math.log(big_r) - math.lgamma(n / 2 + 1)) / math.log(10)
    return min(0.0, log10_volume - n * math.log10(levels))


# π to 60 digits (the decimal module has no π); the error, < 1e-60, is far below the margin used with it.
_PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")
_EXACT_GAMMA_UP_TO = 2_000  # n/2 up to this: Γ(n/2 + 1) from exact integers; above: Stirling's series, bounded
_MARGIN = Decimal("1e-20")  # added to the computed exponent: far more than every rounding error below together


def _ln_gamma_half_plus_one(n: int) -> Decimal:
    """A lower bound on ln Γ(n/2 + 1), within 1e-25 of it (in the current decimal context, 60 digits).

    n even: ln((n/2)!) from the exact integer. n odd, n = 2k + 1: Γ(m + ½) = (2m)! √π / (4^m m!) with m = k + 1,
    from exact integers too. Large n: ln Γ(x + 1) = ln x + ln Γ(x) with Stirling's
    series ln Γ(x) = (x − ½) ln x − x + ½ ln 2π + 1/(12x) − 1/(360x³) + R, 0 < R < 1/(1260 x⁵): dropping R
    gives a lower bound.
    """
    if n // 2 <= _EXACT_GAMMA_UP_TO:
        if n % 2 == 0:
            return Decimal(math.factorial(n // 2)).ln()
        k = n // 2
        exact = Decimal(math.factorial(2 * k + 2)) / (Decimal(4) ** (k + 1) * Decimal(math.factorial(k + 1)))
        return exact.ln() + _PI.sqrt().ln()
    x = Decimal(n) / 2
    return (x.ln() + (x - Decimal("0.5")) * x.ln() - x + (2 * _PI).ln() / 2
            + 1 / (12 * x) - 1 / (360 * x**3))


def noise_ball_rarity(n: int, radius: float, levels: int = 256) -> int | None:
    """The largest N for which the noise-ball bound proves "at most one in 10^N of the levels^n images lie within
    ``radius`` of one image"; None when the bound proves nothing (it reaches 1).

    Exact, not a float: log10 of the bound V_n(radius + √n/2) / levels^n is computed with 60-digit decimals
    (``Decimal.ln`` and ``sqrt`` are correctly rounded; ln Γ is bounded below, :func:`_ln_gamma_half_plus_one`),
    raised by a margin larger than every rounding error together, and N is the floor of its negative: the claim is
    rounded toward the weaker side. ``radius`` is taken exactly as the float it is.
    """
    if n < 1 or levels < 2 or not radius >= 0 or not math.isfinite(radius):
        raise ValueError(f"need n >= 1, levels >= 2, finite radius >= 0; got n={n}, levels={levels}, radius={radius}")
    with localcontext() as ctx:
        ctx.prec = 60
        big_r = Decimal(radius) + Decimal(n).sqrt() / 2
        ln_bound = (Decimal(n) / 2 * _PI.ln() + n * big_r.ln() - _ln_gamma_half_plus_one(n)
                    - n * Decimal(levels).ln())
        log10_bound = ln_bound / Decimal(10).ln() + _MARGIN
        if log10_bound >= 0:
            return None
        return int((-log10_bound).to_integral_value(rounding="ROUND_FLOOR"))
