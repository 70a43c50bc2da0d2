"""The forward-process page in headless Chromium, moved as a reader moves it.

The picture plays in the browser (pages/frame_player.py): while it plays, its scrubber ("Timestep t"), its caption
and its 8 × 8 table of x_t's numbers show one t, and the numbers are Python's x_t (noise_stream, computed here as
the oracle); Pause stops on the frame shown, and the server's t (the URL, the sentence "At t = …", the charts)
follows it. The two markers of when the picture is gone are drawn and said with their meanings; the coarse-to-fine
chart is there with its alt text; a bad upload shows an error. Screenshots at 1400 × 1000 and 390 × 844 go to
test-artifacts/.
"""

from __future__ import annotations

import base64
import html
import re
import time
from urllib.parse import parse_qsl, unquote, urlsplit

from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, keyed, open_page, screenshot, wait_for_app

from diffusion_core.access import alt_text
from diffusion_core.forward import spectrum as sp
from diffusion_core.forward.charts import CROSSOVER_NAME, RECOGNISABLE_NAME
from diffusion_core.forward.noise_stream import forward_pixels, gaussian
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.image_io import fit_short_side, list_samples, load_sample
from diffusion_core.images.pixel_patch import centred_origin
from diffusion_core.images.pixels import to_model_space

TIMEOUT_MS = 60_000
KEY = "fw_player"

# One atomic read of everything the player shows (no frame can be drawn in the middle of it).
SAMPLE_JS = """() => {
  const host = document.querySelector('.st-key-fw_player [data-testid="stBidiComponentIsolated"]');
  const root = host && host.shadowRoot && host.shadowRoot.querySelector('.fp');
  if (!root) return null;
  const scrub = root.querySelector('.fp-scrub');
  return {
    position: Number(root.dataset.position), value: Number(scrub.value), max: Number(scrub.max),
    label: scrub.labels[0] && scrub.labels[0].textContent, valuetext: scrub.getAttribute('aria-valuetext'),
    caption: root.querySelector('.fp-caption').textContent,
    cells: [...root.querySelectorAll('.fp-patch tbody td')].map((td) => Number(td.textContent)),
    playing: root.classList.contains('fp-is-playing'), disabled: scrub.disabled,
  };
}"""
# Read the frame shown and press Pause in the same task: nothing can be drawn between the two.
PAUSE_JS = """() => {
  const root = document.querySelector('.st-key-fw_player [data-testid="stBidiComponentIsolated"]').shadowRoot
    .querySelector('.fp');
  const before = Number(root.dataset.position);
  root.querySelector('.fp-play').click();
  return [before, Number(root.dataset.position), root.classList.contains('fp-is-playing')];
}"""


def sample(page) -> dict:
    return page.evaluate(SAMPLE_JS)


def _open(page, app_url, query: str = "") -> dict:
    open_page(page, f"{app_url}/forward{query}", timeout_ms=120_000)
    page.wait_for_function(f"() => ({SAMPLE_JS})() !== null", timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_role("dialog")).to_have_count(0)  # no "Page not found" notice over a deep link
    return sample(page)


def _url_t(page) -> int:
    return int(dict(parse_qsl(urlsplit(page.url).query))["t"])


def _server_t(page) -> int:
    """The t the server drew everything below the player at (the sentence under "Any t in one jump")."""
    text = keyed(page, "fw_mix").inner_text()
    return int(re.search(r"At t = ([\d,]+)", text).group(1).replace(",", ""))


def _wait_server_t(page, t: int) -> None:
    """Wait until the URL and the sentence under the player both say ``t`` and the run has finished."""
    page.wait_for_function("t => new URLSearchParams(location.search).get('t') === String(t)", arg=t,
                           timeout=TIMEOUT_MS)
    expect(keyed(page, "fw_mix")).to_contain_text(f"At t = {t:,}", timeout=TIMEOUT_MS)
    wait_for_app(page)


