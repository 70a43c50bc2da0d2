"""The live denoiser measured in a real browser, end to end, against the bars of DESIGN.md.

    python bench/bench_denoiser_page.py [--model digits] [--runs 200] [--port 8765]

Starts ``streamlit run app.py`` on a loopback port, opens the denoiser page in headless Chromium and
clicks Generate repeatedly, timing in the page, from the click event to (a) the first live frame (x_T)
replacing the previous picture and (b) the frame that paints the finished run (the new run's frame player
on screen and Streamlit's script state back to idle; the player then plays the run at a human pace, ~4 s,
in the browser alone). It also prints the size of what the player is sent for one run (its frames as JSON).
Bars: first frame ≤ 0.3 s, one image ≤ 0.5 s, 10-class grid ≤ 2 s; it prints medians, the 90th percentile
and, for comparison, the wall time the harness saw around each click. Generate repeats the same settings, so the
browser may reuse unchanged elements; the second table types a new seed each time (what a reader does to see a new
image) and times the new final image and the finished page. Then it clicks Generate ``--runs`` times in one
session and reports the server's RSS growth (bar < 50 MB). Prints figures only; asserts nothing. The last line is
one JSON object with the medians and p90s (seconds), the player's data (kB) and the RSS growth (MB).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

from app_server import rss_mb, start_app, stop_app
from playwright.sync_api import sync_playwright

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LIVE_IMG = ".st-key-den_live img"


WATCH_RUN = """number => {
    // Times one Generate click inside the page, in the browser's own clock, without polling:
    // from the click event reaching the page to the frame that paints the finished run.
    const app = document.querySelector('[data-testid="stApp"]');
    const before = document.querySelector('.st-key-den_live img')?.src;  // a still frame, or the player's picture
    const times = {click: null, first: null, done: null};
    document.addEventListener('click', () => { times.click = performance.now(); }, {capture: true, once: true});
    window.runTimes = new Promise(resolve => {
        const observer = new MutationObserver(() => {
            const img = document.querySelector('.st-key-den_live img');
            if (times.click !== null && times.first === null && img && img.src !== before) {
                times.first = performance.now();
            }
            const finished = document.querySelector(`.st-key-den_player_${number + 1} .fp-caption`)
                && app.getAttribute('data-test-script-state') === 'notRunning';
            if (times.click !== null && finished) {
                observer.disconnect();
                requestAnimationFrame(() => { times.done = performance.now(); resolve(times); });
            }
        });
        observer.observe(app, {subtree: true, childList: true, attributes: true,
                               attributeFilter: ['src', 'class', 'data-test-script-state']});
    });
}"""


RUN_NUMBER = """() => {
    const el = document.querySelector('[class*="st-key-den_player_"]');
    return el ? Number(el.className.match(/st-key-den_player_(\\d+)/)[1]) : 0;
}"""


def click_generate(page) -> tuple[float, float, float]:
    """(seconds to the first new live frame, seconds to the finished run, harness seconds) for one click.

    Timed in the page: from the click event to the animation frame that paints the finished run (the new
    run's scrub slider on screen and Streamlit's script state back to idle), seen by a MutationObserver
    installed before the click. The first frame is the live view first showing a different picture (NaN
    when the browser painted no intermediate frame: a fast run can reach it as one batch). Playwright
    does not poll the page during the run: its selector engine walks the whole DOM every animation
    frame, and on these 2 shared cores that alone added ~0.1 s to every run. The third figure is the
    wall time this script saw around the click (Playwright's actionability checks and round trips).
    """
    number = page.evaluate(RUN_NUMBER)
    page.evaluate(WATCH_RUN, number)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Generate", exact=True).click()
    times = page.evaluate("() => window.runTimes")
    harness = time.perf_counter() - t0
    first = math.nan if times["first"] is None else (times["first"] - times["click"]) / 1000
    return first, (times["done"] - times["click"]) / 1000, harness


WATCH_NEW_SEED = """seed => {
    // Times a seed change (Enter in the seed box): the Generate tab reruns and samples a new image.
    // result: the new final image in the DOM; done: the frame that paints the finished page.
    const app = document.querySelector('[data-testid="stApp"]');
    const before = document.querySelector('.st-key-den_final img')?.src;
    const times = {start: null, result: null, done: null};
    document.addEventListener('keydown', e => { if (e.key === 'Enter') times.start ??= performance.now(); },
                              {capture: true, once: true});
    window.seedTimes = new Promise(resolve => {
        const observer = new MutationObserver(() => {
            const img = document.querySelector('.st-key-den_final img');
            if (times.start !== null && times.result === null && img && img.src !== before) {
                times.result = performance.now();
            }
            const caption = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                .find(c => c.innerText.includes('Ran on'));
            if (times.result !== null && caption && caption.innerText.includes(`seed ${seed}.`)
                && app.getAttribute('data-test-script-state') === 'notRunning') {
                observer.disconnect();
                requestAnimationFrame(() => { times.done = performance.now(); resolve(times); });
            }
        });
        observer.observe(app, {subtree: true, childList: true, attributes: true, characterData: true});
    });
}"""


def change_seed(page, seed: int) -> tuple[float, float]:
    """(seconds to the new final image, seconds to the finished page) after typing a new seed + Enter."""
    box = page.get_by_label("Seed", exact=True)
    box.fill(str(seed))
    page.evaluate(WATCH_NEW_SEED, seed)
    box.press("Enter")
    times = page.evaluate("() => window.seedTimes")
    return (times["result"] - times["start"]) / 1000, (times["done"] - times["start"]) / 1000


def measure_new_seeds(page, url: str, runs: int) -> tuple[float, float, float]:
    """Median seconds to the new image and to the finished page, and the latter's 90th percentile."""
    page.goto(url)
    page.wait_for_selector(LIVE_IMG, timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    results, totals = zip(*(change_seed(page, 1000 + i) for i in range(runs)), strict=True)
    return statistics.median(results), statistics.median(totals), statistics.quantiles(totals, n=10)[-1]


def player_kilobytes(model: str, mode: str) -> tuple[float, int, int]:
    """(kB of JSON, frames played, frames recorded) the frame player is sent for one run of ``model`` (seed 1, the
    page's defaults otherwise), computed as the page computes it (diffusion_core.live.playback)."""
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from diffusion_core.images.player_data import frames_payload
    from diffusion_core.live.generation_settings import GenerationSettings
    from diffusion_core.live.playback import run_film
    from diffusion_core.live.run import sample_live
    from diffusion_core.model.samplers import default_guidance
    from diffusion_core.model.weights import load_model

    settings = GenerationSettings(model=model, mode=mode, guidance=default_guidance(model))
    with torch.no_grad():
        run = sample_live(load_model(model), settings, lambda frame: None)
    film = run_film(run.trajectory, settings.grid_columns, lambda frame: "x" * 160)
    payload = frames_payload(film.frames, labels=("x_t", "x̂₀"))
    return len(json.dumps(payload)) / 1000, len(film.frames), len(film.frames) + film.left_out


def measure(page, url: str, runs: int) -> tuple[float, float, float, float, int]:
    """Median first frame, median and 90th-percentile whole run, median harness seconds over ``runs``
    clicks, and how many runs painted no intermediate frame."""
    page.goto(url)
    page.wait_for_selector(LIVE_IMG, timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    firsts, totals, harness = zip(*(click_generate(page) for _ in range(runs)), strict=True)
    painted = [f for f in firsts if not math.isnan(f)]
    p90 = statistics.quantiles(totals, n=10)[-1]
    return ((statistics.median(painted) if painted else math.nan), statistics.median(totals), p90,
            statistics.median(harness), runs - len(painted))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--model", default="digits", help="a shipped model (digits, fashion, emoji)")
    args = p.parse_args()
    model = f"model={args.model}&"
    figures: dict[str, float | str] = {"model": args.model}
    server, port = start_app(args.port, timeout_s=30)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base)  # the first session of a server runs the root page (see README)
            page.wait_for_selector(IDLE, timeout=120_000)
            print(f"{'what':<40} {'first frame':>11} {'whole run':>9} {'(p90)':>7} {'harness':>8}   bars")
            for what, query, runs, bars in (("one image, DPM-Solver++ 20 steps", "seed=1", 40, "first ≤ 0.3 s, run ≤ 0.5 s"),
                                            ("10-class grid, 20 steps", "seed=1&mode=grid", 20, "run ≤ 2 s")):
                first, total, p90, harness, unpainted = measure(page, f"{base}/denoiser?{model}{query}", runs)
                key = "grid" if "grid" in query else "one"
                figures.update({f"{key}_first_s": first, f"{key}_done_s": total, f"{key}_done_p90_s": p90})
                print(f"{what + f' ({runs} runs)':<40} {first:>9.3f} s {total:>7.3f} s {p90:>5.3f} s {harness:>6.3f} s"
                      f"   {bars}; {unpainted} runs showed no intermediate frame")
            for mode in ("one", "grid"):
                kb, played, recorded = player_kilobytes(args.model, mode)
                figures[f"{mode}_player_kb"] = kb
                print(f"frame player data, {mode:<4}: {kb:7.1f} kB of JSON, {played} of {recorded} frames played")
            print(f"{'what':<40} {'new image':>11} {'whole page':>10} {'(p90)':>7}")
            for what, query in (("one image, new seed typed", "seed=1"), ("10-class grid, new seed", "seed=1&mode=grid")):
                result, total, p90 = measure_new_seeds(page, f"{base}/denoiser?{model}{query}", 20)
                key = "grid" if "grid" in query else "one"
                figures.update({f"{key}_new_seed_image_s": result, f"{key}_new_seed_page_s": total})
                print(f"{what + ' (20 runs)':<40} {result:>9.3f} s {total:>8.3f} s {p90:>5.3f} s")
            page.goto(f"{base}/denoiser?{model}seed=2")
            page.wait_for_selector(LIVE_IMG, timeout=120_000)
            page.wait_for_selector(IDLE, timeout=120_000)
            for _ in range(10):  # warm caches before the memory baseline
                click_generate(page)
            start = rss_mb(server.pid)
            t0 = time.perf_counter()
            for _ in range(args.runs):
                click_generate(page)
            end = rss_mb(server.pid)
            print(f"server RSS over {args.runs} runs in one session: {start:.0f} MB -> {end:.0f} MB "
                  f"(growth {end - start:+.1f} MB; bar < 50 MB), {time.perf_counter() - t0:.0f} s")
            print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
            browser.close()
        figures.update(rss_growth_mb=end - start, load_average=os.getloadavg()[0])
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}))
    finally:
        stop_app(server)


if __name__ == "__main__":
    main()
