"""Forward-process page in a real browser: playback frame rate and server memory while playing.

Starts ``streamlit run app.py`` on a loopback port, opens /forward at 256 px RGB in headless Chromium
(Debian's /usr/bin/chromium), presses Play, and counts distinct x_t frames the browser shows
(a MutationObserver on the image's src). Prints frames per second and the server's RSS before and
after, then one line of JSON with the figures. Bars (issue 4): ≥ 10 fps; memory flat.

    python bench/bench_forward_playback.py [seconds]
"""

from __future__ import annotations

import json
import os
import sys

from app_server import rss_mb, start_app, stop_app
from playwright.sync_api import sync_playwright

WATCH = """() => { window.__frames = []; const t0 = performance.now();
  new MutationObserver(() => {
    const el = [...document.querySelectorAll('[data-testid=stImage]')].find(e => e.innerText.startsWith('x_t at t'));
    if (!el || !el.innerText.includes('playing')) return;
    const src = el.querySelector('img').src, last = window.__frames[window.__frames.length - 1];
    if (!last || last[1] !== src) window.__frames.push([performance.now() - t0, src]);
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); }"""


def main(seconds: float) -> None:
    server, port = start_app(timeout_s=60)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/forward?img=photo:Astronaut&colour=rgb&res=256&T=1000&t=0")
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
            page.keyboard.press("Escape")  # the deep-link "Page not found" notice, if shown
            rss_before = rss_mb(server.pid)
            page.evaluate(WATCH)
            page.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_timeout(seconds * 1000)
            frames = page.evaluate("window.__frames")
            rss_after = rss_mb(server.pid)
            page.get_by_role("button", name="Pause", exact=True).click()
            browser.close()
    finally:
        stop_app(server, timeout_s=20)
    shown = len(frames) - 1
    span = (frames[-1][0] - frames[0][0]) / 1000 if shown > 0 else float("nan")
    print(f"playback, 256 px RGB (256x256x3), cosine T=1000, {seconds:.0f} s in headless Chromium, {os.cpu_count()} CPUs")
    print(f"  frames shown {shown + 1}   rate {shown / span:5.1f} fps   (bar: >= 10 fps; target {15} fps)")
    print(f"  server RSS before {rss_before:7.1f} MB   after {rss_after:7.1f} MB   growth {rss_after - rss_before:+6.1f} MB")
    print(json.dumps({"seconds": seconds, "frames": shown + 1, "fps": round(shown / span, 2), "fps_bar": 10,
                      "rss_before_mb": round(rss_before, 1), "rss_after_mb": round(rss_after, 1),
                      "rss_growth_mb": round(rss_after - rss_before, 1)}))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
