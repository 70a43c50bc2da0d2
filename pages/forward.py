"""The forward process: watch a real image dissolve into noise, with the maths beside it.

Layout and widgets only; the maths lives in ``diffusion_core.forward``: ``process`` (eq. 2 and 4 of Ho et al. 2020),
``stats`` (curves, histogram, the noise-ball bound), ``charts`` and ``settings`` (the page's link).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.lessons import Lesson
from diffusion_core.access.site_map import page as site_page
from diffusion_core.forward import process as fw
from diffusion_core.forward import stats as fs
from diffusion_core.forward.charts import histogram_chart, schedule_chart, survival_chart
from diffusion_core.forward.schedules import SCHEDULE_KINDS, NoiseSchedule
from diffusion_core.forward.settings import RESOLUTIONS, T_RANGE, ForwardSettings
from diffusion_core.images.image_io import fit_short_side, list_samples, to_grayscale
from diffusion_core.images.pictures import enlarge
from diffusion_core.images.pixel_patch import centred_origin, clamp_origin, patch, with_outline
from diffusion_core.images.pixels import to_model_space, to_pixels
from diffusion_core.model.shipped_data import ShippedDataError
from pages.app_entry import run_through_app
from pages.common import BY_CONTENT, cached_held_out, content_digest, held_out_sizes, pick_image, show_svg
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget

run_through_app()

SOURCES = {"photo": "A photo (bundled or yours)", "digits": "Handwritten digit (MNIST)",
           "fashion": "Clothing (Fashion-MNIST)", "emoji": "Emoji (colour, 32 × 32)"}
PATCH = 8  # the patch of integers is PATCH x PATCH pixels
FILMSTRIP = 8  # evenly spaced frames from t = 0 to T
PLAY_FRAMES = 48  # frames in one playback pass from t = 0 to T
PLAY_FPS = 15
PATCH_TABLE_PX = 318  # tall enough for all PATCH rows, no scrollbar
DISPLAY = 280  # small images are enlarged (crisp pixels) to about this many screen pixels
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py)
    "picture": Control("Picture", ("fw_src",)), "photo": Control("Photo", ("fw_image_source", "fw_image_sample")),
    "index": Control("Image number", ("fw_index",)), "colour": Control("Colour (RGB)", ("fw_colour",)),
    "res": Control("Resolution", ("fw_res",)), "schedule": Control("Noise schedule", ("fw_sched",)),
    "T": Control("T, the number of steps", ("fw_T",)), "seed": Control("Noise seed", ("fw_seed",)),
    "t": Control("Timestep t", ("fw_t",)), "play": Control("Play and Pause", ("fw_play_btn", "fw_pause_btn")),
}


SETTINGS = PageSettings(  # the page's link and the widget of each setting (pages/reader_state.py)
    read_link=lambda query: ForwardSettings.from_query(query, list_samples(),
                                                       held_out_sizes(name for name in SOURCES if name != "photo")),
    write_link=ForwardSettings.to_query,
    widgets={"source": Widget("fw_src"), "photo": Widget("fw_image_sample"), "index": Widget("fw_index"),
             "colour": Widget("fw_colour", show=lambda colour: colour == "rgb", read=lambda on: "rgb" if on else "gray"),
             "res": Widget("fw_res"), "schedule": Widget("fw_sched"), "T": Widget("fw_T"), "t": Widget("fw_t"),
             "seed": Widget("fw_seed")},
    extra=lambda s: {"fw_T_last": s.T, "fw_image_source": "Bundled photo"},  # a linked photo is a bundled one
    settle=ForwardSettings.as_shown,
)


def _rescale_t() -> None:
    """When T changes, keep t at the same fraction of the way to pure noise."""
    old, new = st.session_state.get("fw_T_last", 1000), st.session_state.fw_T
    st.session_state.fw_t = min(new, round(st.session_state.get("fw_t", 0) * new / old))


# ---------------------------------------------------------------- cached data (keyed by the pictures themselves)
@st.cache_data(max_entries=8, show_spinner=False, hash_funcs=BY_CONTENT)
def _prepared(pixels: np.ndarray, rgb: bool, res: int) -> np.ndarray:
    """The chosen photo at ``res`` px short side, RGB (H, W, 3) or gray (H, W) uint8."""
    small = fit_short_side(pixels, res)
    return small if rgb else to_grayscale(small)


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_CONTENT)
def _inputs(pixels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, fs.PairMoments]:
    """x_0 in [-1, 1], the fixed ε, and their moments; float32 arrays shaped like the pixels."""
    x0 = to_model_space(pixels)
    eps = fw.fixed_noise(x0.shape, seed)
    return x0, eps, fs.PairMoments.of(x0, eps)


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_CONTENT)
def _filmstrip(pixels: np.ndarray, seed: int, kind: str, T: int) -> list:
    """FILMSTRIP evenly spaced frames from t = 0 to T: (t, enlarged picture, ᾱ_t)."""
    x0, eps, _ = _inputs(pixels, seed)
    schedule = NoiseSchedule(kind, T)
    ts = np.rint(np.linspace(0, T, FILMSTRIP)).astype(int)
    ab = fw.alpha_bar_with_zero(schedule)
    return [(int(t), enlarge(fw.frame(x0, eps, int(t), schedule), 140), float(ab[t])) for t in ts]


# ---------------------------------------------------------------- playback
# Play sits inside the fragment, so starting playback reruns only the player. Pause and the slider sit
# outside it: Streamlit lets a whole-page rerun interrupt a running fragment, but queues a fragment
# rerun behind it, so only a control outside the fragment can stop the loop at once.
def _start_play(t: int, T: int) -> None:
    st.session_state.fw_playing = True
    st.session_state.fw_play_t = t if t < T else 0


def _pause() -> None:
    if st.session_state.get("fw_playing"):
        st.session_state.fw_playing = False
        st.session_state.fw_t = st.session_state.get("fw_play_t", st.session_state.get("fw_t", 0))


def _stop_play() -> None:
    st.session_state.fw_playing = False


@st.fragment
def _player(x0: np.ndarray, eps: np.ndarray, schedule: NoiseSchedule, t: int, locked: bool) -> None:
    """x_t in one st.empty() slot; Play loops over PLAY_FRAMES timesteps from t to T, then from 0, until paused.

    Each pass ends the fragment run (st.rerun(scope="fragment")), so Streamlit drops the pass's
    replaced images and memory stays flat however long it plays.
    """
    playing = st.session_state.get("fw_playing", False)
    slot = st.empty()
    st.button("Play", icon=":material/play_arrow:", key="fw_play_btn", on_click=_start_play, args=(t, schedule.T),
              disabled=playing or locked,
              help="Plays t from here to T, then loops from 0. Pause sets the slider to the frame shown.")
    if not playing:
        slot.image(enlarge(fw.frame(x0, eps, t, schedule), DISPLAY), caption=f"x_t at t = {t}",
                   alt=alt_text.noisy_frame(t, float(fw.alpha_bar_with_zero(schedule)[t])))
        return
    ts = np.unique(np.rint(np.linspace(0, schedule.T, PLAY_FRAMES)).astype(int))
    start = st.session_state.get("fw_play_t", 0)
    for tt in ts[ts >= (start if start < schedule.T else 0)]:
        began = time.perf_counter()
        slot.image(enlarge(fw.frame(x0, eps, int(tt), schedule), DISPLAY), caption=f"x_t at t = {tt} (playing)",
                   alt=alt_text.noisy_frame(int(tt), float(fw.alpha_bar_with_zero(schedule)[tt])))
        st.session_state.fw_play_t = int(tt)
        time.sleep(max(0.0, 1.0 / PLAY_FPS - (time.perf_counter() - began)))
    st.rerun(scope="fragment")


# ---------------------------------------------------------------- one jump vs many steps
@st.fragment
def _compare(x0: np.ndarray, eps: np.ndarray, schedule: NoiseSchedule, t: int, seed: int) -> None:
    """The jump beside t single steps with fresh noise, on request; the result is kept for this picture and setting."""
    if t == 0:
        st.info("At t = 0 both are x₀ itself. Move the slider to compare.")
        return
    key = (content_digest(x0), seed, schedule.kind, schedule.T, t)
    result = st.session_state.get("fw_compare")
    if result is None or result["key"] != key:
        if not st.button(f"Take the {t:,} single steps", key="fw_compare_btn", type="primary"):
            st.caption(f"Applies eq. 2 {t:,} times with fresh noise each step (may take a few seconds at 256 px).")
            return
        bar = st.progress(0.0, text="iterating q(x_t | x_{t-1}) …")
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
        result = {"key": key, "jump": to_pixels(x_jump), "iter": to_pixels(x_iter), "jump_s": jump_s,
                  "iter_s": iter_s, "hist": (fs.histogram(z_jump), fs.histogram(z_iter)),
                  "moments": [(z_jump.mean(), z_jump.std()), (z_iter.mean(), z_iter.std()), (0.0, 1.0)]}
        st.session_state.fw_compare = result  # summaries only: the full arrays are not kept
    left, mid, right = st.columns([1, 1, 2])
    ab_t = float(fw.alpha_bar_with_zero(schedule)[t])
    left.image(enlarge(result["jump"], 220), caption=f"one jump, eq. 4 ({result['jump_s'] * 1e3:.1f} ms)",
               alt="Made by one jump (eq. 4). " + alt_text.noisy_frame(t, ab_t))
    mid.image(enlarge(result["iter"], 220), caption=f"{t:,} single steps, eq. 2 ({result['iter_s']:.2f} s)",
              alt=f"Made by {t:,} single steps (eq. 2). " + alt_text.noisy_frame(t, ab_t))
    (centres, d_jump, _), (_, d_iter, _) = result["hist"]
    alt = alt_text.noise_histograms(*result["moments"][:2])
    chart = histogram_chart(centres, d_jump, t, second=(d_iter, "noise of the steps"), first_name="noise of the jump",
                            title="Their noise, (x_t − √ᾱ_t x₀) / √(1 − ᾱ_t)", description=alt)
    show_svg(right, chart, "fw_compare_hist", alt=alt)
    table = pd.DataFrame(result["moments"], columns=["mean", "standard deviation"],
                         index=["one jump", "single steps", "N(0, 1)"])
    right.dataframe(table.round(4))


# ---------------------------------------------------------------- helpers for layout
def _patch_table(pixels: np.ndarray, top: int, left: int, channel: int) -> pd.DataFrame:
    grid = patch(pixels, top, left, PATCH)
    grid = grid[:, :, channel] if grid.ndim == 3 else grid
    return pd.DataFrame(grid.astype(int), index=range(top, top + grid.shape[0]),
                        columns=[str(c) for c in range(left, left + grid.shape[1])])


def _show_grid(table: pd.DataFrame, key: str) -> None:
    narrow = {c: st.column_config.NumberColumn(c, width=40) for c in table.columns}
    st.dataframe(table, height=PATCH_TABLE_PX, column_config=narrow, key=key)


def _choose_image(source: str, rgb: bool, res: int, lesson: Lesson) -> tuple[np.ndarray, str]:
    """-> (pixels uint8 (H, W[, 3]), description), from the widgets below the picture's source."""
    if source == "photo":
        loaded = pick_image("fw_image", label="Photo source", locked=lesson.is_locked("photo"))
        bundled = st.session_state.get("fw_image_source") == "Bundled photo"
        name = st.session_state.get("fw_image_sample", "Photo") if bundled else "The image"
        return _prepared(loaded.pixels, rgb, res), name
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
    return pixels, f"{SOURCES[source]} #{index}"


