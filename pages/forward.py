"""The forward process: watch a real image dissolve into noise, with the maths beside it.

Layout and widgets only; the maths lives in ``diffusion_core.forward``: ``process`` (eq. 2 and 4 of Ho et al. 2020),
``noise_stream`` (the one ε, drawn alike here and in the browser), ``stats`` (curves, histogram, the noise-ball
bound), ``spectrum`` (coarse to fine, the squint test), ``charts`` and ``settings`` (the page's link). x_t plays in
the reader's browser (``pages/frame_player.py``): its scrubber is the page's "Timestep t", and the server hears of
t only when the reader pauses or lets go, when everything below the player follows.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.lessons import Lesson
from diffusion_core.access.site_map import page as site_page
from diffusion_core.forward import process as fw
from diffusion_core.forward import spectrum as sp
from diffusion_core.forward import stats as fs
from diffusion_core.forward.charts import (
    filmstrip,
    histogram_chart,
    picture_with_box,
    schedule_chart,
    spectrum_chart,
    survival_chart,
)
from diffusion_core.forward.schedules import MAX_BETA, SCHEDULE_KINDS, NoiseSchedule
from diffusion_core.forward.settings import RESOLUTIONS, T_RANGE, ForwardSettings
from diffusion_core.images.image_io import fit_short_side, list_samples, to_grayscale
from diffusion_core.images.pixel_patch import centred_origin, clamp_origin, patch
from diffusion_core.images.pixels import to_model_space, to_pixels
from diffusion_core.model.shipped_data import ShippedDataError
from pages.app_entry import run_through_app
from pages.common import (
    BY_CONTENT,
    cached_held_out,
    content_digest,
    held_out_sizes,
    link_to,
    pick_image,
    show_png,
    show_svg,
    use_pixel_art_images,
)
from pages.frame_player import forward_player
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget
from pages.terms import words_on_this_page

run_through_app()

SOURCES = {"photo": "A photo (bundled or yours)", "digits": "Handwritten digit (MNIST)",
           "fashion": "Clothing (Fashion-MNIST)", "emoji": "Emoji (colour, 32 × 32)"}
PATCH = 8  # the patch of integers is PATCH x PATCH pixels
FILMSTRIP = 8  # evenly spaced frames from t = 0 to T
PLAY_SECONDS = 10.0  # one pass of the player from t = 0 to T at 1x: slow enough to talk over (issue 32)
DISPLAY = 280  # pictures are enlarged by a whole factor to about this many screen pixels
SMALL = 140  # the filmstrip's pictures' size on screen
MEDIUM = 256  # x_t and its squinted twin, side by side
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py)
    "picture": Control("Picture", ("fw_src",)), "photo": Control("Photo", ("fw_image_source", "fw_image_sample")),
    "index": Control("Image number", ("fw_index",)), "colour": Control("Colour (RGB)", ("fw_colour",)),
    "res": Control("Resolution", ("fw_res",)), "schedule": Control("Noise schedule", ("fw_sched",)),
    "T": Control("T, the number of steps", ("fw_T",)), "seed": Control("Noise seed", ("fw_seed",)),
    # t and Play live in one player with the picture: a lesson that hides or locks either locks the player (its
    # controls shown, disabled); hiding it would hide the picture too. Their keys name no element on screen.
    "t": Control("Timestep t", ("fw_t",)), "play": Control("Play and Pause", ("fw_play",)),
}
GLOSSARY_TERMS = ["pixel", "image space", "noise", "forward process", "timestep", "noise schedule", "ᾱ (alpha-bar)",
                  "signal-to-noise ratio", "power spectrum", "denoiser", "x̂₀ (the model's guess)", "sampler"]
NUMBERS_STYLE = """<style>
.st-key-fw_x0_numbers table { font-size: 0.9rem; font-variant-numeric: tabular-nums; }
.st-key-fw_x0_numbers th, .st-key-fw_x0_numbers td { padding: 0.15rem 0.4rem; }
</style>"""  # x₀'s numbers as compact as the player's table of x_t beside them
ARTICLE = "“How Diffusion Models Generate Images: The Math Behind AI Creativity”"


SETTINGS = PageSettings(  # the page's link and the widget of each setting (pages/reader_state.py)
    read_link=lambda query: ForwardSettings.from_query(query, list_samples(),
                                                       held_out_sizes(name for name in SOURCES if name != "photo")),
    write_link=ForwardSettings.to_query,
    widgets={"source": Widget("fw_src"), "photo": Widget("fw_image_sample"), "index": Widget("fw_index"),
             "colour": Widget("fw_colour", show=lambda colour: colour == "rgb", read=lambda on: "rgb" if on else "gray"),
             "res": Widget("fw_res"), "schedule": Widget("fw_sched"), "T": Widget("fw_T"),
             "t": Widget("fw_t"),  # not a Streamlit widget: the t the player last reported (or a link set)
             "seed": Widget("fw_seed")},
    extra=lambda s: {"fw_T_last": s.T, "fw_image_source": "Bundled photo"},  # a linked photo is a bundled one
    settle=ForwardSettings.as_shown,
)


def _rescale_t() -> None:
    """When T changes, keep t at the same fraction of the way to pure noise."""
    old, new = st.session_state.get("fw_T_last", 1000), st.session_state.fw_T
    st.session_state.fw_t = min(new, round(st.session_state.get("fw_t", 0) * new / old))


def _player_reported() -> None:
    """The player reported (a pause, a release of the scrubber, a step, the end of a pass): take its t before this
    run draws anything, so the player's data, the charts and the link all say the same t."""
    state = st.session_state.get("fw_player")
    report = state.get("report") if isinstance(state, dict) else None
    if isinstance(report, dict) and isinstance(report.get("position"), int) and report["position"] >= 0:
        st.session_state.fw_t = report["position"]


