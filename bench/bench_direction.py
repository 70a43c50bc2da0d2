"""The 2-D page's bars (issue 13), measured in one run and printed beside them.

    python bench/bench_direction.py [--port 8766] [--redraws 12] [--seeds 5]

1. Training: the default MLP on the default mixture (a ring of 8), in this process on one torch thread as the
   page trains it; wall and CPU seconds, with the load average (the machine is shared: say what else ran).
2. Its ε error against the exact ε*, E_t E_{x~p_t} ‖ε_θ − ε*‖² / E‖ε*‖², overall and per tenth of t.
3. Its samples (DDIM, 50 steps) against fresh data: energy distance, and the same distance between two fresh
   samples of that size (the floor), averaged over ``--seeds`` seeds of 2,000 points; the exact field's DDIM
   beside it for reference.
4. In headless Chromium against ``streamlit run app.py`` on loopback: the page's own Train click to the trained
   page; the field's redraw after moving t (key press on the slider to the frame that paints the new pictures
   with the script idle, timed in the page by a MutationObserver), beside the same timing on a three-line
   Streamlit app with one slider (what every slider move costs there); the particle animation's frame rate
   (painted frames counted by a MutationObserver on the label the player rewrites every frame).

The last line is one JSON object with train_s, eps_rel_error, sample_distance_ratio, field_redraw_s,
particle_fps and the rest. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app_server import start_app, stop_app  # noqa: E402

from diffusion_core.toy2d import metrics, sampling  # noqa: E402
from diffusion_core.toy2d.datasets import dataset  # noqa: E402
from diffusion_core.toy2d.mlp import MLPConfig, learned_eps, train  # noqa: E402
from diffusion_core.toy2d.settings import SCHEDULE  # noqa: E402

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
BARS = {"train_s": 10.0, "eps_rel_error": 0.05, "sample_distance_ratio": 1.5, "field_redraw_s": 0.3,
        "particle_fps": 10.0}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def others() -> list[str]:
    """The other heavy processes on the machine right now (what the figures were measured beside)."""
    out = subprocess.run(["ps", "-eo", "pcpu,args", "--sort=-pcpu"], capture_output=True, text=True).stdout.splitlines()
    busy = []
    for line in out[1:8]:
        cpu, _, cmd = line.strip().partition(" ")
        if float(cpu) >= 20 and str(os.getpid()) not in cmd:
            busy.append(f"{float(cpu):.0f}% {cmd[:90]}")
    return busy


def measure_model(seeds: int) -> dict:
    mix = dataset("ring8")
    config = MLPConfig()
    cpu0 = time.process_time()
    trained = train(mix, SCHEDULE, config)
    cpu = time.process_time() - cpu0
    print(f"1. training, default MLP (width {config.width}, {config.steps} steps of {config.batch}, "
          f"{'v' if config.prediction == 'v' else 'ε'}-prediction, one torch thread), ring of 8")
    print(f"   wall {trained.seconds:6.2f} s   CPU {cpu:6.2f} s   bar: ≤ {BARS['train_s']:g} s   ({load()})")
    err = metrics.eps_error(lambda x, t: learned_eps(trained.model, x, t), mix, SCHEDULE, buckets=10, per_bucket=2000)
    print(f"2. weighted ε error, 20,000 draws (t uniform, x_t ~ p_t): {err.overall:.4f}   bar: ≤ {BARS['eps_rel_error']}")
    print("   t range      relative   E‖ε̂−ε*‖²   E‖ε*‖²")
    for a, b, rel, mse, sig in zip(err.edges[:-1], err.edges[1:], err.relative, err.mse, err.signal):
        print(f"   {a:4d}–{b - 1:<4d}    {rel:8.4f}   {mse:9.5f}   {sig:7.4f}")
    learned, exact_d, floors = [], [], []
    field, exact_field = sampling.learned_field(trained.model), sampling.exact_field(mix, SCHEDULE)
    for seed in range(seeds):
        x_T = sampling.initial_noise(2000, 1000 + seed)
        rng = np.random.default_rng([seed, 7])
        fresh, other = mix.sample(2000, rng)[0], mix.sample(2000, rng)[0]
        learned.append(metrics.energy_distance(sampling.ddim(field, SCHEDULE, x_T, 50).final, fresh))
        exact_d.append(metrics.energy_distance(sampling.ddim(exact_field, SCHEDULE, x_T, 50).final, fresh))
        floors.append(metrics.energy_distance(other, fresh))
    ratio = statistics.mean(learned) / statistics.mean(floors)
    print(f"3. energy distance to fresh data, 2,000 points, mean of {seeds} seeds: learned DDIM-50 "
          f"{statistics.mean(learned):.4f}, exact-field DDIM-50 {statistics.mean(exact_d):.4f}, two fresh samples "
          f"{statistics.mean(floors):.4f}")
    print(f"   ratio learned / fresh {ratio:.2f} (per seed {', '.join(f'{a / b:.2f}' for a, b in zip(learned, floors))});"
          f" exact field {statistics.mean(exact_d) / statistics.mean(floors):.2f}   bar: ≤ {BARS['sample_distance_ratio']}")
    return {"train_s": round(trained.seconds, 2), "train_cpu_s": round(cpu, 2), "eps_rel_error": round(err.overall, 5),
            "eps_rel_error_by_t": [round(float(v), 5) for v in err.relative],
            "sample_distance_ratio": round(ratio, 3), "exact_distance_ratio": round(statistics.mean(exact_d) /
                                                                                     statistics.mean(floors), 3)}


MINIMAL_APP = """import streamlit as st
t = st.slider("Timestep t", 0, 999, 200)
st.caption(f"t = {t}: x_t keeps")
"""


WATCH_TRAINED = """() => {
    // From the Train click to the frame that paints the page with the learned field, script idle.
    const app = document.querySelector('[data-testid="stApp"]');
    window.trainTimes = new Promise(resolve => {
        let start = null;
        document.addEventListener('click', () => { start ??= performance.now(); }, {capture: true, once: true});
        const observer = new MutationObserver(() => {
            const done = [...document.querySelectorAll('[data-testid="stAlertContentSuccess"]')]
                .some(e => e.innerText.includes('Trained:'));
            if (start !== null && done && app.getAttribute('data-test-script-state') === 'notRunning') {
                observer.disconnect();
                requestAnimationFrame(() => resolve((performance.now() - start) / 1000));
            }
        });
        observer.observe(app, {subtree: true, childList: true, attributes: true, characterData: true});
    });
}"""

WATCH_REDRAW = """t => {
    // From the key press on the slider to the frame that paints the new field: the caption says the new t,
    // every panel's picture has changed, and Streamlit's script state is idle again. (On the minimal app there
    // are no pictures: only the caption.)
    const app = document.querySelector('[data-testid="stApp"]');
    const heat = () => [...document.querySelectorAll('.st-key-dir_field_view img')].map(i => i.src).join(' ') || 'none';
    const before = heat();
    window.redraw = new Promise(resolve => {
        let start = null;
        document.addEventListener('keydown', () => { start ??= performance.now(); }, {capture: true, once: true});
        const observer = new MutationObserver(() => {
            const caption = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                .some(c => c.textContent.startsWith(`t = ${t}:`));
            const now = heat();
            if (start !== null && caption && (now === 'none' || now.split(' ').every(src => !before.includes(src)))
                && app.getAttribute('data-test-script-state') === 'notRunning') {
                observer.disconnect();
                requestAnimationFrame(() => resolve((performance.now() - start) / 1000));
            }
        });
        observer.observe(app, {subtree: true, childList: true, attributes: true, characterData: true});
    });
}"""

WATCH_FRAMES = """() => {
    window.painted = [];
    const label = document.getElementById('label');
    new MutationObserver(() => window.painted.push(performance.now()))
        .observe(label, {childList: true, characterData: true, subtree: true});
}"""


def slider_moves(page, t: int, moves: int) -> list[float]:
    """Seconds from each arrow-key press on the "Timestep t" slider to the frame painting its result."""
    thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Timestep t").get_by_role("slider")
    times = []
    for i in range(moves + 2):
        thumb.focus()
        key = "ArrowRight" if t < 998 else "ArrowLeft"
        t = t + 1 if key == "ArrowRight" else t - 1
        page.evaluate(WATCH_REDRAW, t)
        page.keyboard.press(key)
        seconds = page.evaluate("() => window.redraw")
        if i >= 2:  # the first two warm the browser and the caches
            times.append(seconds)
    return times


def measure_minimal(browser, port: int, moves: int) -> list[float]:
    """The same slider timing on a three-line app: Streamlit's own share of any redraw on this machine."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "minimal.py").write_text(MINIMAL_APP)
        server, port = start_app(port, "minimal.py", Path(folder))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(IDLE, timeout=60_000)
            times = slider_moves(page, 200, moves)
            page.close()
        finally:
            stop_app(server)
    return times