# ================================================================= the page
st.title(site_page("forward").title)
st.markdown("**Take a real image and bury it in noise, one small step at a time.** This is how a diffusion "
            "model's training data is made: the model sees these noisy images and learns one thing — *given a "
            "slightly noisy image, how to make it slightly cleaner.*")
SETTINGS.restore()
lesson = lesson_for("forward", LESSON_CONTROLS)
st.session_state.fw_playing = False  # a whole-page run stops playback; Play reruns only the player

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
    pixels, description = _choose_image(source, rgb, res, lesson)
    kind = st.radio("Noise schedule", SCHEDULE_KINDS, key="fw_sched", horizontal=True, disabled=lesson.is_locked("schedule"),
                    help="linear: Ho et al. 2020; cosine: Nichol & Dhariwal 2021.", **KEPT)
    T = st.number_input("T, the number of steps", *T_RANGE, step=10, key="fw_T", on_change=_rescale_t,
                        disabled=lesson.is_locked("T"), **KEPT)
    seed = st.number_input("Noise seed", 0, MAX_SEED, key="fw_seed", help="Which fixed ε the image fades into.",
                           disabled=lesson.is_locked("seed"), **KEPT)
st.session_state.fw_T_last = T
schedule = NoiseSchedule(kind, int(T))
if st.session_state.get("fw_t", 0) > T:
    st.session_state.fw_t = int(T)

