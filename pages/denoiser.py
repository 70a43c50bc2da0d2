"""Live denoiser: run a shipped diffusion model and watch noise become a digit or a garment.

Layout only; the sampling, recording, projections and checks live in diffusion_core.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace

import numpy as np
import streamlit as st
import torch

from diffusion_core.data import to_uint8
from diffusion_core.gate import GateTimeout
from diffusion_core.generation_settings import MAX_GUIDANCE, MAX_SEED, NO_CLASS, GenerationSettings
from diffusion_core.metrics import CopyYardstick, nearest_neighbour_distances
from diffusion_core.one_step import OneStep, denoise_once
from diffusion_core.samplers import DEFAULT_STEPS, SAMPLER_NAMES, SAMPLERS, initial_noise, logsnr_timesteps, run_sampler
from diffusion_core.shipped_data import ShippedDataError
from diffusion_core.trajectory import (
    Trajectory,
    TrajectoryRecorder,
    frame_image,
    pair_image,
    png_bytes,
    record,
    tile,
    trajectory_gif,
    upscale,
)
from diffusion_core.walk_plot import WalkCanvas, cloud_canvas, draw_walk, walk_figure
from diffusion_core.weights import WeightsError, available_models
from pages.app_entry import run_through_app
from pages.common import (
    cached_held_out,
    cached_model,
    cached_projection,
    cached_training_images,
    read_only,
    sampling_gate,
    show_png,
    use_pixel_art_images,
)
from pages.reader_state import KEPT, mirror_in_url, restore

run_through_app()

KEY = "den_"  # prefix of this page's session-state keys
GRID_COLUMNS = 5
# The live view shows at most 12.5 frames a second for one image (the pace of the downloadable GIF) and 6 for a
# grid: each frame costs the browser a re-render, and where browser and server share a small machine that slows
# the sampling itself. A 10-class grid samples in 0.76 s alone; in the page it took 1.37-1.65 s at 12.5 frames a
# second and 1.22 s at 6. Every step is still recorded for scrubbing.
MIN_FRAME_GAP_S = {"one": 0.08, "grid": 0.16}

use_pixel_art_images()
st.title("Live denoiser")
st.markdown(
    "A small diffusion model, trained on real images and shipped with this app, starts from pure "
    "random noise and removes a little of it at each step. The class you pick is its **prompt**: "
    "it gives the walk a destination. Left: the noisy sample $x_t$. Right: the model's current "
    r"guess of the clean image, $\hat x_0$."
)

models = available_models()
if not models:
    st.error("No trained models are shipped in assets/ (assets/manifest.json is missing). "
             "Restore assets/ from the repository or retrain (see README).")
    st.stop()


# ---- settings: kept in the session, else from the link, else defaults; always mirrored in the URL ----
def _read_link(query) -> tuple[dict, list[str]]:
    initial, problems = GenerationSettings.from_query(query, models)
    return {KEY + f.name: getattr(initial, f.name) for f in fields(GenerationSettings)}, problems


restore(_read_link)

try:
    loaded = cached_model(st.session_state[KEY + "model"])
except WeightsError as e:
    st.error(f"The {st.session_state[KEY + 'model']!r} model cannot be used: {e}")
    st.caption("The other pages of the app work without it.")
    st.stop()
class_names = loaded.class_names


def _on_sampler_change() -> None:
    st.session_state[KEY + "steps"] = DEFAULT_STEPS[st.session_state[KEY + "sampler"]]


def _settings_in_state() -> GenerationSettings:
    s = GenerationSettings(**{f.name: st.session_state[KEY + f.name] for f in fields(GenerationSettings)})
    return replace(s, guidance=float(s.guidance), eta=float(s.eta), seed=int(s.seed))


def _new_seed() -> None:
    """A callback: it runs before the widgets of the next run exist, so it may set the seed widget's value."""
    st.session_state[KEY + "seed"] = int(np.random.default_rng().integers(0, MAX_SEED))