def _svg(page, key: str) -> str:
    src = keyed(page, key).locator("img").get_attribute("src")
    assert src.startswith("data:image/svg+xml")
    head, data = src.split(",", 1)
    return html.unescape(base64.b64decode(data).decode() if head.endswith(";base64") else unquote(data))


class Oracle:
    """x_t as Python computes it for the page's settings (the bundled astronaut, colour, seed 0)."""

    def __init__(self, res: int, kind: str, T: int = 1000, seed: int = 0):
        self.pixels = fit_short_side(load_sample(list_samples()["Astronaut"]).pixels, res)
        self.eps = gaussian(self.pixels.shape, seed)
        self.ab = alpha_bar_with_zero(NoiseSchedule(kind, T))
        self.top, self.left = centred_origin(self.pixels.shape, 8)

    def cells(self, t: int, channel: int = 0) -> list[int]:
        frame = forward_pixels(self.pixels, self.eps, self.ab[t])
        return [int(v) for v in frame[self.top:self.top + 8, self.left:self.left + 8, channel].reshape(-1)]


def agrees(s: dict, oracle: Oracle) -> int:
    """Scrubber, caption and table of one sample show the same t, and the table is Python's x_t there."""
    t = s["position"]
    assert s["value"] == t and s["caption"] == f"x_t at t = {t}" == s["valuetext"], s
    assert s["cells"] == oracle.cells(t), f"the table at t = {t} is not x_t at t = {t}"
    return t


def test_page_renders_with_the_player_and_the_keyboard_moves_t_everywhere(page, app_url):
    first = _open(page, app_url)
    assert first["label"] == "Timestep t" and first["max"] == 1000 and not first["disabled"]
    assert agrees(first, Oracle(128, "cosine")) == 250 and _server_t(page) == 250
    for key in ("fw_schedule_fig", "fw_snr_fig", "fw_hist_fig", "fw_survival_fig", "fw_psnr_fig", "fw_spectrum_fig"):
        expect(keyed(page, key).locator("img")).to_have_attribute("src", re.compile("^data:image/svg"),
                                                                  timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)  # issue 30: no data grid (its 600 KiB of code)
    expect(page.locator('[data-testid="stMain"] em')).to_have_count(0)  # no italics (a 135 KiB font)
    screenshot(page, "forward_default")
    # The keyboard, as a reader uses the scrubber: Shift+→ moves ten timesteps and tells the server at once.
    scrub = page.get_by_role("slider", name="Timestep t")
    scrub.focus()
    page.keyboard.press("Shift+ArrowRight")
    _wait_server_t(page, 260)
    assert agrees(sample(page), Oracle(128, "cosine")) == 260
    page.keyboard.press("End")
    _wait_server_t(page, 1000)
    assert sample(page)["caption"] == "x_t at t = 1000"
    assert_no_exception(page)
    screenshot(page, "forward_t_end")


def test_while_playing_slider_caption_and_table_agree_and_pause_lands_on_the_frame_shown(page, app_url):
    """Issue 27: "while playing, the slider and the table of numbers stay at t = 250 while the caption says t = 617";
    "Pause landed on t = 85 while the picture showed ~319". Here every sample while playing agrees with itself and
    with Python's x_t, the pass runs at a human pace (10 s from 0 to T at 1x), and Pause stops on the frame shown,
    which the server then draws everything below at."""
    oracle = Oracle(48, "linear")
    _open(page, app_url, "?t=0&res=48&schedule=linear")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"() => ({SAMPLE_JS})().playing", timeout=TIMEOUT_MS)
    seen = []
    for _ in range(6):
        time.sleep(0.35)
        s = sample(page)
        if not s["playing"]:
            break
        seen.append(agrees(s, oracle))
    assert len(seen) >= 3 and seen == sorted(seen) and len(set(seen)) >= 3, seen
    assert seen[-1] < 900, f"one pass should take about 10 s, yet t reached {seen[-1]} in ~2 s: {seen}"
    before, after, playing = page.evaluate(PAUSE_JS)
    assert before == after and not playing and 0 < before < 1000
    _wait_server_t(page, before)
    assert _url_t(page) == before == _server_t(page)
    paused = sample(page)
    assert agrees(paused, oracle) == before and not paused["playing"]  # the server's rerun left the frame alone
    hist_alt = keyed(page, "fw_hist_fig").locator("img").get_attribute("alt")
    assert f"at t = {before}" in hist_alt  # the charts below follow the paused t
    assert_no_exception(page)


