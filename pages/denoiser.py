"""Live denoiser: run a shipped diffusion model and watch noise become a digit, a garment or an emoji.

Layout only; the runs, recordings, projections and checks live in ``diffusion_core.live``.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.lessons import Lesson
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.pictures import pair_image, png_bytes, tile, upscale
from diffusion_core.live.gate import GateRefused
from diffusion_core.live.generation_settings import MAX_GUIDANCE, NO_CLASS, GenerationSettings
from diffusion_core.live.memorisation import CopyCheck, check_copies, verdict
from diffusion_core.live.run import RunResult, sample_live
from diffusion_core.live.trajectory import frame_image, trajectory_gif
from diffusion_core.live.walk_plot import draw_walk, walk_figure
from diffusion_core.model.data import DATASET_TITLES
from diffusion_core.model.samplers import DEFAULT_STEPS, SAMPLER_NAMES, SAMPLERS, default_guidance
from diffusion_core.model.shipped_data import ShippedDataError
from diffusion_core.model.weights import LoadedModel, WeightsError
from pages.app_entry import run_through_app
from pages.common import (
    cached_model,
    cached_projection,
    cached_training_images,
    cached_walk_canvas,
    cached_yardstick,
    heavy_gate,
    link_to,
    queue_message,
    shared_runs,
    shipped_models,
    show_png,
    use_pixel_art_images,
)
from pages.denoiser_tabs import KEY, guidance_tab, one_step_tab, samplers_tab
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget, keep_class_choice

run_through_app()

LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py)
    "model": Control("Model", (KEY + "model",)), "mode": Control("Draw (one image or one per class)", (KEY + "mode",)),
    "guidance": Control("Guidance scale s", (KEY + "guidance",)), "sampler": Control("Sampler", (KEY + "sampler",)),
    "steps": Control("Steps", (KEY + "steps",)), "eta": Control("DDIM η", (KEY + "eta",)),
    "prompt": Control("Prompt (class)", (KEY + "label",)), "seed": Control("Seed and Random seed", (KEY + "seed", KEY + "dice")),
}
CHEAP_WORK = 250  # steps x images: a run this small follows the settings at once, without a click

use_pixel_art_images()
st.title(site_page("denoiser").title)
st.markdown(
    "A small diffusion model, trained on real images and shipped with this app, starts from pure "
    "random noise and removes a little of it at each step. The class you pick is its **prompt**: "
    "it gives the walk a destination. Left: the noisy sample $x_t$. Right: the model's current "
    r"guess of the clean image, $\hat x_0$.")

models = shipped_models()
SETTINGS = PageSettings(  # the page's link, each setting in the widget KEY + its name (pages/reader_state.py)
    read_link=lambda query: GenerationSettings.from_query(query, models),
    write_link=GenerationSettings.to_query,
    widgets={f.name: Widget(KEY + f.name) for f in fields(GenerationSettings)},
)
SETTINGS.restore()
lesson = lesson_for("denoiser", LESSON_CONTROLS)
try:
    loaded = cached_model(st.session_state[KEY + "model"])
except WeightsError as e:
    st.error(f"The {st.session_state[KEY + 'model']!r} model cannot be used: {e}")
    st.caption("The other pages of the app work without it.")
    st.stop()
class_names = loaded.class_names
keep_class_choice(KEY + "label", st.session_state[KEY + "model"], [NO_CLASS, *range(len(class_names))],
                  default=GenerationSettings.label)


def _on_model_change() -> None:
    """Each model comes with the guidance its own quality sweep chose (its model card)."""
    st.session_state[KEY + "guidance"] = default_guidance(st.session_state[KEY + "model"])


def _on_sampler_change() -> None:
    st.session_state[KEY + "steps"] = DEFAULT_STEPS[st.session_state[KEY + "sampler"]]


def _new_seed() -> None:
    """A callback: it runs before the widgets of the next run exist, so it may set the seed widget's value."""
    st.session_state[KEY + "seed"] = int(np.random.default_rng().integers(0, MAX_SEED))


with st.sidebar:
    st.subheader("Denoiser settings")
    st.selectbox("Model", models, key=KEY + "model", format_func=lambda m: DATASET_TITLES.get(m, m),
                 on_change=_on_model_change, disabled=lesson.is_locked("model"), **KEPT)
    st.radio("Draw", ["one", "grid"], key=KEY + "mode", horizontal=True, disabled=lesson.is_locked("mode"),
             format_func=lambda m: "One image" if m == "one" else "One per class", **KEPT)
    st.slider("Guidance scale s", 0.0, MAX_GUIDANCE, step=0.25, key=KEY + "guidance", disabled=lesson.is_locked("guidance"),
              help="0: ignore the prompt. 1: plain conditional model. >1: push harder towards the class. Choosing a "
                   f"model sets its own measured default ({default_guidance(st.session_state[KEY + 'model']):g} for "
                   "this one).", **KEPT)
    st.selectbox("Sampler", SAMPLERS, key=KEY + "sampler", format_func=SAMPLER_NAMES.get,
                 on_change=_on_sampler_change, disabled=lesson.is_locked("sampler"), **KEPT)
    lo, hi = replace(GenerationSettings(), sampler=st.session_state[KEY + "sampler"],
                     mode=st.session_state[KEY + "mode"]).step_limits
    st.session_state[KEY + "steps"] = int(np.clip(st.session_state[KEY + "steps"], lo, hi))
    st.slider("Steps", lo, hi, key=KEY + "steps", disabled=lesson.is_locked("steps"), **KEPT)
    st.slider("DDIM η (0 = deterministic)", 0.0, 1.0, step=0.1, key=KEY + "eta",
              disabled=st.session_state[KEY + "sampler"] != "ddim" or lesson.is_locked("eta"), **KEPT)
    st.caption("The prompt and the seed are in the Generate tab.")

