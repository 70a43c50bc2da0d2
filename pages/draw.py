"""Draw your own: the reader's picture as the start of the walk (issue 29).

Layout only; the edit lives in ``diffusion_core.live.edit`` and ``inpaint``, the checks of the reader's picture in
``draw_input``, the film and the walk from the picture in ``edit_view``, the link in ``draw_settings``.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.palette import CLASS_COLOURS, class_colour
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.pad_value import content_digest
from diffusion_core.images.pictures import png_bytes, side_by_side, tile
from diffusion_core.likelihood.estimate import EVALS, estimate_image
from diffusion_core.live import draw_input
from diffusion_core.live.draw_settings import EDIT_GUIDANCE, EDIT_STEPS, MODES, STARTS, STRENGTH_STEP, DrawSettings, edit_guidance
from diffusion_core.live.edit import (
    MAX_COPIES,
    MAX_REPEATS,
    EditError,
    EditResult,
    EditSettings,
    edit_live,
    network_calls,
)
from diffusion_core.live.edit_view import (
    compare_many,
    copy_words,
    film,
    landing_words,
    rms_change,
    start_level,
    walk_from_picture,
)
from diffusion_core.live.gate import GateRefused
from diffusion_core.live.generation_settings import MAX_GUIDANCE, NO_CLASS, STEP_LIMITS
from diffusion_core.live.inpaint import DEFAULT_RESAMPLE
from diffusion_core.live.memorisation import CopyCheck, check_copies
from diffusion_core.live.model_switch import class_label
from diffusion_core.live.walk_plot import cloud_canvas, draw_walk
from diffusion_core.model.data import DATASET_TITLES
from diffusion_core.model.samplers import SAMPLER_NAMES, SAMPLERS, image_shape
from diffusion_core.model.shipped_data import ShippedDataError, training_set
from diffusion_core.model.weights import WeightsError
from pages.app_entry import run_through_app
from pages.common import (
    BY_CONTENT,
    cached_held_out,
    cached_model,
    cached_projection,
    cached_training_images,
    cached_yardstick,
    heavy_gate,
    held_out_sizes,
    link_to,
    pick_image,
    queue_message,
    read_only,
    shared_runs,
    shipped_models,
    show_png,
    use_pixel_art_images,
)
from pages.draw_pad import draw_pad
from pages.frame_player import Frame, frame_player
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget, keep_class_choice
from pages.terms import words_on_this_page

run_through_app()

KEY = "draw_"  # prefix of this page's session-state keys
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py)
    "model": Control("Model", (KEY + "model",)), "sampler": Control("Sampler", (KEY + "sampler",)),
    "steps": Control("Steps", (KEY + "steps",)), "guidance": Control("Guidance scale s", (KEY + "guidance",)),
    "eta": Control("DDIM η", (KEY + "eta",)), "start": Control("Start from", (KEY + "start", KEY + "index")),
    "pad": Control("Drawing pad", (KEY + "pad",)), "mode": Control("What to do", (KEY + "mode",)),
    "strength": Control("How far back into noise (strength)", (KEY + "strength",)),
    "repeats": Control("How many walks", (KEY + "repeats",)),
    "prompt": Control("Prompt (class)", (KEY + "label",)), "seed": Control("Seed", (KEY + "seed",)),
    "fills": Control("Fills", (KEY + "fills",)),
}
START_TITLES = {"blank": "A blank pad", "held": "A held-out image", "upload": "A photo or my upload"}
MODE_TITLES = {"sdedit": "Start the walk from my drawing", "fill": "Fill in what I marked"}
RUN = "Run from my drawing"
WALKS_HELP = ("Take the walk again from its own result: noise it back to t₀ with fresh noise and walk down once more "
              "(SDEdit's repeats, Meng et al. 2022). Each walk forgets more of what does not look like the model's "
              "pictures, and costs as much as the first. Measured on 500 held-out digits with heavy pixel noise and "
              "a bar across, strength 0.6, the class given, two seeds: 90% read as the right digit after one walk, "
              "95–96% after two, 98% after three (bench/bench_edit.py). From strength 1 a walk forgets its start: "
              "one walk.")

TAP_TARGETS = """<style>
[data-testid="stTooltipHoverTarget"] > button { min-width: 24px; min-height: 24px; display: inline-flex;
  align-items: center; justify-content: center; }