with st.sidebar:
    st.subheader("Denoiser settings")
    st.selectbox("Model", models, key=KEY + "model", format_func=lambda m: {"digits": "Handwritten digits (MNIST)",
                 "fashion": "Clothes (Fashion-MNIST)"}.get(m, m), **KEPT)
    st.radio("Draw", ["one", "grid"], key=KEY + "mode", horizontal=True,
             format_func=lambda m: "One image" if m == "one" else "One per class", **KEPT)
    st.slider("Guidance scale s", 0.0, MAX_GUIDANCE, step=0.25, key=KEY + "guidance",
              help="0: ignore the prompt. 1: plain conditional model. >1: push harder towards the class.", **KEPT)
    st.selectbox("Sampler", SAMPLERS, key=KEY + "sampler", format_func=SAMPLER_NAMES.get,
                 on_change=_on_sampler_change, **KEPT)
    lo, hi = _settings_in_state().step_limits
    st.session_state[KEY + "steps"] = int(np.clip(st.session_state[KEY + "steps"], lo, hi))
    st.slider("Steps", lo, hi, key=KEY + "steps", **KEPT)
    st.slider("DDIM η (0 = deterministic)", 0.0, 1.0, step=0.1, key=KEY + "eta",
              disabled=st.session_state[KEY + "sampler"] != "ddim", **KEPT)
    st.caption("The prompt and the seed are in the Generate tab.")


def current_settings() -> GenerationSettings:
    """The settings as the widgets hold them now (also inside a Generate-tab rerun), mirrored in the URL."""
    s = _settings_in_state()
    mirror_in_url(s.to_query())
    return s


settings = current_settings()


@dataclass(frozen=True)
class FinishedRun:
    """A completed live run kept in session state for scrubbing and downloads."""

    number: int
    settings: GenerationSettings
    trajectory: Trajectory
    seconds: float
    first_frame_seconds: float


def _labels_tensor(s: GenerationSettings) -> torch.Tensor:
    return torch.tensor(s.labels(len(class_names)), dtype=torch.long)


def _columns(s: GenerationSettings) -> int | None:
    return GRID_COLUMNS if s.mode == "grid" else None


def _scale(s: GenerationSettings) -> int:
    return 8 if s.mode == "one" else 4


def _caption(s: GenerationSettings) -> str:
    if s.mode == "grid":
        if all(name == str(k) for k, name in enumerate(class_names)):
            return f"One per class, 0 to {len(class_names) - 1}"
        return "One per class: " + ", ".join(f"{k} {n}" for k, n in enumerate(class_names))
    return "Prompt: " + ("none" if s.label == NO_CLASS else class_names[s.label])


def generate_live(s: GenerationSettings, view, progress) -> FinishedRun:
    """Sample with ``s``, drawing every recorded frame (x_t | x0_hat) into ``view`` as it comes."""
    labels = _labels_tensor(s)
    steps = run_sampler(s.sampler, loaded.runner, loaded.schedule, labels, num_steps=s.steps,
                        guidance=s.guidance, generator=torch.Generator().manual_seed(s.seed), eta=s.eta)
    recorder = TrajectoryRecorder(s.steps, labels.numpy())

    def waiting(place: int) -> None:
        view.info(f"The server is busy with other readers' runs; you are number {place} in the queue…",
                  icon=":material/hourglass_top:")

    with sampling_gate().slot(on_wait=waiting):
        start = time.perf_counter()
        first_frame, shown_at = None, -1.0
        for step in steps:
            frame = recorder.add(step)
            done, elapsed = step.index + 1, time.perf_counter() - start
            # Every recorded step is kept for scrubbing; the screen gets at most 1 / MIN_FRAME_GAP_S frames a second.
            if frame is None or (elapsed - shown_at < MIN_FRAME_GAP_S[s.mode] and 1 < done < step.num_steps):
                continue
            show_png(view, pair_image(*frame, _columns(s), 1), caption=f"x_t  |  x̂0   (t = {step.t})", scale=_scale(s))
            shown_at = time.perf_counter() - start
            first_frame = first_frame or shown_at
            progress.progress(done / step.num_steps, text=f"Step {done} of {step.num_steps} · {elapsed:.2f} s · "
                              f"about {elapsed / done * (step.num_steps - done):.1f} s left")
        seconds = time.perf_counter() - start
    number = st.session_state.get(KEY + "runs", 0) + 1
    st.session_state[KEY + "runs"] = number
    return FinishedRun(number, s, recorder.finish(), seconds, first_frame)


