"""One fixed noise ε that Python and a browser draw identically: a counter-based Gaussian stream.

The forward page plays x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (Ho et al. 2020, eq. 4) in the reader's browser, which must
compute the very ε the server uses for its table, charts and links. numpy's generators cannot be reproduced in
JavaScript, so the noise comes from a small generator both sides can compute with 32-bit integer arithmetic:

* **Bits.** Element ``i`` (flat index, C order) of the stream of ``seed`` (0 ≤ seed < 2³²) draws
  ``bits(i) = lowbias32(triple32(i + k0) ^ k1)`` with ``k0 = triple32(seed + 0x9E3779B9)`` and
  ``k1 = triple32(seed + 0x3C6EF372)``, all arithmetic modulo 2³². ``triple32`` and ``lowbias32`` are
  C. Wellons' integer hashes (xor-shift / multiply rounds; bijections of the 32-bit words with full avalanche).
  numpy computes them on uint32 arrays (products wrap), JavaScript with ``Math.imul`` and ``>>> 0``.
  No state is kept: any element can be computed alone (the counter is the position), the same seed always gives
  the same numbers, and nothing global is touched.
* **Uniforms.** u(i) = (bits(i) + 0.5) / 2³², exact in float64 and strictly inside (0, 1).
* **Gaussians** by Box–Muller in float64, one pair per pair of uniforms: with r = √(−2 ln u(2p)) and
  θ = 2π u(2p + 1), element 2p is r cos θ and element 2p + 1 is r sin θ (an odd count drops the last sine).
  :func:`gaussian` rounds them to float32, as the page keeps ε.

**Why the browser agrees.** Integer arithmetic, +, −, ×, ÷ and √ are exact or correctly rounded on both sides; ln,
cos and sin are not: V8's ``Math.log/cos/sin`` (fdlibm) and numpy's (the C library, or its own SIMD code) are
each within 1 ulp of the truth but may differ from each other. Measured with numpy 2.4 on an AVX-512 CPU: against
Node 20's V8 (2²⁰ values) ln differed in 7.3% of the calls, cos in 3.3%, and 6.1% of the float64 values z, by at
most 3 ulps; against Chromium's, 95 of 2¹⁶ values z (0.14%; the browser test prints the count). What that can do
to a pixel:

1. z differs by at most ~3 ulps, 2⁻⁵⁰·⁴ of |z|. Rounding z to float32 (spacing ~2⁻²³·⁵ of |z|) gives a different ε
   only if a float32 rounding midpoint falls inside that gap: probability ≲ 2⁻⁵⁰·⁴ / 2⁻²³·⁵ ≈ 2⁻²⁷ ≈ 8·10⁻⁹ per
   element (none of the 2²⁰ float32 values above differed).
2. One float32 ulp more in ε (≤ 2⁻²³ |ε|) moves the pixel value (x_t + 1)·127.5 by ≤ 127.5·2⁻²³ |ε| ≈ 1.5·10⁻⁵ |ε|,
   which changes the rounded pixel only if the value sat that close to a half level: probability ≲ 5·10⁻⁵.

So a pixel differs with probability ≲ 8·10⁻⁹ × 5·10⁻⁵ = 4·10⁻¹³ per element and frame, even if every z differed.
The largest picture the player takes (256 × 512 × 3 = 393,216 values) played through all 2,001 timesteps of
T = 2000 is 7.9·10⁸ element-frames: ≲ 3·10⁻⁴ expected pixels off by one grey level over the whole film. The browser
test compares whole frames, and the float32 stream of 2²⁰ values bit for bit.

:func:`forward_pixels` is the frame the browser draws: x_t in float64 from the float32 x_0 and ε, then
:func:`diffusion_core.images.pixels.to_pixels` (float32, round half to even, clipped to 0..255).
"""

from __future__ import annotations

import numpy as np

from diffusion_core.images.pixels import to_model_space, to_pixels

SEED_LIMIT = 2**32  # seeds are 32-bit words: 0 <= seed < SEED_LIMIT
GOLDEN = 0x9E3779B9  # 2^32 / golden ratio: keeps seed 0 away from the hashes' fixed point 0
_TWO_PI = 2.0 * np.pi  # the same double as JavaScript's 2 * Math.PI (doubling is exact)
_U32 = np.uint32


def _triple32(x: np.ndarray) -> np.ndarray:
    """C. Wellons' triple32: a bijection of uint32 words (three xor-shift-multiply rounds); uint32 in and out."""
    x = x ^ (x >> _U32(17))
    x = x * _U32(0xED5AD4BB)
    x = x ^ (x >> _U32(11))
    x = x * _U32(0xAC4C1B51)
    x = x ^ (x >> _U32(15))
    x = x * _U32(0x31848BAB)
    return x ^ (x >> _U32(14))