x0, eps, moments = _inputs(pixels, int(seed))
t = st.slider("Timestep t", 0, int(T), key="fw_t", on_change=_stop_play, disabled=lesson.is_locked("t"),
              help="0 is the clean image, T is (almost) pure noise.", **KEPT)
lesson_panel("forward", LESSON_CONTROLS, SETTINGS.mirror(SETTINGS.shown()), lesson)

ab = fw.alpha_bar_with_zero(schedule)
h, w = pixels.shape[:2]
n = pixels.size
top0, left0 = centred_origin(pixels.shape, PATCH)
st.caption(f"{description}: {h} × {w} pixels{' × 3 colours' if pixels.ndim == 3 else ''} = {n:,} integers "
           f"from 0 to 255. ᾱ_t = {ab[t]:.4f}: x_t keeps {np.sqrt(ab[t]):.3f} of the image and adds noise of "
           f"standard deviation {np.sqrt(1 - ab[t]):.3f}.")

# The patch widgets take their value from the session only (a value argument beside a session value makes
# Streamlit warn): centred on a first visit, kept in range when a smaller image comes.
for key, origin, limit in (("fw_patch_top", top0, h - PATCH), ("fw_patch_left", left0, w - PATCH)):
    if key not in st.session_state:
        st.session_state[key] = origin
    elif st.session_state[key] > max(0, limit):
        st.session_state[key] = max(0, limit)