settings = SETTINGS.shown()
lesson_panel("denoiser", LESSON_CONTROLS, SETTINGS.mirror(settings), lesson)


def _scale(s: GenerationSettings) -> int:
    """How many times wider than the model's images a run is shown."""
    return 8 if s.mode == "one" else 4


def generate_live(model: LoadedModel, s: GenerationSettings, view, progress) -> RunResult:
    """Sample ``model`` with ``s``, drawing the frames (x_t | x0_hat) into ``view`` as they come."""
    def show(frame) -> None:
        show_png(view, pair_image(frame.x_t, frame.x0_hat, s.grid_columns, 1), caption=f"x_t  |  x̂0   (t = {frame.t})",
                 scale=_scale(s), alt=alt_text.denoising_frame(frame.t, len(frame.x_t), s.describe(model.class_names),
                                                               frame.done, frame.total))
        progress.progress(frame.done / frame.total, text=f"Step {frame.done} of {frame.total} · {frame.elapsed:.2f} s · "
                          f"about {frame.elapsed / frame.done * (frame.total - frame.done):.1f} s left")

    def waiting(place: int) -> None:
        view.info(queue_message(place), icon=":material/hourglass_top:")

    result, how = shared_runs().run(s, lambda on_frame: sample_live(model, s, on_frame, heavy_gate(), waiting), show)
    st.session_state[KEY + "runs"] = st.session_state.get(KEY + "runs", 0) + 1
    st.session_state[KEY + "shared"] = how != "computed"
    return result


@st.cache_data(max_entries=16, show_spinner=False)
def copies(model: str, num_classes: int, images: np.ndarray, labels: np.ndarray) -> CopyCheck:
    """Each image's nearest training image, judged against real held-out images of its class."""
    return check_copies(images, labels, cached_training_images(model), cached_yardstick(model, num_classes))


@st.cache_data(max_entries=8, show_spinner=False)
def walk_png(model: str, names: tuple[str, ...], path: np.ndarray, end: np.ndarray, labels: np.ndarray) -> bytes:
    """The walk drawn over the cloud as PNG bytes, once per run (scrubbing and repeats reuse it)."""
    return png_bytes(draw_walk(cached_walk_canvas(model, names), path, end, labels), compress_level=1)


def show_walk(run: RunResult, class_names: tuple[str, ...]) -> None:
    """The run's path through image space, projected on the training set's first two principal axes.

    A still picture by default (one PNG: a new run costs the browser next to nothing); the toggle
    swaps in an interactive Plotly chart with zoom and hover, which takes the browser ~0.6 s to draw.
    """
    proj = cached_projection(run.settings.model)
    traj = run.trajectory
    path, end = traj.projected(proj)
    _, b, d = traj.x_t_raw.shape
    if st.toggle("Interactive chart (zoom, hover over the dots)", key=KEY + "walk_interactive", **KEPT):
        st.plotly_chart(walk_figure(proj.cloud, proj.cloud_labels, class_names, path, end, traj.labels),
                        width="stretch")
    else:
        st.image(walk_png(run.settings.model, tuple(class_names), path, end, traj.labels), output_format="PNG",
                 alt=alt_text.walk_picture(b, d, class_names))  # PNG said: "auto" re-encodes it as JPEG per reader
    st.caption("Each dot is a real training image; the lines are this run's x_t at every recorded step, "
               "projected onto the two directions along which the training images vary most (PCA). "
               "The walk starts at pure noise, which in these two directions sits near the middle, "
               "and ends (★) on the cloud of real images, among those of its class. A 2-D shadow of a "
               f"{d:,}-D walk: nearby here does not mean nearby in pixel space.")
    link_to("direction", f"This is what the UNet does in {d:,} dimensions: see every arrow of it in 2-D, "
            "checked against the exact answer")


def show_memorisation(run: RunResult, class_names: tuple[str, ...]) -> None:
    """Each generated image beside its nearest training image, judged against real images of its class."""
    check = copies(run.settings.model, len(class_names), run.trajectory.final, run.trajectory.labels)
    train = cached_training_images(run.settings.model)
    show_png(st, pair_image(run.trajectory.final, train[check.indices], run.settings.grid_columns, 1),
             scale=_scale(run.settings) // 2 + 2, caption="Left: generated. Right: the nearest of the "
             f"{len(train):,} training images (Euclidean distance in pixel space, pixels scaled to 0-1).",
             alt=alt_text.nearest_pairs(len(run.trajectory.final), len(train)))
    for paragraph in verdict(check, cached_yardstick(run.settings.model, len(class_names)), class_names):
        st.markdown(paragraph)


