"""The 2-D page's later sections (particles, guidance, memorisation, sampler accuracy) and its cached runs.

Layout only, called by pages/direction.py; the runs live in ``diffusion_core.toy2d.frames``. Every section that
has its own controls is a fragment, so moving one of them reruns only that section.
"""

from __future__ import annotations

import base64
import time
from dataclasses import fields, replace

import numpy as np
import pandas as pd
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.live.gate import GateRefused
from diffusion_core.model.samplers import DEFAULT_STEPS
from diffusion_core.toy2d import frames
from diffusion_core.toy2d.canvas import field_pictures, film_jpeg, jpeg_bytes
from diffusion_core.toy2d.charts import (
    accuracy_chart,
    data_chart,
    density_top,
    guidance_chart,
    guidance_sweep_chart,
    memorisation_chart,
    reverse_step_chart,
)
from diffusion_core.toy2d.datasets import (
    DATASET_TITLES,
    LIMIT,
    MAX_POINTS,
    GaussianMixture,
    check_points,
    dataset,
    heart_points,
    point_set,
)
from diffusion_core.toy2d.dimensions import dimension_phrase
from diffusion_core.toy2d.metrics import EpsError, eps_error
from diffusion_core.toy2d.mlp import DenoiserMLP, MLPConfig, Trained, learned_eps, train
from diffusion_core.toy2d.player import ParticlesShown, particles_shown
from diffusion_core.toy2d.plots import points_figure
from diffusion_core.toy2d.reverse_step import SMALL_STEP, START, TWO_KINDS, X_T, ReverseStep, reverse_step
from diffusion_core.toy2d.settings import (
    JUMPS,
    MAX_GUIDANCE,
    MEMORY_NETS,
    PARTICLE_STEPS,
    PARTICLES,
    SCHEDULE,
    URL_POINTS,
    DirectionSettings,
)
from pages.common import cached_likelihood_summary, heavy_gate, queue_message, show_svg, toy_models
from pages.frame_player import Frame
from pages.reader_state import KEPT, PageSettings, Widget

KEY = "dir_"  # prefix of this page's session-state keys
GUIDANCE_PARTICLES = 400
MEMORY_PARTICLES = 600
MEMORY_STEPS = 200
CLICK_GRID = frames.grid(41, LIMIT)[1]  # where a click on the chart can put a point (0.15 apart)
FILM_SECONDS = 12.0  # one pass of the film of the field over t at 1x: slow enough to talk over


# ---------------------------------------------------------------- settings and models
SETTINGS = PageSettings(  # the page's link, each setting in the widget KEY + its name (pages/reader_state.py)
    read_link=DirectionSettings.from_query,
    write_link=DirectionSettings.to_query,
    widgets={**{f.name: Widget(KEY + f.name) for f in fields(DirectionSettings)},
             "view": Widget(KEY + "overlay", show=lambda view: view == "overlay",
                            read=lambda on: "overlay" if on else "side")},
    extra=lambda s: {KEY + "points_base": s.points},  # the points table starts from the link's points
)


def shown_settings() -> DirectionSettings:
    """The settings on screen (also inside a section's rerun), written into the URL: once per run of a section."""
    settings = SETTINGS.shown()
    SETTINGS.mirror(settings)
    return settings


@st.cache_resource(max_entries=16, show_spinner=False)
def mixture(name: str, points: tuple[tuple[float, float], ...]) -> GaussianMixture:
    """The data set on screen (its arrays read-only, shared); the points matter only for "points"."""
    return dataset(name, np.array(points) if name == "points" else None)


def config_for(mix: GaussianMixture, config: MLPConfig) -> MLPConfig:
    """The configuration actually trained: data with one class train without one (the same network either way)."""
    return config if mix.num_classes > 1 or not config.conditional else replace(config, conditional=False)


def find_model(mix: GaussianMixture, config: MLPConfig) -> Trained | None:
    """The model trained on ``mix`` with ``config`` on this server's shelf, if any."""
    return toy_models().get((mix.key, config_for(mix, config)))


def _ask(flag: str) -> None:
    """A button's callback: remember the click until the run that acts on it (a rerun in between keeps it)."""
    st.session_state[flag] = True