</style>"""  # the help buttons beside labels are 16 px: 24 px at least, to tap on a phone

use_pixel_art_images()
st.html(TAP_TARGETS)
st.title(site_page("draw").title)
st.markdown(
    "On the live denoiser every walk starts from pure random noise. Here it starts from a picture of yours: draw one "
    "on the pad, start from a real image the model never saw, or upload one. Then choose what the model does with it:")
st.markdown(
    "- **Start the walk from my drawing.** The page buries your picture in noise up to a level you choose, as the "
    "forward process does, and the model walks back down from there (SDEdit, Meng et al. 2022). A little noise keeps "
    "your picture's shape and only tidies it; a lot of noise leaves only its rough layout, and the model redraws the "
    "rest the way its training pictures look.\n"
    "- **Fill in what I marked.** You mark part of the picture; the model redraws only that part, starting from pure "
    "noise, and keeps every other pixel exactly as it was (inpainting, in the manner of RePaint, Lugmayr et al. 2022).")
words_on_this_page(["pixel", "image space", "noise", "forward process", "timestep", "ᾱ (alpha-bar)", "denoiser",
                    "x̂₀ (the model's guess)", "sampler", "DDPM", "DDIM", "DPM-Solver++", "guidance", "prompt",
                    "PCA", "near-copy", "variational bound", "bits per dimension", "confidence interval"])

models = shipped_models()
SETTINGS = PageSettings(  # the page's link, each setting in the widget KEY + its name (pages/reader_state.py)
    read_link=lambda query: DrawSettings.from_query(query, models, held_out_sizes(models)),
    write_link=DrawSettings.to_query,
    widgets={name: Widget(KEY + name) for name in ("model", "start", "index", "mode", "label", "guidance", "sampler",
                                                   "steps", "eta", "seed", "fills", "repeats")}
    | {"strength": Widget(KEY + "strength", read=lambda v: round(float(v), 2))},
)
SETTINGS.restore()
lesson = lesson_for("draw", LESSON_CONTROLS)
locked = lesson.is_locked


def _on_model_change() -> None:
    st.session_state[KEY + "guidance"] = edit_guidance(st.session_state[KEY + "model"])


def _on_sampler_change() -> None:
    st.session_state[KEY + "steps"] = EDIT_STEPS[st.session_state[KEY + "sampler"]]


with st.sidebar:
    st.subheader("Model and sampler")
    model = st.selectbox("Model", models, key=KEY + "model", format_func=lambda m: DATASET_TITLES.get(m, m),
                         on_change=_on_model_change, disabled=locked("model"), **KEPT)
    st.selectbox("Sampler", SAMPLERS, key=KEY + "sampler", format_func=SAMPLER_NAMES.get,
                 on_change=_on_sampler_change, disabled=locked("sampler"), **KEPT)
    lo, hi = STEP_LIMITS[st.session_state[KEY + "sampler"]]
    st.session_state[KEY + "steps"] = int(np.clip(st.session_state[KEY + "steps"], lo, hi))
    st.slider("Steps", lo, hi, key=KEY + "steps", disabled=locked("steps"), **KEPT,
              help="The steps of a walk from pure noise; a walk from your picture takes only the part of them below "
                   "the level it starts from.")
    st.slider("Guidance scale s", 0.0, MAX_GUIDANCE, step=0.25, key=KEY + "guidance", disabled=locked("guidance"),
              help="How hard each step is pushed towards the prompt's class (0: ignore it). With no prompt it has "
                   "no effect. " + (f"This page's default for digits, {edit_guidance(model):g}, repaired damaged digits "
                                    "more surely than 3 did in our measurements (8 more surely still, but it makes "
                                    "pictures less varied)." if model in EDIT_GUIDANCE else
                                    f"This page's default, {edit_guidance(model):g}, is the model's own for sampling; "
                                    "edits with it were not measured."), **KEPT)
    st.slider("DDIM η (0 = no fresh noise)", 0.0, 1.0, step=0.1, key=KEY + "eta",
              disabled=st.session_state[KEY + "sampler"] != "ddim" or locked("eta"), **KEPT,
              help="1 adds fresh noise at every step, as DDPM does: the walk can still correct what it got wrong.")
    st.caption("These are this page's own settings; the Live denoiser keeps its own.")

try:
    loaded = cached_model(model)
except WeightsError as e:
    st.error(f"The {model!r} model cannot be used: {e}")
    st.caption("The other pages of the app work without it; pick another model in the sidebar.")
    st.stop()
class_names = loaded.class_names
_, side, _ = image_shape(loaded.runner)
colour = image_shape(loaded.runner)[0] == 3
keep_class_choice(KEY + "label", model, [NO_CLASS, *range(len(class_names))], default=NO_CLASS)


# ================================================================= 1. the picture
def _held_out() -> tuple[np.ndarray, str] | None:
    try:
        images, labels = cached_held_out(model)
    except ShippedDataError as e:
        st.error(f"{e} Start from a blank pad or your upload instead.")
        return None
    st.session_state[KEY + "index"] = min(st.session_state.get(KEY + "index", 0), len(images) - 1)
    index = st.number_input("Held-out image number", 0, len(images) - 1, key=KEY + "index", disabled=locked("start"),
                            **KEPT)
    st.caption(f"One of the {len(images):,} held-out images the model never saw in training; this one is a "
               f"“{class_names[int(labels[index])]}”.")
    return images[index], f"held-out image #{index}"


def _upload() -> tuple[np.ndarray, str]:
    st.session_state.setdefault(KEY + "image_source", "Upload your own")
    loaded_image = pick_image(KEY + "image", label="Picture", locked=locked("start"))
    first = draw_input.from_upload(loaded_image.pixels, image_shape(loaded.runner))
    if colour:
        return first.picture, "your picture"
    swap = st.checkbox("Swap black and white", value=first.light, disabled=locked("start"),
                       key=f"{KEY}invert_{content_digest(loaded_image.pixels)}",
                       help="This model's pictures are light on black; a drawing in dark ink on paper is the other "
                            "way round. Ticked at first when your picture is mostly light.")
    return draw_input.from_upload(loaded_image.pixels, image_shape(loaded.runner), swap).picture, "your picture"


pad_col, do_col = st.columns(2, gap="large")
with pad_col:
    st.header("1. Your picture", anchor=False)
    start = st.radio("Start from", STARTS, format_func=START_TITLES.get, key=KEY + "start", horizontal=True,
                     disabled=locked("start"), **KEPT)
    chosen = _held_out() if start == "held" else _upload() if start == "upload" else None
    initial, source = chosen if chosen is not None else (draw_input.background(side, colour), "your drawing")
    mode = st.session_state.get(KEY + "mode", MODES[0])
    value = draw_pad(KEY + "pad", size=side, colour=colour, initial=initial, mode="mask" if mode == "fill" else "draw",
                     label=("Mark what to fill in" if mode == "fill" else "Your drawing")
                     + f" ({side} × {side} pixels{', colour' if colour else ''})",
                     submit_label="Send the drawing", locked=locked("pad"))
    picture = value.image if value is not None else initial
    fill = value.fill if value is not None else np.zeros((side, side), bool)
    st.caption("Draw with the mouse, a finger or a pen, then press “Send the drawing”: the page gets your picture "
               "only then. " + ("In “Fill in what I marked” the pad marks instead of drawing: paint over the part the "
                                "model should redraw." if mode == "fill" else
                                "Light on black, as the model's own pictures are." if not colour else ""))
    st.caption("The page's link keeps its settings (model, where you started, what to do, strength, walks, prompt, "
               "sampler, steps, guidance, η, seed, fills) but not your drawing or your marks: a picture is too large for a link. "
               "To share a drawing, download it and upload it again.")
    if value is not None:
        st.download_button("Download your drawing (PNG)", data=png_bytes(value.image), mime="image/png",
                           file_name=f"my-drawing-{model}.png", key=KEY + "download", icon=":material/download:")

with do_col:
    st.header("2. What to do", anchor=False)
    mode = st.radio("What to do", MODES, format_func=MODE_TITLES.get, key=KEY + "mode", disabled=locked("mode"),
                    **KEPT)
    if mode == "sdedit":
        strength = st.slider("How far back into noise (strength)", 0.0, 1.0, step=STRENGTH_STEP, key=KEY + "strength",
                             disabled=locked("strength"), **KEPT)
        level = start_level(round(strength, 2), loaded.schedule, st.session_state[KEY + "sampler"],
                            st.session_state[KEY + "steps"])
        if level.t0 == 0:
            st.caption("Strength 0 adds no noise: the result is your picture itself.")
        elif level.t0 == level.T:
            st.caption(f"Strength 1 starts at t₀ = T = {level.T:,}, pure noise: nothing of your picture is left, and "
                       "the walk is ordinary generation from the seed's noise.")
        else:
            st.caption(f"t₀ = strength × T = {strength:g} × {level.T:,} = {level.t0}: your picture is noised to "
                       f"timestep {level.t0}, where √ᾱ = {level.keep:.2f} of it is left under noise of standard "
                       f"deviation {level.noise:.2f} (pixel values scaled to −1 … 1). The sampler then takes "
                       f"{level.steps} of its {level.full} steps back down to t = 0.")
        repeats = st.slider("How many walks", 1, MAX_REPEATS, key=KEY + "repeats", disabled=locked("repeats"), **KEPT,
                            help=WALKS_HELP)
        if 1 < repeats and 0 < level.t0 < level.T:
            st.caption(f"Then the same again from the result, {repeats} walks in all, each with fresh noise: "
                       f"{repeats * level.steps} steps.")
    else:
        fills = st.slider("Fills", 1, MAX_COPIES, key=KEY + "fills", disabled=locked("fills"), **KEPT,
                          help="How many fills to draw at once, each from its own noise.")
        calls = network_calls(st.session_state[KEY + "sampler"], loaded.schedule, st.session_state[KEY + "steps"],
                              1.0, DEFAULT_RESAMPLE)
        st.caption(f"The marked part starts from pure noise (t₀ = T = {loaded.schedule.T:,}). At every step the "
                   "unmarked pixels are put back, noised to that step's level, and at the end they are copied back "
                   f"exactly. Each step is taken {DEFAULT_RESAMPLE} times (RePaint's resampling: after a step, noise "
                   "the picture back up and take it again, so the fill and the kept part can agree): "
                   f"{calls:,} network calls for a walk of {st.session_state[KEY + 'steps']} steps.")
    st.selectbox("Prompt (class)", [NO_CLASS, *range(len(class_names))], key=KEY + "label", disabled=locked("prompt"),
                 format_func=lambda k: class_label(k, class_names, NO_CLASS), **KEPT,
                 help="The class the walk is pushed towards, or none: then only your picture guides it.")
    st.number_input("Seed", 0, MAX_SEED, step=1, key=KEY + "seed", disabled=locked("seed"), **KEPT,
                    help="The noise of the walk. The same picture, seed and settings always give the same result.")
    clicked = st.button(RUN, type="primary", key=KEY + "go", icon=":material/play_arrow:", width="stretch")

settings = SETTINGS.shown()
lesson_panel("draw", LESSON_CONTROLS, SETTINGS.mirror(settings), lesson)


# ================================================================= 3. the run
def _edit_of(s: DrawSettings) -> EditSettings:
    return EditSettings(strength=s.strength if s.mode == "sdedit" else None, resample=DEFAULT_RESAMPLE,
                        copies=s.fills if s.mode == "fill" else 1, repeats=s.repeats if s.mode == "sdedit" else 1)


def _prompt(s: DrawSettings) -> str:
    return "Prompt: " + ("none" if s.label == NO_CLASS else class_names[s.label])


def run_edit(s: DrawSettings, view, progress) -> EditResult:
    """Edit ``picture`` as ``s`` says, its frames drawn into ``view`` as they come; computed once for every reader
    asking for the same picture, marks and settings (shared runs)."""
    known = ~fill if s.mode == "fill" else None
    edit, gen = _edit_of(s), s.generation()

    def show(frame) -> None:
        show_png(view, side_by_side(tile(frame.x_t), tile(frame.x0_hat), gap=2), scale=4 if edit.copies > 2 else 6,
                 caption=f"x_t  |  x̂₀   (t = {frame.t + 1}, step {frame.done} of {frame.total})",
                 alt=alt_text.edit_frame(frame.t + 1, edit.copies, _prompt(s), "walk", frame.done, frame.total))
        progress.progress(frame.done / frame.total, text=f"Step {frame.done} of {frame.total} · {frame.elapsed:.2f} s")

    def waiting(place: int) -> None:
        view.info(queue_message(place), icon=":material/hourglass_top:")

    key = ("draw", s.model, content_digest(picture, known), gen, edit)
    result, how = shared_runs().run(key, lambda on_frame: edit_live(loaded, picture, gen, edit, on_frame, known,
                                                                    heavy_gate(), waiting), show)
    st.session_state[KEY + "shared"] = how != "computed"
    return result


def show_outcome(result: EditResult, fresh: bool) -> None:
    """The film from the picture to the result, the two side by side, how far it moved and what the run cost."""
    ran_picture, ran_settings = st.session_state[KEY + "ran_with"]
    if ran_picture != content_digest(picture, fill) or ran_settings != settings:
        progress.caption(f"Your picture or the settings changed since this run: press **{RUN}** to run them.")
    prompt = _prompt(ran_settings)
    frames = film(result, prompt)
    with live.container():
        frame_player(KEY + "player", [Frame((f.x_t, f.x0_hat), f.caption, f.alt) for f in frames],
                     start=0 if fresh else len(frames) - 1, autoplay=fresh, seconds=min(6.0, 1.5 + 0.12 * len(frames)),
                     labels=("x_t", "x̂₀"), display_px=224 if len(result.result) == 1 else 320, label="Step of the walk")
    n = len(result.result)
    fill_run = result.known is not None
    with out_col:
        st.markdown("**Your picture → " + ("the fills**" if n > 1 else "the fill**" if fill_run else "the result**"))
        show_png(st, side_by_side(result.picture, tile(result.result), gap=4, gap_value=128), scale=5 if n == 1 else 3,
                 caption="Left: your picture. Right: " + ("the fills, each from its own noise." if n > 1 else
                                                           "what the model made of it."),
                 alt=alt_text.edit_outcome(n, fill_run, prompt, result.distance))
        moved = result.distance
        st.metric("How far it moved", f"{moved[0]:,.0f} grey levels" if n == 1 else
                  f"{moved.min():,.0f}–{moved.max():,.0f}",
                  help="The distance between your picture and the result: the square root of the sum, over all "
                       f"{result.picture.size:,} pixel values, of the squared difference in grey levels (0 to 255).")
        st.caption(("" if n == 1 else f"In grey levels, from the closest of the {n} fills to the farthest. ")
                   + f"That is a change of {rms_change(moved.min(), result.picture.size):.0f}"
                   + ("" if n == 1 else f" to {rms_change(moved.max(), result.picture.size):.0f}")
                   + f" grey levels per pixel value, as a root mean square over all {result.picture.size:,} of them.")
        steps_taken = result.trajectory.num_steps if result.t0 > 0 else 0
        walks = result.walks
        st.caption(f"{SAMPLER_NAMES[ran_settings.sampler]}, {steps_taken} steps from t₀ = {result.t0} "
                   + (f"in {walks} walks " if walks > 1 else "")
                   + f"({result.calls:,} network calls), "
                   + (f"guidance {ran_settings.guidance:g}" if ran_settings.label != NO_CLASS else
                      "no class, so no guidance")
                   + f", seed {ran_settings.seed}. Ran "
                   f"on **{loaded.runs_on}** in {result.seconds:.2f} s"
                   + (f" (first frame after {result.first_frame_seconds * 1000:.0f} ms)." if result.first_frame_seconds
                      else ".")
                   + (" Computed once for every reader asking for this picture and these settings, replayed for you."
                      if st.session_state.get(KEY + "shared") else ""))


# ================================================================= 4. bits per dimension
@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=BY_CONTENT)
def _estimate(name: str, pixels: np.ndarray):
    """The corner page's estimate of L(x) for one picture, once per (model, picture); through the heavy-work queue."""
    with heavy_gate().slot():
        return estimate_image(cached_model(name), pixels, EVALS)


