"""Editing the reader's picture (issue 29): quality judged by the independent classifier, and speed (2-core CPU).

    python bench/bench_edit.py [--n 500] [--sampler dpmpp] [--steps 20] [--resample 1 2 4] [--walks 1 2] [--repeats 7]
    python bench/bench_edit.py --page [--sections inpaint sdedit speed page]   # the "Draw your own" page's defaults

On held-out digits the model never saw (the copies the app ships), with the judge of diffusion_core.judge (trained
once on the shipped training digits and cached at runs/digits/classifier.pt, as ``python -m diffusion_core.evaluate``
does), each figure beside its bar:
  * inpainting the bottom half (rows 14-27 unknown, the top half known): classified as the true digit with the class
    given (bar ≥ 95%) and with none (≥ 75%), and the kept half bit-identical in every image; for each number of
    RePaint rounds in ``--resample`` (1 = replacement only), with its cost in network calls, so the default can be
    chosen by measurement;
  * SDEdit at strength 0.6 of badly corrupted digits (Gaussian pixel noise of sd 100 grey levels and a white bar
    3 px high across the whole width, at a random row in the middle; chosen before anything was measured) with the
    class given: ≥ 97%, in one walk and in each number of walks of ``--walks`` (the walk repeated from its own
    result); beside it, the judge on the corrupted digits themselves and on the clean ones, and the same edit of
    lighter corruptions (the noise alone, a 1 or 2 px bar), to show which part defeats it;
  * the distance ||result - input|| (grey levels) by strength, s = 0.2 ... 1.0, for clean and corrupted digits:
    lower strength stays closer (bar: it falls as s falls);
  * speed, one image: an edit at s = 0.5 against a full run of the same sampler and steps, timed alternately
    (bar ≤ 0.6x), both on the network the app samples with; and the time from calling ``edit_live`` to its first
    frame (the computing part of the page's click-to-first-frame bar, 0.3 s);
  * ``page`` (only when asked for by ``--sections``): the page itself in headless Chromium against ``streamlit run
    app.py`` on a loopback port (bench/app_server.py), a held-out digit, a new seed typed before each press of "Run
    from my drawing": from the click to the first new picture on screen (bar 0.3 s: a live frame, or the finished
    walk's player when the run was quicker than Streamlit's updates, which merge), to the frame player with the
    finished walk, and to the page finished (the two bounds estimated, the walk and the copy check drawn).
Ends with one JSON line. Figures depend on the machine's load: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diffusion_core.judge.classifier import load_or_train, predict
from diffusion_core.live.draw_settings import DrawSettings, edit_guidance
from diffusion_core.live.edit import EditSettings, edit_images, edit_live, network_calls, pixel_distance
from diffusion_core.live.generation_settings import GenerationSettings
from diffusion_core.live.inpaint import DEFAULT_RESAMPLE
from diffusion_core.model.samplers import default_guidance, sample
from diffusion_core.model.shipped_data import held_out, training_set
from diffusion_core.model.weights import load_model

MODEL = "digits"
INPAINT_BARS = {"class": 0.95, "none": 0.75}
SDEDIT_BAR, SDEDIT_STRENGTH = 0.97, 0.6
SPEED_BAR, FIRST_FRAME_BAR = 0.6, 0.3
STRENGTHS = (0.2, 0.4, 0.6, 0.8, 1.0)
NOISE_SD, BAR_HEIGHT = 100.0, 3
SECTIONS = ("inpaint", "sdedit", "speed", "page")


def corrupt(images: np.ndarray, seed: int, noise_sd: float = NOISE_SD, bar: int = BAR_HEIGHT) -> np.ndarray:
    """Gaussian pixel noise (sd ``noise_sd`` grey levels, clipped) and a white bar ``bar`` px high across each digit
    (at a random row between 8 and 17)."""
    rng = np.random.default_rng(seed)
    noisy = images.astype(np.float64) + rng.normal(0.0, noise_sd, images.shape)
    rows = rng.integers(8, 28 - 8 - BAR_HEIGHT, len(images))
    for img, r in zip(noisy, rows):
        img[r:r + bar] = 255.0
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def alternate(fn, peer, repeats: int) -> tuple[float, float]:
    """Median times of fn and its peer, measured alternately so both see the same machine load."""
    fn(), peer()
    a, b = [], []
    for _ in range(repeats):
        for f, out in ((fn, a), (peer, b)):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=500, help="held-out digits per quality figure (of the 1,000 shipped)")
    p.add_argument("--sampler", default="dpmpp")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--eta", type=float, default=0.0, help="DDIM noise (ddim only; 1 = stochastic, DDPM-like)")
    p.add_argument("--guidance", type=float, default=None, help=f"default: the model's ({default_guidance(MODEL)})")
    p.add_argument("--resample", type=int, nargs="+", default=[1, 4], help="RePaint rounds to compare")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--walks", type=int, nargs="+", default=[1, 2],
                   help="SDEdit walks to compare on the corrupted digits (each from the last one's result)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the machine is shared)")
    p.add_argument("--classifier", default=f"runs/{MODEL}/classifier.pt")
    p.add_argument("--page", action="store_true",
                   help="the Draw your own page's defaults (diffusion_core.live.draw_settings): its sampler, steps, η "
                        "and guidance, and the default RePaint rounds; overrides those four options")
    p.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS[:3]),
                   help="what to measure (default: all but page)")
    args = p.parse_args()
    if args.page:
        page = DrawSettings()
        args.sampler, args.steps, args.eta, args.guidance = page.sampler, page.steps, page.eta, edit_guidance(MODEL)
        args.resample = [DEFAULT_RESAMPLE]
    torch.set_num_threads(args.threads)
    guidance = default_guidance(MODEL) if args.guidance is None else args.guidance
    loaded = load_model(MODEL, device=torch.device("cpu"))
    runner, schedule = loaded.runner, loaded.schedule
    null = runner.null_class
    print(f"model: {MODEL}, {loaded.engine}; {args.sampler} {args.steps} steps (eta {args.eta:g}), guidance {guidance:g}, "
          f"seed {args.seed}" + (" (the Draw your own page's defaults)" if args.page else ""))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")

    train_x, train_y = training_set(MODEL)
    judge = load_or_train(Path(args.classifier), train_x, train_y)
    images, labels = held_out(MODEL)
    pick = np.random.default_rng(args.seed).permutation(len(images))[:args.n]
    x, y = images[pick], labels[pick].astype(np.int64)
    accuracy = lambda imgs: float((predict(judge, imgs)[0] == y).mean())  # noqa: E731
    print(f"judge: {accuracy(x):.1%} of these {len(x)} held-out digits as they are\n")
    common = dict(sampler=args.sampler, steps=args.steps, guidance=guidance, seed=args.seed, eta=args.eta)
    figures: dict = {"n": len(x), "judge_on_clean": accuracy(x)}

    # ---- inpainting the bottom half ----
    if "inpaint" in args.sections:
        figures["inpaint"] = inpaint_figures(args, runner, schedule, x, y, null, accuracy, common)
    if "sdedit" in args.sections:
        figures |= sdedit_figures(args, runner, schedule, x, y, null, accuracy, common)
    if "speed" in args.sections:
        figures |= speed_figures(args, loaded, guidance, x, y, common)
    if "page" in args.sections:
        figures |= page_figures(args, guidance)
    print(json.dumps({"model": MODEL, "engine": loaded.engine, "sampler": args.sampler, "steps": args.steps, "eta": args.eta,
                      "guidance": guidance, "page_defaults": args.page, **figures, "load_average": os.getloadavg()[0]}))


def inpaint_figures(args, runner, schedule, x, y, null, accuracy, common) -> dict:
    """Inpainting the bottom half, with and without the class, for each number of RePaint rounds asked for."""
    known = np.zeros(x.shape, bool)
    known[:, :14] = True
    print(f"{'inpainting the bottom half':<44} {'as true digit':>13} {'bar':>7}  {'kept half':>9} {'calls':>6} {'s':>7}")
    inpaint = {}
    for rounds in args.resample:
        for given in ("class", "none"):
            t0 = time.perf_counter()
            out = edit_images(runner, schedule, x, y if given == "class" else np.full(len(x), null), known=known,
                              strength=None, resample=rounds, **common)
            seconds = time.perf_counter() - t0
            acc, kept = accuracy(out), int(np.all(out[:, :14] == x[:, :14], axis=(1, 2)).sum())
            calls = network_calls(args.sampler, schedule, args.steps, 1.0, rounds)
            bar = INPAINT_BARS[given]
            ok = "ok" if acc >= bar and kept == len(x) else "MISSED"
            print(f"{'  ' + given + ', RePaint rounds ' + str(rounds):<44} {acc:>12.1%} {'>= ' + format(bar, '.0%'):>7}  "
                  f"{kept:>4}/{len(x):<4} {calls:>6} {seconds:>6.1f}  {ok}")
            inpaint[f"{given}_r{rounds}"] = {"accuracy": acc, "bar": bar, "kept_identical": kept, "calls": calls,
                                             "seconds": round(seconds, 2)}
    return inpaint


def sdedit_figures(args, runner, schedule, x, y, null, accuracy, common) -> dict:
    """SDEdit of corrupted digits at strength 0.6, the distance by strength, and lighter corruptions."""
    figures = {}
    bad = corrupt(x, args.seed)
    figures["judge_on_corrupted"] = accuracy(bad)
    print(f"\njudge on the corrupted digits themselves: {figures['judge_on_corrupted']:.1%} "
          f"(noise sd {NOISE_SD:g} grey levels, a {BAR_HEIGHT} px white bar across)")
    print(f"{'strength':>8} {'calls':>6} | {'clean: distance':>15} {'as true':>8} | {'corrupted: distance':>19} "
          f"{'as true':>8} {'(no class)':>10}")
    table = []
    for s in STRENGTHS:
        row = {"strength": s, "calls": network_calls(args.sampler, schedule, args.steps, s)}
        for name, src in (("clean", x), ("corrupted", bad)):
            out = edit_images(runner, schedule, src, y, strength=s, **common)
            row[f"{name}_distance"] = float(pixel_distance(out, src).mean())
            row[f"{name}_accuracy"] = accuracy(out)
        row["corrupted_accuracy_no_class"] = accuracy(edit_images(runner, schedule, bad, np.full(len(x), null),
                                                                  strength=s, **common))
        table.append(row)
        print(f"{s:>8.1f} {row['calls']:>6} | {row['clean_distance']:>15.0f} {row['clean_accuracy']:>8.1%} | "
              f"{row['corrupted_distance']:>19.0f} {row['corrupted_accuracy']:>8.1%} "
              f"{row['corrupted_accuracy_no_class']:>10.1%}")
    falls = all(a["clean_distance"] < b["clean_distance"] and a["corrupted_distance"] < b["corrupted_distance"]
                for a, b in zip(table, table[1:]))
    sd = next(r for r in table if r["strength"] == SDEDIT_STRENGTH)["corrupted_accuracy"]
    print(f"SDEdit at s = {SDEDIT_STRENGTH} of corrupted digits, class given: {sd:.1%} (bar >= {SDEDIT_BAR:.0%}) "
          f"{'ok' if sd >= SDEDIT_BAR else 'MISSED'}; distance falls as s falls: {'yes, ok' if falls else 'NO'}")
    figures |= {"by_strength": table, "sdedit_corrupted_accuracy": sd, "sdedit_bar": SDEDIT_BAR,
                "distance_falls_with_strength": falls}
    by_walks = {1: sd}
    for repeats in sorted(set(args.walks) - {1}):
        out = edit_images(runner, schedule, bad, y, strength=SDEDIT_STRENGTH, repeats=repeats, **common)
        by_walks[repeats] = accuracy(out)
        print(f"  the same in {repeats} walks (each from the last one's result, fresh noise): {by_walks[repeats]:.1%} "
              f"(bar >= {SDEDIT_BAR:.0%}) {'ok' if by_walks[repeats] >= SDEDIT_BAR else 'MISSED'}; distance from the "
              f"clean digits {pixel_distance(out, x).mean():.0f} (one walk: "
              f"{pixel_distance(edit_images(runner, schedule, bad, y, strength=SDEDIT_STRENGTH, **common), x).mean():.0f})")
    figures["sdedit_corrupted_accuracy_by_walks"] = by_walks
    print(f"\nSDEdit at s = {SDEDIT_STRENGTH}, class given, by corruption:")
    lighter = {}
    for name, noise_sd, bar in (("noise alone", NOISE_SD, 0), ("noise + 1 px bar", NOISE_SD, 1),
                                ("noise + 2 px bar", NOISE_SD, 2), ("3 px bar alone", 0.0, BAR_HEIGHT)):
        src = corrupt(x, args.seed, noise_sd, bar)
        out = edit_images(runner, schedule, src, y, strength=SDEDIT_STRENGTH, **common)
        lighter[name] = {"judge_on_corrupted": accuracy(src), "accuracy": accuracy(out)}
        print(f"  {name:<18} judge on the input {accuracy(src):>6.1%}, after the edit {accuracy(out):>6.1%} "
              f"{'ok' if accuracy(out) >= SDEDIT_BAR else 'below the bar'}")
    figures["sdedit_by_corruption"] = lighter
    return figures


def speed_figures(args, loaded, guidance, x, y, common) -> dict:
    """One image: an edit at s = 0.5 against a full run, timed alternately; edit_live called to its first frame."""
    runner, schedule = loaded.runner, loaded.schedule
    one, label = x[:1], torch.tensor(y[:1])

    def full() -> None:
        sample(args.sampler, runner, schedule, label, num_steps=args.steps, guidance=guidance,
               generator=torch.Generator().manual_seed(0), **({"eta": args.eta} if args.sampler == "ddim" else {}))

    def half() -> None:
        edit_images(runner, schedule, one, y[:1], strength=0.5, **common)

    edit_s, full_s = alternate(half, full, args.repeats)
    ratio = edit_s / full_s
    settings = GenerationSettings(model=MODEL, label=int(y[0]), guidance=guidance, sampler=args.sampler,
                                  steps=args.steps, eta=args.eta, seed=args.seed)
    firsts = []

    def first_frame_time() -> float:
        start, seen = time.perf_counter(), []
        edit_live(loaded, x[0], settings, EditSettings(strength=0.5),
                  lambda frame: seen.append(time.perf_counter() - start) if not seen else None)
        return seen[0]

    for _ in range(args.repeats):
        firsts.append(first_frame_time())
    first = statistics.median(firsts)
    print(f"\none image, {args.sampler} {args.steps} steps, guidance {guidance:g} (medians of {args.repeats}, alternately):")
    print(f"  edit at s = 0.5: {edit_s:.3f} s, {network_calls(args.sampler, schedule, args.steps, 0.5)} calls; full run "
          f"{full_s:.3f} s, {args.steps} calls: {ratio:.2f}x (bar <= {SPEED_BAR}x) {'ok' if ratio <= SPEED_BAR else 'SLOW'}")
    print(f"  edit_live called to its first frame: {first * 1000:.1f} ms (the page's bar, click to first frame on "
          f"screen: {FIRST_FRAME_BAR} s)")
    print(f"(load average now {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    return {"edit_half_s": round(edit_s, 4), "full_run_s": round(full_s, 4), "speed_ratio": round(ratio, 3),
            "speed_bar": SPEED_BAR, "first_frame_s": round(first, 4), "first_frame_bar_s": FIRST_FRAME_BAR}


WATCH_RUN = """() => {
    // One press of "Run from my drawing", timed in the page's own clock, once per animation frame: from the click
    // event to the live view first showing a new picture (a live frame, or the player's picture when Streamlit sent
    // the run's frames together: it merges updates of one element that reach it at once), to the frame player showing
    // the new walk, and to the page finished. A new seed gives new pictures, so "new" is "a different src".
    const app = document.querySelector('[data-testid="stApp"]');
    const live = () => document.querySelector('.st-key-draw_live:not([data-stale="true"])');
    const still = () => live()?.querySelector('img')?.src;
    const played = () => {
        const host = live()?.querySelector('.st-key-draw_player [data-testid="stBidiComponentIsolated"]');
        return host?.shadowRoot?.querySelector('.fp-picture')?.src;
    };
    const before = {still: still(), played: played()};
    const times = {click: null, first: null, player: null, done: null};
    document.addEventListener('click', () => { times.click = performance.now(); }, {capture: true, once: true});
    window.runTimes = new Promise(resolve => {
        const look = () => {
            if (times.click !== null) {
                const now = performance.now();
                const s = still(), p = played();
                if (times.player === null && p && p !== before.played) times.player = now;
                if (times.first === null && ((s && s !== before.still) || times.player !== null)) times.first = now;
                if (times.player !== null && app.getAttribute('data-test-script-state') === 'notRunning') {
                    times.done = now;
                    resolve(times);
                    return;
                }
            }
            requestAnimationFrame(look);
        };
        requestAnimationFrame(look);
    });
}"""


def page_figures(args, guidance: float) -> dict:
    """The page in Chromium: click to first new picture, to the finished walk's player, to the page finished."""
    from app_server import start_app, stop_app
    from playwright.sync_api import sync_playwright

    proc, port = start_app()
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    url = (f"http://127.0.0.1:{port}/draw?start=held:0&sampler={args.sampler}&steps={args.steps}&eta={args.eta:g}"
           f"&guidance={guidance:g}&label=none")
    first, player, done = [], [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector(idle, timeout=180_000)
            for i in range(args.repeats + 1):
                seed = page.get_by_label("Seed", exact=True)
                seed.wait_for(timeout=180_000)
                seed.fill(str(1000 + i))  # a new walk each time: a repeated one would be replayed (shared runs)
                seed.press("Enter")
                page.wait_for_timeout(300)
                page.wait_for_selector(idle, timeout=180_000)
                page.evaluate(WATCH_RUN)
                page.get_by_role("button", name="Run from my drawing").click()
                times = page.evaluate("() => Promise.race([window.runTimes, new Promise((_, no) => "
                                      "setTimeout(() => no(new Error('no new walk on screen in 180 s')), 180000))])")
                if i == 0:
                    continue  # the first run loads the caches (the model, the training images, the PCA)
                first.append((times["first"] - times["click"]) / 1000)
                player.append((times["player"] - times["click"]) / 1000)
                done.append((times["done"] - times["click"]) / 1000)
            browser.close()
    finally:
        stop_app(proc)
    med = {name: statistics.median(v) for name, v in (("first", first), ("player", player), ("done", done))}
    print(f"\nthe page in Chromium, a held-out digit at strength 0.6 (medians of {len(first)}): click to first new "
          f"picture {med['first']:.3f} s (max {max(first):.3f}; bar {FIRST_FRAME_BAR} s), to the finished walk's player "
          f"{med['player']:.3f} s, to the page finished (bounds, walk, copy check) {med['done']:.3f} s")
    return {"page_first_frame_s": round(med["first"], 4), "page_first_frame_max_s": round(max(first), 4),
            "page_player_s": round(med["player"], 4), "page_done_s": round(med["done"], 4)}


if __name__ == "__main__":
    main()
