"""Live denoiser: run a shipped diffusion model and watch noise become a digit, a garment or an emoji.

Layout only; the runs, recordings, projections and checks live in ``diffusion_core.live``. A run is sampled at the
server's pace (0.1-0.7 s: the first frame, x_T, at once) and then played in the reader's browser at a human pace
(``pages/frame_player.py``, in a fragment of its own, so the player's reports rerun only the player).
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.lessons import Lesson
from diffusion_core.access.palette import CLASS_COLOURS, NO_CLASS_COLOUR
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.pictures import pair_image, png_bytes, tile, upscale
from diffusion_core.live.gate import GateRefused
from diffusion_core.live.generation_settings import MAX_GUIDANCE, NO_CLASS, GenerationSettings
from diffusion_core.live.memorisation import CopyCheck, check_copies, landing, verdict
from diffusion_core.live.model_switch import carried_prompt, class_label, guidance_note
from diffusion_core.live.playback import SECONDS, Film, PlayedFrame, run_film, shown_t
from diffusion_core.live.run import RunResult, sample_live
from diffusion_core.live.trajectory import trajectory_gif
from diffusion_core.live.walk_plot import cloud_canvas, draw_walk, grey_point, start_words, walk_figure
from diffusion_core.model.data import CLASS_NAMES, DATASET_TITLES
from diffusion_core.model.kinds import kind_words
from diffusion_core.model.samplers import DEFAULT_STEPS, SAMPLER_NAMES, SAMPLERS, default_guidance
from diffusion_core.model.shipped_data import ShippedDataError
from diffusion_core.model.weights import LoadedModel, WeightsError
from pages.app_entry import run_through_app
from pages.common import (
    cached_model,
    cached_projection,
    cached_training_images,
    cached_yardstick,
    heavy_gate,
    link_to,
    queue_message,
    scroll_into_view_on_phones,
    shared_runs,
    shipped_models,
    show_png,
    use_pixel_art_images,
)
from pages.denoiser_tabs import (
    KEY,
    average_section,
    cached_training_labels,
    coarse_to_fine_section,
    guidance_tab,
    latent_section,
    one_step_tab,
    samplers_tab,
)
from pages.frame_player import frame_player
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget, keep_class_choice
from pages.terms import words_on_this_page

run_through_app()

LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py)
    "model": Control("Model", (KEY + "model",)), "mode": Control("Draw (one image or one per class)", (KEY + "mode",)),
    "guidance": Control("Guidance scale s", (KEY + "guidance",)), "sampler": Control("Sampler", (KEY + "sampler",)),
    "steps": Control("Steps", (KEY + "steps",)), "eta": Control("DDIM η", (KEY + "eta",)),
    "prompt": Control("Prompt (class)", (KEY + "label",)), "seed": Control("Seed and Random seed", (KEY + "seed", KEY + "dice")),
}
CHEAP_WORK = 250  # steps x images: a run this small follows the settings at once, without a click
LIVE_PREVIEW_AFTER_S = 1.0  # a run shows x_T at once, and its later frames only once it has taken this long
GLOSSARY_TERMS = ["denoiser", "prompt", "pixel", "image space", "noise", "timestep", "x̂₀ (the model's guess)",
                  "posterior mean", "sampler", "DDPM", "DDIM", "DPM-Solver++", "ODE and SDE", "signal-to-noise ratio",
                  "ᾱ (alpha-bar)", "noise schedule", "score", "guidance", "UNet", "PCA", "near-copy", "latent space",
                  "forward process"]

use_pixel_art_images()
st.title(site_page("denoiser").title)
st.markdown(
    "A small diffusion model (a UNet network), trained on real pictures and shipped with this app, starts from pure "
    "random noise "
    "and removes a little of it at each step. The class you pick is its **prompt**: it gives the walk a "
    "destination. Press **Generate** and watch the run: on the left the noisy picture x_t, on the right the "
    "model's current guess of the finished picture, x̂₀.")
words_on_this_page(GLOSSARY_TERMS)

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
st.session_state[KEY + "model_shown"] = st.session_state[KEY + "model"]


def _names(model: str) -> tuple[str, ...]:
    return tuple(CLASS_NAMES.get(model, ()))


def _on_model_change() -> None:
    """A new model: the prompt is kept only when it names the same class there, and the guidance becomes the new
    model's own measured default (its model card); each change is said once, in one line."""
    ss = st.session_state
    new, old = ss[KEY + "model"], ss.get(KEY + "model_shown", ss[KEY + "model"])
    notes = []
    if new != old and _names(old) and _names(new):
        label, note = carried_prompt(_names(old), ss.get(KEY + "label", NO_CLASS), _names(new), NO_CLASS,
                                     default=GenerationSettings.label)
        ss[KEY + "label"] = label
        notes += [note] if note else []
    note = guidance_note(float(ss.get(KEY + "guidance", default_guidance(old))), default_guidance(new))
    ss[KEY + "guidance"] = default_guidance(new)
    notes += [note] if note else []
    ss[KEY + "switch_notes"] = notes


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
              help="0: ignore the prompt. 1: plain conditional model. Above 1: push harder towards the class. Choosing "
                   f"a model sets its own measured default ({default_guidance(st.session_state[KEY + 'model']):g} for "
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
for line in st.session_state.pop(KEY + "switch_notes", []):
    st.info(line, icon=":material/swap_horiz:")