def show_bounds(result: EditResult) -> None:
    """The model's bound L(x) of the picture and of each result, with their 95% intervals."""
    n = len(result.result)
    st.header("4. How plausible the model finds each", anchor=False)
    try:
        with st.spinner("Estimating the bounds (about a second a picture)…"):
            before = _estimate(model, result.picture)
            after = [_estimate(model, r) for r in result.result]
    except GateRefused as e:
        st.warning(str(e))
    else:
        rows = [("Your picture", before)] + [("The result" if n == 1 else f"Fill {i + 1}", a) for i, a in enumerate(after)]
        st.markdown("| | the model's bound L(x), bits/dim |\n|---|---|\n" + "\n".join(
            f"| {name} | {float(e.bits_per_dim[0]):.2f} ± {float(e.half_width[0]):.2f} |" for name, e in rows))
        st.markdown(compare_many(float(before.bits_per_dim[0]), float(before.half_width[0]),
                                 [(float(a.bits_per_dim[0]), float(a.half_width[0])) for a in after]))
        st.caption(
            f"Each figure is an estimate, from {EVALS} network calls at random timesteps, of the model's variational bound "
            "L(x) in bits per dimension, with its 95% interval (the method of the corner page, for the model with no "
            "class). Lower means the model can describe the picture in fewer bits. The bound is an upper bound on the "
            "picture's true code length −log₂ p(x): a low bound proves the model finds the picture at least that "
            "plausible, while a high bound proves nothing by itself, since the true code length may be lower. Nor "
            "does a low bound say a picture looks like the training pictures: a drawing of clean strokes on a flat "
            "background, with few shades, is easy to predict and can score lower than the model's own results.")
        link_to("corner", "What the bound proves, on the corner page")


