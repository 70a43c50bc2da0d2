"""The frame player in a real browser: playback at a human pace, one truth per control, the keyboard, reduced motion,
and (forward mode) frames the browser computes pixel for pixel as Python does.

Runs ``streamlit run tests/e2e/frame_player_app.py`` (both modes on one page; it writes what Python received).
conftest.py's ``streamlit_server`` runs only app.py; its owner is changing the e2e suite right now, so this file
starts its own server with a small fixture (:func:`player_url`) instead of adding a parameter there.
Screenshots at 1400 and 390 px go to test-artifacts/frame_player_*.png.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from frame_player_app import FRAMES, SEED, T, alpha_bar, patch, photo, run_frames
from streamlit_browser import ARTIFACTS, open_page, wait_for_app

from diffusion_core.access import alt_text
from diffusion_core.forward.noise_stream import forward_pixels, gaussian, gaussian_float64
from diffusion_core.images.pixels import to_pixels
from diffusion_core.images.player_data import data_uri

ROOT = Path(__file__).resolve().parents[2]
APP = "tests/e2e/frame_player_app.py"
NOISE_JS = ROOT / "pages" / "frame_player" / "noise_stream.js"
LAST = FRAMES - 1


# ---------------------------------------------------------------- the test app's server
@contextlib.contextmanager
def _server(script: str):
    """``streamlit run script`` on a free loopback port, healthy; yields its URL (a small copy of conftest's)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit-frame-player.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--client.showErrorDetails", "full",
             "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {ARTIFACTS / 'streamlit-frame-player.log'}")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def player_url():
    with _server(APP) as url:
        yield url


# ---------------------------------------------------------------- reading a player
# One atomic read of everything a player shows (a frame cannot change in the middle of it).
SAMPLE_JS = """(key) => {
  const host = document.querySelector(`.st-key-${key} [data-testid="stBidiComponentIsolated"]`);
  const root = host && host.shadowRoot && host.shadowRoot.querySelector('.fp');
  if (!root) return null;
  const scrub = root.querySelector('.fp-scrub');
  const canvas = root.querySelector('canvas');
  return {
    position: Number(root.dataset.position), value: Number(scrub.value), max: Number(scrub.max),
    valuetext: scrub.getAttribute('aria-valuetext'), label: scrub.labels[0] && scrub.labels[0].textContent,
    caption: root.querySelector('.fp-caption').textContent,
    alt: (canvas || root.querySelector('.fp-stage')).getAttribute('aria-label'),
    srcs: [...root.querySelectorAll('img.fp-picture')].map((i) => i.getAttribute('src')),
    cells: [...root.querySelectorAll('.fp-patch tbody td')].map((td) => Number(td.textContent)),
    playing: root.classList.contains('fp-is-playing'),
    play: root.querySelector('.fp-play').textContent,
    playName: root.querySelector('.fp-play').getAttribute('aria-label') || root.querySelector('.fp-play').textContent,
  };
}"""

CANVAS_JS = """(key) => {
  const host = document.querySelector(`.st-key-${key} [data-testid="stBidiComponentIsolated"]`);
  const canvas = host.shadowRoot.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  return {t: Number(host.shadowRoot.querySelector('.fp').dataset.position), width: canvas.width,
          height: canvas.height, rgba: Array.from(data)};
}"""

# The noise stream's module, loaded on its own in the page: what the player computes with.
WITH_NOISE_JS = """async ([source, body]) => {
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const m = await import(url);
  return await (new Function('m', `return (async () => { ${body} })();`))(m);
}"""


def sample(page, key: str) -> dict:
    return page.evaluate(SAMPLE_JS, key)


def wait_mounted(page, key: str) -> dict:
    page.wait_for_function(f"() => ({SAMPLE_JS})('{key}') !== null", timeout=30_000)
    return sample(page, key)


def got(page, key: str) -> str:
    """What Python wrote it received from the player ``key`` (the line under it)."""
    return page.locator(f'.st-key-{key}:not([data-stale="true"])').inner_text()


