"""A class of readers on one small server, measured through Streamlit's own protocol.

    nice -n 10 python bench/bench_classroom.py [--readers 30] [--scenarios identical,own_seed,browse,big_number]
                                               [--browse-seconds 60] [--after-leave-seconds 120] [--mode grid]
                                               [--browse-rounds 1]

Starts one ``streamlit run app.py`` on a loopback port and drives ``--readers`` simulated readers against it
(``bench/streamlit_reader.py``: websockets carrying the browser's protobuf messages; each image shown is fetched
like a browser would). Before each crowd, one reader does the same thing alone, so every figure is printed beside
its single-reader peer from the same run. Scenarios:

* ``identical``: everyone opens the same shared link (a fresh seed, so nothing is cached; the page generates on
  its own, as it does for cheap settings), then everyone presses Generate together. Bar: p95 done <= 2 s.
* ``own_seed``: everyone types their own new seed at the same moment (the page generates on a seed change). Bars:
  the last reader done <= 1.25 x readers x one run alone; first feedback (a frame or a queue place) <= 1 s.
* ``browse``: for ``--browse-seconds`` each reader opens pages at random and moves their sliders; then everyone
  leaves; once their sessions have expired (server.disconnectedSessionTTL) one more reader comes and goes, as on
  any server in use (Streamlit drops expired sessions only when it stores another). Bars: 0 errors, peak RSS
  <= 2 GB, RSS back within 150 MB of the start ``--after-leave-seconds`` after they left. ``--browse-rounds 2``
  sends a second class after the first: memory kept once (caches, allocator high-water marks) is not added again.
* ``big_number``: everyone opens the 12 MP colour format and asks for the whole number as a .txt file, then
  downloads it. Bar: all served, or queued with a clear message.

Per scenario: p50/p95/max of first feedback, first image and done; queue places shown; errors; the server's RSS
and CPU. The last line printed is one JSON object with every figure. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_server import rss_mb, start_app, stop_app  # noqa: E402
from streamlit_reader import Reader, RunTiming  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["", "image-space", "forward", "denoiser", "direction", "corner"]
TWELVE_MP = "w=4000&h=3000&colour=rgb&bits=8"
CLK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the server and its footprint
class Server:
    """``streamlit run app.py`` on a free loopback port, with its RSS and CPU sampled every 0.25 s."""

    def __init__(self) -> None:
        self.log = open(ROOT / "bench" / ".classroom-server.log", "w")
        self.proc, self.port = start_app(log=self.log)
        self.url = f"http://127.0.0.1:{self.port}"
        self.samples: list[tuple[float, float, float]] = []  # (time, rss MB, cpu seconds)
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / CLK  # own + children

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            try:
                self.samples.append((time.perf_counter(), self.rss_mb(), self.cpu_s()))
            except (OSError, IndexError):
                return

    def window(self, start: float, end: float) -> dict:
        """Peak RSS and CPU use (cores busy on average) between two perf_counter times."""
        inside = [s for s in self.samples if start <= s[0] <= end] or self.samples[-1:]
        cpu = (inside[-1][2] - inside[0][2]) / max(1e-9, inside[-1][0] - inside[0][0]) if len(inside) > 1 else 0.0
        return {"peak_rss_mb": round(max(s[1] for s in inside), 1), "cpu_cores": round(cpu, 2)}

    def stop(self) -> None:
        self._stop.set()
        stop_app(self.proc)
        self.log.close()


# ---------------------------------------------------------------- figures
def pct(values: list[float], q: float) -> float | None:
    """The q-quantile (nearest rank) of ``values``, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))], 3)


def summary(runs: list[RunTiming]) -> dict:
    out = {"n": len(runs)}
    for name in ("first_feedback", "first_image", "done"):
        vals = [getattr(r, name) for r in runs if getattr(r, name) is not None]
        out[name] = {"p50": pct(vals, 0.5), "p95": pct(vals, 0.95), "max": pct(vals, 1.0), "n": len(vals)}
    out["queue_places"] = sorted({p for r in runs for p in r.queue_places})
    out["errors"] = errors(runs)
    out["told_to_try_again"] = sum(1 for r in runs if any("try again" in a for a in r.alerts))  # the queue's wait ran out
    out["alerts"] = sorted({a[:90] for r in runs for a in r.alerts})[:6]
    return out