# ================================================================= 5. where it landed
@st.cache_resource(max_entries=4, show_spinner=False)
def _canvas(name: str, names: tuple[str, ...]):
    """The training cloud without a legend: the page writes it as text (a legend drawn in the picture shrank to
    unreadable at 390 px)."""
    proj = cached_projection(name)
    return cloud_canvas(proj.cloud, proj.cloud_labels, list(names), legend=False)


def _swatch(colour: tuple[int, int, int], text: str, mark: str = "●") -> str:
    return (f'<span style="white-space:nowrap;margin-right:1.1em"><span aria-hidden="true" style="color:rgb{colour};'
            f'font-size:1.2em">{mark}</span> {html.escape(text)}</span>')


def _walk_legend(names: tuple[str, ...], label: int, ends: int) -> None:
    """The walk picture's legend as text, readable at any width, as the Live denoiser writes it."""
    classes = " ".join(_swatch(CLASS_COLOURS[k], names[k]) for k in range(min(len(names), len(CLASS_COLOURS))))
    colour = class_colour(label)
    walk = "the walk (no class asked for)" if label >= len(names) else "the walk (its class's colour)"
    st.html('<p style="line-height:1.9;margin:0">Training images by class: ' + classes + "<br>"
            + _swatch(colour, walk, "―") + " " + _swatch(colour, "start: your picture", "○") + " "
            + _swatch((255, 255, 255), "the result" if ends == 1 else "the fills", "★") + "</p>")