def train_button(mix: GaussianMixture, config: MLPConfig, label: str, key: str) -> bool:
    """A Train button; when clicked, trains with a progress bar inside the server's queue. True once trained."""
    st.button(label, type="primary", icon=":material/model_training:", key=key, on_click=_ask, args=(key + "_asked",))
    if not st.session_state.pop(key + "_asked", False):
        return False
    bar = st.progress(0.0, text="Waiting for the CPU…")
    began = time.perf_counter()

    def tick(step: int, steps: int, loss: float) -> None:
        bar.progress(step / steps, text=f"Step {step:,} of {steps:,} · loss {loss:.3f} · "
                                        f"{time.perf_counter() - began:.1f} s")

    try:
        with heavy_gate().slot(timeout=120, on_wait=lambda place: bar.progress(0.0, text=queue_message(place))):
            trained = train(mix, SCHEDULE, config_for(mix, config), tick)
            toy_models().put((trained.data_key, trained.config), trained)
    except GateRefused as e:
        st.warning(str(e))
        return False
    return True


# ---------------------------------------------------------------- cached runs, keyed by the data and the model
# A data set is known by its key (its exact numbers), a trained model by what it was trained on and how.
BY_DATA_AND_MODEL = {GaussianMixture: lambda mix: mix.key,
                     Trained: lambda trained: f"{trained.data_key}|{trained.config}"}


def _net(trained: Trained | None) -> DenoiserMLP | None:
    return None if trained is None else trained.model


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=BY_DATA_AND_MODEL)
def cached_field(mix: GaussianMixture, trained: Trained | None, t: int) -> frames.FieldFrame:
    return frames.field_frame(mix, SCHEDULE, t, _net(trained))


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=BY_DATA_AND_MODEL)
def field_jpegs(mix: GaussianMixture, trained: Trained | None, t: int, overlay: bool) -> list[tuple[str, str]]:
    """The field's panels at t as (caption, JPEG data URL).

    A data URL travels inside the page's own update: an image given as bytes is stored on the server and fetched
    by the browser in a second request each (three panels, three round trips after every move of t).
    """
    return [(title, "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes(picture)).decode())
            for title, picture in field_pictures(cached_field(mix, trained, t), overlay)]


@st.cache_data(max_entries=4, show_spinner="Drawing the field at 20 timesteps…", hash_funcs=BY_DATA_AND_MODEL)
def field_film(mix: GaussianMixture, trained: Trained | None, overlay: bool) -> tuple[list[Frame], tuple[str, ...]]:
    """The field from t = T − 1 down to 0 as the frame player's frames (each panel a small JPEG), and the panels'
    titles. About 1 MB for three panels; made on request only."""
    films, titles = [], ()
    for t in frames.film_timesteps(SCHEDULE.T):
        frame = frames.field_frame(mix, SCHEDULE, int(t), _net(trained))
        panels = field_pictures(frame, overlay)
        titles = tuple(title for title, _ in panels)
        caption = f"t = {frame.t}: √ᾱ = {np.sqrt(frame.alpha_bar):.3f}, σ = {np.sqrt(1 - frame.alpha_bar):.3f}"
        if frame.relative_error is not None:
            caption += f"; weighted error at this t {frame.relative_error:.2%} of ‖ε*‖²"
        films.append(Frame(tuple(film_jpeg(picture) for _, picture in panels), caption,
                           alt_text.field_film(frame.t, frame.alpha_bar, titles, frame.relative_error)))
    return films, titles


def picture_dimensions() -> str:
    """"784 for a 28 × 28 grey digit or garment, 3,072 for a 32 × 32 colour emoji", from the shipped models' shapes
    (their likelihood summaries; "" when none is shipped)."""
    from diffusion_core.likelihood.summary import SummaryError
    from diffusion_core.model.weights import available_models

    shapes = {}
    for name in available_models():
        try:
            shapes[name] = cached_likelihood_summary(name).shape
        except SummaryError:
            continue
    return dimension_phrase(shapes)


@st.cache_data(max_entries=8, show_spinner="Measuring the ε error on 20,000 noisy points…", hash_funcs=BY_DATA_AND_MODEL)
def cached_eps_error(mix: GaussianMixture, trained: Trained) -> EpsError:
    return eps_error(lambda x, t: learned_eps(trained.model, x, t), mix, SCHEDULE, buckets=10, per_bucket=2000)


# The views below keep their chart (an SVG document) beside their numbers, shared by every session
# (st.cache_resource: neither is ever changed after it is made). Building the animated particle player takes
# ~0.4 s, longer than everything else a rerun of the page does.
@st.cache_resource(max_entries=6, show_spinner="Walking the particles back from noise…", hash_funcs=BY_DATA_AND_MODEL)
def particles_view(mix: GaussianMixture, trained: Trained | None, n: int, k: int, seed: int) -> ParticlesShown:
    """The animation (an HTML page of canvases) and its distances; the paths themselves are not kept."""
    return particles_shown(frames.particle_runs(mix, SCHEDULE, _net(trained), n=n, steps=k, seed=seed))


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=BY_DATA_AND_MODEL)
def guidance_view(mix: GaussianMixture, trained: Trained | None, label: int, scale: float
                  ) -> tuple[frames.GuidanceRuns, list[tuple[str, str, str]]]:
    """The guided runs, and for each field (exact, learned) its chart and that chart's description."""
    runs = frames.guidance_runs(mix, SCHEDULE, _net(trained), label=label, scale=scale, n=GUIDANCE_PARTICLES, steps=50,
                                seed=0)
    charts = []
    for name in runs.paths:
        alt = alt_text.guidance_plot(mix.class_names[label], scale, {name: runs.inside[name]})
        charts.append((name, guidance_chart(mix, runs, description=alt, fields=(name,)), alt))
    return runs, charts


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=BY_DATA_AND_MODEL)
def cached_data_share(mix: GaussianMixture, label: int) -> float:
    return frames.data_share_in_class(mix, label)