def _scale(s: GenerationSettings) -> int:
    """How many times wider than the model's images a run is shown."""
    return 8 if s.mode == "one" else 4


def generate_live(model: LoadedModel, s: GenerationSettings, view, progress) -> RunResult:
    """Sample ``model`` with ``s``: x_T (x_t | x̂₀) in ``view`` at once, later frames only when the run is slow (the
    player plays them all afterwards, at a human pace), and the progress in ``progress``."""
    def show(frame) -> None:
        if frame.done == 1 or (frame.elapsed >= LIVE_PREVIEW_AFTER_S and frame.done < frame.total):
            t = shown_t(frame.t)
            show_png(view, pair_image(frame.x_t, frame.x0_hat, s.grid_columns, 1), scale=_scale(s),
                     caption=f"x_t  |  x̂₀   (step {frame.done - 1} of {frame.total} · t = {t})",
                     alt=alt_text.denoising_frame(t, len(frame.x_t), s.describe(model.class_names), frame.done - 1,
                                                  frame.total))
        progress.progress(frame.done / frame.total, text=f"Step {frame.done} of {frame.total} · {frame.elapsed:.2f} s · "
                          f"about {frame.elapsed / frame.done * (frame.total - frame.done):.1f} s left")

    def waiting(place: int) -> None:
        view.info(queue_message(place), icon=":material/hourglass_top:")

    result, how = shared_runs().run(s, lambda on_frame: sample_live(model, s, on_frame, heavy_gate(), waiting), show)
    st.session_state[KEY + "runs"] = st.session_state.get(KEY + "runs", 0) + 1
    st.session_state[KEY + "shared"] = how != "computed"
    return result


@st.cache_data(max_entries=32, show_spinner=False)
def film(s: GenerationSettings, names: tuple[str, ...], _run: RunResult) -> Film:
    """The player's frames of the run of ``s`` (a run is a pure function of its settings: the key)."""
    def alt(f: PlayedFrame) -> str:
        if f.finished:
            return alt_text.generated(len(_run.trajectory.final), s.describe(names), s.model)
        return alt_text.denoising_frame(f.t, len(_run.trajectory.final), s.describe(names), f.done, f.total)
    return run_film(_run.trajectory, s.grid_columns, alt)


@st.fragment
def player(run: RunResult, names: tuple[str, ...], key: str, locked: bool) -> None:
    """The run played in the browser; the player's reports (pause, a step, the end of a pass) rerun only this."""
    s = run.settings
    played = film(s, names, run)
    side = run.trajectory.final.shape[-2] if run.trajectory.final.ndim == 3 else run.trajectory.final.shape[-3]
    frame_player(key, played.frames, start=0, autoplay=True, seconds=SECONDS, locked=locked, labels=("x_t", "x̂₀"),
                 display_px=side * 8 if s.mode == "one" else 300, label="Step")
    if played.left_out:
        st.caption(f"A grid's pictures are large to send: {len(played.frames)} of its {len(played.frames) + played.left_out}"
                   " recorded moments play here, evenly spaced; every one of them is in the GIF.")


@st.cache_data(max_entries=16, show_spinner=False)
def copies(model: str, num_classes: int, images: np.ndarray, labels: np.ndarray) -> CopyCheck:
    """Each image's nearest training image, judged against real held-out images of its class."""
    return check_copies(images, labels, cached_training_images(model), cached_yardstick(model, num_classes))