@st.cache_data(max_entries=8, show_spinner=False)
def _walk_png(name: str, names: tuple[str, ...], path: np.ndarray, end: np.ndarray, labels: np.ndarray) -> bytes:
    return png_bytes(draw_walk(_canvas(name, names), path, end, labels), compress_level=1)


@st.cache_resource(max_entries=3, show_spinner=False)
def _training_labels(name: str) -> np.ndarray:
    """The training images' labels (N,), read once per server (read-only), for where each walk landed."""
    return read_only(training_set(name)[1])


@st.cache_data(max_entries=16, show_spinner=False)
def _copies(name: str, num_classes: int, images: np.ndarray, labels: np.ndarray) -> CopyCheck:
    return check_copies(images, labels, cached_training_images(name), cached_yardstick(name, num_classes))


def show_landing(result: EditResult) -> None:
    """The walk from the picture on the PCA map, and each result beside its nearest training image."""
    n = len(result.result)
    st.header("5. Where did it land?", anchor=False)
    try:
        path, end = walk_from_picture(result, cached_projection(model))
        labels = result.trajectory.labels
        st.image(_walk_png(model, tuple(class_names), path, end, labels), output_format="PNG",
                 alt=alt_text.walk_from_picture(n, result.picture.size, class_names))
        _walk_legend(tuple(class_names), int(labels[0]), n)
        shadow = f"A 2-D shadow of a {result.picture.size:,}-D walk: nearby here does not mean nearby in pixel space."
        if result.known is None:
            walks = result.walks
            st.caption("Each dot is a real training image; the line is this walk, projected onto the two directions "
                       "along which the training images vary most (PCA). It starts at your picture (the ring), jumps "
                       "to the noised picture at t₀ in one go, and the sampler's steps carry it to the result (★)"
                       + (f"; it does so {walks} times, each walk jumping up again from the last one's picture. "
                          if walks > 1 else ". ") + shadow)
        else:
            st.caption("Each dot is a real training image; the lines are the walks of the fills, projected onto the two "
                       "directions along which the training images vary most (PCA). Each starts at your picture (the "
                       "ring) and jumps to pure noise at t₀ = T; at every step the pixels you did not mark are put back, "
                       "noised to that step's level. "
                       f"The zigzags are the resampling: each step is taken {DEFAULT_RESAMPLE} times, the picture noised "
                       "back up in between. Each walk ends at its fill (★). " + shadow)
        check = _copies(model, len(class_names), result.result, labels)
        train = cached_training_images(model)
        show_png(st, side_by_side(tile(result.result), tile(train[check.indices]), gap=6, gap_value=128), scale=4,
                 caption=f"Left: {'the result' if n == 1 else 'the fills'}. Right: the nearest of the {len(train):,} "
                         "training images to each (Euclidean distance in pixel space, pixels scaled to 0-1).",
                 alt=alt_text.nearest_pairs(n, len(train)))
        for paragraph in copy_words(check, cached_yardstick(model, len(class_names)), class_names):
            st.markdown(paragraph)
        st.markdown(landing_words(check, _training_labels(model), class_names))
    except ShippedDataError as e:
        st.warning(str(e))