def errors(runs: list[RunTiming]) -> list[str]:
    return [e for r in runs for e in r.exceptions] + [f"run {r.status}" for r in runs if r.status != "ok"]


def show(name: str, single: dict | None, crowd: dict, server: dict) -> None:
    def cell(d, key):
        s = d[key] if d else None
        return "-" if not s or s["p50"] is None else f"{s['p50']:.2f} / {s['p95']:.2f} / {s['max']:.2f}"

    print(f"\n== {name}: {crowd['n']} readers (p50 / p95 / max seconds) ==")
    print(f"{'':16}{'alone':>24}{'crowd':>24}")
    for key in ("first_feedback", "first_image", "done"):
        print(f"{key:16}{cell(single, key):>24}{cell(crowd, key):>24}")
    print(f"queue places shown: {crowd['queue_places'] or 'none'}; told to try again: {crowd['told_to_try_again']}; "
          f"errors: {len(crowd['errors'])} "
          f"{crowd['errors'][:3]}; server peak RSS {server['peak_rss_mb']} MB, CPU {server['cpu_cores']} cores")
    if crowd["alerts"]:
        print("messages:", crowd["alerts"])


# ---------------------------------------------------------------- scenarios
async def crowd(server: Server, n: int, action) -> tuple[list[RunTiming], list[Reader]]:
    """``n`` connected readers, each running ``action(reader, i)`` (returns a RunTiming) at the same moment."""
    readers = [Reader(server.url) for _ in range(n)]
    await asyncio.gather(*(r.connect() for r in readers))
    runs = await asyncio.gather(*(action(r, i) for i, r in enumerate(readers)), return_exceptions=True)
    timings = []
    for run in runs:
        if isinstance(run, BaseException):
            t = RunTiming(status="error")
            t.exceptions.append(f"{type(run).__name__}: {run}")
            run = t
        timings.append(run)
    return timings, readers


async def leave(readers: list[Reader]) -> None:
    await asyncio.gather(*(r.close() for r in readers), return_exceptions=True)


def denoiser_link(mode: str, seed: int) -> str:
    return f"mode={mode}&seed={seed}"


async def identical(server: Server, n: int, mode: str, base_seed: int) -> dict:
    async def alone_then_press(r: Reader, i: int) -> RunTiming:
        opened = await r.open("denoiser", denoiser_link(mode, base_seed))
        if opened.status != "ok":
            return opened
        return await r.change("den_go")

    single, single_readers = await crowd(server, 1, alone_then_press)
    await leave(single_readers)
    seed = base_seed + 1
    t0 = time.perf_counter()
    readers = [Reader(server.url) for _ in range(n)]
    await asyncio.gather(*(r.connect() for r in readers))
    opened = await asyncio.gather(*(r.open("denoiser", denoiser_link(mode, seed)) for r in readers))
    pressed = await asyncio.gather(*(r.change("den_go") for r in readers if r.has("den_go")))
    win = server.window(t0, time.perf_counter())
    await leave(readers)
    out_open, out_press = summary(opened), summary(list(pressed) + [RunTiming(status="no Generate button")] *
                                                   (n - len(pressed)))
    show("identical link, opened together (the page generates on its own)", None, out_open, win)
    show("identical link, Generate pressed together", summary(single), out_press, win)
    return {"open": out_open, "press": out_press, "single": summary(single), "server": win}


