"""Measured figures for the image-space page (printed, never asserted).

Run: ``python bench/bench_image_space.py [--skip-12mp]``. Prints, side by side in one run:

* the certified digit count of ``256**n`` (cold: logarithm bounds recomputed; warm: cached) beside
  the naive ``len(str(256**n))`` where that finishes in reasonable time;
* the first 50 digits (certified logarithms) for the same n;
* the whole number as text (``power_text``) for 100 x 100 grayscale (also as the page's download
  runs it, and forced into a spawned worker) and for a 12 MP colour photo.

The bars (DESIGN.md): digit count < 1 ms for any n <= 10**18; text of 100 x 100 grayscale <= 50 ms;
text of the 12 MP photo <= 10 s on the project's 2-core machine.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffusion_core.space import certified_log
from diffusion_core.space.image_space import digit_count, leading_digits, power_text
from diffusion_core.space.power_text_process import (
    power_text_in_process,
    power_text_responsive,
)

NAIVE_UP_TO = 100_000  # len(str(256**n)) is quadratic in Python 3.11: 10**5 already takes seconds


def timed(fn, repeats: int = 1) -> tuple[float, object]:
    """Median wall time in seconds over ``repeats`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cold_digit_count(n: int) -> int:
    certified_log.ln_bounds.cache_clear()
    certified_log.log10_bounds.cache_clear()
    return digit_count(256, n)


def naive_digit_count(n: int) -> int:
    return len(str(256**n))


def main() -> None:
    skip_12mp = "--skip-12mp" in sys.argv
    sys.set_int_max_str_digits(0)  # the naive peer needs it; this script only
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work slows every figure)")
    print(f"{'n':>25} {'digits of 256^n':>22} {'certified cold':>15} {'warm':>10} {'naive len(str)':>15} "
          f"{'first 50 digits':>16}")
    figures: dict = {}
    for n in [10**4, 3 * 10**4, 10**5, 10**6, 36 * 10**6, 10**9, 10**12, 10**15, 10**18]:
        cold, digits = timed(lambda n=n: cold_digit_count(n), repeats=20)
        warm, _ = timed(lambda n=n: digit_count(256, n), repeats=200)
        naive = "not run"
        if n <= NAIVE_UP_TO:
            naive_s, naive_digits = timed(lambda n=n: naive_digit_count(n))
            assert naive_digits == digits
            naive = f"{naive_s * 1e3:,.1f} ms"
        lead, _ = timed(lambda n=n: leading_digits(256, n), repeats=20)
        print(f"{n:>25,} {digits:>22,} {cold * 1e3:>12.3f} ms {warm * 1e6:>7.1f} us {naive:>15} {lead * 1e3:>13.3f} ms")
        figures[f"256^{n}"] = {"digits": digits, "certified_cold_ms": round(cold * 1e3, 4),
                               "warm_us": round(warm * 1e6, 2), "leading_ms": round(lead * 1e3, 4)}
    grey, text = timed(lambda: power_text(256, 10_000), repeats=20)
    print(f"whole number text, 100 x 100 grayscale ({len(text):,} digits): {grey * 1e3:.1f} ms (median of 20)")
    served, _ = timed(lambda: power_text_responsive(256, 10_000), repeats=20)
    spawned, _ = timed(lambda: power_text_in_process(256, 10_000), repeats=3)
    print(f"  as the page's download runs it (in-process below 10^6 digits): {served * 1e3:.1f} ms; "
          f"forced into a spawned worker: {spawned * 1e3:.0f} ms")
    figures.update(text_100x100_ms=round(grey * 1e3, 2), text_as_served_ms=round(served * 1e3, 2),
                   text_spawned_ms=round(spawned * 1e3, 1))
    if not skip_12mp:
        photo, text = timed(lambda: power_text(256, 36_000_000))
        print(f"whole number text, 12 MP colour photo ({len(text):,} digits): {photo:.1f} s (one run)")
        figures["text_12mp_s"] = round(photo, 2)
    print(json.dumps({"load_average": os.getloadavg()[0], **figures}))


if __name__ == "__main__":
    main()