@st.cache_data(max_entries=8, show_spinner="Trying every guidance scale from 0 to 10…", hash_funcs=BY_DATA_AND_MODEL)
def cached_sweep(mix: GaussianMixture, trained: Trained | None, label: int) -> frames.GuidanceSweep:
    return frames.guidance_sweep(mix, SCHEDULE, _net(trained), label=label, n=200, steps=50, seed=1)


@st.cache_resource(max_entries=8, show_spinner=False, hash_funcs=BY_DATA_AND_MODEL)
def memorisation_view(mix: GaussianMixture, trained: Trained | None
                      ) -> tuple[frames.Memorisation, list[tuple[str, str, str]]]:
    """The ideal denoiser's and the network's samples, and for each its chart and that chart's description."""
    mem = frames.memorisation(mix, SCHEDULE, _net(trained), n=MEMORY_PARTICLES, steps=MEMORY_STEPS, seed=3)
    alt = alt_text.memorisation_plot(mem.ideal_on_points, None)
    charts = [("ideal", memorisation_chart(mem, description=alt, which=("ideal",)), alt)]
    if mem.learned is not None:
        alt = alt_text.mlp_samples_plot(mem.learned_on_points, mem.learned_median_gap)
        charts.append(("learned", memorisation_chart(mem, description=alt, which=("learned",)), alt))
    return mem, charts


@st.cache_resource(max_entries=8, show_spinner="Solving the exact ODE finely, then each sampler at 14 step counts…",
                   hash_funcs=BY_DATA_AND_MODEL)
def accuracy_view(mix: GaussianMixture) -> tuple[frames.SamplerAccuracy, str, str]:
    acc = frames.sampler_accuracy(mix, SCHEDULE)
    alt = alt_text.accuracy_plot(list(acc.errors))
    return acc, accuracy_chart(acc, description=alt), alt


@st.cache_resource(max_entries=16, show_spinner=False, hash_funcs=BY_DATA_AND_MODEL)
def data_view(mix: GaussianMixture) -> tuple[str, str]:
    """2,000 draws of the data (a point set: its points), coloured by class, as an SVG chart, and its description."""
    if mix.is_empirical:
        x0, y0 = mix.means, mix.labels
    else:
        x0, y0 = mix.sample(2000, np.random.default_rng(0))
    alt = alt_text.data_plot(DATASET_TITLES.get(mix.name, mix.name), len(x0), mix.class_names)
    return data_chart(mix, x0, y0, description=alt), alt