@st.cache_resource(max_entries=4, show_spinner=False)
def walk_canvas(model: str, names: tuple[str, ...]):
    """The model's projected training cloud without a legend (the page writes it as text), drawn once per server."""
    proj = cached_projection(model)
    return cloud_canvas(proj.cloud, proj.cloud_labels, list(names), legend=False)


@st.cache_data(max_entries=8, show_spinner=False)
def walk_png(model: str, names: tuple[str, ...], path: np.ndarray, end: np.ndarray, labels: np.ndarray) -> bytes:
    """The walk drawn over the cloud as PNG bytes, once per run (scrubbing and repeats reuse it)."""
    grey = grey_point(cached_projection(model))
    return png_bytes(draw_walk(walk_canvas(model, names), path, end, labels, grey), compress_level=1)


def _swatch(colour: tuple[int, int, int], text: str, mark: str = "●") -> str:
    return (f'<span style="white-space:nowrap;margin-right:1.1em"><span aria-hidden="true" style="color:rgb{colour};'
            f'font-size:1.2em">{mark}</span> {text}</span>')


def walk_legend(names: tuple[str, ...], labels: np.ndarray) -> None:
    """The walk picture's legend as text, readable at any width (a legend drawn in the picture shrinks with it)."""
    classes = " ".join(_swatch(CLASS_COLOURS[k], names[k]) for k in range(min(len(names), len(CLASS_COLOURS))))
    walks = _swatch(NO_CLASS_COLOUR, "a walk with no class", "―") if np.any(labels >= len(names)) else ""
    st.html('<p style="line-height:1.9;margin:0">Training images by class: ' + classes + "<br>" + walks + " "
            + _swatch((128, 128, 128), "where a flat mid-grey picture lands", "■") + " "
            + _swatch((255, 255, 255), "the finished picture", "★") + "</p>")


def show_walk(run: RunResult, names: tuple[str, ...]) -> None:
    """The run's path through image space, projected on the training set's first two principal axes.

    A still picture by default (one PNG: a new run costs the browser next to nothing); the toggle
    swaps in an interactive Plotly chart with zoom and hover, which takes the browser ~0.6 s to draw.
    """
    proj = cached_projection(run.settings.model)
    traj = run.trajectory
    path, end = traj.projected(proj)
    _, b, d = traj.x_t_raw.shape
    st.markdown("Every picture of this size is one point in image space. The two directions along which the "
                "training pictures differ most give a flat map of it (PCA): each dot is a real training picture, "
                "and the line is this run's x_t at every recorded step.")
    if st.toggle("Interactive chart (zoom, hover over the dots)", key=KEY + "walk_interactive", **KEPT):
        st.plotly_chart(walk_figure(proj.cloud, proj.cloud_labels, list(names), path, end, traj.labels),
                        width="stretch")
    else:
        st.image(walk_png(run.settings.model, names, path, end, traj.labels), output_format="PNG",
                 alt=alt_text.walk_picture(b, d, names))  # PNG said: "auto" re-encodes it as JPEG per reader
        walk_legend(names, traj.labels)
    check = copies(run.settings.model, len(names), traj.final, traj.labels)
    ended = landing(check, cached_training_labels(run.settings.model), names)
    st.markdown(f"{start_words(path[0], grey_point(proj), proj.cloud)} {ended} (Nearest over all {d:,} numbers of "
                "the pictures, not on this map: the same search as the copy check below.)")
    st.caption(f"A 2-D shadow of a {d:,}-dimensional walk: nearby on this map does not always mean nearby in image "
               "space.")
    st.markdown(f"The network does this in {d:,} dimensions, where no one can draw its arrows. In 2-D every arrow can "
                "be drawn and checked against the exact answer:")
    link_to("direction", "Which direction to move")


def show_memorisation(run: RunResult, names: tuple[str, ...]) -> None:
    """Each generated image beside its nearest training image, judged against real images of its class."""
    check = copies(run.settings.model, len(names), run.trajectory.final, run.trajectory.labels)
    lines = verdict(check, cached_yardstick(run.settings.model, len(names)), names)
    st.markdown(lines[0])
    train = cached_training_images(run.settings.model)
    show_png(st, pair_image(run.trajectory.final, train[check.indices], run.settings.grid_columns, 1),
             scale=_scale(run.settings) // 2 + 2, caption="Left: generated. Right: the nearest of the "
             f"{len(train):,} training images (straight-line distance over all pixel values, scaled to 0-1).",
             alt=alt_text.nearest_pairs(len(run.trajectory.final), len(train)))
    for paragraph in lines[1:]:
        st.markdown(paragraph)


