"""The live denoiser in a real browser, moving as a reader does: generate and watch the run play at a human pace to
the finished picture; change the seed and generate again (no stale notice); switch from digits to emoji (the prompt
is not silently reinterpreted); read where the walk ended; reproduce a run from its shared link."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pytest
import torch
from PIL import Image
from playwright.sync_api import expect
from streamlit_browser import assert_no_exception, click_and_wait, open_page, screenshot, wait_for_app

from diffusion_core.live.generation_settings import GenerationSettings
from diffusion_core.live.memorisation import check_copies, landing, training_labels, yardstick
from diffusion_core.live.run import sample_live
from diffusion_core.model.shipped_data import held_out, training_images
from diffusion_core.model.weights import available_models, load_model

pytestmark = pytest.mark.skipif("digits" not in available_models(), reason="digits weights not shipped yet")
TIMEOUT_MS = 180_000
FINAL_IMAGE = ".st-key-den_final img"
LIVE = ".st-key-den_live:not([data-stale='true'])"
STALE = "Settings changed since this run"


def _bytes_of(page, app_url: str, src: str) -> bytes:
    if src.startswith("data:"):
        return base64.b64decode(src.split(",", 1)[1])
    response = page.request.get(src if src.startswith("http") else app_url + src)
    assert response.ok, src
    return response.body()


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _final_image_bytes(page, app_url: str) -> bytes:
    return _bytes_of(page, app_url, page.locator(FINAL_IMAGE).first.get_attribute("src"))


def _frame(page) -> tuple[str, str]:
    """(caption, x_t picture) the live view shows now: the player's, or a still frame's (None when neither)."""
    caption = page.locator(f"{LIVE} .fp-caption")
    if caption.count():
        return caption.first.inner_text(), page.locator(f"{LIVE} .fp-picture").first.get_attribute("src") or ""
    still = page.locator(f"{LIVE} img")
    return ("", still.first.get_attribute("src") or "") if still.count() else ("", "")


def _watch(page, seconds: float = 2.0, every: float = 0.2) -> list[tuple[str, str]]:
    """What the live view shows, sampled every ``every`` s for ``seconds`` s (the browser's clock runs meanwhile)."""
    seen = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        seen.append(_frame(page))
        time.sleep(every)
    return seen


def test_a_run_plays_at_a_human_pace_and_ends_on_the_finished_picture(page, app_url):
    """After Generate, the x_t | x̂₀ frames change over the next two seconds (before: the finished picture at once, 20
    identical frames), and the run ends on "step 20 of 20 · t = 0", whose picture is the result's, pixel for pixel."""
    open_page(page, f"{app_url}/denoiser?seed=5&label=4", timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    if page.locator(f"{LIVE} .fp-caption").count():  # let the page's own first run finish playing
        expect(page.locator(f"{LIVE} .fp-caption")).to_contain_text("step 20 of 20", timeout=20_000)
    before = _frame(page)  # the page's own first run, played (or, on the old page, shown) already
    page.get_by_role("button", name="Generate", exact=True).click()
    deadline = time.monotonic() + 60
    while _frame(page)[0] == before[0] and time.monotonic() < deadline:  # until the new run replaces the old one
        time.sleep(0.05)
    seen = _watch(page, 2.0)
    distinct = {src for _, src in seen if src}
    assert len(distinct) >= 4, f"the run did not play: {len(distinct)} different pictures in 2 s: {[c for c, _ in seen]}"
    captions = [c for c, _ in seen if c]
    assert captions and all(c.startswith("step ") for c in captions), captions
    steps = [int(c.split()[1]) for c in captions]
    assert steps == sorted(steps) and steps[-1] > steps[0], f"the steps do not advance: {captions}"
    wait_for_app(page, TIMEOUT_MS)
    last = page.locator(f"{LIVE} .fp-caption")
    expect(last).to_have_text("step 20 of 20 · t = 0: the finished picture", timeout=20_000)
    scrub = page.locator(f"{LIVE} .fp-scrub")
    assert scrub.input_value() == scrub.get_attribute("max") == "20"  # the scrubber, its caption and t agree
    shown = _pixels(_bytes_of(page, app_url, page.locator(f"{LIVE} .fp-picture").first.get_attribute("src")))
    result = _pixels(_final_image_bytes(page, app_url))
    assert np.array_equal(shown, result), "the last frame is not the finished picture"
    assert_no_exception(page)


def test_the_stale_notice_shows_only_while_the_result_differs_from_the_settings(page, app_url):
    """Settings too heavy to follow at once (a grid of DDIM with 26 steps): a new seed shows the notice, Generate
    runs it and the notice goes; the same with Random seed. The notice names what changed."""
    open_page(page, f"{app_url}/denoiser?mode=grid&sampler=ddim&steps=26&seed=5", timeout_ms=TIMEOUT_MS)
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True), TIMEOUT_MS)
    expect(page.get_by_text(STALE)).to_have_count(0)
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("42")
    seed.press("Enter")
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_text(STALE)).to_have_count(1)
    expect(page.get_by_text(STALE)).to_contain_text("seed 5 → 42")
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True), TIMEOUT_MS)
    expect(page.get_by_text(STALE)).to_have_count(0)
    expect(page.get_by_text("Ran on").first).to_contain_text("seed 42.")

    click_and_wait(page, page.get_by_role("button", name="Random seed", exact=True), TIMEOUT_MS)
    expect(page.get_by_text(STALE)).to_have_count(1)
    new_seed = page.get_by_label("Seed", exact=True).input_value()
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True), TIMEOUT_MS)
    expect(page.get_by_text(STALE)).to_have_count(0)
    expect(page.get_by_text("Ran on").first).to_contain_text(f"seed {new_seed}.")
    assert_no_exception(page)