# ---------------------------------------------------------------- particles
@st.fragment
def _particles(mix: GaussianMixture) -> None:
    c1, c2, c3 = st.columns(3)
    c1.slider("Particles", *PARTICLES, step=100, key=KEY + "n", **KEPT)
    c2.slider("Steps of each sampler", *PARTICLE_STEPS, key=KEY + "k", **KEPT,
              help="DDPM needs many small steps (it was made for 1,000); DDIM copes with few.")
    c3.number_input("Noise seed", 0, MAX_SEED, key=KEY + "seed", **KEPT, help="Which N(0, I) draw they all start from.")
    s = shown_settings()
    found = find_model(mix, s.config)
    shown = particles_view(mix, found, s.n, s.k, s.seed)
    with st.container(key=KEY + "particles"):  # our own HTML, built from numbers only (no reader's text in it)
        st.iframe(shown.html, height=shown.height,
                  alt="Animation: particles walking from noise to the data by DDPM and DDIM, learned and exact field")
    cols = st.columns(len(shown.distances))
    order = [(field, sampler) for field in ("learned", "exact") for sampler in ("ddpm", "ddim")]  # as the panels
    for col, (key, value) in zip(cols, sorted(shown.distances.items(), key=lambda item: order.index(item[0]))):
        col.metric(f"{key[0]} field, {key[1].upper()}", f"{value:.3f}",
                   help="Energy distance between the end points and fresh draws of the data: lower is closer.")
    every = "every step" if s.k <= 50 else f"about every {s.k / 50:.0f}th step" if s.k >= 100 else "every step or two"
    m = min(s.n, frames.DISTANCE_POINTS)
    st.caption(f"Energy distance of the first {m:,} end points to {frames.REFERENCE_POINTS:,} fresh draws of the data. "
               f"The yardstick for 'as good as real data': {frames.FLOOR_DRAWS} fresh samples of {m:,} points are "
               f"{shown.floors.min():.3f}–{shown.floors.max():.3f} from them (mean {shown.floor:.3f}). The animation "
               f"shows {every}.")
    if found is None:
        st.caption("Train the denoiser above to add the learned field's two rows.")


def particles_section(mix: GaussianMixture) -> None:
    st.header("Particles: from noise to data")
    st.markdown("**The same starting noise, four ways back.** Each particle starts at a random point of N(0, I) and "
                "follows the field down from t = T, with the learned field and with the exact one. A sampler is the "
                "recipe for these steps; this page shows two. DDPM (Ho et al. 2020) adds a little fresh noise at "
                "every step, so its paths jitter and two runs end in different places. DDIM (Song, Meng & Ermon "
                "2021) adds none: it follows the probability-flow ODE, an ordinary differential equation whose "
                "smooth, deterministic paths take each starting point to one end point, and the end points to the "
                "same distribution as DDPM's (in the limit of many small steps). Press Play under the chart.")
    st.latex(r"\hat x_0 = \frac{x_t - \sigma_t\,\hat\varepsilon}{\sqrt{\bar\alpha_t}}")
    st.latex(r"\text{DDPM: } x_{t'} = \tilde\mu_t(x_t, \hat x_0) + \sqrt{\tilde\beta_t}\,z")
    st.latex(r"\text{DDIM: } x_{t'} = \sqrt{\bar\alpha_{t'}}\;\hat x_0 + \sigma_{t'}\,\hat\varepsilon")
    st.caption("t' is the next, smaller timestep; x̂₀ is the guess of the clean point that the noise prediction ε̂ "
               "gives. μ̃_t and β̃_t are the mean and variance of the true small step back when x₀ is known (Ho et "
               "al. 2020, eq. 7), here with x̂₀ in its place; z is fresh noise, drawn from N(0, I) at every step.")
    _particles(mix)


# ---------------------------------------------------------------- why small steps
AB_WITH_ZERO = alpha_bar_with_zero(SCHEDULE)  # ᾱ at t = 0 (the data, 1) .. T


def small_step_pair(jump: int) -> tuple[ReverseStep, ReverseStep]:
    """The reverse of the small step (START → START − SMALL_STEP) and of the reader's (START → START − jump)."""
    return (reverse_step(TWO_KINDS, AB_WITH_ZERO[START], AB_WITH_ZERO[START - SMALL_STEP], X_T),
            reverse_step(TWO_KINDS, AB_WITH_ZERO[START], AB_WITH_ZERO[START - jump], X_T))