def show_result(run: RunResult, model: LoadedModel, current: GenerationSettings, view, view_col, info_col,
                lesson: Lesson) -> None:
    """The run played in ``view``, the finished pictures with their downloads, the walk, the copy check and what the
    run shows (``current``: the settings on screen now, which may differ from the run's)."""
    traj, s = run.trajectory, run.settings
    names = tuple(model.class_names)
    changed = current.changes_from(s)
    with view_col:
        if changed:
            st.caption(f"Settings changed since this run ({'; '.join(changed)}): press **Generate** to run them.")
    with view.container():
        player(run, names, f"{KEY}player_{st.session_state.get(KEY + 'runs', 0)}", lesson.is_locked("seed"))
    with info_col:
        st.markdown("**Result**")
        with st.container(key="den_final"):
            show_png(st, tile(traj.final, s.grid_columns), scale=_scale(s), caption=s.describe(names),
                     alt=alt_text.generated(len(traj.final), s.describe(names), s.model))
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
        st.subheader("Why the early guesses are blurry")
        average_section(model, s)
        st.subheader("Layout first, detail last")
        coarse_to_fine_section(run)
        st.subheader("The walk through image space")
        show_walk(run, names)
        st.subheader("Did it just copy a training image?")
        show_memorisation(run, names)
    except ShippedDataError as e:
        st.warning(str(e))


tab_generate, tab_compare, tab_guidance, tab_step = st.tabs(
    ["Generate", "Samplers side by side", "What guidance does", "One denoising step"])


@st.fragment
def generate_tab(model: LoadedModel, lesson: Lesson) -> None:
    """Generate, watch, download, and look at the result: a fragment, so clicking Generate redraws only this tab."""
    names = model.class_names
    run: RunResult | None = st.session_state.get(KEY + "run")
    prompt_col, seed_col, dice_col, go_col = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    prompt_col.selectbox("Prompt (class)", [NO_CLASS, *range(len(names))], key=KEY + "label",
                         format_func=lambda k: class_label(k, names, NO_CLASS),
                         disabled=st.session_state[KEY + "mode"] == "grid" or lesson.is_locked("prompt"), **KEPT)
    seed_col.number_input("Seed", 0, MAX_SEED, step=1, key=KEY + "seed",
                          help="The starting noise. The same seed and settings always give the same images.",
                          disabled=lesson.is_locked("seed"), **KEPT)
    dice_col.button("Random seed", icon=":material/casino:", width="stretch", on_click=_new_seed, key=KEY + "dice",
                    disabled=lesson.is_locked("seed"))
    clicked = go_col.button("Generate", type="primary", key=KEY + "go", width="stretch")
    s = SETTINGS.shown()  # prompt and seed live in this fragment: changing them reruns only this tab
    SETTINGS.mirror(s)
    if model.kinds is not None:  # a model trained on kinds inside its prompts: say which kind this seed draws
        if s.mode == "grid":
            st.caption(f"This model learned {len(model.kinds.kind_class)} kinds inside its {len(names)} prompts (animal: "
                       "mammal, bird, …): each picture of the grid is one kind of its prompt, drawn from the seed in "
                       "the training pictures' proportions.")
        elif s.label != NO_CLASS and (words := kind_words(model.kinds, s.label,
                                                          int(model.network_labels([s.label], s.seed)[0]))):
            st.caption(words)
    view_col, info_col = st.columns([3, 2], gap="large")
    with view_col, st.container(key="den_live"):
        view, progress = st.empty(), st.empty()
    if clicked or ((run is None or run.settings != s) and s.steps * len(s.labels(len(names))) <= CHEAP_WORK):
        try:
            run = st.session_state[KEY + "run"] = generate_live(model, s, view, progress)
        except GateRefused as e:
            view.warning(str(e))
        progress.empty()
    if run is None:
        view.info("Press **Generate** to start from pure noise.")
    else:
        show_result(run, model, s, view, view_col, info_col, lesson)
        if clicked:
            with info_col:
                scroll_into_view_on_phones("den_live", st.session_state.get(KEY + "runs", 0))


with tab_generate:
    generate_tab(loaded, lesson)
with tab_compare:
    samplers_tab(loaded, settings)
with tab_guidance:
    guidance_tab(loaded, settings)
with tab_step:
    one_step_tab(loaded, settings)

st.header("From this app to Stable Diffusion")
latent_section(loaded)