with st.expander("Move the patch of integers", expanded=False):
    c1, c2, c3 = st.columns(3)
    top = c1.number_input("Top row", 0, max(0, h - PATCH), key="fw_patch_top", **KEPT)
    left = c2.number_input("Left column", 0, max(0, w - PATCH), key="fw_patch_left", **KEPT)
    channel = c3.radio("Channel", ["R", "G", "B"], horizontal=True, key="fw_patch_ch",
                       disabled=pixels.ndim == 2, **KEPT)
top, left = clamp_origin(pixels.shape, top, left, PATCH)
ch = "RGB".index(channel) if pixels.ndim == 3 else 0
upscale = max(1, DISPLAY // max(h, w))
x_t = fw.q_sample(x0, t, schedule, eps)
frame_t = to_pixels(x_t)

c_clean, c_noisy = st.columns(2, gap="large")
with c_clean:
    st.image(with_outline(pixels, top, left, PATCH, upscale), caption="x₀, the real image (red box: the patch)",
             alt=alt_text.clean_image(description, h, w, pixels.ndim == 3, (top, left, PATCH)))
    st.markdown(f"**x₀ as numbers** ({'channel ' + channel if pixels.ndim == 3 else 'gray levels'}, "
                f"rows {top}–{top + PATCH - 1})")
    _show_grid(_patch_table(pixels, top, left, ch), "fw_grid_0")
with c_noisy:
    _player(x0, eps, schedule, t, lesson.is_locked("play"))
    st.button("Pause", icon=":material/pause:", key="fw_pause_btn", on_click=_pause, help="Stops playback at the frame shown.",
              disabled=lesson.is_locked("play"))
    st.markdown(f"**x_t as numbers**, t = {t} (clipped to 0–255 for display)")
    _show_grid(_patch_table(frame_t, top, left, ch), "fw_grid_t")

st.markdown("#### The jump: any t in one step")
st.latex(r"q(x_t \mid x_0) = \mathcal{N}\!\left(\sqrt{\bar\alpha_t}\,x_0,\;(1-\bar\alpha_t)\,I\right)"
         r"\quad\Longleftrightarrow\quad x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,"
         r"\;\; \varepsilon \sim \mathcal{N}(0, I) \qquad \text{(Ho et al. 2020, eq. 4)}")
st.markdown("Pixels are first scaled to x₀ ∈ [−1, 1] (0 → −1, 255 → +1). The noise ε is drawn **once** and "
            "kept, so moving the slider fades the picture smoothly into the same static. Here are eight evenly "
            "spaced moments of that fade:")
for col, (tt, img, ab_tt) in zip(st.columns(FILMSTRIP), _filmstrip(pixels, int(seed), kind, int(T))):
    col.image(img, caption=f"t = {tt}", alt=alt_text.noisy_frame(tt, ab_tt))

st.markdown("#### The schedule: how fast the image fades")
st.latex(r"\beta_t \text{ small},\quad \alpha_t = 1-\beta_t,\quad \bar\alpha_t = \prod_{s=1}^{t}\alpha_s,"
         r"\quad \mathrm{SNR}(t) = \frac{\bar\alpha_t}{1-\bar\alpha_t}")
st.markdown("The **linear** schedule (Ho et al. 2020) raises β from 0.0001 to 0.02; most of the picture is gone "
            "well before the end. The **cosine** schedule (Nichol & Dhariwal 2021) makes ᾱ fall like a cosine, so "
            "the image fades more evenly across the steps. The other schedule is drawn dashed.")
other = NoiseSchedule("linear" if kind == "cosine" else "cosine", int(T))
schedule_words = alt_text.schedule_plot(kind, int(T), t, float(ab[t]), float(ab[int(T)]))
show_svg(st, schedule_chart(schedule, t, other, description=schedule_words), "fw_schedule_fig", alt=schedule_words)
st.caption(schedule_words)

st.markdown("#### When does the picture disappear?")
centres, density, outside = fs.histogram(x_t)
correlation = fs.correlation_curve(moments, ab)
psnr = fs.psnr_curve(moments, ab)
cross = fs.crossover_t(x0, ab)
left_col, right_col = st.columns(2)
hist_words = f"Histogram of all {n:,} values of x_t at t = {t} against the standard normal density."
show_svg(left_col, histogram_chart(centres, density, t, description=hist_words), "fw_hist_fig", alt=hist_words)
left_col.caption(f"All {n:,} values of x_t against the standard normal density"
                 + (f"; {outside:.2%} lie outside ±4." if outside > 0 else ".")
                 + " At t = 0 it is the image's own histogram; by t = T it is the bell curve.")
image_std = float(np.sqrt(moments.var_x))
survival_alt, survival_caption = alt_text.survival(t, float(correlation[t]), float(psnr[t]), cross, int(T), image_std,
                                                   float(np.sqrt(ab[min(cross, int(T))])) * image_std)
show_svg(right_col, survival_chart(correlation, psnr, t, cross, description=survival_alt), "fw_survival_fig",
         alt=survival_alt)
right_col.caption(survival_caption)

st.markdown("#### How far has the image moved in image space?")
dist = fs.distance_curve(moments, ab)
rarity = fs.noise_ball_rarity(n, float(dist[t]))
c1, c2, c3 = st.columns(3)
c1.metric("distance ‖x_t − x₀‖ (grey levels)", f"{dist[t]:,.0f}")
c2.metric("expected distance √E‖x_t − x₀‖²", f"{fs.expected_distance(x0, float(ab[t])):,.0f}")
c3.metric("images this close to x₀: at most", "bound says nothing" if rarity is None else f"1 in 10^{rarity:,}")
st.markdown(
    f"Each of the {n:,} numbers moved a little; together x_t is {dist[t]:,.0f} grey levels from x₀ in a "
    f"{n:,}-dimensional space. How many of the 256^{n:,} possible images are that close to x₀? Counting them "
    "exactly is out of reach, so we give a **rigorous upper bound, not an estimate**: each such image owns "
    "the unit cube around it, and those cubes fit inside a ball of radius r + √n/2, so the count is at most "
    "that ball's volume.")
st.latex(r"\frac{\#\{\text{images within } r \text{ of } x_0\}}{256^{\,n}} \;\le\; "
         r"\frac{\pi^{n/2}\,(r+\sqrt{n}/2)^{n}}{\Gamma(n/2+1)\;256^{\,n}}")
st.caption("The exponent is exact: computed in decimal arithmetic with every rounding error bounded, and rounded "
           "toward the weaker claim. Early on, even the whole cloud of noisy versions of x₀ is a vanishing speck "
           "of image space. Once the bound reaches 1 it proves nothing, and we say so instead of guessing.")

st.markdown("#### One jump, or t small steps?")
st.latex(r"q(x_t \mid x_{t-1}) = \mathcal{N}\!\left(\sqrt{1-\beta_t}\,x_{t-1},\;\beta_t I\right)"
         r"\qquad \text{(Ho et al. 2020, eq. 2)}")
st.markdown("Training needs x_t for random t, so DDPM uses the jump. But the jump is only a shortcut: "
            "applying the small step t times, with fresh noise each time, gives a different picture with "
            "**the same distribution** — the variances add up to 1 − ᾱ_t. Check it:")
_compare(x0, eps, schedule, t, int(seed))

st.markdown("#### What the model learns from this")
st.markdown("Running this process backwards is the whole trick. A denoiser is shown x_t and t and asked to "
            "predict the noise ε that was added — which is the same as asking *which direction leads back "
            "toward real images*. Generation starts at t = T, from static like the last frame above, and takes "
            "the reverse steps one by one. Try the **Live denoiser** page to watch that walk.")