def small_steps_words(jump: int) -> tuple[str, str, str]:
    """(alt text of the small step's chart, of the reader's step's, caption), from the two steps they draw."""
    small, big = small_step_pair(jump)
    alts = [alt_text.reverse_steps(X_T, START, [(size, step.total_variation, step.bumps)])
            for size, step in ((SMALL_STEP, small), (jump, big))]
    caption = (f"Total variation distance between the exact step back and its Gaussian (0: the same; 1: nothing in "
               f"common): {alt_text.distance_words(small.total_variation)} for the step of {SMALL_STEP} "
               f"({alt_text.bump_words(small.bumps)}), {alt_text.distance_words(big.total_variation)} for the step of "
               f"{jump} ({alt_text.bump_words(big.bumps)}). Data: half at −1, half at +1, each spread by "
               f"{TWO_KINDS.stds[0]:g}; the point is at x = {X_T:g} at t = {START}; the cosine schedule of the whole app.")
    return alts[0], alts[1], caption


@st.fragment
def _small_steps(locked: bool) -> None:
    st.select_slider("The step back: how many timesteps", JUMPS, key=KEY + "jump", disabled=locked, **KEPT,
                     help=f"From t = {START} back to t = {START} minus this. {START} goes straight to the data.")
    s = shown_settings()
    small, big = small_step_pair(s.jump)
    small_alt, big_alt, caption = small_steps_words(s.jump)
    top = density_top([small, big])  # one scale for both charts
    left, right = st.columns(2)
    show_svg(left, reverse_step_chart([(f"a small step: t = {START} → {START - SMALL_STEP}", small)], small_alt, top),
             KEY + "steps_fig_small", alt=small_alt)
    show_svg(right, reverse_step_chart([(f"your step: t = {START} → {START - s.jump}", big)], big_alt, top),
             KEY + "steps_fig", alt=big_alt)
    st.caption(caption)


def small_steps_section(locked: bool = False) -> None:
    st.header("Why small steps")
    st.markdown(
        f"**DDPM walks back in many small steps because it takes every step as a Gaussian.** Take data on a line: "
        f"half of it near −1, half near +1. A point is at x = {X_T:g} at t = {START}. Where was it a step earlier? "
        "After a small step back it cannot have moved far, and the exact answer is one narrow bump, almost exactly "
        "a Gaussian. After a big step it may have come from either kind of data: two bumps, which no Gaussian can "
        "follow. Below, the exact answer (solid) beside the best Gaussian, the one with the same mean and variance "
        "(dashed); choose the size of the second step.")
    _small_steps(locked)
    st.markdown(
        "Bayes' rule says why. The exact step back is a product: a Gaussian for the step itself, about as wide as "
        "the noise the step added, times the density of the data at the earlier time. For a small step the Gaussian is "
        "narrow, the density is nearly flat across it, and the product is nearly that Gaussian; for a big step the "
        "Gaussian is wide and the bumps of the density show through (Nakkiran et al. 2024, “Step-by-Step "
        "Diffusion”).")
    st.latex(r"p(x_s \mid x_t) \;\propto\; p(x_t \mid x_s)\cdot p_s(x_s)")
    st.markdown(
        f"So DDPM needs many small steps: on the Live denoiser DDPM takes all {DEFAULT_STEPS['ddpm']:,} by default. "
        "The deterministic samplers take another road: DDIM and DPM-Solver++ (Lu et al. 2022, a more accurate solver "
        "of the same equation) follow the probability-flow ODE, a smooth path with no random step to model, so their "
        f"only error is the solver's. That is what lets the Live denoiser use {DEFAULT_STEPS['dpmpp']} steps of "
        "DPM-Solver++; how close n steps come to the exact ODE is measured at the end of this page.")