def wait_got(page, key: str, text: str, timeout_ms: int = 30_000) -> None:
    page.wait_for_function("([key, text]) => { const el = document.querySelector("
                           "`.st-key-${key}:not([data-stale=\"true\"])`); return el && el.innerText.includes(text); }",
                           arg=[key, text], timeout=timeout_ms)


def runs(page) -> int:
    """How many times the test app's script has run in this session (each report from a player is one run)."""
    return int(got(page, "got_runs").split("runs=")[1].split()[0])


def run_pngs() -> list[list[str]]:
    """The data URIs the frames player should show, frame by frame (from the test app's own frames)."""
    return [[data_uri(image) for image in frame.images] for frame in run_frames()]


def frames_agree(s: dict, uris: list[list[str]], captions: list[str], alts: list[str]) -> None:
    """Scrubber, caption, alt text and pictures of one sample all show the same frame."""
    k = s["position"]
    assert s["value"] == k
    assert s["caption"] == captions[k] == s["valuetext"]
    assert s["alt"] == alts[k]
    assert s["srcs"] == uris[k]


def expected_frame(rgb: bool, t: int) -> np.ndarray:
    pixels = photo(rgb)
    return forward_pixels(pixels, gaussian(pixels.shape, SEED), alpha_bar()[t])


def expected_cells(rgb: bool, t: int) -> list[int]:
    top, left, channel = patch(rgb)
    frame = expected_frame(rgb, t)
    block = frame[top:top + 8, left:left + 8]
    return [int(v) for v in (block[:, :, channel] if rgb else block).reshape(-1)]


def forward_agrees(s: dict, rgb: bool) -> None:
    """Slider, caption, alt text and table of one sample show the same t, and the table is Python's x_t."""
    t = s["position"]
    assert s["value"] == t
    assert s["caption"] == f"x_t at t = {t}" == s["valuetext"]
    assert s["alt"] == alt_text.noisy_frame(t, float(alpha_bar()[t]), "the astronaut")
    assert s["cells"] == expected_cells(rgb, t), f"table at t = {t}"


def assert_canvas_is_python_frame(page, key: str, rgb: bool) -> int:
    shot = page.evaluate(CANVAS_JS, key)
    want = expected_frame(rgb, shot["t"])
    rgba = np.array(shot["rgba"], dtype=np.uint8).reshape(shot["height"], shot["width"], 4)
    assert (rgba[:, :, 3] == 255).all()
    if rgb:
        diff = np.argwhere(rgba[:, :, :3] != want)
    else:
        assert (rgba[:, :, 0] == rgba[:, :, 1]).all() and (rgba[:, :, 1] == rgba[:, :, 2]).all()
        diff = np.argwhere(rgba[:, :, 0] != want)
    assert len(diff) == 0, f"{len(diff)} pixels differ at t = {shot['t']}, first at {diff[:3].tolist()}"
    return shot["t"]


# ---------------------------------------------------------------- frames mode
def test_frames_autoplay_at_a_human_pace_in_order_and_end_on_the_last_frame(page, player_url):
    uris, frames = run_pngs(), run_frames()
    captions, alts = [f.caption for f in frames], [f.alt for f in frames]
    open_page(page, player_url)
    first = wait_mounted(page, "fp_frames")
    assert first["label"] == "Step" and first["max"] == LAST
    runs_before, seen = runs(page), []
    for _ in range(12):  # ~2.4 s of a 4 s pass
        s = sample(page, "fp_frames")
        frames_agree(s, uris, captions, alts)
        seen.append(s["position"])
        time.sleep(0.2)
    assert seen == sorted(seen), f"frames out of order: {seen}"
    assert len(set(seen)) >= 3, f"the picture did not move at a watchable pace: {seen}"
    if seen[-1] < LAST:  # still playing: nothing was sent to the server frame by frame
        assert runs(page) == runs_before
    page.wait_for_function(f"() => {{ const s = ({SAMPLE_JS})('fp_frames'); return s && s.position === {LAST} "
                           "&& !s.playing; }", timeout=30_000)
    end = sample(page, "fp_frames")
    frames_agree(end, uris, captions, alts)
    assert end["play"].strip() == "Play"
    wait_got(page, "got_frames", f"index={LAST} playing=False reported=True")