st.header("3. From your picture to the result", anchor=False)
why = draw_input.problem(picture, fill, settings.mode)
message = st.empty()
for note in draw_input.notes(picture, fill, settings.mode) if why is None else []:
    st.info(note)
view_col, out_col = st.columns([3, 2], gap="large")
with view_col, st.container(key="draw_live"):  # key: bench/bench_edit.py times the first frame here
    live, progress = st.empty(), st.empty()
fresh = False
if clicked and why is not None:
    message.warning(why, icon=":material/edit:")
elif clicked:
    try:
        st.session_state[KEY + "result"] = run_edit(settings, live, progress)
        st.session_state[KEY + "ran_with"] = (content_digest(picture, fill), settings)
        fresh = True
    except GateRefused as e:
        message.warning(str(e))
    except EditError as e:  # pragma: no cover - the page checks the picture first
        message.error(str(e))
    progress.empty()
result: EditResult | None = st.session_state.get(KEY + "result")
if result is not None and result.settings.model == model:
    show_outcome(result, fresh)
    show_bounds(result)
    show_landing(result)
elif not clicked:
    live.info(f"Draw or pick a picture, press “Send the drawing”, then **{RUN}**.", icon=":material/draw:")


with st.expander("The maths", icon=":material/functions:"):
    st.markdown("Timesteps as on the forward page: t = 0 is your picture, t = T pure noise; pixel values are scaled "
                "to −1 … 1, and x_draw is your picture.")
    st.markdown("**Start the walk from my drawing** (SDEdit, Meng et al. 2022). The walk starts at the timestep")
    st.latex(r"t_0 = \operatorname{round}(\text{strength} \cdot T),")
    st.markdown("where the forward process takes your picture in one jump (Ho et al. 2020, eq. 4):")
    st.latex(r"x_{t_0} = \sqrt{\bar\alpha_{t_0}}\,x_{\text{draw}} + \sigma_{t_0}\,\varepsilon, \qquad "
             r"\sigma_{t_0} = \sqrt{1-\bar\alpha_{t_0}}, \quad \varepsilon \sim \mathcal{N}(0, I).")
    st.markdown("From there the sampler walks down to t = 0 exactly as from pure noise, with its own spacing of "
                "steps over t₀ … 0: K = ⌈N · t₀ / T⌉ steps for a full run's N, so a walk from strength 0.5 costs "
                "about half a full run. ε is the very noise the same seed's walk from pure noise starts from, so at "
                "strength 1 the walk is that walk. With more than one walk, the result becomes the next walk's "
                "x_draw, noised to t₀ with fresh noise (Meng et al.'s repeats): R walks cost R times one.")
    st.markdown("**Fill in what I marked** (inpainting, after RePaint, Lugmayr et al. 2022, eqs. 8–10). Let m be 1 on "
                "the pixels you kept and 0 on those you marked. Before every step at timestep t, the kept pixels are "
                "replaced by your picture noised to that level, with fresh noise ε′ each time:")
    st.latex(r"x_t \leftarrow m \odot \big(\sqrt{\bar\alpha_t}\,x_{\text{draw}} + \sigma_t\,\varepsilon'\big) "
             r"+ (1 - m) \odot x_t,")
    st.markdown("and after the last step they are copied from your picture, exactly. Resampling: after a step from "
                f"t down to t′, the sample is noised back up to t and the step is taken again, {DEFAULT_RESAMPLE} "
                "times in all (the last round's result goes on):")
    st.latex(r"x_t = \sqrt{\bar\alpha_t / \bar\alpha_{t'}}\;x_{t'} + \sqrt{1 - \bar\alpha_t / \bar\alpha_{t'}}"
             r"\;\varepsilon''.")