# ---------------------------------------------------------------- guidance
@st.fragment
def _guidance(mix: GaussianMixture) -> None:
    c1, c2 = st.columns(2)
    c1.selectbox("Class to ask for", list(range(mix.num_classes)), key=KEY + "label", **KEPT,
                 format_func=lambda k: f"{k}: {mix.class_names[k]}")
    c2.slider("Guidance scale s", 0.0, MAX_GUIDANCE, step=0.5, key=KEY + "scale", **KEPT,
              help="0: ignore the class. 1: the class's own distribution. Above 1: push harder than the data do.")
    s = shown_settings()
    found = find_model(mix, s.config)
    runs, charts = guidance_view(mix, found, s.label, s.scale)
    for column, (name, chart, alt) in zip(st.columns(2), charts):  # side by side; one above the other on a phone
        show_svg(column, chart, f"{KEY}guidance_fig_{name}", alt=alt)
    if found is None:
        st.caption("Train the denoiser (with classes) above to see the learned guidance beside the exact one.")
    elif found.model.label is None:
        st.caption("This denoiser was trained without classes: switch on “Learn the classes too” in the sidebar and "
                   "train again to see learned guidance beside the exact one.")
    left, right = st.columns([3, 2], gap="large")
    sweep = cached_sweep(mix, found, s.label)
    best = sweep.best()
    alt = alt_text.sweep_plot(mix.class_names[s.label], best, sweep.share(best))
    show_svg(left, guidance_sweep_chart(sweep, s.scale, description=alt), KEY + "sweep_fig", alt=alt)
    data_share = cached_data_share(mix, s.label)
    weight = float(mix.weights[mix.labels == s.label].sum())
    right.markdown(f"With the exact field, {sweep.share(0.0):.0%} of the samples land in the class's blobs at s = 0, "
                   f"where guidance ignores the class. The data themselves score {data_share:.1%}: the class holds "
                   f"{weight:.1%} of the data, and each blob's 95% ellipse holds 95% of its own points. At s = 1, "
                   f"{sweep.share(1.0):.0%} land in the blobs, the most ({sweep.share(best):.0%}) at s = {best:g}, and "
                   f"{sweep.share(MAX_GUIDANCE):.0%} at s = {MAX_GUIDANCE:g}: pushed past their blob by the "
                   "over-extrapolated direction.")
    right.caption(f"200 samples per scale, DDIM with 50 steps; “in the blobs” means inside one of the class's 95% "
                  f"ellipses (drawn green above). The data's figure: {frames.DATA_SHARE_DRAWS:,} fresh draws.")


def guidance_section(mix: GaussianMixture) -> None:
    st.header("Guidance in 2-D")
    st.markdown("**Classifier-free guidance extrapolates.** Guidance is how a prompt steers the walk: here the "
                "prompt is a class. The network knows two directions at every point: the one "
                "towards all the data, ε(x, t), and the one towards one class, ε(x, t, y). Guidance takes the "
                "difference and scales it up by s. At s = 1 the samples follow the class's own distribution; larger s bends "
                "the paths harder towards it — and, past some point, beyond it: the samples leave the class's own blob.")
    st.latex(r"\tilde\varepsilon(x,t,y) = \varepsilon(x,t) + s\,\big(\varepsilon(x,t,y) - \varepsilon(x,t)\big)"
             r"\qquad\text{(Ho \& Salimans 2022, whose } w = s - 1\text{)}")
    if mix.num_classes < 2:
        st.info("Your own points have a single class, so there is nothing to guide towards: pick another data set "
                "in the sidebar.", icon=":material/info:")
        return
    _guidance(mix)


# ---------------------------------------------------------------- memorisation
def _set_points(points: tuple[tuple[float, float], ...]) -> None:
    """Make ``points`` the reader's points and show them in a fresh table (and a fresh chart selection)."""
    ss = st.session_state
    ss[KEY + "points"] = ss[KEY + "points_base"] = points
    ss[KEY + "points_v"] = ss.get(KEY + "points_v", 0) + 1


def _add_clicked(chart_key: str) -> None:
    """The chart's selection callback: every grid point clicked becomes one of the reader's points."""
    event = st.session_state.get(chart_key)
    picked = [] if event is None else event["selection"]["points"]
    new = [(round(p["x"], 2), round(p["y"], 2)) for p in picked if p.get("curve_number", 0) == 0]
    if new:
        current = list(st.session_state[KEY + "points"])
        _set_points(tuple(current + [p for p in new if p not in current])[:MAX_POINTS])


def _reset_points() -> None:
    _set_points(tuple((float(x), float(y)) for x, y in heart_points()))


