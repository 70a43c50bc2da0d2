"""Forward-process page in a real browser: playback frame rate and server memory while playing.

Starts ``streamlit run app.py`` on a loopback port, opens /forward at 256 px RGB in headless Chromium
(Debian's /usr/bin/chromium), presses Play, and counts distinct x_t frames the browser shows
(a MutationObserver on the image's src). Prints frames per second and the server's RSS before and
after. Bars (issue 4): ≥ 10 fps; memory flat.

    python bench/bench_forward_playback.py [seconds]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
WATCH = """() => { window.__frames = []; const t0 = performance.now();
  new MutationObserver(() => {
    const el = [...document.querySelectorAll('[data-testid=stImage]')].find(e => e.innerText.startsWith('x_t at t'));
    if (!el || !el.innerText.includes('playing')) return;
    const src = el.querySelector('img').src, last = window.__frames[window.__frames.length - 1];
    if (!last || last[1] !== src) window.__frames.push([performance.now() - t0, src]);
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); }"""


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(seconds: float) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
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
        server.terminate()
        server.wait(timeout=20)
    shown = len(frames) - 1
    span = (frames[-1][0] - frames[0][0]) / 1000 if shown > 0 else float("nan")
    print(f"playback, 256 px RGB (256x256x3), cosine T=1000, {seconds:.0f} s in headless Chromium, {os.cpu_count()} CPUs")
    print(f"  frames shown {shown + 1}   rate {shown / span:5.1f} fps   (bar: >= 10 fps; target {15} fps)")
    print(f"  server RSS before {rss_before:7.1f} MB   after {rss_after:7.1f} MB   growth {rss_after - rss_before:+6.1f} MB")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