# ---------------------------------------------------------------- cached data (keyed by the pictures themselves)
@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=BY_CONTENT)
def _prepared(pixels: np.ndarray, rgb: bool, res: int) -> np.ndarray:
    """The chosen photo at ``res`` px short side, RGB (H, W, 3) or gray (H, W) uint8."""
    small = fit_short_side(pixels, res)
    return small if rgb else to_grayscale(small)


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_CONTENT)
def _inputs(pixels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, fs.PairMoments, sp.RadialPower]:
    """x_0 in [-1, 1], the fixed ε (the browser's player draws the same), their moments and x_0's spectrum."""
    x0 = to_model_space(pixels)
    eps = fw.fixed_noise(x0.shape, seed)
    return x0, eps, fs.PairMoments.of(x0, eps), sp.radial_power(x0)


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_CONTENT)
def _filmstrip(pixels: np.ndarray, seed: int, kind: str, T: int) -> list:
    """FILMSTRIP evenly spaced frames from t = 0 to T: (t, uint8 picture, ᾱ_t)."""
    x0, eps, _, _ = _inputs(pixels, seed)
    schedule = NoiseSchedule(kind, T)
    ts = np.rint(np.linspace(0, T, FILMSTRIP)).astype(int)
    ab = fw.alpha_bar_with_zero(schedule)
    return [(int(t), fw.frame(x0, eps, int(t), schedule), float(ab[t])) for t in ts]


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_CONTENT)
def _markers(pixels: np.ndarray, kind: str, T: int) -> tuple[int, int]:
    """(per-pixel crossover, first t the squint test fails) for this picture and schedule."""
    x0 = to_model_space(pixels)
    ab = fw.alpha_bar_with_zero(NoiseSchedule(kind, T))
    return fs.crossover_t(x0, ab), sp.recognisable_until(x0, ab)


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_CONTENT)
def _squinted(pixels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x_0 and ε as a 16 x 16 thumbnail shows them (spectrum.squint). Blurring is linear, so the blurred x_t of any t
    is the forward process applied to these two: one FFT per picture, not one per move of t."""
    x0, eps, _, _ = _inputs(pixels, seed)
    return sp.squint(x0), sp.squint(eps)


def _scale(shape: tuple[int, ...], target: int) -> int:
    """The whole enlargement factor that brings a picture's longer side closest to ``target`` px (at least 1)."""
    return max(1, target // max(shape[:2]))


# ---------------------------------------------------------------- one jump vs many steps
def _moments_table(moments: list[tuple[float, float]]) -> str:
    rows = ["| | mean | standard deviation |", "|---|---:|---:|"]
    for name, (mean, sd) in zip(("one jump", "single steps", "the bell curve N(0, 1)"), moments):
        rows.append(f"| {name} | {alt_text.measure(mean, '.4f')} | {alt_text.measure(sd, '.4f')} |")
    return "\n".join(rows)


@st.fragment
def _compare(x0: np.ndarray, eps: np.ndarray, schedule: NoiseSchedule, t: int, seed: int) -> None:
    """The jump beside t single steps with fresh noise, on request; the result is kept for this picture and setting."""
    if t == 0:
        st.info("At t = 0 both are x₀ itself. Move t in the player above to compare.")
        return
    key = (content_digest(x0), seed, schedule.kind, schedule.T, t)
    result = st.session_state.get("fw_compare")
    if result is None or result["key"] != key:
        if not st.button(f"Take the {t:,} single steps", key="fw_compare_btn", type="primary"):
            st.caption(f"Adds a little fresh noise {t:,} times, one small step after another (a few seconds at "
                       "256 pixels).")
            return
        bar = st.progress(0.0, text="adding noise step by step …")
        every = max(1, t // 50)

        def tick(s: int) -> None:
            if s % every == 0:
                bar.progress(s / t, text=f"step {s:,} of {t:,}")

        began = time.perf_counter()
        x_jump = fw.q_sample(x0, t, schedule, eps)
        jump_s = time.perf_counter() - began
        began = time.perf_counter()
        x_iter = fw.iterate_steps(x0, t, schedule, seed=seed, on_step=tick)
        iter_s = time.perf_counter() - began
        bar.empty()
        z_jump = fw.standardized_noise(x_jump, x0, t, schedule)
        z_iter = fw.standardized_noise(x_iter, x0, t, schedule)
        result = {"key": key, "jump": fw.frame(x0, eps, t, schedule), "iter": to_pixels(x_iter), "jump_s": jump_s,
                  "iter_s": iter_s, "hist": (fs.histogram(z_jump), fs.histogram(z_iter)),
                  "moments": [(float(z_jump.mean()), float(z_jump.std())), (float(z_iter.mean()), float(z_iter.std())),
                              (0.0, 1.0)]}
        st.session_state.fw_compare = result  # summaries only: the full arrays are not kept
    left, mid, right = st.columns([1, 1, 2])
    ab_t = float(fw.alpha_bar_with_zero(schedule)[t])
    scale = _scale(result["jump"].shape, 220)
    show_png(left, result["jump"], f"one jump ({result['jump_s'] * 1e3:.1f} ms)", scale,
             alt="Made by one jump (eq. 4), the same x_t as the player's. " + alt_text.noisy_frame(t, ab_t))
    show_png(mid, result["iter"], f"{t:,} single steps ({result['iter_s']:.2f} s)", scale,
             alt=f"Made by {t:,} single steps (eq. 2). " + alt_text.noisy_frame(t, ab_t))
    (centres, d_jump, _), (_, d_iter, _) = result["hist"]
    alt = alt_text.noise_histograms(*result["moments"][:2])
    chart = histogram_chart(centres, d_jump, t, second=(d_iter, "noise of the steps"), first_name="noise of the jump",
                            title="Their noise, (x_t − √ᾱ_t x₀) / √(1 − ᾱ_t)", description=alt)
    show_svg(right, chart, "fw_compare_hist", alt=alt)
    right.markdown(_moments_table(result["moments"]))


# ---------------------------------------------------------------- helpers for layout
def _patch_markdown(pixels: np.ndarray, top: int, left: int, channel: int) -> str:
    """The PATCH x PATCH integers at (top, left) as a markdown table, rows and columns numbered."""
    grid = patch(pixels, top, left, PATCH)
    grid = grid[:, :, channel] if grid.ndim == 3 else grid
    head = "| | " + " | ".join(str(c) for c in range(left, left + grid.shape[1])) + " |"
    rule = "|---:|" + "---:|" * grid.shape[1]
    body = [f"| **{top + r}** | " + " | ".join(str(int(v)) for v in row) + " |" for r, row in enumerate(grid)]
    return "\n".join([head, rule, *body])


def _choose_image(source: str, rgb: bool, res: int, lesson: Lesson) -> tuple[np.ndarray, str, str]:
    """-> (pixels uint8 (H, W[, 3]), description, the picture's name in alt texts), from the widgets below the
    picture's source."""
    if source == "photo":
        loaded = pick_image("fw_image", label="Photo source", locked=lesson.is_locked("photo"))
        bundled = st.session_state.get("fw_image_source") == "Bundled photo"
        name = st.session_state.get("fw_image_sample", "Photo") if bundled else "The image"
        subject = f"the photo {name}" if bundled else "your picture"
        return _prepared(loaded.pixels, rgb, res), name, subject
    try:
        images = cached_held_out(source)[0]
        if st.session_state.get("fw_index", 0) >= len(images):  # from a larger data set: keep the widget in range
            st.session_state.fw_index = len(images) - 1
        index = st.number_input("Image number", 0, len(images) - 1, key="fw_index", **KEPT,
                                disabled=lesson.is_locked("index"),
                                help=f"One of the {len(images):,} held-out test images, never seen in training.")
        pixels = images[index]
    except ShippedDataError as e:
        st.error(f"{e} Pick “{SOURCES['photo']}” above to keep going.")
        st.stop()
    return pixels, f"{SOURCES[source]} #{index}", f"{SOURCES[source]} number {index}"


def _maths():
    """The folded second layer of a section: its formulas, after the plain words and the picture."""
    return st.expander("The maths", icon=":material/functions:")


# ================================================================= the page
st.title(site_page("forward").title)
st.markdown("**Take a real picture and bury it in noise.** This is how the training examples of a diffusion model "
            "are made: real pictures mixed with noise at every strength, from a light grain to almost nothing but "
            "noise. This whole recipe is called the forward process.")
words_on_this_page(GLOSSARY_TERMS)
SETTINGS.restore()
lesson = lesson_for("forward", LESSON_CONTROLS)
use_pixel_art_images()
st.html(NUMBERS_STYLE)

with st.sidebar:
    st.markdown("### Forward-process settings")
    source = st.radio("Picture", list(SOURCES), format_func=SOURCES.get, key="fw_src", disabled=lesson.is_locked("picture"),
                      **KEPT)
    is_photo = source == "photo"
    rgb = st.toggle("Colour (RGB)", key="fw_colour", disabled=not is_photo or lesson.is_locked("colour"), **KEPT,
                    help="Data set images keep their own colours: digits and clothes gray, emoji in colour.") and is_photo
    res = st.select_slider("Resolution (short side, px)", RESOLUTIONS, key="fw_res",
                           disabled=not is_photo or lesson.is_locked("res"), **KEPT,
                           help="Data set images stay at their native size (28 × 28; emoji 32 × 32).")
    pixels, description, subject = _choose_image(source, rgb, res, lesson)
    kind = st.radio("Noise schedule", SCHEDULE_KINDS, key="fw_sched", horizontal=True, disabled=lesson.is_locked("schedule"),
                    help="linear: Ho et al. 2020; cosine: Nichol & Dhariwal 2021.", **KEPT)
    T = st.number_input("T, the number of steps", *T_RANGE, step=10, key="fw_T", on_change=_rescale_t,
                        disabled=lesson.is_locked("T"), **KEPT)
    seed = st.number_input("Noise seed", 0, MAX_SEED, key="fw_seed", help="Which fixed noise ε the picture fades into.",
                           disabled=lesson.is_locked("seed"), **KEPT)
st.session_state.fw_T_last = T
T = int(T)
schedule = NoiseSchedule(kind, T)
st.session_state.fw_t = min(int(st.session_state.get("fw_t", 0)), T)
ab = fw.alpha_bar_with_zero(schedule)
x0, eps, moments, power = _inputs(pixels, int(seed))
h, w = pixels.shape[:2]
n = pixels.size
colour = pixels.ndim == 3

# ---------------------------------------------------------------- 1. the player
st.header("Watch the picture fade", anchor="watch")
st.markdown("Press **Play** to watch the picture sink into noise, or drag **Timestep t**: t = 0 is the real picture "
            "x₀, and t = T is almost pure noise.")

# The patch widgets (drawn under the pictures) take their value from the session only (a value argument beside a
# session value makes Streamlit warn): centred on a first visit, kept in range when a smaller image comes.
top0, left0 = centred_origin(pixels.shape, PATCH)
for key, origin, limit in (("fw_patch_top", top0, h - PATCH), ("fw_patch_left", left0, w - PATCH)):
    if key not in st.session_state:
        st.session_state[key] = origin
    elif st.session_state[key] > max(0, limit):
        st.session_state[key] = max(0, limit)
top, left = clamp_origin(pixels.shape, st.session_state.fw_patch_top, st.session_state.fw_patch_left, PATCH)
channel = st.session_state.get("fw_patch_ch", "R")
ch = "RGB".index(channel) if colour else 0
scale = _scale(pixels.shape, DISPLAY)
which = f"channel {channel}" if colour else "grey levels"

# The player first: on a phone, where columns stack, the moving picture comes before the still one.
c_noisy, c_clean = st.columns(2, gap="large")
with c_noisy:
    player = forward_player("fw_player", pixels, int(seed), ab, st.session_state.fw_t, patch=(top, left, ch),
                            seconds=PLAY_SECONDS, display_px=DISPLAY, subject=subject, on_change=_player_reported,
                            locked=lesson.is_locked("t") or lesson.is_locked("play"))
with c_clean:
    clean_alt = alt_text.clean_image(description, h, w, colour, (top, left, PATCH))
    with st.container(key="fw_clean"):
        st.image(picture_with_box(pixels, top, left, PATCH, scale, clean_alt), caption="x₀, the real picture",
                 alt=clean_alt)
    st.markdown(f"**x₀ as numbers** ({which}, rows {top}–{top + min(PATCH, h) - 1}, "
                f"columns {left}–{left + min(PATCH, w) - 1})")
    with st.container(key="fw_x0_numbers"):
        st.markdown(_patch_markdown(pixels, top, left, ch))
t = st.session_state.fw_t = int(player.t)
st.markdown("The noise ε is drawn once and kept, so the picture fades into the same static every time. Under each "
            "picture, the 8 × 8 patch in the red box is listed as numbers: a picture is nothing but such integers "
            "from 0 (black) to 255 (white).")
st.caption(f"{description}: {h} × {w} pixels{' × 3 colours (red, green, blue)' if colour else ''} = {n:,} integers "
           "from 0 to 255.")
with st.expander("Move the patch of numbers", expanded=False, icon=":material/grid_on:"):
    c1, c2, c3 = st.columns(3)
    c1.number_input("Top row", 0, max(0, h - PATCH), key="fw_patch_top", **KEPT)
    c2.number_input("Left column", 0, max(0, w - PATCH), key="fw_patch_left", **KEPT)
    c3.radio("Channel", ["R", "G", "B"], horizontal=True, key="fw_patch_ch", disabled=not colour, **KEPT)
lesson_panel("forward", LESSON_CONTROLS, SETTINGS.mirror(SETTINGS.shown()), lesson)
a_t, b_t = float(np.sqrt(ab[t])), float(np.sqrt(1 - ab[t]))

# ---------------------------------------------------------------- 2. the jump
st.header("Any t in one jump", anchor="jump")
st.markdown("You do not have to add noise step by step to reach x_t: one formula mixes the picture and the noise "
            "directly, in proportions set by t.")
with st.container(key="fw_mix"):
    st.markdown(f"**At t = {t:,}** (where the player last stopped): x_t = {a_t:.3f} × x₀ + {b_t:.3f} × ε. The picture "
                f"keeps {a_t:.0%} of its strength, and the noise has a spread (standard deviation) of {b_t:.2f}, on "
                "a scale where the picture's values run from −1 to 1.")
st.markdown("Eight evenly spaced moments of that fade:")
strip = _filmstrip(pixels, int(seed), kind, T)
strip_alt = (f"Eight moments of the fade of {subject}, t = " + ", ".join(f"{tt:,}" for tt, _, _ in strip) + ": "
             + " ".join(f"At t = {tt:,}: {alt_text.visibility(ab_tt)}." for tt, _, ab_tt in strip))
with st.container(key="fw_filmstrip"):
    st.image(filmstrip([(f"t = {tt:,}", img) for tt, img, _ in strip], columns=FILMSTRIP // 2, cell=SMALL,
                       description=strip_alt), alt=strip_alt)
x_t = fw.q_sample(x0, t, schedule, eps)
centres, density, outside = fs.histogram(x_t)
hist_words = f"Histogram of all {n:,} values of x_t at t = {t} against the standard normal density."
left_col, right_col = st.columns([3, 2])
show_svg(left_col, histogram_chart(centres, density, t, description=hist_words), "fw_hist_fig", alt=hist_words)
right_col.markdown(f"**All {n:,} numbers of x_t at t = {t:,}**, counted into bins (bars), against the bell curve of "
                   "pure noise (green). At t = 0 the bars are the picture's own mix of dark and light; by t = T they "
                   "are the bell curve.")
right_col.caption("Values are in the model's units: 0 → −1, 255 → +1"
                  + (f"; {outside:.2%} lie outside ±4." if outside > 0 else "."))
with _maths():
    st.latex(r"q(x_t \mid x_0) = \mathcal{N}\!\left(\sqrt{\bar\alpha_t}\,x_0,\;(1-\bar\alpha_t)\,I\right)"
             r"\quad\Longleftrightarrow\quad x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,"
             r"\;\; \varepsilon \sim \mathcal{N}(0, I) \qquad \text{(Ho et al. 2020, eq. 4)}")
    st.markdown(f"Pixels are first scaled to x₀ ∈ [−1, 1] (0 → −1, 255 → +1). ᾱ_t (alpha-bar) is the share of the "
                f"picture's power left at step t: here ᾱ_{{{t}}} = {ab[t]:.4f}, so √ᾱ_t = {a_t:.3f} of the picture and "
                f"noise of standard deviation √(1 − ᾱ_t) = {b_t:.3f}. The noise ε is one draw of independent "
                "standard normal numbers, one per pixel value, from a stream the browser computes bit for bit the "
                "same, so the player and this page show the same x_t.")

# ---------------------------------------------------------------- 3. the schedule
st.header("How fast it fades: the noise schedule", anchor="schedule")
st.markdown("How much noise each step adds is a choice, called the noise schedule; it decides how quickly the "
            "picture fades. The other schedule is drawn dashed.")
other = NoiseSchedule("linear" if kind == "cosine" else "cosine", T)
schedule_words = alt_text.schedule_plot(kind, T, t, float(ab[t]), float(ab[T]))
c_weights, c_snr = st.columns(2, gap="medium")
show_svg(c_weights, schedule_chart(schedule, t, other, description=schedule_words, panels="weights"), "fw_schedule_fig",
         alt=schedule_words)
snr_words = (f"Plot of log SNR(t), the logarithm of the picture's power over the noise's, for the {kind} schedule "
             f"(solid) and the {other.kind} one (dashed); at t = {t:,} it is {schedule.log_snr[t - 1]:.2f}."
             if t > 0 else f"Plot of log SNR(t) for the {kind} schedule (solid) and the {other.kind} one (dashed).")
show_svg(c_snr, schedule_chart(schedule, t, other, description=snr_words, panels="snr"), "fw_snr_fig", alt=snr_words)
st.caption(schedule_words)
with _maths():
    st.latex(r"\alpha_t = 1-\beta_t,\quad \bar\alpha_t = \prod_{s=1}^{t}\alpha_s,"
             r"\quad \mathrm{SNR}(t) = \frac{\bar\alpha_t}{1-\bar\alpha_t}")
    linear, cosine = (schedule, other) if kind == "linear" else (other, schedule)
    st.markdown(alt_text.schedule_betas(T, (float(linear.betas[0]), float(linear.betas[-1])),
                                        int(np.sum(linear.betas >= MAX_BETA)), float(cosine.betas[0]),
                                        int(np.sum(cosine.betas >= MAX_BETA)), MAX_BETA))

# ---------------------------------------------------------------- 4. when is the picture gone?
st.header("When is the picture gone?", anchor="gone")
crossover, recognisable = _markers(pixels, kind, T)
structured = bool(np.any(power.power[: sp.THUMBNAIL // 2] > 0))
st.markdown(alt_text.when_gone(crossover, recognisable, T, structured, sp.THUMBNAIL))
snr_now = float(power.coarse_snr(ab[t:t + 1], sp.THUMBNAIL // 2)[0])
medium = _scale(pixels.shape, MEDIUM)
p1, p2, p_words = st.columns([1, 1, 1], gap="medium")
show_png(p1, fw.frame(x0, eps, t, schedule), f"x_t at t = {t:,}", medium,
         alt=alt_text.noisy_frame(t, float(ab[t]), subject))
x0_squinted, eps_squinted = _squinted(pixels, int(seed))
with p2.container(key="fw_squint"):
    show_png(st, to_pixels(fw.q_sample(x0_squinted, t, schedule, eps_squinted)), "what you see when you squint",
             medium, alt=alt_text.squint_picture(t, snr_now, sp.THUMBNAIL))
p_words.markdown(f"**Left:** x_t at t = {t:,}. **Right:** the same x_t blurred to the coarse shapes a "
                 f"{sp.THUMBNAIL} × {sp.THUMBNAIL} thumbnail can show. "
                 + (f"There the picture's shapes have {snr_now:.3g} times the noise's power: "
                    + ("recognisable by the squint test." if snr_now >= 1 else "the noise wins.")
                    if np.isfinite(snr_now) else "There is no noise on them yet."))
p_words.caption("The squint test is this app's convention, not a law. People recognise most objects and scenes in "
                "32 × 32 colour thumbnails, and faces and large objects even at 16 × 16 (Torralba, Fergus & Freeman "
                "2008, “80 million tiny images”); so here a picture counts as recognisable while the coarse shapes a "
                "16 × 16 thumbnail can show hold more of the picture's power than of the noise's. Judge for yourself: "
                "pause the player near either line.")
correlation = fs.correlation_curve(moments, ab)
psnr = fs.psnr_curve(moments, ab)
image_std = float(np.sqrt(moments.var_x))
survival_alt, survival_caption = alt_text.survival(t, float(correlation[t]), float(psnr[t]), crossover, T, image_std,
                                                   float(np.sqrt(ab[min(crossover, T)])) * image_std)
st.markdown("**How much of x₀ is left in x_t, pixel by pixel.** Left: how closely x_t's numbers follow x₀'s "
            "(correlation, 1 = perfectly). Right: PSNR, the peak signal-to-noise ratio in decibels, higher the closer "
            "x_t is to x₀. The two lines mark the two answers above.")
c_corr, c_psnr = st.columns(2, gap="medium")
marked = recognisable if structured else None
show_svg(c_corr, survival_chart(correlation, psnr, t, crossover, description=survival_alt, recognisable=marked,
                                panels="correlation"), "fw_survival_fig", alt=survival_alt)
show_svg(c_psnr, survival_chart(correlation, psnr, t, crossover, description=survival_alt, recognisable=marked,
                                panels="psnr"), "fw_psnr_fig", alt=survival_alt)
st.caption(survival_caption)

# ---------------------------------------------------------------- 5. coarse to fine
st.header("Coarse to fine: fine detail drowns first", anchor="coarse-to-fine")
st.markdown("**Noise is white: every size of detail gets the same amount of noise. Pictures put most of their power "
            "in big shapes and little in fine detail. So fine detail drowns first, and the big shapes last.**")
buried = power.buried_above(float(ab[t]))
spectrum_alt, spectrum_words = alt_text.spectrum_plot(t, float(ab[t]), buried, len(power.frequency), min(h, w),
                                                      bool(np.any(power.power > 0)))
c_spectrum, c_words = st.columns([3, 2], gap="medium")
show_svg(c_spectrum, spectrum_chart(power, float(ab[t]), t, buried, sp.THUMBNAIL / 2, description=spectrum_alt),
         "fw_spectrum_fig", alt=spectrum_alt)
c_words.markdown("Each band holds the waves that cycle k times across the picture: on the left the big shapes "
                 "(one wave across), on the right the finest detail (a light-and-dark cycle every two pixels). The "
                 "green line is the picture's power in x_t (x₀'s, dashed blue, shrunk by the noise's mixing), the "
                 "orange line the noise's, the same in every band; the shaded bands are buried under it. The dotted "
                 "line marks the finest waves a 16 × 16 thumbnail shows, the ones the squint test looks at.")
with c_words.container(key="fw_spectrum_words"):
    st.caption(spectrum_words)
st.markdown("Run backwards, this is why generation decides the layout first and the detail last: a sampler starts "
            "from noise in which every band is buried, and the coarse bands come out of it first. Watch it on the "
            "Live denoiser page, where the model's guess x̂₀ settles its big shapes early in a run and its fine "
            "detail last; the corner page shows where in that walk the model spends its bits.")
link_to("denoiser")
link_to("corner")
with _maths():
    st.markdown("Write the picture as a sum of waves (its 2-D Fourier transform, each colour's mean removed, scaled "
                "so that unit noise has power exactly 1 in every wave). Group the waves by how many cycles they make "
                "across the picture's shorter side, k = 1, 2, …, and average their power P_k in each ring. In x_t the "
                "picture's part is scaled by √ᾱ_t and the noise's by √(1 − ᾱ_t), so in band k")
    st.latex(r"\text{picture: } \bar\alpha_t\,P_k \qquad\text{against}\qquad \text{noise: } 1-\bar\alpha_t "
             r"\text{ (the same for every } k\text{)}")
    st.markdown("A band is buried once ᾱ_t P_k < 1 − ᾱ_t. Natural pictures have P_k falling roughly like 1/k² "
                "(van der Schaaf & van Hateren 1996), so the finest bands go under first (Dieleman 2024, “Diffusion "
                "is spectral autoregression”; Rissanen et al. 2023). The squint test above asks the same question of "
                "the bands up to 8 waves across together, the waves a 16 × 16 thumbnail can hold.")

# ---------------------------------------------------------------- 6. distance in image space
st.header("How far has the picture moved in image space?", anchor="distance")
dist = fs.distance_curve(moments, ab)
rarity = fs.noise_ball_rarity(n, float(dist[t]))
if t == 0:
    st.markdown("At t = 0, x_t is x₀ itself: no number has moved yet. Move **Timestep t** to see how far the noise "
                "carries the picture, measured as a straight line in a space with one direction per number (image "
                "space).")
else:
    st.markdown(f"Each of the {n:,} numbers moved by about {dist[t] / n ** 0.5:,.0f} grey levels (a root mean square), "
                f"but together they moved far: at t = {t:,}, x_t is {dist[t]:,.0f} grey levels from x₀, measured as a "
                "straight line in a space with one direction per number (image space). "
                + ("Yet almost no pictures lie that close to x₀: the whole cloud of noisy versions of x₀ this far out "
                   "is a vanishing speck of image space." if rarity is not None else
                   "So far out, our bound on how many pictures lie that close proves nothing any more."))
c1, c2, c3 = st.columns(3)
c1.metric("distance ‖x_t − x₀‖ (grey levels)", f"{dist[t]:,.0f}")
c2.metric("the same, over all noise draws", f"{fs.expected_distance(x0, float(ab[t])):,.0f}",
          help="The root mean square of the distance over every possible draw of the noise ε, √E‖x_t − x₀‖², "
               "computed exactly from ᾱ_t and x₀. With so many numbers, any one draw lands very close to it.")
if rarity is None:
    c3.metric("the bound on pictures this close to x₀", "proves nothing")
else:
    c3.metric("pictures this close to x₀: at most", f"1 in {alt_text.superscript_power(rarity)}")
st.caption(f"Of all {alt_text.superscript_power(n, 256)} pictures of this size, at most "
           f"{alt_text.noise_ball_words(rarity)} lie within {dist[t]:,.0f} grey levels of x₀." if rarity is not None else
           "At this distance the bound reaches 1 and proves nothing; the page says so instead of guessing.")
with _maths():
    st.markdown("Counting those pictures exactly is out of reach, so we give a rigorous upper bound, not an "
                "estimate: each such picture owns the unit cube around it, and those cubes fit inside a ball of "
                "radius r + √n/2, so the count is at most that ball's volume.")
    st.latex(r"\frac{\#\{\text{pictures within } r \text{ of } x_0\}}{256^{\,n}} \;\le\; "
             r"\frac{\pi^{n/2}\,(r+\sqrt{n}/2)^{n}}{\Gamma(n/2+1)\;256^{\,n}}")
    st.caption("The exponent is exact: computed in decimal arithmetic with every rounding error bounded, and rounded "
               "toward the weaker claim. Once the bound reaches 1 it proves nothing, and the page says so.")

# ---------------------------------------------------------------- 7. one jump or many steps
st.header("One jump, or t small steps?", anchor="steps")
st.markdown("Adding a little fresh noise t times, one small step after another, gives a different picture than the "
            "one jump, but one drawn from exactly the same spread of possible pictures. Training uses the jump, "
            "because it needs x_t at random t. Check it:")
_compare(x0, eps, schedule, t, int(seed))
with _maths():
    st.latex(r"q(x_t \mid x_{t-1}) = \mathcal{N}\!\left(\sqrt{1-\beta_t}\,x_{t-1},\;\beta_t I\right)"
             r"\qquad \text{(Ho et al. 2020, eq. 2)}")
    st.markdown("Each step shrinks what is there by √α_t and adds fresh noise of variance β_t. A sum of independent "
                "Gaussians is Gaussian, so t steps give x_t = √ᾱ_t x₀ plus Gaussian noise. The noise added at step s "
                "is shrunk by every later step, so its variance in x_t is β_s times the product of the later α_r, "
                "and those variances add up to 1 − ᾱ_t, the jump's:")
    st.latex(r"\sum_{s=1}^{t} \beta_s \prod_{r=s+1}^{t} \alpha_r \;=\; \sum_{s=1}^{t}\Big(\prod_{r=s+1}^{t}\alpha_r"
             r" - \prod_{r=s}^{t}\alpha_r\Big) \;=\; 1 - \bar\alpha_t")
    st.markdown(f"(the sum telescopes, since β_s = 1 − α_s). The β_s alone do not add up to 1 − ᾱ_t: here "
                f"Σ β_s = {float(np.sum(schedule.betas[:t])):.4g} for the first {t:,} steps, against "
                f"1 − ᾱ_t = {1 - ab[t]:.4g}.")

# ---------------------------------------------------------------- 8. what the model learns
st.header("What the model learns from this", anchor="learns")
st.markdown(f"The article this app grew from, {ARTICLE}, says the model learns “one thing: given a slightly noisy "
            "image, how to make it slightly cleaner”. What it is really trained on is the jump above: shown x_t, made "
            "in one jump from a real picture at a random t anywhere from 1 to T, and told t, the denoiser learns to "
            "predict the noise ε that was mixed in (which is the same as predicting the clean picture). The small "
            "steps belong to generation: a sampler starts at t = T, from static like the last frame above, and "
            "walks back towards t = 0, asking the denoiser for its prediction at every step (the app's samplers "
            "take 20 steps by default).")
link_to("direction")
link_to("denoiser")