async def own_seed(server: Server, n: int, mode: str, base_seed: int) -> dict:
    async def opened(r: Reader) -> RunTiming:
        return await r.open("denoiser", denoiser_link(mode, base_seed))

    # everyone is on the page first (one shared default link: computed once), then types a new seed
    alone, alone_readers = await crowd(server, 1, lambda r, i: opened(r))
    single = [await alone_readers[0].change("den_seed", base_seed + 500)]
    await leave(alone_readers)
    readers = [Reader(server.url) for _ in range(n)]
    await asyncio.gather(*(r.connect() for r in readers))
    first = await asyncio.gather(*(opened(r) for r in readers))
    t0 = time.perf_counter()
    runs = await asyncio.gather(*(r.change("den_seed", base_seed + 1000 + i) for i, r in enumerate(readers)))
    win = server.window(t0, time.perf_counter())
    await leave(readers)
    out = summary(list(runs))
    out["opening_errors"] = errors(list(first) + alone)
    show("own seeds, typed together", summary(single), out, win)
    return {"crowd": out, "single": summary(single), "server": win}


async def browse_one(r: Reader, seconds: float, rng: random.Random) -> list[RunTiming]:
    """Open pages at random and move their sliders, for ``seconds``."""
    runs, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        runs.append(await r.open(rng.choice(PAGES), ""))
        sliders = [k for k, w in r.widgets.items() if w.kind == "slider" and not w.proto.disabled]
        for key in rng.sample(sliders, min(3, len(sliders))):
            if time.perf_counter() >= end or key not in r.widgets:
                break
            p = r.widgets[key].proto
            if p.options:  # a select_slider
                runs.append(await r.change(key, [rng.choice(p.options)] * max(1, len(p.default))))
                continue
            steps = max(1, round((p.max - p.min) / (p.step or 1)))
            value = p.min + rng.randint(0, steps) * (p.step or 1)
            runs.append(await r.change(key, [value] * max(1, len(p.default))))
    return runs


async def browse(server: Server, n: int, seconds: float, after_leave: float, rounds: int = 1) -> dict:
    """One reader alone, then ``rounds`` classes of ``n`` readers one after another, each browsing for ``seconds``
    and leaving; RSS is read ``after_leave`` seconds after each class left. A second round tells a leak (it grows
    again by as much) from memory kept once and reused (the caches, the allocators' high-water marks)."""
    rss_start = server.rss_mb()
    single_runs, single_readers = await crowd(server, 1, lambda r, i: browse_one(r, min(20.0, seconds),
                                                                                   random.Random(99)))
    await leave(single_readers)
    t0 = time.perf_counter()
    runs, rounds_out = [], []
    for round_index in range(rounds):
        per_reader, readers = await crowd(server, n, lambda r, i, k=round_index: browse_one(
            r, seconds, random.Random(1000 * k + i)))
        runs += [run for rr in per_reader for run in (rr if isinstance(rr, list) else [rr])]
        await leave(readers)
        rounds_out.append(await after_class_left(server, after_leave))
        rounds_out[-1]["media_errors"] = sum(len(r.media_errors) for r in readers)
    win = server.window(t0, time.perf_counter())
    held = cache_memory_mb(server.url)
    out = summary(runs)
    single = summary([x for rr in single_runs for x in (rr if isinstance(rr, list) else [rr])])
    show(f"browsing every page and moving sliders for {seconds:g} s, {rounds} class(es) one after another "
         "(each page open or slider move is one run)", single, out, win)
    print(f"RSS: {rss_start:.0f} MB before, {win['peak_rss_mb']} MB peak; {len(runs)} runs")
    for i, r in enumerate(rounds_out, 1):
        print(f"  class {i}: {r['rss_left_mb']:.0f} MB as they left, {r['rss_before_reap_mb']:.0f} MB "
              f"{r['waited_for_reap_s']:g} s later (sessions kept {r['ttl_s']:g} s), then one more reader came and "
              f"went: {r['rss_after_leave_mb']:.0f} MB {after_leave:g} s after they left "
              f"({r['rss_after_leave_mb'] - rss_start:+.0f} MB on the start); images not fetched in time: "
              f"{r['media_errors']}")
    print("held by Streamlit's caches then (its /_stcore/metrics, MB): "
          + ", ".join(f"{name} {mb:.1f}" for name, mb in held[:8]) + f"; in all {sum(mb for _, mb in held):.1f} MB")
    first = rounds_out[0]
    return {"crowd": out, "single": single, "server": win, "rss_start_mb": round(rss_start, 1),
            "rss_left_mb": first["rss_left_mb"], "rss_before_reap_mb": first["rss_before_reap_mb"],
            "rss_after_leave_mb": first["rss_after_leave_mb"],
            "rss_after_each_class_mb": [r["rss_after_leave_mb"] for r in rounds_out],
            "cache_mb": round(sum(mb for _, mb in held), 1), "runs": len(runs)}


