"""The live denoiser's explanatory parts: the three tabs (samplers side by side, what guidance does, one denoising
step) and the sections under a run (why the early guesses are blurry, layout first, from this app to Stable
Diffusion).

Layout only, called by pages/denoiser.py with the model and the settings on screen; the runs and every number the
text states live in ``diffusion_core.live``. Plain words come first; the formulas wait in "The maths" expanders.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.images.pictures import tile
from diffusion_core.images.pixels import to_pixels
from diffusion_core.live.coarse_to_fine import Settling, chart, settling, words
from diffusion_core.live.gate import GateRefused
from diffusion_core.live.generation_settings import NO_CLASS, GenerationSettings
from diffusion_core.live.latent_space import sizes
from diffusion_core.live.latent_space import words as latent_words
from diffusion_core.live.memorisation import training_labels
from diffusion_core.live.one_step import OneStep, denoise_once
from diffusion_core.live.playback import PlayedFrame, shown_t, side_by_side_film
from diffusion_core.live.posterior_mean import AverageGuess, compare, guess_at_high_t, mixed_guess_at_high_t
from diffusion_core.live.posterior_mean import words as average_words
from diffusion_core.live.run import SWEEP_ROWS, SWEEP_SCALES, RunResult, compare_samplers, final_gap, guidance_sweep
from diffusion_core.model.samplers import DEFAULT_STEPS, SAMPLER_NAMES, logsnr_timesteps
from diffusion_core.model.shipped_data import ShippedDataError, held_out_kinds
from diffusion_core.model.weights import LoadedModel
from pages.common import cached_held_out, cached_model, cached_training_images, heavy_gate, link_to, show_png, show_svg
from pages.frame_player import frame_player
from pages.reader_state import KEPT

KEY = "den_"
ARTICLE = "How Diffusion Models Generate Images: The Math Behind AI Creativity"


@st.cache_data(max_entries=64, show_spinner=False)
def one_denoising_step(model: str, index: int, t: int, label: int, seed: int) -> OneStep:
    """The model's one step on held-out image ``index`` noised to model timestep ``t`` (kept: other settings' reruns
    reuse it)."""
    shipped = cached_model(model)
    return denoise_once(shipped.runner, shipped.schedule, cached_held_out(model)[0][index], label, t, seed=seed)


def _maths(title: str = "The maths"):
    return st.expander(title, icon=":material/functions:")


def samplers_tab(loaded: LoadedModel, settings: GenerationSettings) -> None:
    """DDPM, DDIM and DPM-Solver++ from the same starting noise, played side by side."""
    class_names = loaded.class_names
    st.markdown(
        "A sampler is the recipe that walks back from noise, asking the denoiser once per step which way the clean "
        "picture lies. Here are three of them, from the **same starting noise** with the same model and prompt: "
        "DDPM (Ho et al. 2020) takes 1,000 small steps and adds a little fresh noise at each; DDIM (Song, Meng & "
        "Ermon 2021) takes 50 steps and adds none; DPM-Solver++(2M) (Lu et al. 2022) takes 20, each step a "
        "smarter guess that also uses the step before.")
    st.markdown("DDIM and DPM-Solver++ follow the same smooth path, the **probability-flow ODE**: an equation for how "
                "a picture should move as the noise level falls, with no randomness. An ODE solver walks along such "
                "a path in a few large steps. Which way the path goes at each point comes from the denoiser's "
                "prediction of the noise, ε_θ: it is the score (the direction in which noisy pictures become more "
                "likely) turned round and scaled by √(1 − ᾱ_t). The 2-D page draws those arrows and checks each one "
                "against the exact answer:")
    link_to("direction", "Which direction to move")
    t_shown = [shown_t(t) for t in logsnr_timesteps(loaded.schedule.alpha_bar, DEFAULT_STEPS["dpmpp"])]
    st.caption(f"DPM-Solver++'s {len(t_shown)} steps are spaced evenly in λ, half the log of the signal-to-noise "
               f"ratio, not in t: t = {', '.join(str(t) for t in t_shown)}. "
               f"{alt_text.step_spacing(t_shown, loaded.schedule.T)} DDPM and DDIM here step evenly in t.")
    with _maths():
        st.markdown("In the app's notation (the forward page's): α_t = 1 − β_t, ᾱ_t their product, σ_t = √(1 − ᾱ_t), "
                    "ε_θ the denoiser's prediction of the noise and x̂₀ = (x_t − σ_t ε_θ) / √ᾱ_t its guess of the "
                    "clean picture.")
        st.latex(r"\text{DDPM: } x_{t-1} = \tfrac{1}{\sqrt{\alpha_t}}\Big(x_t - \tfrac{\beta_t}{\sigma_t}\,"
                 r"\varepsilon_\theta(x_t,t)\Big) + \sqrt{\tilde\beta_t}\,z, \qquad "
                 r"\tilde\beta_t = \tfrac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\,\beta_t,\quad z \sim \mathcal N(0, I)")
        st.latex(r"\text{DDIM } (\eta = 0)\text{: } x_{t-1} = \sqrt{\bar\alpha_{t-1}}\,\hat x_0 + \sigma_{t-1}\,"
                 r"\varepsilon_\theta(x_t,t)")
        st.latex(r"\text{DPM-Solver++: } x_{t_i} = \tfrac{\sigma_{t_i}}{\sigma_{t_{i-1}}}\,x_{t_{i-1}}"
                 r" - \sqrt{\bar\alpha_{t_i}}\,\big(e^{-h_i} - 1\big)\,D_i, \qquad h_i = \lambda_{t_i} - \lambda_{t_{i-1}},"
                 r" \qquad \lambda_t = \tfrac12\log\frac{\bar\alpha_t}{1-\bar\alpha_t}")
        st.markdown("Lu et al. write α_t for what is √ᾱ_t here. D_i is a blend of the last two guesses x̂₀. DDIM's η "
                    "(in the sidebar) adds fresh noise at each step: η = 0 adds none, η = 1 about as much as DDPM. "
                    "The samplers in this app clip each x̂₀ to the pixel range [−1, 1] before using it (DDPM in the "
                    "equivalent form through x̂₀, Ho et al.'s eq. 7); the DDPM formula above is the unclipped one.")
    if st.button("Run all three from the same noise", key=KEY + "compare_go"):
        bar = st.progress(0.0, text="Sampling…")
        try:
            with heavy_gate().slot():
                results = compare_samplers(loaded, settings, lambda i, name, n: bar.progress(
                    i / 3, text=f"{SAMPLER_NAMES[name]}, {n} steps…"))
        except GateRefused as e:
            st.warning(str(e))
        else:
            st.session_state[KEY + "compare"] = (settings, results)
        bar.empty()
    if KEY + "compare" in st.session_state:
        compared_settings, results = st.session_state[KEY + "compare"]
        st.caption(f"Prompt: {replace(compared_settings, mode='one').describe(class_names)[8:]}, guidance "
                   f"{compared_settings.guidance:g}, seed {compared_settings.seed}. "
                   + " · ".join(f"{SAMPLER_NAMES[r.sampler]}: {r.steps} steps in {r.seconds:.2f} s" for r in results))
        names = [SAMPLER_NAMES[r.sampler].split("(")[0].strip() for r in results]

        def alt(moments: list[PlayedFrame]) -> str:
            return "Three pictures side by side, " + "; ".join(
                f"{n}: {'the finished picture' if m.finished else f'x_t at t = {m.t}, step {m.done} of {m.total}'}"
                for n, m in zip(names, moments)) + "."

        frames, _ = side_by_side_film([r.trajectory for r in results], names, alt)
        side = results[0].trajectory.final.shape[1]
        frame_player(KEY + "compare_player", frames, start=0, autoplay=True, seconds=4.0,
                     labels=[f"{n}, {r.steps} steps" for n, r in zip(names, results)], display_px=side * 7,
                     label="Share of each run")
        finals = {r.sampler: r.trajectory.final for r in results}
        st.caption(alt_text.samplers_compared(final_gap(finals["ddim"], finals["dpmpp"]),
                                              final_gap(finals["ddpm"], finals["dpmpp"])))


def guidance_tab(loaded: LoadedModel, settings: GenerationSettings) -> None:
    """Classifier-free guidance: the same noises at several scales."""
    class_names = loaded.class_names
    st.markdown(
        "**Guidance** decides how hard the prompt pulls. At every step the denoiser is asked twice, once with the "
        "prompt and once without, and the step is pushed further in the direction in which the two answers differ. "
        "The guidance scale s says how far: s = 0 ignores the prompt, s = 1 is the plain conditional model, larger "
        "s pushes harder towards what the model thinks the class looks like: clearer, but less varied.")
    with _maths():
        st.latex(r"\tilde\varepsilon = \varepsilon_\theta(x_t, \varnothing)"
                 r" + s\,\big(\varepsilon_\theta(x_t, y) - \varepsilon_\theta(x_t, \varnothing)\big)")
        st.markdown("Classifier-free guidance (Ho & Salimans 2022); ∅ is the 'no class' label. Their paper writes "
                    "the same rule with a weight w = s − 1: w = 0 is the plain conditional model.")
    st.caption(f"Uses the Generate tab's prompt (class 0 if none) and seed: rows are that seed and the next "
               f"{SWEEP_ROWS - 1} · DPM-Solver++, 20 steps · the same starting noise in every column of a row.")
    if st.button("Run the sweep", key=KEY + "sweep_go"):
        sweep_label = settings.label if settings.label != NO_CLASS else 0
        try:
            with heavy_gate().slot():
                columns = guidance_sweep(loaded, sweep_label, settings.seed)
        except GateRefused as e:
            st.warning(str(e))
        else:
            st.session_state[KEY + "sweep"] = (columns, sweep_label, settings.seed)
    if KEY + "sweep" in st.session_state:
        columns, swept_label, swept_seed = st.session_state[KEY + "sweep"]
        st.caption(f"Prompt: {class_names[swept_label]} · rows: seeds {swept_seed}–{swept_seed + SWEEP_ROWS - 1}.")
        for col, g, images in zip(st.columns(len(SWEEP_SCALES)), SWEEP_SCALES, columns):
            # the scale above its column: on a phone the columns stack, and a caption under four pictures came last
            col.markdown(f"**s = {g:g}**")
            show_png(col, tile(images, 1), scale=5, alt=alt_text.guidance_column(g, len(images)))


def one_step_tab(loaded: LoadedModel, settings: GenerationSettings) -> None:
    """One denoising step on a real held-out image."""
    class_names = loaded.class_names
    T = loaded.schedule.T
    st.markdown(f"The article this app grew from (“{ARTICLE}”) puts it this way: the model learns one thing, "
                "“given a slightly noisy image, how to make it slightly cleaner.”")
    st.markdown(
        "What the network is really trained on: take a real picture, bury it in noise in **one jump** to a random "
        "noise level t (the forward process's shortcut), anywhere from barely noisy to pure noise, and ask the "
        "network which noise was added (which is the same as asking for the clean picture). It learns that for "
        "every noise level at once. "
        "The small steps belong to the **sampler**, which calls the network once per step: "
        f"{DEFAULT_STEPS['dpmpp']} steps with this page's default sampler. Here is the network's one answer on a real "
        "picture it never saw in training.")
    with _maths():
        st.latex(r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sigma_t\,\varepsilon \qquad "
                 r"\hat x_0 = \frac{x_t - \sigma_t\,\varepsilon_\theta(x_t, t, y)}{\sqrt{\bar\alpha_t}}, \qquad "
                 r"\sigma_t = \sqrt{1-\bar\alpha_t}")
        st.markdown("Training minimises the average of ‖ε − ε_θ(x_t, t, y)‖² over pictures, noise levels and noises "
                    "(Ho et al. 2020, eq. 14).")
    try:
        real_images, real_labels = cached_held_out(settings.model)
    except ShippedDataError as e:
        st.warning(str(e))
        return
    c1, c2, c3, c4 = st.columns([2, 3, 2, 2], vertical_alignment="bottom")
    index = c1.number_input("Held-out image #", 0, len(real_images) - 1, 0, key=KEY + "step_index", **KEPT)
    t = c2.slider("Timestep t", 1, T, 401, key=KEY + "step_t", **KEPT,
                  help=f"1: barely noisy. {T}: pure noise.")
    noise_seed = c3.number_input("Noise seed", 0, MAX_SEED, 0, key=KEY + "step_seed", **KEPT)
    use_label = c4.toggle("Tell the model the class", True, key=KEY + "step_label", **KEPT)
    own_kinds = cached_held_out_kinds(settings.model) if loaded.kinds is not None else None
    if use_label and own_kinds is not None:  # a kinds model is told the picture's own kind ("animal: bird")
        label = int(own_kinds[index])
    else:  # a plain model its class; a kinds model without the images' kinds a kind of the class, drawn
        prompt = int(real_labels[index]) if use_label else len(class_names)
        label = int(loaded.network_labels([prompt], int(noise_seed))[0])
    result = one_denoising_step(settings.model, int(index), t - 1, label, int(noise_seed))
    for col, (img, caption) in zip(st.columns(5), result.panels()):
        show_png(col, img, scale=6, caption=caption, alt=alt_text.one_step_panel(caption, t))
    m1, m2, m3 = st.columns(3)
    m1.metric("Noise error  ‖ε̂ − ε‖ (RMS)", f"{result.noise_rmse:.3f}")
    m2.metric("Noisy input vs clean (RMS)", f"{result.input_rmse:.3f}")
    m3.metric("Model's x̂₀ vs clean (RMS)", f"{result.output_rmse:.3f}",
              delta=f"{result.output_rmse - result.input_rmse:+.3f}", delta_color="inverse")
    kind = (f" (its kind: “{loaded.kinds.kind_names[own_kinds[index]]}”)"
            if own_kinds is not None and loaded.kinds.kind_names else "")
    st.caption(f"Real image of class “{class_names[real_labels[index]]}”{kind}. Pixel values in the model's range "
               "[−1, 1]; noise images show −3σ to +3σ as black to white; RMS: root-mean-square difference.")


@st.cache_resource(max_entries=3, show_spinner=False)
def cached_held_out_kinds(model: str) -> np.ndarray | None:
    """The kind of each shipped held-out image of a kinds model (read-only, shared), else None."""
    kinds = held_out_kinds(model)
    if kinds is not None:
        kinds.setflags(write=False)
    return kinds


# ---------------------------------------------------------------- sections under a run
@st.cache_resource(max_entries=3, show_spinner=False)
def cached_training_labels(model: str) -> np.ndarray:
    """The shipped training images' labels (read-only, shared by every session)."""
    labels = training_labels(model)
    labels.setflags(write=False)
    return labels