def _choose(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(label,
                                                                                                        exact=True))
    box.get_by_role("combobox").click()
    click_and_wait(page, page.get_by_role("option", name=option, exact=True), TIMEOUT_MS)


def _prompt(page) -> str:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text(
        "Prompt (class)", exact=True))
    return box.get_by_role("combobox").input_value()


@pytest.mark.skipif("emoji" not in available_models(), reason="emoji weights not shipped")
def test_switching_from_digits_to_emoji_says_what_changed(page, app_url):
    """Prompt 3 means the digit 3; the emoji model has no class "3", so its class 3 ("animal") is not taken: the
    default prompt is, with a one-line note, and the guidance's new default is announced. Digits read "3", not
    "3: 3"."""
    open_page(page, f"{app_url}/denoiser?model=digits&label=3&steps=5", timeout_ms=TIMEOUT_MS)
    assert _prompt(page) == "3"
    _choose(page, "Model", "Emoji (colour, 32 × 32)")
    assert_no_exception(page)
    assert _prompt(page) != "3: animal"
    expect(page.get_by_text("This model has no class “3”: the prompt is now")).to_have_count(1)
    expect(page.get_by_text("Guidance set to this model's own default, s = 4 (it was 1.5)")).to_have_count(1)
    assert "label=3" not in page.url and "guidance=4" in page.url
    screenshot(page, "denoiser_switch_to_emoji")


def test_the_walk_caption_names_the_class_the_walk_ended_nearest(page, app_url):
    """The sentence under the walk says where the walk ended: the class of the nearest training image, computed here
    again from the shipped model and data (before: "ends … among those of its class", true or not)."""
    open_page(page, f"{app_url}/denoiser?seed=5&label=4", timeout_ms=TIMEOUT_MS)
    walk = page.get_by_text("The walk starts at pure noise")
    expect(walk).to_have_count(1, timeout=TIMEOUT_MS)
    settings = GenerationSettings(seed=5, label=4)
    loaded = load_model("digits")
    with torch.no_grad():
        run = sample_live(loaded, settings, lambda frame: None)
    train = training_images("digits")
    ruler = yardstick(*held_out("digits"), train, len(loaded.class_names))
    check = check_copies(run.trajectory.final, run.trajectory.labels, train, ruler)
    expected = landing(check, training_labels("digits"), loaded.class_names)
    assert expected in walk.inner_text()
    assert "among those of its class" not in page.locator('[data-testid="stMain"]').inner_text()


def test_generate_then_shared_link_gives_the_same_image(page, app_url):
    open_page(page, f"{app_url}/denoiser?label=4&seed=5&steps=12", timeout_ms=TIMEOUT_MS)
    assert_no_exception(page)
    click_and_wait(page, page.get_by_role("button", name="Generate", exact=True))
    assert_no_exception(page)
    page.wait_for_selector(FINAL_IMAGE)
    first = _final_image_bytes(page, app_url)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert "12 steps" in page.get_by_text("Ran on").first.inner_text()
    screenshot(page, "denoiser_generate")

    shared_link = page.url
    assert "seed=5" in shared_link and "label=4" in shared_link
    second_tab = page.context.new_page()
    open_page(second_tab, shared_link, timeout_ms=TIMEOUT_MS)
    second_tab.wait_for_selector(FINAL_IMAGE)
    assert_no_exception(second_tab)
    assert _final_image_bytes(second_tab, app_url) == first


def test_other_tabs_run(page, app_url):
    open_page(page, f"{app_url}/denoiser?steps=5", timeout_ms=TIMEOUT_MS)
    page.get_by_role("tab", name="Samplers side by side").click()
    click_and_wait(page, page.get_by_role("button", name="Run all three from the same noise", exact=True), TIMEOUT_MS)
    assert_no_exception(page)
    players = page.locator('[data-testid="stMain"] .fp-frames')
    expect(players.filter(has_text="DDPM")).to_have_count(1)
    page.get_by_role("tab", name="What guidance does").click()
    click_and_wait(page, page.get_by_role("button", name="Run the sweep", exact=True))
    assert_no_exception(page)
    assert page.get_by_text("s = 8").count() >= 1
    for g in ("0", "8"):  # each scale named above its column (on a phone the columns stack: a caption came last)
        label = page.get_by_text(f"s = {g}", exact=True)
        picture = label.locator("xpath=ancestor::*[@data-testid='stColumn'][1]").locator("img").first
        assert label.bounding_box()["y"] < picture.bounding_box()["y"], f"s = {g} is not above its column"
    page.get_by_role("tab", name="One denoising step").click()
    assert page.get_by_text("the model's x̂₀").count() >= 1
    screenshot(page, "denoiser_tabs")


def test_on_a_phone_generate_scrolls_the_run_into_view(browser, app_url):
    """390 × 844: the columns stack and the run appears below the fold; after Generate the page brings it into view
    (pages.common.scroll_into_view_on_phones, the helper image space uses too)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, f"{app_url}/denoiser", timeout_ms=180_000)
        button = page.get_by_role("button", name="Generate", exact=True)
        button.scroll_into_view_if_needed()
        click_and_wait(page, button)
        page.wait_for_function("() => { const r = document.querySelector('.st-key-den_live').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < innerHeight / 2; }", timeout=15_000)
        screenshot(page, "denoiser_phone_generate")
    finally:
        context.close()