def test_pause_stops_on_the_frame_shown_and_python_gets_it(page, player_url):
    uris, frames = run_pngs(), run_frames()
    open_page(page, player_url)
    wait_mounted(page, "fp_frames")
    page.wait_for_function(f"() => ({SAMPLE_JS})('fp_frames').position >= 3", timeout=20_000)
    # Pressed in the same task as the read: no animation frame can come between what was shown and the pause.
    before, after = page.evaluate("""() => {
      const root = document.querySelector('.st-key-fp_frames [data-testid="stBidiComponentIsolated"]').shadowRoot
        .querySelector('.fp');
      const before = Number(root.dataset.position);
      root.querySelector('.fp-play').click();
      return [before, Number(root.dataset.position)];
    }""")
    assert before == after < LAST
    wait_got(page, "got_frames", f"index={before} playing=False reported=True")
    wait_for_app(page)
    time.sleep(0.6)
    s = sample(page, "fp_frames")
    assert s["position"] == before and not s["playing"] and s["play"].strip() == "Play"
    frames_agree(s, uris, [f.caption for f in frames], [f.alt for f in frames])
    # A real click resumes, a second one pauses wherever the picture is then: Python gets that frame.
    page.locator(".st-key-fp_frames .fp-play").click()
    page.wait_for_function(f"() => ({SAMPLE_JS})('fp_frames').position > {before}", timeout=20_000)
    page.locator(".st-key-fp_frames .fp-play").click()
    shown = sample(page, "fp_frames")
    assert not shown["playing"]
    wait_got(page, "got_frames", f"index={shown['position']} playing=False reported=True")


def test_frames_keyboard_steps_space_plays_and_page_down_passes_through(page, player_url):
    open_page(page, player_url)
    wait_mounted(page, "fp_frames")
    page.wait_for_function(f"() => ({SAMPLE_JS})('fp_frames').position === {LAST}", timeout=30_000)
    wait_got(page, "got_frames", f"index={LAST} playing=False")
    page.evaluate("""() => { window.__keys = [];
      document.addEventListener('keydown', (e) => window.__keys.push(e.key)); }""")
    scrub = page.locator(".st-key-fp_frames .fp-scrub")
    scrub.focus()
    page.keyboard.press("ArrowLeft")
    assert sample(page, "fp_frames")["position"] == LAST - 1
    wait_got(page, "got_frames", f"index={LAST - 1} playing=False reported=True")
    for key in ("PageDown", "PageUp", "PageUp"):  # each alone: a down and an up could cancel out
        page.keyboard.press(key)
        s = sample(page, "fp_frames")
        assert s["position"] == s["value"] == LAST - 1, f"{key} moved the player"
    keys = page.evaluate("() => window.__keys")
    assert keys.count("PageDown") == 1 and keys.count("PageUp") == 2, f"the page did not hear Page Down/Up: {keys}"
    assert "ArrowLeft" not in keys, "an arrow key the player used also reached the page (presenter mode would move)"
    page.keyboard.press("Home")
    assert sample(page, "fp_frames")["position"] == 0
    wait_got(page, "got_frames", "index=0 playing=False reported=True")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => ({SAMPLE_JS})('fp_frames').position >= 2", timeout=20_000)
    assert sample(page, "fp_frames")["playing"]
    assert page.locator(".st-key-fp_frames .fp-play").inner_text().strip() == "Pause"
    page.keyboard.press("k")
    stopped = sample(page, "fp_frames")
    assert not stopped["playing"]
    wait_got(page, "got_frames", f"index={stopped['position']} playing=False reported=True")
    page.keyboard.press("End")
    assert sample(page, "fp_frames")["position"] == LAST
    page.locator(".st-key-fp_frames .fp-step").nth(0).click()  # the Previous frame button
    assert sample(page, "fp_frames")["position"] == LAST - 1
    wait_got(page, "got_frames", f"index={LAST - 1} playing=False reported=True")


