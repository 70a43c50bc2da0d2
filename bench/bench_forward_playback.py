"""Forward-process page in a real browser: playback frame rate, pace, server traffic and memory while playing.

Starts ``streamlit run app.py`` on a loopback port, opens /forward at 256 px RGB in headless Chromium
(Debian's /usr/bin/chromium), presses the player's Play and records every frame the browser draws (a
MutationObserver on the player's ``data-position``, inside its shadow root) for ``seconds`` (at most one pass:
10 s from t = 0 to T at 1x). The player computes each x_t in the browser (pages/frame_player.py), so the server
should hear nothing while it plays: the script counts the messages the page sends the server over the websocket.
Prints frames drawn per second, timesteps per second (the pace: 100 t/s for T = 1000 at 1x), messages sent while
playing, the server's RSS before and after, then one line of JSON. Bars (issues 4, 32): ≥ 10 fps; one pass ≈ 10 s;
memory flat.

    python bench/bench_forward_playback.py [seconds]
"""

from __future__ import annotations

import json
import os
import sys

from app_server import rss_mb, start_app, stop_app
from playwright.sync_api import sync_playwright

ROOT_JS = ("document.querySelector('.st-key-fw_player [data-testid=\"stBidiComponentIsolated\"]')"
           ".shadowRoot.querySelector('.fp')")
WATCH = f"""() => {{ window.__frames = []; const root = {ROOT_JS}; const t0 = performance.now();
  new MutationObserver(() => window.__frames.push([performance.now() - t0, Number(root.dataset.position)]))
    .observe(root, {{attributes: true, attributeFilter: ['data-position']}}); }}"""


def main(seconds: float) -> None:
    server, port = start_app(timeout_s=60)
    sent = {"n": 0, "playing": False}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("websocket", lambda ws: ws.on("framesent", lambda _: sent.update(n=sent["n"] + sent["playing"])))
            page.goto(f"http://127.0.0.1:{port}/forward?img=photo:Astronaut&colour=rgb&res=256&T=1000&t=0")
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
            page.wait_for_function(f"() => {{ try {{ return !!{ROOT_JS}; }} catch (e) {{ return false; }} }}",
                                   timeout=120_000)
            rss_before = rss_mb(server.pid)
            page.evaluate(WATCH)
            sent["playing"] = True
            page.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_timeout(seconds * 1000)
            frames = page.evaluate("window.__frames")
            playing = page.evaluate(f"() => {ROOT_JS}.classList.contains('fp-is-playing')")
            sent["playing"] = False
            rss_after = rss_mb(server.pid)
            browser.close()
    finally:
        stop_app(server, timeout_s=20)
    shown = len(frames) - 1
    span = (frames[-1][0] - frames[0][0]) / 1000 if shown > 0 else float("nan")
    pace = (frames[-1][1] - frames[0][1]) / span if shown > 0 else float("nan")
    print(f"playback, 256 px RGB (256x256x3), cosine T=1000, {seconds:.0f} s in headless Chromium, {os.cpu_count()} CPUs")
    print(f"  frames drawn {shown + 1}   rate {shown / span:5.1f} fps   (bar: >= 10 fps)")
    print(f"  pace {pace:6.1f} timesteps/s   one pass 0 -> 1000 in {1000 / pace:5.1f} s   (1x: 10 s)   "
          f"still playing at the end: {playing}")
    print(f"  messages to the server while playing: {sent['n']} (Play's click itself sends none; a pass's end one)")
    print(f"  server RSS before {rss_before:7.1f} MB   after {rss_after:7.1f} MB   growth {rss_after - rss_before:+6.1f} MB")
    print(json.dumps({"seconds": seconds, "frames": shown + 1, "fps": round(shown / span, 2), "fps_bar": 10,
                      "timesteps_per_s": round(pace, 1), "pass_s": round(1000 / pace, 2), "sent_while_playing": sent["n"],
                      "rss_before_mb": round(rss_before, 1), "rss_after_mb": round(rss_after, 1),
                      "rss_growth_mb": round(rss_after - rss_before, 1)}))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 8.0)