@st.cache_data(max_entries=16, show_spinner=False)
def average_guess(model: str, label: int) -> tuple[OneStep, AverageGuess, int]:
    """A held-out picture of class ``label`` (the first; any, for no class) buried at a high t, the model's guess
    beside the average of the class's training pictures, and that t as the page writes it."""
    shipped = cached_model(model)
    images, labels = cached_held_out(model)
    train = cached_training_images(model)
    has = np.nonzero(labels == label)[0]
    index = int(has[0]) if len(has) else 0
    if shipped.kinds is not None and len(has):  # the prompt's guess: its kinds' guesses in their shares
        own = shipped.kinds.kinds_of(label)
        step = mixed_guess_at_high_t(shipped.runner, shipped.schedule, images[index], own,
                                     [float(shipped.kinds.weights[label, k]) for k in own], 0)
    else:
        step = guess_at_high_t(shipped.runner, shipped.schedule, images[index],
                               label if len(has) else shipped.model.null_class, 0)
    result = compare(np.clip(step.x0_hat, -1, 1), train, cached_training_labels(model), label)
    return step, result, shown_t(step.t)


def average_section(loaded: LoadedModel, s: GenerationSettings) -> None:
    """x̂₀ as the posterior mean: at a high t, the model's guess beside the average of the class's training images."""
    names = loaded.class_names
    label = s.label if s.label != NO_CLASS else len(names)
    st.markdown(
        "The guess x̂₀ is not one picture the model has in mind. Trained to be as close as possible on average, it "
        "estimates the **average of all the clean pictures that could have produced x_t** (the posterior mean, "
        "E[x₀ | x_t]: the best guess in squared error, which a perfectly trained network would give exactly). "
        "Early in the run almost nothing of the picture is left, so almost every picture of the class fits, and "
        "their average is a blur. Here is that average next to the model's guess:")
    step, result, t = average_guess(s.model, label)
    name = names[label] if label < len(names) else None
    pictures = [(to_pixels(step.x_t), f"x_t at t = {t}"), (to_pixels(result.guess), "the model's guess x̂₀"),
                (to_pixels(result.mean), f"average of {result.count:,} training pictures")]
    for col, (img, caption) in zip(st.columns(3), pictures):
        show_png(col, img, scale=5, caption=caption,
                 alt=f"{caption}, for {'class “' + name + '”' if name else 'no class'}.")
    st.markdown(average_words(result, name, t))
    st.caption(f"A held-out picture the model never saw, buried in noise at t = {t}, where "
               f"{np.sqrt(loaded.schedule.alpha_bar[step.t]):.1%} of its contrast is left; guidance s = 1 (the model's "
               "own guess: guidance above 1 pushes it past the average, on purpose). At the very first step, t = "
               f"{loaded.schedule.T}, the guess is not even that: almost nothing of the picture is left to divide out, "
               "and the tiniest error in the predicted noise is multiplied thousands of times."
               + (f" This model learned “{name}” as {len(loaded.kinds.kinds_of(label))} kinds: its guess for the "
                  "prompt is the average of its guesses for each kind, weighted by their shares in the training "
                  "pictures (this far into the noise the picture says almost nothing about which kind it is)."
                  if loaded.kinds is not None and name and len(loaded.kinds.kinds_of(label)) > 1 else ""))