def test_reduced_motion_shows_the_last_frame_without_playing(browser, player_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, reduced_motion="reduce")
    try:
        page = context.new_page()
        open_page(page, player_url)
        s = wait_mounted(page, "fp_frames")
        assert s["position"] == LAST and not s["playing"]
        wait_got(page, "got_frames", f"index={LAST} playing=False reported=True")
        time.sleep(0.8)
        assert sample(page, "fp_frames")["position"] == LAST
        page.locator(".st-key-fp_frames .fp-play").click()  # Play still plays when pressed: from the first frame
        page.wait_for_function(f"() => {{ const s = ({SAMPLE_JS})('fp_frames'); return s.playing && s.position > 0 "
                               f"&& s.position < {LAST}; }}", timeout=20_000)
        fw = sample(page, "fp_fw_grey")
        assert fw["position"] == 500 and not fw["playing"]  # forward mode: the current t, still
    finally:
        context.close()


def test_locked_player_shows_the_picture_with_every_control_disabled(page, player_url):
    open_page(page, player_url + "/?locked=1&t=300")
    s = wait_mounted(page, "fp_fw_grey")
    assert s["position"] == 300 and s["cells"] == expected_cells(False, 300)
    disabled = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
      .flatMap((h) => [...h.shadowRoot.querySelectorAll('button, input')].map((b) => b.disabled))""")
    assert disabled and all(disabled)
    page.locator(".st-key-fp_fw_grey .fp-stage").click()  # focuses the player
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    s = sample(page, "fp_fw_grey")
    assert s["position"] == 300 and not s["playing"]
    assert_canvas_is_python_frame(page, "fp_fw_grey", False)


# ---------------------------------------------------------------- forward mode
@pytest.mark.parametrize("rgb", [False, True], ids=["grey", "rgb"])
def test_forward_frames_are_pythons_pixel_for_pixel_at_0_a_middle_t_and_T(page, player_url, rgb):
    key, name = ("fp_fw_rgb", "rgb") if rgb else ("fp_fw_grey", "grey")
    open_page(page, player_url + "/?t=617")
    s = wait_mounted(page, key)
    assert s["label"] == "Timestep t" and s["max"] == T
    assert s["position"] == 617
    forward_agrees(s, rgb)
    assert assert_canvas_is_python_frame(page, key, rgb) == 617
    page.locator(f".st-key-{key} .fp-scrub").focus()
    for press, t in (("Home", 0), ("End", T), ("Shift+ArrowLeft", T - 10), ("ArrowLeft", T - 11)):
        page.keyboard.press(press)
        s = sample(page, key)
        assert s["position"] == t, press
        forward_agrees(s, rgb)
        assert assert_canvas_is_python_frame(page, key, rgb) == t
        wait_got(page, f"got_fw_{name}", f"t={t} playing=False reported=True")


def test_forward_playing_keeps_slider_caption_and_table_together_and_pause_reports_t(page, player_url):
    open_page(page, player_url + "/?t=0")
    wait_mounted(page, "fp_fw_rgb")
    runs_before = runs(page)
    page.locator(".st-key-fp_fw_rgb .fp-play").click()
    seen = []
    for _ in range(10):  # ~2 s of a 10 s pass
        s = sample(page, "fp_fw_rgb")
        forward_agrees(s, True)
        seen.append(s["position"])
        time.sleep(0.2)
    assert seen == sorted(seen) and len(set(seen)) >= 3, seen
    assert seen[-1] < T  # paced for talking over: not through in 2 s
    assert runs(page) == runs_before, "the player spoke to the server while playing"
    page.locator(".st-key-fp_fw_rgb .fp-play").click()
    paused = sample(page, "fp_fw_rgb")
    assert not paused["playing"]
    forward_agrees(paused, True)
    wait_got(page, "got_fw_rgb", f"t={paused['position']} playing=False reported=True")
    time.sleep(0.5)
    assert sample(page, "fp_fw_rgb")["position"] == paused["position"]
    assert_canvas_is_python_frame(page, "fp_fw_rgb", True)
    assert "reported=False" in got(page, "got_fw_grey")  # the other player said nothing


def test_dragging_the_scrubber_follows_and_only_its_release_reaches_python(page, player_url):
    open_page(page, player_url + "/?t=100")
    wait_mounted(page, "fp_fw_grey")
    scrub = page.locator(".st-key-fp_fw_grey .fp-scrub")
    scrub.scroll_into_view_if_needed()
    box = scrub.bounding_box()
    y = box["y"] + box["height"] / 2
    runs_before = runs(page)
    page.mouse.move(box["x"] + box["width"] * 0.2, y)
    page.mouse.down()
    seen = []
    for fraction in (0.3, 0.45, 0.6, 0.75):
        page.mouse.move(box["x"] + box["width"] * fraction, y, steps=4)
        s = sample(page, "fp_fw_grey")
        forward_agrees(s, False)
        seen.append(s["position"])
    assert seen == sorted(seen) and len(set(seen)) == 4, seen
    assert runs(page) == runs_before and "reported=False" in got(page, "got_fw_grey")  # not while dragging
    page.mouse.up()
    wait_got(page, "got_fw_grey", f"t={seen[-1]} playing=False reported=True")
    assert_canvas_is_python_frame(page, "fp_fw_grey", False)


def test_python_can_move_the_forward_player_and_the_move_holds_until_the_reader_moves(page, player_url):
    open_page(page, player_url + "/?t=500")
    wait_mounted(page, "fp_fw_grey")
    page.locator(".st-key-fp_fw_grey .fp-scrub").focus()
    page.keyboard.press("ArrowRight")
    wait_got(page, "got_fw_grey", "t=501 playing=False reported=True")
    wait_for_app(page)
    page.get_by_role("button", name="Set the grey player's t to 250").click()
    wait_got(page, "got_fw_grey", "t=250 playing=False reported=False")
    page.wait_for_function(f"() => ({SAMPLE_JS})('fp_fw_grey').position === 250", timeout=20_000)
    forward_agrees(sample(page, "fp_fw_grey"), False)
    page.get_by_role("button", name="Rerun").click()  # an unrelated run: the old report (501) must not come back
    wait_for_app(page)
    time.sleep(0.3)
    wait_for_app(page)
    assert "t=250 playing=False reported=False" in got(page, "got_fw_grey")
    assert sample(page, "fp_fw_grey")["position"] == 250
    page.locator(".st-key-fp_fw_grey .fp-scrub").focus()
    page.keyboard.press("ArrowRight")
    wait_got(page, "got_fw_grey", "t=251 playing=False reported=True")


def test_the_browser_draws_the_same_noise_and_rounds_half_to_even(page, player_url):
    """2^20 float32 values of ε bit for bit (SHA-256), and numpy's rint on exact ties of the pixel value."""
    open_page(page, player_url)
    n, seed = 1 << 20, 12345
    digest = page.evaluate(WITH_NOISE_JS, [NOISE_JS.read_text(), f"""
        const z = m.gaussian({n}, {seed});
        const hash = await crypto.subtle.digest('SHA-256', z.buffer);
        return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('');"""])
    assert digest == hashlib.sha256(gaussian(n, seed).tobytes()).hexdigest()
    # float64 before rounding: libm's ln/cos/sin may differ by an ulp (noise_stream's docstring); counted, not asserted
    z64 = gaussian_float64(1 << 16, seed)
    differ = page.evaluate(WITH_NOISE_JS, [NOISE_JS.read_text(), f"""
        const want = new Float64Array(Uint8Array.from(atob('{base64.b64encode(z64.tobytes()).decode()}'),
                                      (c) => c.charCodeAt(0)).buffer);
        const got = m.gaussianFloat64({1 << 16}, {seed});
        let differ = 0; for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) differ++;
        return differ;"""])
    print(f"\nfloat64 Box-Muller values differing between numpy and Chromium: {differ} of {1 << 16}")
    # Exact ties: float32 x just around (2k + 1)/255 - 1, whose pixel value (x + 1) * 127.5 is k + 0.5 in float32
    near = ((2 * np.arange(255) + 1) / 255 - 1).astype(np.float32).view(np.uint32).astype(np.int64)
    x = np.concatenate([(near + d).astype(np.uint32).view(np.float32) for d in range(-4, 5)])
    scaled = (x + np.float32(1)) * np.float32(127.5)
    ties = x[(scaled - np.floor(scaled)) == 0.5]
    even = np.floor((ties + np.float32(1)) * np.float32(127.5)) % 2 == 0
    assert even.sum() >= 50 and (~even).sum() >= 50  # halves that round down (to even) and up: Math.round fails
    pixels = page.evaluate(WITH_NOISE_JS, [NOISE_JS.read_text(), f"""
        const x0 = Float32Array.from({[float(v) for v in ties]});
        return Array.from(m.forwardPixels(x0, new Float32Array(x0.length), 1.0));"""])
    assert pixels == to_pixels(ties).tolist()


