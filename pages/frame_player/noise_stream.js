// The forward page's fixed noise ε, drawn in the browser exactly as diffusion_core/forward/noise_stream.py draws it
// in Python (read its docstring for the construction and for how rarely libm differences could change a pixel).
// Element i of seed s: bits(i) = lowbias32(triple32(i + k0) ^ k1), u = (bits + 0.5) / 2^32, Box–Muller in float64.

const GOLDEN = 0x9e3779b9;
const TWO_PI = 2 * Math.PI;

/** C. Wellons' triple32: a bijection of 32-bit words; returns an unsigned 32-bit integer. */
function triple32(x) {
  x ^= x >>> 17;
  x = Math.imul(x, 0xed5ad4bb);
  x ^= x >>> 11;
  x = Math.imul(x, 0xac4c1b51);
  x ^= x >>> 15;
  x = Math.imul(x, 0x31848bab);
  x ^= x >>> 14;
  return x >>> 0;
}

/** C. Wellons' lowbias32: a bijection of 32-bit words; returns an unsigned 32-bit integer. */
function lowbias32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The two key words [k0, k1] of a seed (a whole number in [0, 2^32)). */
export function noiseKeys(seed) {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new RangeError(`seed must be in [0, 2**32): ${seed}`);
  return [triple32((seed + GOLDEN) >>> 0), triple32((seed + 2 * GOLDEN) >>> 0)];
}

/** bits(i) of the stream with keys [k0, k1]: an unsigned 32-bit integer. */
export function noiseBits(i, k0, k1) {
  return lowbias32(triple32((i + k0) >>> 0) ^ k1);
}

/** The stream's first n standard normal values in float64 (before rounding), as a Float64Array. */
export function gaussianFloat64(n, seed) {
  const [k0, k1] = noiseKeys(seed);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = (noiseBits(i, k0, k1) + 0.5) * 2 ** -32;
    const u2 = (noiseBits(i + 1, k0, k1) + 0.5) * 2 ** -32;
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    z[i] = r * Math.cos(theta);
    if (i + 1 < n) z[i + 1] = r * Math.sin(theta);
  }
  return z;
}

/** ε: the stream's first n values rounded to float32 (Python: noise_stream.gaussian(n, seed)). */
export function gaussian(n, seed) {
  return Float32Array.from(gaussianFloat64(n, seed));
}

/** numpy's rint: round half to even (Math.round rounds halves up). */
export function rintHalfEven(s) {
  const f = Math.floor(s);
  const d = s - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * x_0 in the model's range, as diffusion_core/images/pixels.to_model_space computes it in float32:
 * fround(fround(p / 127.5) - 1) (a float32 division or subtraction done in float64 and rounded once is exact).
 */
export function toModelSpace(pixels) {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = Math.fround(Math.fround(pixels[i] / 127.5) - 1);
  return x;
}

/**
 * One frame of eq. 4 as pixel values (Python: noise_stream.forward_pixels), into `out` (a Uint8Array as long as x0):
 * x_t = √ᾱ x_0 + √(1 − ᾱ) ε in float64, then to_pixels: float32 x_t, (x + 1) · 127.5 in float32, rint, clip.
 */
export function forwardPixels(x0, eps, alphaBar, out = new Uint8Array(x0.length)) {
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  for (let i = 0; i < x0.length; i++) {
    const x = Math.fround(a * x0[i] + b * eps[i]);
    const v = rintHalfEven(Math.fround(Math.fround(x + 1) * 127.5));
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
