"""The live denoiser's three explanatory tabs: samplers side by side, what guidance does, one denoising step.

Layout only, called by pages/denoiser.py with the model and the settings on screen; the runs live in
``diffusion_core.live``.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.images.pictures import tile
from diffusion_core.live.gate import GateRefused
from diffusion_core.live.generation_settings import NO_CLASS, GenerationSettings
from diffusion_core.live.one_step import OneStep, denoise_once
from diffusion_core.live.run import SWEEP_ROWS, SWEEP_SCALES, compare_samplers, guidance_sweep
from diffusion_core.model.samplers import DEFAULT_STEPS, SAMPLER_NAMES, logsnr_timesteps
from diffusion_core.model.shipped_data import ShippedDataError
from diffusion_core.model.weights import LoadedModel
from pages.common import cached_held_out, cached_model, heavy_gate, show_png
from pages.reader_state import KEPT

KEY = "den_"


@st.cache_data(max_entries=64, show_spinner=False)
def one_denoising_step(model: str, index: int, t: int, label: int, seed: int) -> OneStep:
    """The model's one step on held-out image ``index`` noised to ``t`` (kept: other settings' reruns reuse it)."""
    shipped = cached_model(model)
    return denoise_once(shipped.runner, shipped.schedule, cached_held_out(model)[0][index], label, t, seed=seed)


def samplers_tab(loaded: LoadedModel, settings: GenerationSettings) -> None:
    """DDPM, DDIM and DPM-Solver++ from the same starting noise."""
    class_names = loaded.class_names
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
                   f"{compared_settings.guidance:g}, seed {compared_settings.seed}.")
        for col, r in zip(st.columns(3), results):
            with col:
                st.markdown(f"**{SAMPLER_NAMES[r.sampler]}**, {r.steps} steps")
                show_png(st, r.trajectory.final[0], scale=8, caption=f"{r.seconds:.2f} s on {loaded.device.type.upper()}",
                         alt=alt_text.sampler_result(SAMPLER_NAMES[r.sampler], r.steps))
                show_png(st, tile(r.trajectory.x0_hat[:, 0], len(r.trajectory.x0_hat)), scale=2,
                         caption="x̂0 along the way (8 evenly spaced steps)",
                         alt=alt_text.sampler_result(SAMPLER_NAMES[r.sampler], r.steps,
                                                     "row of the model's guesses x̂_0 at 8 evenly spaced steps"))
        st.caption("Same start, same model: DDIM and DPM-Solver++ follow the same underlying ODE and usually land on "
                   "nearly the same image; DDPM adds fresh noise at every step, so it lands somewhere else in the same class.")


def guidance_tab(loaded: LoadedModel, settings: GenerationSettings) -> None:
    """Classifier-free guidance: the same noises at several scales."""
    class_names = loaded.class_names
    st.markdown(
        "Classifier-free guidance (Ho & Salimans 2022) runs the model twice per step, with and without the prompt, "
        "and extrapolates from the unconditional prediction towards the conditional one:")
    st.latex(r"\tilde\epsilon = \epsilon_\theta(x_t, \varnothing)"
             r" + s\,\big(\epsilon_\theta(x_t, y) - \epsilon_\theta(x_t, \varnothing)\big)")
    st.markdown("*s* = 0 ignores the prompt, *s* = 1 is the plain conditional model, larger *s* pushes harder "
                "towards what the model thinks the class looks like — clearer, but less varied.")
    st.caption(f"Uses the Generate tab's prompt (0 if none) and seed: rows are that seed and the next {SWEEP_ROWS - 1} · "
               "DPM-Solver++, 20 steps · the same starting noise in every column of a row.")
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
            show_png(col, tile(images, 1), scale=5, caption=f"s = {g:g}", alt=alt_text.guidance_column(g, len(images)))


def one_step_tab(loaded: LoadedModel, settings: GenerationSettings) -> None:
    """One denoising step on a real held-out image."""
    class_names = loaded.class_names
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
        for col, (img, caption) in zip(st.columns(5), result.panels()):
            show_png(col, img, scale=6, caption=caption, alt=alt_text.one_step_panel(caption, t))
        m1, m2, m3 = st.columns(3)
        m1.metric("Noise error  ‖ε̂ − ε‖ (RMS)", f"{result.noise_rmse:.3f}")
        m2.metric("Noisy input vs clean (RMS)", f"{result.input_rmse:.3f}")
        m3.metric("Model's x̂₀ vs clean (RMS)", f"{result.output_rmse:.3f}",
                  delta=f"{result.output_rmse - result.input_rmse:+.3f}", delta_color="inverse")
        st.caption(f"Real image of class “{class_names[real_labels[index]]}”. Pixel values in the model's range "
                   "[−1, 1]; noise images show ±3σ as black…white.")