# ---------------------------------------------------------------- how it looks
@pytest.mark.parametrize("width,height", [(1400, 1000), (390, 844)])
def test_screenshots_tap_targets_and_nothing_cut_off(browser, player_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce",
                                  device_scale_factor=2 if width < 500 else 1, has_touch=width < 500)
    try:
        page = context.new_page()
        open_page(page, player_url + "/?t=617")
        for key in ("fp_frames", "fp_fw_grey", "fp_fw_rgb"):
            wait_mounted(page, key)
        wait_got(page, "got_frames", "reported=True")  # reduced motion: the last frame, reported
        wait_for_app(page)
        ARTIFACTS.mkdir(exist_ok=True)
        for key in ("fp_frames", "fp_fw_rgb"):
            page.locator(f".st-key-{key}").screenshot(path=str(ARTIFACTS / f"frame_player_{width}_{key}.png"))
        boxes = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
          .flatMap((h) => [...h.shadowRoot.querySelectorAll('button, input, .fp-picture, .fp-patch, .fp-stage')]
            .map((e) => { const r = e.getBoundingClientRect(); const p = e.closest('.fp').getBoundingClientRect();
              return {tag: e.tagName, cls: e.className, left: r.left, right: r.right, width: r.width,
                      height: r.height, parentRight: p.right, rendering: getComputedStyle(e).imageRendering}; }))""")
        assert boxes
        for b in boxes:
            assert b["left"] >= 0 and b["right"] <= width + 0.5, f"cut off at {width} px: {b}"
            assert b["right"] <= b["parentRight"] + 0.5, f"wider than the player: {b}"
            if b["tag"] in ("BUTTON", "INPUT"):
                assert b["width"] >= 24 and b["height"] >= 24, f"tap target under 24 px: {b}"
            if b["cls"] == "fp-picture":
                assert b["rendering"] == "pixelated" and b["width"] >= 100, b
    finally:
        context.close()


def test_axe_finds_no_serious_or_critical_violation_in_the_players(page, player_url):
    pytest.importorskip("axe_playwright_python.sync_playwright")
    from test_e2e_access import axe_counts  # the suite's one way of running axe-core

    open_page(page, player_url + "/?t=617")
    for key in ("fp_frames", "fp_fw_grey", "fp_fw_rgb"):
        wait_mounted(page, key)
    counts, lines = axe_counts(page)
    assert counts["critical"] + counts["serious"] == 0, "\n".join(lines)
    print("\naxe-core on the player page: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "\n" + "\n".join(lines))