def _lowbias32(x: np.ndarray) -> np.ndarray:
    """C. Wellons' lowbias32: a bijection of uint32 words (two xor-shift-multiply rounds); uint32 in and out."""
    x = x ^ (x >> _U32(16))
    x = x * _U32(0x7FEB352D)
    x = x ^ (x >> _U32(15))
    x = x * _U32(0x846CA68B)
    return x ^ (x >> _U32(16))


def check_seed(seed: int) -> int:
    """``seed`` as an int if it is a whole number in [0, 2³²), else ValueError (the browser's arithmetic is 32-bit)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed must be a whole number in [0, 2**32), got {seed!r}")
    return int(seed)


def keys(seed: int) -> tuple[int, int]:
    """The two 32-bit key words (k0, k1) of ``seed``'s stream."""
    seed = check_seed(seed)
    words = np.array([(seed + GOLDEN) % SEED_LIMIT, (seed + 2 * GOLDEN) % SEED_LIMIT], dtype=_U32)
    k0, k1 = _triple32(words)
    return int(k0), int(k1)


def uniform_bits(count: int, seed: int, start: int = 0) -> np.ndarray:
    """bits(i) for i = start .. start + count − 1 of ``seed``'s stream: uint32 array of shape (count,)."""
    if count < 0 or start < 0 or start + count > SEED_LIMIT:
        raise ValueError(f"the stream has 2**32 elements; asked for {count} from {start}")
    k0, k1 = keys(seed)
    counter = np.arange(start, start + count, dtype=np.uint64).astype(_U32)
    return _lowbias32(_triple32(counter + _U32(k0)) ^ _U32(k1))


def uniforms(count: int, seed: int, start: int = 0) -> np.ndarray:
    """u(i) = (bits(i) + 0.5) / 2³² for i = start .. start + count − 1: float64 in (0, 1), exact, shape (count,)."""
    return (uniform_bits(count, seed, start).astype(np.float64) + 0.5) * 2.0**-32


def _size(shape: tuple[int, ...] | int) -> tuple[tuple[int, ...], int]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"a shape cannot have negative sides, got {shape}")
    return shape, int(np.prod(shape, dtype=np.int64))


def gaussian_float64(shape: tuple[int, ...] | int, seed: int) -> np.ndarray:
    """The stream's standard normal values before rounding: float64 of ``shape``, C order (Box–Muller, see above)."""
    shape, n = _size(shape)
    pairs = (n + 1) // 2
    u = uniforms(2 * pairs, seed).reshape(pairs, 2)
    r = np.sqrt(-2.0 * np.log(u[:, 0]))
    theta = _TWO_PI * u[:, 1]
    z = np.empty((pairs, 2), dtype=np.float64)
    z[:, 0] = r * np.cos(theta)
    z[:, 1] = r * np.sin(theta)
    return z.reshape(-1)[:n].reshape(shape)


def gaussian(shape: tuple[int, ...] | int, seed: int) -> np.ndarray:
    """ε ~ N(0, I) of ``shape`` from ``seed`` (0 ≤ seed < 2³²): float32, C order.

    Reproducible (a pure function of shape and seed; no global state is read or changed), and the same numbers,
    bit for bit, as the browser's ``gaussian`` in ``pages/frame_player/noise_stream.js``. Element i depends
    only on (seed, i), so a picture's first row is the same whatever its height.
    """
    return gaussian_float64(shape, seed).astype(np.float32)


def forward_pixels(pixels: np.ndarray, eps: np.ndarray, alpha_bar_t: float) -> np.ndarray:
    """The frame the browser draws at one timestep: uint8 pixels of x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (eq. 4).

    pixels: uint8 x_0, (H, W) or (H, W, 3); eps: float32 of the same shape (:func:`gaussian`); alpha_bar_t in [0, 1].
    x_0 = pixels / 127.5 − 1 in float32 (:func:`to_model_space`), x_t in float64, back to pixels by :func:`to_pixels`.
    """
    if eps.shape != pixels.shape:
        raise ValueError(f"eps has shape {eps.shape}, the picture {pixels.shape}")
    ab = float(alpha_bar_t)
    if not 0.0 <= ab <= 1.0:
        raise ValueError(f"alpha_bar_t must lie in [0, 1], got {ab}")
    x0 = to_model_space(pixels).astype(np.float64)
    return to_pixels(np.sqrt(ab) * x0 + np.sqrt(1.0 - ab) * np.asarray(eps, np.float32).astype(np.float64))