@st.cache_data(max_entries=16, show_spinner=False)
def run_settling(s: GenerationSettings, _run: RunResult) -> Settling:
    """When each band of the guess settled in the run of ``s`` (a run is a pure function of its settings)."""
    return settling(_run.trajectory)


def coarse_to_fine_section(run: RunResult) -> None:
    """Which sizes of structure in x̂₀ settled at which step of this run: layout first, detail last."""
    st.markdown(
        "Any picture can be written as a sum of waves, from broad ones (the layout: where the dark and light masses "
        "are) to fine ones (edges, texture). Noise is equally strong in every wave, while pictures keep most of "
        "their strength in the broad ones, so adding noise drowns the fine detail first. Running the walk "
        "backwards, the model settles the broad waves of its guess first and the fine ones last:")
    settle = run_settling(run.settings, run)
    said = words(settle)
    left, right = st.columns([3, 2], gap="large")
    show_svg(left, chart(settle, said), KEY + "settle_chart", alt=said)
    right.markdown(said)
    right.caption("A wave counts as settled at the step from which the guess x̂₀ stays within a tenth of the finished "
                  "picture's strength in that wave" + (" (for a grid: the middle value over its pictures)." if
                                                     run.settings.mode == "grid" else "."))
    st.markdown("The corner page measures the same thing another way: where in the walk the model spends its bits.")
    link_to("corner", "How tiny is the corner?")


def latent_section(loaded: LoadedModel) -> None:
    """The same walk in Stable Diffusion: a latent space and a text prompt, with both spaces' sizes computed."""
    shape = (loaded.runner.config.in_channels, loaded.runner.config.image_size, loaded.runner.config.image_size)
    lines = latent_words(sizes(shape))
    st.markdown("Large text-to-picture models do the same walk, with two changes.")
    for line in lines:
        st.markdown(line)
    with _maths("The sizes, exactly"):
        s = sizes(shape)
        st.latex(rf"256^{{{s.app_values}}} \text{{ has {s.app_digits:,} digits}}, \qquad "
                 rf"256^{{{s.picture_values:,}}} \text{{ has {s.picture_digits:,} digits}}".replace(",", "{,}"))
        st.markdown(f"Each count is exact (the digit count of 256 to the power n, certified as on the image-space "
                    f"page): {s.picture_values:,} / {s.latent_values:,} = {s.ratio:g}.")
    link_to("image-space", "How large is image space?")