@st.cache_data(max_entries=16, show_spinner=False)
def nearest_training(model: str, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distances (B,) and indices (B,) of each image's nearest training image."""
    return nearest_neighbour_distances(images, cached_training_images(model))


@st.cache_resource(max_entries=4, show_spinner=False)
def copy_yardstick(model: str, num_classes: int) -> CopyYardstick:
    """How far real held-out images lie from their nearest training image, per class (once per server)."""
    images, labels = cached_held_out(model)
    yardstick = CopyYardstick.from_held_out(nearest_neighbour_distances(images, cached_training_images(model))[0],
                                            labels, num_classes)
    read_only(yardstick.typical)
    read_only(yardstick.unusually_close)
    return yardstick


@st.cache_data(max_entries=64, show_spinner=False)
def one_denoising_step(model: str, index: int, t: int, label: int, seed: int) -> OneStep:
    """The model's one step on held-out image ``index`` noised to ``t`` (kept: other settings' reruns reuse it)."""
    shipped = cached_model(model)
    return denoise_once(shipped.runner, shipped.schedule, cached_held_out(model)[0][index], label, t, seed=seed)


@st.cache_resource(max_entries=4, show_spinner=False)
def walk_canvas(model: str, names: tuple[str, ...]) -> WalkCanvas:
    """The model's projected training cloud, drawn once per server (read-only, shared)."""
    proj = cached_projection(model)
    return cloud_canvas(proj.cloud, proj.cloud_labels, list(names))


@st.cache_data(max_entries=8, show_spinner=False)
def walk_png(model: str, names: tuple[str, ...], path: np.ndarray, end: np.ndarray, labels: np.ndarray) -> bytes:
    """The walk drawn over the cloud as PNG bytes, once per run (scrubbing and repeats reuse it)."""
    return png_bytes(draw_walk(walk_canvas(model, names), path, end, labels), compress_level=1)


def show_walk(run: FinishedRun) -> None:
    """The run's path through image space, projected on the training set's first two principal axes.

    A still picture by default (one PNG: a new run costs the browser next to nothing); the toggle
    swaps in an interactive Plotly chart with zoom and hover, which takes the browser ~0.6 s to draw.
    """
    try:
        proj = cached_projection(run.settings.model)
    except ShippedDataError as e:
        st.warning(str(e))
        return
    traj = run.trajectory
    k, b, _ = traj.x_t_raw.shape
    path = proj.project(traj.x_t_raw.reshape(k * b, -1)).reshape(k, b, 2)
    end = proj.project(traj.final.astype(np.float64) / 127.5 - 1.0)
    if st.toggle("Interactive chart (zoom, hover over the dots)", key=KEY + "walk_interactive", **KEPT):
        st.plotly_chart(walk_figure(proj.cloud, proj.cloud_labels, class_names, path, end, traj.labels),
                        width="stretch")
    else:
        st.image(walk_png(run.settings.model, tuple(class_names), path, end, traj.labels))
    st.caption("Each dot is a real training image; the lines are this run's x_t at every recorded step, "
               "projected onto the two directions along which the training images vary most (PCA). "
               "The walk starts at pure noise, which in these two directions sits near the middle, "
               "and ends (★) on the cloud of real images, among those of its class. A 2-D shadow of a "
               "784-D walk: nearby here does not mean nearby in pixel space.")


def show_memorisation(run: FinishedRun) -> None:
    """Each generated image beside its nearest training image, judged against real images of its class."""
    try:
        distances, indices = nearest_training(run.settings.model, run.trajectory.final)
        yardstick = copy_yardstick(run.settings.model, len(class_names))
        train = cached_training_images(run.settings.model)
    except ShippedDataError as e:
        st.warning(str(e))
        return
    labels = run.trajectory.labels
    columns = _columns(run.settings)
    show_png(st, pair_image(run.trajectory.final, train[indices], columns, 1), scale=_scale(run.settings) // 2 + 2,
             caption="Left: generated. Right: the nearest of the "
                     f"{len(train):,} training images (Euclidean distance in pixel space, pixels scaled to 0-1).")
    close = yardstick.suspicious(distances, labels)
    group = lambda c: "real images" if c >= len(class_names) else f"real {class_names[c]!r} images"  # noqa: E731
    if len(distances) == 1:
        c = int(min(labels[0], len(class_names)))
        verdict = ("closer than 95% of them are: compare the pair above, it may be a near-copy" if close[0] else
                   "as far from the training set as a new real image: the model learned the *kind* of image, "
                   "not the images themselves")
        st.markdown(f"Distance to the nearest training image: **{distances[0]:.2f}**. {group(c).capitalize()} "
                    f"that the model never saw are typically **{yardstick.typical[c]:.2f}** from their nearest "
                    f"training image (5% are closer than {yardstick.unusually_close[c]:.2f}), so this one is {verdict}.")
        return
    st.markdown("Distance to the nearest training image, and (in brackets) how far held-out real images of the "
                "same class typically are: " + ", ".join(
                    f"{class_names[c]}: **{d:.2f}** ({yardstick.typical[c]:.2f})" for c, d in zip(labels, distances)) + ".")
    if close.any():
        st.markdown("Closer than 95% of new real images of their class would be: **" +
                    ", ".join(class_names[c] for c in labels[close]) + "**. Compare those pairs above: near-copies?")
    else:
        st.markdown("None is closer to the training set than 95% of new real images of its class would be: the model "
                    "learned the *kind* of image, not the images themselves.")


tab_generate, tab_compare, tab_guidance, tab_step = st.tabs(
    ["Generate", "Samplers side by side", "What guidance does", "One denoising step"])

@st.fragment
def generate_tab() -> None:
    """Generate, scrub, download, and look at the result: a fragment, so clicking Generate redraws only this tab."""
    run: FinishedRun | None = st.session_state.get(KEY + "run")
    prompt_col, seed_col, dice_col, go_col = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    prompt_col.selectbox("Prompt (class)", [NO_CLASS, *range(len(class_names))], key=KEY + "label",
                         format_func=lambda k: "none (unconditional)" if k == NO_CLASS else f"{k}: {class_names[k]}",
                         disabled=st.session_state[KEY + "mode"] == "grid", **KEPT)
    seed_col.number_input("Seed", 0, MAX_SEED, step=1, key=KEY + "seed",
                          help="The starting noise. The same seed and settings always give the same images.", **KEPT)
    dice_col.button("Random seed", icon=":material/casino:", width="stretch", on_click=_new_seed)
    clicked = go_col.button("Generate", type="primary", key=KEY + "go", width="stretch")
    # Prompt and seed live in this fragment: changing them reruns only this tab, like Generate does.
    settings = current_settings()
    view_col, info_col = st.columns([3, 2], gap="large")
    with view_col:
        with st.container(key="den_live"):
            view, progress = st.empty(), st.empty()
    cheap = settings.steps * len(settings.labels(len(class_names))) <= 250
    if clicked or ((run is None or run.settings != settings) and cheap):
        try:
            run = generate_live(settings, view, progress)
        except GateTimeout as e:
            view.warning(str(e))
        else:
            st.session_state[KEY + "run"] = run
        progress.empty()
    if run is None:
        view.info("Press **Generate** to start from pure noise.")
    else:
        traj = run.trajectory
        with view_col:
            if run.settings != settings:
                st.caption("Settings changed since this run: press **Generate** to run them.")
            k = st.slider("Scrub through the run (recorded steps)", 0, traj.num_frames - 1, traj.num_frames - 1,
                          key=f"{KEY}scrub_{run.number}", **KEPT)
            show_png(view, frame_image(traj, k, _columns(run.settings), 1), scale=_scale(run.settings),
                       caption=f"x_t  |  x̂0   (t = {traj.timesteps[k]}, frame {k + 1} of {traj.num_frames})")
        with info_col:
            st.markdown("**Result**")
            with st.container(key="den_final"):
                show_png(st, tile(traj.final, _columns(run.settings)), scale=_scale(run.settings),
                         caption=_caption(run.settings))
            s = run.settings
            device = loaded.device.type.upper() + (f", {torch.get_num_threads()} threads" if loaded.device.type == "cpu"
                                                   else "") + f", {loaded.engine}"
            st.caption(f"{SAMPLER_NAMES[s.sampler]}, {s.steps} steps, guidance {s.guidance:g}, seed {s.seed}. "
                       f"Ran on **{device}** in {run.seconds:.2f} s (first frame after {run.first_frame_seconds * 1000:.0f} ms).")
            d1, d2 = st.columns(2)
            columns = _columns(s)
            d1.download_button("Animated GIF", data=lambda t=traj, c=columns: trajectory_gif(t, c),
                               file_name=f"denoising-{s.model}-seed{s.seed}.gif", mime="image/gif", key=KEY + "gif")
            d2.download_button("PNG", data=lambda t=traj, c=columns: png_bytes(upscale(tile(t.final, c), 4)),
                               file_name=f"sample-{s.model}-seed{s.seed}.png", mime="image/png", key=KEY + "png")
            st.caption("Share these exact images: the page's link holds every setting.")
        st.subheader("The walk through image space")
        show_walk(run)
        st.subheader("Did it just copy a training image?")
        show_memorisation(run)


with tab_generate:
    generate_tab()

with tab_compare:
    st.markdown(
        "Three ways to walk back from the **same starting noise** with the same model and prompt. "
        "DDPM (Ho et al. 2020) takes 1,000 small random steps; DDIM (Song et al. 2021) takes 50 "
        "deterministic ones; DPM-Solver++(2M) (Lu et al. 2022) uses a second-order ODE solver to do it in 20.")
    st.latex(r"\text{DDPM: } x_{t-1} = \tfrac{1}{\sqrt{\alpha_t}}\Big(x_t - \tfrac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,"
             r"\epsilon_\theta(x_t,t)\Big) + \sigma_t z \qquad "
             r"\text{DDIM: } x_{t-1} = \sqrt{\bar\alpha_{t-1}}\,\hat x_0 + \sqrt{1-\bar\alpha_{t-1}}\,\epsilon_\theta(x_t,t)")
    st.latex(r"\text{DPM-Solver++: } x_{t_i} = \tfrac{\sigma_{t_i}}{\sigma_{t_{i-1}}}\,x_{t_{i-1}}"
             r" - \alpha_{t_i}\big(e^{-h_i} - 1\big)\,D_i, \qquad h_i = \lambda_{t_i} - \lambda_{t_{i-1}}, \qquad"
             r" \lambda_t = \log\frac{\alpha_t}{\sigma_t} = \tfrac12\log\frac{\bar\alpha_t}{1-\bar\alpha_t}")
    dpm_steps = logsnr_timesteps(loaded.schedule.alpha_bar, DEFAULT_STEPS["dpmpp"])
    st.caption(
        f"D is a blend of the last two predictions x̂0. DPM-Solver++ spaces its steps evenly in the log signal-to-noise "
        f"ratio λ rather than in t, so more of them fall near the end, where strokes and edges are decided: "
        f"t = {', '.join(str(t) for t in dpm_steps)}. DDPM and DDIM here step evenly in t.")
    if st.button("Run all three from the same noise", key=KEY + "compare_go"):
        label = _labels_tensor(replace(settings, mode="one"))
        x_T = initial_noise((1, 1, 28, 28), torch.Generator().manual_seed(settings.seed))
        results, bar = [], st.progress(0.0, text="Sampling…")
        try:
            with sampling_gate().slot():
                for i, (name, n) in enumerate((("ddpm", 1000), ("ddim", 50), ("dpmpp", 20))):
                    bar.progress(i / 3, text=f"{SAMPLER_NAMES[name]}, {n} steps…")
                    start = time.perf_counter()
                    traj = record(run_sampler(name, loaded.runner, loaded.schedule, label, num_steps=n,
                                              guidance=settings.guidance, generator=torch.Generator().manual_seed(settings.seed),
                                              x_T=x_T), n, label.numpy(), max_frames=8)
                    results.append((name, n, traj, time.perf_counter() - start))
        except GateTimeout as e:
            st.warning(str(e))
        else:
            st.session_state[KEY + "compare"] = (settings, results)
        bar.empty()
    if KEY + "compare" in st.session_state:
        compared_settings, results = st.session_state[KEY + "compare"]
        st.caption(f"Prompt: {_caption(replace(compared_settings, mode='one'))[8:]}, guidance {compared_settings.guidance:g}, "
                   f"seed {compared_settings.seed}.")
        for col, (name, n, traj, seconds) in zip(st.columns(3), results):
            with col:
                st.markdown(f"**{SAMPLER_NAMES[name]}**, {n} steps")
                show_png(st, traj.final[0], scale=8, caption=f"{seconds:.2f} s on {loaded.device.type.upper()}")
                show_png(st, tile(traj.x0_hat[:, 0], len(traj.x0_hat)), scale=2,
                         caption="x̂0 along the way (8 evenly spaced steps)")
        st.caption("Same start, same model: DDIM and DPM-Solver++ follow the same underlying ODE and usually land on "
                   "nearly the same image; DDPM adds fresh noise at every step, so it lands somewhere else in the same class.")

with tab_guidance:
    st.markdown(
        "Classifier-free guidance (Ho & Salimans 2022) runs the model twice per step, with and without the prompt, "
        "and extrapolates from the unconditional prediction towards the conditional one:")
    st.latex(r"\tilde\epsilon = \epsilon_\theta(x_t, \varnothing)"
             r" + s\,\big(\epsilon_\theta(x_t, y) - \epsilon_\theta(x_t, \varnothing)\big)")
    st.markdown("*s* = 0 ignores the prompt, *s* = 1 is the plain conditional model, larger *s* pushes harder "
                "towards what the model thinks the class looks like — clearer, but less varied.")
    st.caption("Uses the Generate tab's prompt (0 if none) and seed: rows are that seed and the next three · "
               "DPM-Solver++, 20 steps · the same starting noise in every column of a row.")
    if st.button("Run the sweep", key=KEY + "sweep_go"):
        sweep_label = settings.label if settings.label != NO_CLASS else 0
        scales = (0.0, 1.0, 2.0, 4.0, 8.0)
        x_T = torch.cat([initial_noise((1, 1, 28, 28), torch.Generator().manual_seed(settings.seed + r)) for r in range(4)])
        labels = torch.full((4,), sweep_label, dtype=torch.long)
        columns = []
        try:
            with sampling_gate().slot():
                for g in scales:
                    traj = record(run_sampler("dpmpp", loaded.runner, loaded.schedule, labels, num_steps=20, guidance=g,
                                              generator=torch.Generator().manual_seed(settings.seed), x_T=x_T),
                                  20, labels.numpy(), max_frames=1)
                    columns.append(traj.final)
        except GateTimeout as e:
            st.warning(str(e))
        else:
            st.session_state[KEY + "sweep"] = (scales, columns, sweep_label, settings.seed)
    if KEY + "sweep" in st.session_state:
        scales, columns, swept_label, swept_seed = st.session_state[KEY + "sweep"]
        st.caption(f"Prompt: {class_names[swept_label]} · rows: seeds {swept_seed}–{swept_seed + 3}.")
        for col, g, images in zip(st.columns(len(scales)), scales, columns):
            show_png(col, tile(images, 1), scale=5, caption=f"s = {g:g}")

with tab_step:
    st.markdown("The model learns one thing: **given a slightly noisy image, how to make it slightly cleaner.** "
                "Here is that one step on a real image the model never saw during training.")
    st.latex(r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon \qquad "
             r"\hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\epsilon_\theta(x_t, t, y)}{\sqrt{\bar\alpha_t}}")
    try:
        real_images, real_labels = cached_held_out(settings.model)
    except ShippedDataError as e:
        st.warning(str(e))
    else:
        c1, c2, c3, c4 = st.columns([2, 3, 2, 2], vertical_alignment="bottom")
        index = c1.number_input("Held-out image #", 0, len(real_images) - 1, 0, key=KEY + "step_index", **KEPT)
        t = c2.slider("Timestep t", 0, loaded.schedule.T - 1, 400, key=KEY + "step_t", **KEPT)
        noise_seed = c3.number_input("Noise seed", 0, MAX_SEED, 0, key=KEY + "step_seed", **KEPT)
        use_label = c4.toggle("Tell the model the class", True, key=KEY + "step_label", **KEPT)
        label = int(real_labels[index]) if use_label else loaded.runner.null_class
        result = one_denoising_step(settings.model, int(index), t, label, int(noise_seed))
        as_u8 = lambda a: to_uint8(np.clip(a, -1, 1))  # noqa: E731
        noise_u8 = lambda a: to_uint8(np.clip(a / 3, -1, 1))  # noqa: E731  (±3σ shown as black..white)
        panels = [(as_u8(result.x0), "clean x₀"), (noise_u8(result.eps), "true noise ε"),
                  (as_u8(result.x_t), f"noisy x_t (t = {t})"), (noise_u8(result.eps_hat), "predicted noise ε̂"),
                  (as_u8(result.x0_hat), "the model's x̂₀")]
        for col, (img, caption) in zip(st.columns(5), panels):
            show_png(col, img, scale=6, caption=caption)
        m1, m2, m3 = st.columns(3)
        m1.metric("Noise error  ‖ε̂ − ε‖ (RMS)", f"{result.noise_rmse:.3f}")
        m2.metric("Noisy input vs clean (RMS)", f"{result.input_rmse:.3f}")
        m3.metric("Model's x̂₀ vs clean (RMS)", f"{result.output_rmse:.3f}",
                  delta=f"{result.output_rmse - result.input_rmse:+.3f}", delta_color="inverse")
        st.caption(f"Real image of class “{class_names[real_labels[index]]}”. Pixel values in the model's range "
                   "[−1, 1]; noise images show ±3σ as black…white.")