def test_the_two_markers_and_the_coarse_to_fine_chart_say_what_they_measure(page, app_url):
    """Issue 27: the dashed marker is "signal power = noise power per pixel" (t = 352 for the astronaut, cosine);
    beside it the squint test's (t = 860), each named in the chart and said in words; issue 28: the coarse-to-fine
    chart with its alt text, computed from the picture."""
    _open(page, app_url)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("the noise's power first reaches the picture's at t = 352 (dashed line)")
    expect(main).to_contain_text("until t = 859, and from t = 860 (long-dashed line) the noise wins even there")
    for key in ("fw_survival_fig", "fw_psnr_fig"):
        svg = _svg(page, key)
        assert CROSSOVER_NAME in svg and RECOGNISABLE_NAME in svg and "noise outgrows the picture" not in svg
    oracle = Oracle(128, "cosine")
    power = sp.radial_power(to_model_space(oracle.pixels))
    ab = float(oracle.ab[250])
    alt, words = alt_text.spectrum_plot(250, ab, power.buried_above(ab), 64, 128, True)
    assert keyed(page, "fw_spectrum_fig").locator("img").get_attribute("alt") == alt
    expect(keyed(page, "fw_spectrum_words")).to_contain_text(words)
    assert "The picture's waves against the noise at t = 250" in _svg(page, "fw_spectrum_fig")
    squint = keyed(page, "fw_squint").locator("img").get_attribute("alt")
    assert squint.startswith("x_t at t = 250 blurred to the shapes a 16 by 16 thumbnail can show")
    keyed(page, "fw_spectrum_fig").scroll_into_view_if_needed()
    screenshot(page, "forward_markers_and_spectrum")


def test_the_page_fits_a_phone(browser, app_url):
    """390 × 844: nothing wider than the screen outside a box that scrolls, the player's buttons at least 24 px."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _open(page, app_url)
        wide = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] *')]
          .filter((el) => { const r = el.getBoundingClientRect();
                            return r.width > 0 && r.right > window.innerWidth + 1 && !el.closest('.katex-display'); })
          .map((el) => el.tagName + '.' + el.className).slice(0, 5)""")
        assert wide == [], wide
        sizes = page.evaluate("""() => [...document.querySelector('.st-key-fw_player [data-testid="stBidiComponentIsolated"]')
          .shadowRoot.querySelectorAll('button, input')].map((b) => [b.getBoundingClientRect().width,
                                                                    b.getBoundingClientRect().height])""")
        assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), sizes
        screenshot(page, "forward_phone")
    finally:
        context.close()


def test_bad_upload_shows_an_error_and_page_keeps_working(page, app_url):
    _open(page, app_url)
    page.locator('[data-testid="stSidebar"]').get_by_text("Upload your own").click()
    uploader = page.locator('[data-testid="stSidebar"] input[type="file"]')
    uploader.wait_for(state="attached", timeout=TIMEOUT_MS)
    uploader.set_input_files(files=[{"name": "bad.png", "mimeType": "image/png", "buffer": b"not an image"}])
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("not an image", timeout=TIMEOUT_MS)
    expect(error).to_contain_text("bundled photo")
    wait_for_app(page)
    assert_no_exception(page)
    assert sample(page)["caption"] == "x_t at t = 250"
    screenshot(page, "forward_bad_upload")