def show_result(run: RunResult, model: LoadedModel, settings: GenerationSettings, view, view_col, info_col) -> None:
    """Scrubbing, the final images with their downloads, the walk and the memorisation check of ``run`` (made by
    ``model``; ``settings``: those on screen now)."""
    traj, s, class_names = run.trajectory, run.settings, model.class_names
    with view_col:
        if s != settings:
            st.caption("Settings changed since this run: press **Generate** to run them.")
        k = st.slider("Scrub through the run (recorded steps)", 0, traj.num_frames - 1, traj.num_frames - 1,
                      key=f"{KEY}scrub_{st.session_state.get(KEY + 'runs', 0)}", **KEPT)
        show_png(view, frame_image(traj, k, s.grid_columns, 1), scale=_scale(s),
                 caption=f"x_t  |  x̂0   (t = {traj.timesteps[k]}, frame {k + 1} of {traj.num_frames})",
                 alt=alt_text.denoising_frame(int(traj.timesteps[k]), len(traj.final), s.describe(class_names)))
    with info_col:
        st.markdown("**Result**")
        with st.container(key="den_final"):
            show_png(st, tile(traj.final, s.grid_columns), scale=_scale(s), caption=s.describe(class_names),
                     alt=alt_text.generated(len(traj.final), s.describe(class_names), s.model))
        st.caption(f"{SAMPLER_NAMES[s.sampler]}, {s.steps} steps, guidance {s.guidance:g}, seed {s.seed}. Ran on "
                   f"**{model.runs_on}** in {run.seconds:.2f} s (first frame after {run.first_frame_seconds * 1000:.0f} ms)."
                   + (" Computed once for every reader asking for these settings, replayed for you."
                      if st.session_state.get(KEY + "shared") else ""))
        d1, d2 = st.columns(2)
        d1.download_button("Animated GIF", data=lambda: trajectory_gif(traj, s.grid_columns),
                           file_name=f"denoising-{s.model}-seed{s.seed}.gif", mime="image/gif", key=KEY + "gif")
        d2.download_button("PNG", data=lambda: png_bytes(upscale(tile(traj.final, s.grid_columns), 4)),
                           file_name=f"sample-{s.model}-seed{s.seed}.png", mime="image/png", key=KEY + "png")
        st.caption("Share these exact images: the page's link holds every setting.")
    try:
        st.subheader("The walk through image space")
        show_walk(run, class_names)
        st.subheader("Did it just copy a training image?")
        show_memorisation(run, class_names)
    except ShippedDataError as e:
        st.warning(str(e))


tab_generate, tab_compare, tab_guidance, tab_step = st.tabs(
    ["Generate", "Samplers side by side", "What guidance does", "One denoising step"])


@st.fragment
def generate_tab(model: LoadedModel, lesson: Lesson) -> None:
    """Generate, scrub, download, and look at the result: a fragment, so clicking Generate redraws only this tab."""
    class_names = model.class_names
    run: RunResult | None = st.session_state.get(KEY + "run")
    prompt_col, seed_col, dice_col, go_col = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    prompt_col.selectbox("Prompt (class)", [NO_CLASS, *range(len(class_names))], key=KEY + "label",
                         format_func=lambda k: "none (unconditional)" if k == NO_CLASS else f"{k}: {class_names[k]}",
                         disabled=st.session_state[KEY + "mode"] == "grid" or lesson.is_locked("prompt"), **KEPT)
    seed_col.number_input("Seed", 0, MAX_SEED, step=1, key=KEY + "seed",
                          help="The starting noise. The same seed and settings always give the same images.",
                          disabled=lesson.is_locked("seed"), **KEPT)
    dice_col.button("Random seed", icon=":material/casino:", width="stretch", on_click=_new_seed, key=KEY + "dice",
                    disabled=lesson.is_locked("seed"))
    clicked = go_col.button("Generate", type="primary", key=KEY + "go", width="stretch")
    s = SETTINGS.shown()  # prompt and seed live in this fragment: changing them reruns only this tab
    SETTINGS.mirror(s)
    view_col, info_col = st.columns([3, 2], gap="large")
    with view_col, st.container(key="den_live"):
        view, progress = st.empty(), st.empty()
    if clicked or ((run is None or run.settings != s) and s.steps * len(s.labels(len(class_names))) <= CHEAP_WORK):
        try:
            run = st.session_state[KEY + "run"] = generate_live(model, s, view, progress)
        except GateRefused as e:
            view.warning(str(e))
        progress.empty()
    if run is None:
        view.info("Press **Generate** to start from pure noise.")
    else:
        show_result(run, model, s, view, view_col, info_col)


with tab_generate:
    generate_tab(loaded, lesson)

with tab_compare:
    samplers_tab(loaded, settings)
with tab_guidance:
    guidance_tab(loaded, settings)
with tab_step:
    one_step_tab(loaded, settings)