async def after_class_left(server: Server, after_leave: float) -> dict:
    """RSS as a class left, once their sessions expired, and ``after_leave`` s after they left. Streamlit keeps a
    closed tab's session for server.disconnectedSessionTTL, but drops expired ones only when it next stores a
    session: one more reader comes and goes once they have expired, as on any server in use."""
    left_at, rss_left = time.perf_counter(), server.rss_mb()
    ttl = session_ttl_s()
    waited = min(after_leave, ttl + 5)
    await asyncio.sleep(waited)
    rss_before_reap = server.rss_mb()
    late = Reader(server.url)
    await late.connect()
    await late.open("", "")
    await late.close()
    await asyncio.sleep(max(0.0, left_at + after_leave - time.perf_counter()))
    return {"rss_left_mb": round(rss_left, 1), "rss_before_reap_mb": round(rss_before_reap, 1),
            "rss_after_leave_mb": round(server.rss_mb(), 1), "waited_for_reap_s": waited, "ttl_s": ttl}


def session_ttl_s() -> float:
    """How long the app's Streamlit keeps a closed tab's session (server.disconnectedSessionTTL; default 120 s)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    return float(config.get("server", {}).get("disconnectedSessionTTL", 120))


def cache_memory_mb(url: str) -> list[tuple[str, float]]:
    """What each cached function holds, largest first, from Streamlit's metrics endpoint (Prometheus text)."""
    held: dict[str, float] = {}
    for line in _get(f"{url}/_stcore/metrics").decode().splitlines():
        if line.startswith("cache_memory_bytes{"):
            labels, value = line.rsplit(" ", 1)
            name = labels.split('cache="', 1)[-1].split('"', 1)[0].rsplit(".", 1)[-1]
            held[name] = held.get(name, 0.0) + float(value) / 2**20
    return sorted(held.items(), key=lambda kv: -kv[1])


async def big_number(server: Server, n: int) -> dict:
    async def ask(r: Reader, i: int, query: str = TWELVE_MP, size: int | None = 86_696_639) -> RunTiming:
        opened = await r.open("image-space", query)
        if opened.status != "ok" or not r.has("is_prepare"):
            opened.status = "error" if opened.status == "ok" else opened.status
            opened.exceptions.append("no Prepare button")
            return opened
        run = await r.change("is_prepare", timeout=600)
        if r.has("is_download"):
            start = time.perf_counter()
            data = await asyncio.get_running_loop().run_in_executor(None, _get, r.download_url("is_download"))
            run.alerts.append(f"downloaded {len(data) / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
            if size is not None and len(data) != size:
                run.exceptions.append(f"the file has {len(data):,} bytes")
        elif not run.queue_places and not any("busy" in a or "queue" in a for a in run.alerts):
            run.exceptions.append("neither a file nor a queue message")
        return run

    # alone: a format of the same cost whose number is not the crowd's (4001 x 3000), so both start cold
    single, single_readers = await crowd(server, 1, lambda r, i: ask(r, i, TWELVE_MP.replace("4000", "4001"), None))
    await leave(single_readers)
    t0 = time.perf_counter()
    runs, readers = await crowd(server, n, ask)
    win = server.window(t0, time.perf_counter())
    await leave(readers)
    out = summary(runs)
    out["files_served"] = sum(1 for r in runs if any(a.startswith("downloaded") for a in r.alerts))
    show("the 12 MP number's .txt file, asked for together", summary(single), out, win)
    print(f"files served: {out['files_served']} of {n}")
    return {"crowd": out, "single": summary(single), "server": win}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=600) as r:
        return r.read()