def points_editor() -> bool:
    """The reader's points: a table to edit and a chart to click. Returns whether they changed in this run."""
    ss = st.session_state
    version = ss.get(KEY + "points_v", 0)
    table_key, chart_key = f"{KEY}points_table_{version}", f"{KEY}points_click_{version}"
    if table_key not in ss:  # a fresh table (first visit, or back from another page): show the points in use
        ss[KEY + "points_base"] = ss[KEY + "points"]
    before = tuple(ss[KEY + "points"])
    left, right = st.columns([3, 2], gap="large")
    checked = None
    with right:
        st.markdown("**Your points**: click the chart, or edit them as a table (add rows, paste).")
        # the table is a large part of the page's download (~370 KiB of script): fetched only when asked for
        if st.toggle("Edit the points as a table", key=KEY + "points_editing"):
            table = st.data_editor(pd.DataFrame(list(ss[KEY + "points_base"]), columns=["x", "y"], dtype=float),
                                   num_rows="dynamic", key=table_key, height=300, width="stretch",
                                   column_config={c: st.column_config.NumberColumn(c, format="%.2f") for c in ("x", "y")})
            checked = check_points(table[["x", "y"]].itertuples(index=False, name=None))
        st.button("Back to the heart", icon=":material/favorite:", key=KEY + "points_reset", on_click=_reset_points)
        for problem in () if checked is None else checked.problems:
            st.warning(problem, icon=":material/warning:")
        if checked is not None and not checked.usable:
            st.error(f"Using the previous {len(before)} points until the table holds at least two.",
                     icon=":material/error:")
        elif len(ss[KEY + "points"] if checked is None else checked.points) > URL_POINTS:
            count = len(ss[KEY + "points"] if checked is None else checked.points)
            st.caption(f"{count} points are too many for the page's link (at most {URL_POINTS}); "
                       "the link keeps the data set, not these points.")
    if checked is not None and checked.usable:
        ss[KEY + "points"] = tuple((float(x), float(y)) for x, y in checked.points)
    shown = point_set(np.array(ss[KEY + "points"]))
    with left:
        # the clickable chart is Plotly's, built in the browser: on request only, so the page opens fast
        if st.toggle("Add points by clicking on the chart", key=KEY + "points_clicking",
                     help="Shows an interactive chart with a faint grid: a click on it adds a point there."):
            st.plotly_chart(points_figure(shown, CLICK_GRID), key=chart_key,
                            on_select=lambda: _add_clicked(chart_key), selection_mode="points")
            st.caption("Click anywhere on the faint grid to add a point there.")
        else:
            alt = alt_text.data_plot("your points", len(shown.means), shown.class_names)
            show_svg(st, data_chart(shown, shown.means, shown.labels, description=alt), KEY + "points_fig", alt=alt)
    return tuple(ss[KEY + "points"]) != before


MEMORY_TITLES = {name: f"{name}: width {w}, {n:,} steps" for name, (w, n) in MEMORY_NETS.items()}


@st.fragment
def _memorisation_result(points_mix: GaussianMixture) -> None:
    st.radio("The network trained on your points", list(MEMORY_NETS), format_func=MEMORY_TITLES.get, horizontal=True,
             key=KEY + "memory", **KEPT, help="How much it can hold, and how long it trains, decide how much it copies.")
    s = shown_settings()
    found = find_model(points_mix, s.memory_config)
    if found is None:
        st.markdown(f"The {s.memory} MLP for these {len(points_mix.means)} points is not trained yet.")
        if train_button(points_mix, s.memory_config, "Train on these points", KEY + "train_points"):
            st.rerun()
    mem, charts = memorisation_view(points_mix, found)
    for column, (name, chart, alt) in zip(st.columns(2), charts):
        show_svg(column, chart, f"{KEY}memory_fig_{name}", alt=alt)
    c1, c2, c3 = st.columns(3)
    c1.metric("ideal denoiser: samples on a training point", f"{mem.ideal_on_points:.0%}")
    if mem.learned is not None:
        c2.metric("MLP: samples on a training point", f"{mem.learned_on_points:.0%}")
        c3.metric("MLP: median distance to the nearest point", f"{mem.learned_median_gap:.2f}")
    st.caption(f"{MEMORY_PARTICLES} samples each, DDIM with {MEMORY_STEPS} steps from the same noise; 'on a point' "
               "means within 0.01 of one.")


