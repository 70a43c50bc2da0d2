"""Every page opened on a warm server in a warm browser, and how much of that is the server's script run.

    nice -n 10 python bench/bench_page_open.py [--repeats 5] [--pages image-space,forward]

Bar (DESIGN.md): any page <= 1.0 s. Starts ``streamlit run app.py`` on a loopback port, opens every page once in
headless Chromium (the server's caches and the browser's code chunks warm), then, ``--repeats`` times per page,
goes home (for the home page itself: to the image-space page) and clicks the page in the sidebar, timing from
the click to the page finished: Streamlit's script state idle, no skeletons left, every Plotly chart of the
page drawn and every picture (the SVG charts among them) loaded. Beside it, the same page opened by a protocol
reader (``bench/streamlit_reader.py``, no browser: the server's script run and its messages alone). Prints medians
and maxima; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classroom import Server  # noqa: E402
from streamlit_reader import Reader  # noqa: E402

from diffusion_core.access.site_map import PAGES as SITE_MAP  # noqa: E402

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Every page's h1, by URL path, from the page registry (the home page's h1 is the app's name, its link "Home")
TITLES = {entry.path: entry.title for entry in SITE_MAP} | {"": "Image Space"}
DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]')
  && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))
  && [...document.querySelectorAll('[data-testid="stMain"] img')].every(i => i.complete)"""


def browser_times(url: str, pages: list[str], repeats: int) -> dict[str, list[float]]:
    out = {p: [] for p in pages}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(url)
        page.wait_for_selector(IDLE, timeout=120_000)
        for _ in range(2):  # warm: every page's code chunks in the browser, every cache in the server
            for name in pages:
                page.get_by_role("link", name=TITLES[name] if name else "Home").first.click()
                page.wait_for_selector(f'h1:has-text("{TITLES[name]}")', timeout=120_000)
                page.wait_for_selector(IDLE, timeout=120_000)
                page.wait_for_function(DRAWN, timeout=120_000)
        for _ in range(repeats):
            for name in pages:
                page.get_by_role("link", name="Home" if name else TITLES["image-space"]).first.click()
                page.wait_for_selector(IDLE, timeout=120_000)
                page.wait_for_timeout(300)  # let the home page settle (not part of any timing)
                start = time.perf_counter()
                page.get_by_role("link", name=TITLES[name] if name else "Home").first.click()
                page.wait_for_selector(f'h1:has-text("{TITLES[name]}")', timeout=120_000)
                page.wait_for_selector(IDLE, timeout=120_000)
                page.wait_for_function(DRAWN, timeout=120_000, polling="raf")
                out[name].append(time.perf_counter() - start)
        browser.close()
    return out


async def protocol_times(url: str, pages: list[str], repeats: int) -> dict[str, list[float]]:
    out = {p: [] for p in pages}
    r = Reader(url, fetch_media=False)
    await r.connect()
    for name in pages:
        await r.open(name)
    for _ in range(repeats):
        for name in pages:
            await r.open("" if name else "image-space")
            run = await r.open(name)
            out[name].append(run.done)
    await r.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", default=",".join(TITLES), help='comma-separated URL paths; "" is the home page')
    args = parser.parse_args()
    pages = args.pages.split(",")
    server = Server()
    try:
        asyncio.run(protocol_times(server.url, pages, 1))  # the server's first visits (imports, caches)
        in_browser = browser_times(server.url, pages, args.repeats)
        server_only = asyncio.run(protocol_times(server.url, pages, args.repeats))
    finally:
        server.stop()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.repeats} opens each; seconds (median / max)")
    print(f"{'page':14}{'in Chromium':>18}{'server run alone':>20}")
    for name in pages:
        b, s = in_browser[name], server_only[name]
        print(f"{name or 'home':14}{statistics.median(b):>10.3f} / {max(b):.3f}{statistics.median(s):>12.3f} / {max(s):.3f}")
    print(json.dumps({"bar_s": 1.0, "load_average": os.getloadavg()[0], "pages": {
        name or "home": {"browser_median_s": round(statistics.median(in_browser[name]), 3),
                         "browser_max_s": round(max(in_browser[name]), 3),
                         "server_median_s": round(statistics.median(server_only[name]), 3)} for name in pages}}))


if __name__ == "__main__":
    main()