# ---------------------------------------------------------------- main
async def main(args) -> dict:
    server = Server()
    results: dict = {"readers": args.readers, "mode": args.mode, "load_average": os.getloadavg()[0]}
    try:
        results["rss_start_mb"] = round(server.rss_mb(), 1)
        warm = Reader(server.url)  # the models and pages load once, as after the first visitor
        await warm.connect()
        for page in PAGES:
            await warm.open(page, "")
        await warm.close()
        base = random.Random().randrange(10_000, 1_000_000)  # fresh seeds: nothing of this run is cached
        wanted = args.scenarios.split(",")
        if "identical" in wanted:
            results["identical"] = await identical(server, args.readers, args.mode, base)
        if "own_seed" in wanted:
            results["own_seed"] = await own_seed(server, args.readers, args.mode, base + 10_000)
        if "big_number" in wanted:
            results["big_number"] = await big_number(server, args.readers)
        if "browse" in wanted:
            results["browse"] = await browse(server, args.readers, args.browse_seconds, args.after_leave_seconds,
                                             args.browse_rounds)
        results["peak_rss_mb"] = round(max(s[1] for s in server.samples), 1)
    finally:
        server.stop()
    return results


def headline(r: dict) -> dict:
    """The figures the README quotes, flat."""
    def get(*path):
        d = r
        for p in path:
            if not isinstance(d, dict) or d.get(p) is None:
                return None
            d = d[p]
        return d

    all_errors = sum(len(get(s, k, "errors") or []) for s in ("identical", "own_seed", "browse", "big_number")
                     for k in ("open", "press", "crowd"))
    return {"identical_p95_s": get("identical", "press", "done", "p95"),
            "identical_open_p95_s": get("identical", "open", "done", "p95"),
            "identical_single_s": get("identical", "single", "done", "p50"),
            "own_seed_last_s": get("own_seed", "crowd", "done", "max"),
            "own_seed_single_s": get("own_seed", "single", "done", "p50"),
            "own_seed_told_to_try_again": get("own_seed", "crowd", "told_to_try_again"),
            "first_feedback_p95_s": get("own_seed", "crowd", "first_feedback", "p95"),
            "browse_runs": get("browse", "runs"), "browse_done_p95_s": get("browse", "crowd", "done", "p95"),
            "big_number_served": get("big_number", "crowd", "files_served"),
            "big_number_done_max_s": get("big_number", "crowd", "done", "max"),
            "errors": all_errors, "peak_rss_mb": r.get("peak_rss_mb"),
            "rss_start_mb": get("browse", "rss_start_mb"), "rss_after_leave_mb": get("browse", "rss_after_leave_mb"),
            "rss_after_each_class_mb": get("browse", "rss_after_each_class_mb"),
            "readers": r["readers"], "mode": r["mode"], "load_average": round(r["load_average"], 2)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=30)
    parser.add_argument("--scenarios", default="identical,own_seed,big_number,browse")
    parser.add_argument("--mode", choices=["one", "grid"], default="grid", help="what the denoiser draws")
    parser.add_argument("--browse-seconds", type=float, default=60.0, help="300 for the full five minutes")
    parser.add_argument("--after-leave-seconds", type=float, default=120.0)
    parser.add_argument("--browse-rounds", type=int, default=1,
                        help="classes browsing one after another (2: does a second class add memory again?)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    res = asyncio.run(main(args))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    h = headline(res)
    own = h["own_seed_last_s"], h["own_seed_single_s"]
    if None not in own:
        print(f"\nown seeds: last done {own[0]:.2f} s vs bar 1.25 x {args.readers} x {own[1]:.2f} s = "
              f"{1.25 * args.readers * own[1]:.2f} s")
    print(json.dumps(h))
