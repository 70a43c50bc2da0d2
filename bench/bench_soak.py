"""One reader for a long while: does the server's memory come back, or creep up with every run?

    nice -n 10 python bench/bench_soak.py [--generations 1000] [--moves 1000] [--warmup 100]

Starts one ``streamlit run app.py`` on a loopback port (``bench_classroom.Server``: RSS sampled every 0.25 s) and
drives one protocol reader (``bench/streamlit_reader.py``, every image fetched like a browser would):

1. the live denoiser, one image, a new seed ``--generations`` times (each seed is a new run: the page samples it);
2. the forward page, the "Timestep t" slider moved ``--moves`` times (each move a new frame and new histograms).

The server's caches are bounded (finished runs, cached pictures, the forward page's frames), so memory should
grow while they fill and then stay level. Printed: RSS at the start (both pages opened once, as by the first
visitor: models and data loaded), after the first ``--warmup`` actions of
each part (caches filling), and at the end; growth over the whole soak and after the warm-up, beside the bar
(growth < 50 MB); errors; the time per action. The last line is one JSON object with the figures. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classroom import Server  # noqa: E402
from streamlit_reader import Reader, RunTiming  # noqa: E402

BAR_GROWTH_MB = 50
SEED_BASE = 700_000  # far from the seeds readers and tests use: every run is computed, none replayed


async def repeat(reader: Reader, count: int, warmup: int, server: Server, action) -> dict:
    """Run ``action(i)`` ``count`` times; RSS before, after ``warmup`` actions, and at the end."""
    runs: list[RunTiming] = []
    before, every_100 = server.rss_mb(), []
    after_warmup = before
    for i in range(count):
        runs.append(await action(i))
        if i + 1 == min(warmup, count):
            after_warmup = server.rss_mb()
        if (i + 1) % 100 == 0:
            every_100.append(round(server.rss_mb()))
    failed = [r for r in runs if r.status != "ok" or r.exceptions]
    return {"count": count, "rss_before_mb": round(before, 1), "rss_after_warmup_mb": round(after_warmup, 1),
            "rss_end_mb": round(server.rss_mb(), 1), "rss_every_100_mb": every_100, "errors": len(failed),
            "error_examples": [r.exceptions[:1] or [r.status] for r in failed[:3]],
            "median_s": round(statistics.median([r.done for r in runs if r.done is not None] or [0.0]), 3)}


async def soak(args) -> dict:
    server = Server()
    try:
        reader = Reader(server.url)
        await reader.connect()
        for page in ("forward", "denoiser"):  # both pages loaded once (their models, data and code), as for any
            await reader.open(page, f"mode=one&seed={SEED_BASE}" if page == "denoiser" else "")  # first visitor
        start = server.rss_mb()
        generations = await repeat(reader, args.generations, args.warmup, server,
                                   lambda i: reader.change("den_seed", SEED_BASE + 1 + i))
        await reader.open("forward", "")
        moves = await repeat(reader, args.moves, args.warmup, server,
                             lambda i: reader.change("fw_t", [1 + (i * 37) % 999]))
        await reader.close()
        end = server.rss_mb()
        peak = max(s[1] for s in server.samples)
        media_errors = len(reader.media_errors)
    finally:
        server.stop()
    return {"generations": generations, "moves": moves, "rss_start_mb": round(start, 1), "rss_end_mb": round(end, 1),
            "peak_rss_mb": round(peak, 1), "growth_mb": round(end - start, 1),
            "growth_after_warmup_mb": round(end - generations["rss_after_warmup_mb"], 1),
            "media_errors": media_errors, "load_average": round(os.getloadavg()[0], 2)}


def report(r: dict) -> None:
    for name, part in (("denoiser, a new seed each time", r["generations"]), ("forward page, t moved", r["moves"])):
        print(f"{name}: {part['count']} runs, median {part['median_s']:.3f} s, errors {part['errors']} "
              f"{part['error_examples'] or ''}; RSS {part['rss_before_mb']:.0f} MB before, "
              f"{part['rss_after_warmup_mb']:.0f} MB after the warm-up, {part['rss_end_mb']:.0f} MB at the end; every 100 "
              f"runs: {part['rss_every_100_mb']}")
    print(f"RSS: {r['rss_start_mb']:.0f} MB at the start (both pages opened once), {r['rss_end_mb']:.0f} MB at the end, peak "
          f"{r['peak_rss_mb']:.0f} MB; growth {r['growth_mb']:+.0f} MB over the whole soak, "
          f"{r['growth_after_warmup_mb']:+.0f} MB after the denoiser's warm-up   bar: < {BAR_GROWTH_MB} MB")
    print(f"images not fetched: {r['media_errors']}; load average {r['load_average']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generations", type=int, default=1000)
    parser.add_argument("--moves", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    result = asyncio.run(soak(parser.parse_args()))
    report(result)
    print(json.dumps(result))
