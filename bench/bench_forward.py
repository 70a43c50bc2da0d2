"""Forward-process page: time to recompute after the player reports a new t, and memory over 1,000 of them.

The player draws every frame in the browser; the server recomputes only when the reader pauses, lets go of the
scrubber or steps. Runs the diffusion_core functions the page then calls, for a 256 x 256 RGB photo: the frame x_t
(eq. 4) as pixels, its histogram, the O(T) curves, the distance and the exact noise-ball rarity, the squint picture
(x_0 and ε are blurred once per picture, then mixed), the coarse-to-fine words and chart. Beside it, the peers:
PNG-encoding the frame (what the page's st.image then does) and reaching the same t by iterating single steps
(eq. 2). Bars (DESIGN.md): ≤ 50 ms per move, RSS growth < 50 MB.

    python bench/bench_forward.py
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffusion_core.forward import process as fw
from diffusion_core.forward import spectrum as sp
from diffusion_core.forward import stats as fs
from diffusion_core.forward.charts import spectrum_chart
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.image_io import fit_square, list_samples, load_sample
from diffusion_core.images.pixel_patch import patch
from diffusion_core.images.pixels import to_model_space, to_pixels

MOVES = 1000
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_BYTES / 2**20


def slider_move(x0, eps, moments, power, squinted, schedule, ab, t) -> np.ndarray:
    """Everything diffusion_core computes for the page when the player reports t."""
    x_t = fw.q_sample(x0, t, schedule, eps)
    pixels = fw.frame(x0, eps, t, schedule)
    fs.histogram(x_t)
    fs.correlation_curve(moments, ab)
    fs.psnr_curve(moments, ab)
    dist = fs.distance_curve(moments, ab)
    fs.noise_ball_rarity(x0.size, float(dist[t]))
    fs.expected_distance(x0, float(ab[t]))
    to_pixels(fw.q_sample(squinted[0], t, schedule, squinted[1]))  # the blurred x_t: x0 and ε blurred once
    power.coarse_snr(ab[t:t + 1], sp.THUMBNAIL // 2)
    buried = power.buried_above(float(ab[t]))
    spectrum_chart(power, float(ab[t]), t, buried, sp.THUMBNAIL / 2)
    patch(pixels, 124, 124, 8)
    return pixels


def main() -> None:
    photo = fit_square(load_sample(list_samples()["Astronaut"]).pixels, 256)  # (256, 256, 3) uint8
    schedule = NoiseSchedule("cosine", 1000)
    ab = fw.alpha_bar_with_zero(schedule)
    x0 = to_model_space(photo)
    eps = fw.fixed_noise(x0.shape, 0)
    moments = fs.PairMoments.of(x0, eps)
    power = sp.radial_power(x0)
    squinted = sp.squint(x0), sp.squint(eps)
    rng = np.random.default_rng(0)
    ts = rng.integers(0, schedule.T + 1, MOVES)

    for t in ts[:20]:  # warm-up: caches, allocator
        slider_move(x0, eps, moments, power, squinted, schedule, ab, int(t))
    rss_before = rss_mb()
    move_ms, png_ms = [], []
    for t in ts:
        start = time.perf_counter()
        pixels = slider_move(x0, eps, moments, power, squinted, schedule, ab, int(t))
        mid = time.perf_counter()
        Image.fromarray(pixels).save(io.BytesIO(), format="PNG")
        end = time.perf_counter()
        move_ms.append((mid - start) * 1e3)
        png_ms.append((end - mid) * 1e3)
    rss_after = rss_mb()

    t_iter = 500
    start = time.perf_counter()
    fw.iterate_steps(x0, t_iter, schedule, seed=0)
    iter_ms = (time.perf_counter() - start) * 1e3
    start = time.perf_counter()
    fw.q_sample(x0, t_iter, schedule, eps)
    jump_ms = (time.perf_counter() - start) * 1e3

    def stats(ms: list[float]) -> str:
        return f"median {np.median(ms):6.2f} ms   p95 {np.percentile(ms, 95):6.2f} ms   max {np.max(ms):6.2f} ms"

    print(f"forward process, 256x256 RGB ({x0.size:,} values), cosine T=1000, {MOVES} reported moves of t, "
          f"{os.cpu_count()} CPUs")
    print(f"  core recompute per move   {stats(move_ms)}   (bar: <= 50 ms)")
    print(f"  peer: PNG encode frame    {stats(png_ms)}")
    print(f"  RSS before {rss_before:7.1f} MB   after {rss_after:7.1f} MB   growth {rss_after - rss_before:+6.1f} MB "
          f"over {MOVES} moves   (bar: < 50 MB)")
    print(f"  reach t={t_iter}: one jump (eq. 4) {jump_ms:8.2f} ms   vs {t_iter} single steps (eq. 2) "
          f"{iter_ms:9.1f} ms   ratio {iter_ms / jump_ms:,.0f}x")
    print(json.dumps({"move_median_ms": round(float(np.median(move_ms)), 3), "move_p95_ms": round(float(np.percentile(
        move_ms, 95)), 3), "move_bar_ms": 50, "png_median_ms": round(float(np.median(png_ms)), 3),
        "rss_growth_mb": round(rss_after - rss_before, 1), "rss_bar_mb": 50, "jump_ms": round(jump_ms, 3),
        "iterate_ms": round(iter_ms, 1)}))


if __name__ == "__main__":
    main()