def memorisation_section(mix: GaussianMixture, settings: DirectionSettings) -> None:
    st.header("Memorisation made visible")
    st.markdown("**The perfect denoiser of a training set can only give back the training set.** For a finite set of "
                "points the data distribution is a sum of spikes, and its exact ε* — the 'ideal denoiser' — pulls every "
                "path onto one of them. A small network cannot represent anything that sharp: trained on the same "
                "points, it fills in the shape between them. That smoothness is one reason real diffusion models make "
                "new pictures instead of copies (why they generalise as well as they do is still an open research "
                "question). Give it more room and more time, and it starts to copy too.")
    st.latex(r"\mathbb E[x_0 \mid x_t = x] = \sum_i \operatorname{softmax}_i\!\Big(-\frac{\|x - \sqrt{\bar\alpha_t}\,"
             r"x^{(i)}\|^2}{2(1-\bar\alpha_t)}\Big)\,x^{(i)} \;\xrightarrow[t\to 0]{}\; \text{the nearest } x^{(i)}")
    changed = points_editor()
    if changed and settings.data == "points":
        st.rerun()  # the whole page shows these points
    _memorisation_result(mixture("points", tuple(st.session_state[KEY + "points"])))


# ---------------------------------------------------------------- sampler accuracy
@st.fragment
def _accuracy(mix: GaussianMixture) -> None:
    if not st.session_state.get(KEY + "accuracy_on"):
        st.button("Measure the samplers", icon=":material/straighten:", key=KEY + "accuracy_go", on_click=_ask,
                  args=(KEY + "accuracy_on",))
        st.caption("Solves the exact ODE for 200 particles, then runs each sampler at 14 step counts (a few "
                   "seconds; once per data set on this server).")
        return
    acc, chart, alt = accuracy_view(mix)
    left, right = st.columns([3, 2], gap="large")
    show_svg(left, chart, KEY + "accuracy_fig", alt=alt)
    shown = [n for n in (8, 50, 200) if n in acc.steps]
    short = dict(zip(acc.errors, ("DDIM", "DPM++ trailing", "DPM++ log-SNR")))
    right.markdown(accuracy_table(acc, shown, short))
    right.markdown("DDIM is a first-order solver: ten times the steps, a tenth of the error. DPM-Solver++ is second "
                   "order: a hundredth. Spaced evenly in log-SNR, as the picture pages do, it stops at t = 10 and jumps "
                   "to x̂₀ from there, which leaves a small floor: invisible in a 28 × 28 picture, measurable here.")
    right.caption(f"Mean distance over 200 particles to the RK4 solution of the exact ODE in {acc.reference_steps} "
                  "steps of log-SNR (on every data set here it is within 3·10⁻⁸, on average, of the 1,000-step one).")


def accuracy_table(acc: frames.SamplerAccuracy, shown: list[int], short: dict[str, str]) -> str:
    """The mean distances at a few step counts as a markdown table (rows: steps; columns: samplers)."""
    head = "| steps | " + " | ".join(short[label] for label in acc.errors) + " |"
    rule = "|---|" + "---|" * len(acc.errors)
    rows = [f"| {n} | " + " | ".join(f"{errors[list(acc.steps).index(n)]:.1e}" for errors in acc.errors.values()) + " |"
            for n in shown]
    return "\n".join([head, rule, *rows])


def accuracy_section(mix: GaussianMixture) -> None:
    st.header("How accurate are the samplers?")
    st.markdown("**With the exact field, the only error left is the solver's.** DDIM and DPM-Solver++ (Lu et al. "
                "2022, a second-order solver: each step also uses the previous step's prediction) both solve the "
                "probability-flow ODE from noise to data; with the exact ε* its true solution can be computed to any "
                "accuracy, with many tiny steps. How far from it do n steps land? The ODE is written here in λ, half "
                "the log signal-to-noise ratio, the time DPM-Solver++ steps in.")
    st.latex(r"\frac{dx}{d\lambda} = \sigma_\lambda^2\,x - \sigma_\lambda\,\varepsilon^*(x,\lambda)")
    st.latex(r"\lambda = \tfrac12\log\mathrm{SNR} = \log\frac{\sqrt{\bar\alpha}}{\sigma}")
    st.caption("Song, Sohl-Dickstein, Kingma et al. 2021 (score-based SDEs), eq. 13, rewritten in λ.")
    _accuracy(mix)