def measure_browser(port: int, redraws: int) -> dict:
    from playwright.sync_api import sync_playwright

    server, port = start_app(port, timeout_s=60)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            minimal_times = measure_minimal(browser, port + 1, redraws)
            minimal = statistics.median(minimal_times)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base)  # the first session of a server runs the root page (see README)
            page.wait_for_selector(IDLE, timeout=180_000)
            page.goto(f"{base}/direction")
            page.wait_for_selector(".st-key-dir_field_view img", timeout=180_000)
            page.wait_for_selector(IDLE, timeout=180_000)
            page.evaluate(WATCH_TRAINED)
            page.get_by_role("button", name="Train the denoiser").click()
            train_page_s = page.evaluate("() => window.trainTimes")
            said = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="Trained:").inner_text()
            in_server = float(re.search(r"in ([\d.]+) s", said).group(1))
            print(f"4. in Chromium ({load()}):")
            print(f"   Train click to the trained page painted: {train_page_s:.2f} s, of which training in the server "
                  f"{in_server:.2f} s; the rest is the page's first run with the learned field (ε error by t, "
                  "particles, guidance sweep)")
            times = slider_moves(page, int(re.search(r"[?&]t=(\d+)", page.url).group(1)), redraws)  # the link has t
            redraw = statistics.median(times)
            print(f"   field redraw after moving t: median {redraw:.3f} s, p90 "
                  f"{statistics.quantiles(times, n=10)[-1]:.3f} s over {len(times)} moves   bar: ≤ {BARS['field_redraw_s']} s")
            print(f"   (reference: a three-line Streamlit app, one slider and a caption: median {minimal:.3f} s, p90 "
                  f"{statistics.quantiles(minimal_times, n=10)[-1]:.3f} s; the round trip every Streamlit slider pays)")
            page.locator(".st-key-dir_particles iframe").scroll_into_view_if_needed()
            player = next(f for f in page.frames if f.query_selector("#play"))
            player.evaluate(WATCH_FRAMES)
            player.click("#play")
            player.wait_for_function("() => document.getElementById('play').innerText.includes('Play')",
                                     timeout=60_000)
            painted = player.evaluate("() => window.painted")
            fps = (len(painted) - 1) / ((painted[-1] - painted[0]) / 1000)
            print(f"   particle animation, 4 panels x 1,000 particles: {len(painted)} frames painted, {fps:.1f} frames/s"
                  f"   bar: ≥ {BARS['particle_fps']:g}")
            browser.close()
    finally:
        stop_app(server)
    return {"train_page_s": round(train_page_s, 2), "train_in_server_s": in_server, "field_redraw_s": round(redraw, 3),
            "minimal_app_slider_s": round(minimal, 3),
            "field_redraw_p90_s": round(statistics.quantiles(times, n=10)[-1], 3), "particle_fps": round(fps, 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=8766)
    p.add_argument("--redraws", type=int, default=12)
    p.add_argument("--seeds", type=int, default=5)
    args = p.parse_args()
    busy = others()
    print("busy beside this bench: " + ("; ".join(busy) if busy else "nothing above 20% CPU"))
    result = measure_model(args.seeds)
    result |= measure_browser(args.port, args.redraws)
    result["load_average"] = round(os.getloadavg()[0], 2)
    result["bars"] = BARS
    print(json.dumps(result))


if __name__ == "__main__":
    main()
