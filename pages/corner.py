"""How tiny is the corner? The fraction of image space a real image, a sample, noise or the reader's picture
occupies, measured with a shipped diffusion model's variational bound and beside a generic compressor.

Layout only; the maths lives in ``diffusion_core.likelihood``.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.image_io import list_samples
from diffusion_core.images.pictures import tile
from diffusion_core.images.pixels import to_model_space
from diffusion_core.likelihood.charts import (
    NARROW,
    SET_COLOURS,
    THIS_IMAGE,
    WIDTH,
    histogram_chart,
    norms_histogram,
    profile_chart,
    shell_chart,
)
from diffusion_core.likelihood.compress import compress
from diffusion_core.likelihood.corner import corner_of_bound, corner_of_description
from diffusion_core.likelihood.estimate import DECODER_SHARE, estimate_image
from diffusion_core.likelihood.settings import CALLS, SOURCE_TITLES, SOURCES, CornerSettings
from diffusion_core.likelihood.sources import SAMPLER, fit_to_shape, model_samples, pixel_shape
from diffusion_core.likelihood.summary import SummaryError
from diffusion_core.likelihood.typical import (
    forward_norm,
    gaussian_shell,
    norms,
    uniform_images,
    uniform_shell,
    walk_norms,
)
from diffusion_core.live.gate import GateRefused
from diffusion_core.model.data import DATASET_TITLES
from diffusion_core.model.samplers import DEFAULT_STEPS, default_guidance, image_shape
from diffusion_core.model.shipped_data import ShippedDataError
from diffusion_core.model.weights import LoadedModel, WeightsError
from pages.app_entry import run_through_app
from pages.common import (
    BY_CONTENT,
    cached_held_out,
    cached_likelihood_summary,
    cached_model,
    heavy_gate,
    held_out_sizes,
    pick_image,
    shipped_models,
    show_png,
    show_svg,
    use_pixel_art_images,
)
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget, keep_class_choice
from pages.terms import words_on_this_page

run_through_app()

KEY = "co_"  # prefix of this page's session-state keys
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py): the sidebar's main choices
    "model": Control("Model", (KEY + "model",)), "image": Control("Image", (KEY + "src",)),
    "calls": Control("Network calls for the estimate", (KEY + "calls",)),
}
WALKS = 4  # reverse walks drawn in "where noise lives"
WALK_STEPS = 50

# ---------------------------------------------------------------- wide charts, drawn again for a phone
CHARTS = ("hist", "profile", "shell", "uniform")  # 1,000 (600) units wide: on a 390 px phone their text was 5 (8) px
PHONE_CSS = "<style>" + "".join(
    f"@media (min-width: 761px) {{ .st-key-{KEY}{name}_narrow {{ display: none; }} }} "
    f"@media (max-width: 760px) {{ .st-key-{KEY}{name}_wide {{ display: none; }} }} " for name in CHARTS) + (
    # the help buttons beside labels are 16 px: 24 px at least, to tap on a phone
    '[data-testid="stTooltipHoverTarget"] > button { min-width: 24px; min-height: 24px; display: inline-flex; '
    "align-items: center; justify-content: center; }</style>")


def show_chart(draw, key: str, alt: str, slot=st, width: int = WIDTH) -> None:
    """A chart drawn twice in ``slot``, ``draw(w)`` at ``width`` and at :data:`NARROW` for a phone; the page's CSS
    (:data:`PHONE_CSS`) shows one of them, as wide as the column, under ``key`` + "_wide" or "_narrow"."""
    with slot.container(key=key):
        show_svg(st, draw(width), key + "_wide", alt=alt)
        show_svg(st, draw(NARROW), key + "_narrow", alt=alt)


use_pixel_art_images()
st.html(PHONE_CSS)
st.title(site_page("corner").title)
st.markdown(
    "Image space is astronomically large, and the article this app grew from (“How Diffusion Models Generate Images: "
    "The Math Behind AI Creativity”) says that real pictures fill only an unimaginably tiny corner of it. A trained "
    "diffusion model can put a number on that corner. For any 8-bit picture x it computes a number of bits L(x), its "
    "variational bound (Ho et al. 2020, eq. 5), with a proven guarantee: the model gives x a probability of at least "
    "2<sup>−L(x)</sup>. Probabilities add up to at most 1, so at most 2<sup>L(x)</sup> pictures can be as plausible "
    "to the model as x. Compare that with all 256<sup>D</sup> = 2<sup>8D</sup> pictures of D pixel values, and you "
    "have the size of the corner. The page estimates L(x) from a few hundred runs of the network, with a 95% "
    "interval.", unsafe_allow_html=True)
st.markdown(
    "**Which model's probability?** The shipped network used without a class (no prompt, no guidance) as a DDPM of "
    "all 1,000 steps, each step back a Gaussian of variance β̃<sub>t</sub>, the last one a decoder onto the 256 "
    "levels of every pixel value. That is not the sampler that makes pictures on the Live denoiser (20 guided steps "
    "of DPM-Solver++): the bits below are the 1,000-step DDPM's.", unsafe_allow_html=True)
words_on_this_page(["pixel", "image space", "variational bound", "bits per dimension", "DDPM", "sampler",
                    "guidance", "prompt", "DPM-Solver++", "noise", "forward process", "timestep", "noise schedule",
                    "denoiser", "x̂₀ (the model's guess)", "confidence interval", "compressor", "KL divergence",
                    "signal-to-noise ratio", "ᾱ (alpha-bar)", "shell"])

models = shipped_models()
SETTINGS = PageSettings(  # the page's link and the widget of each setting (pages/reader_state.py)
    read_link=lambda query: CornerSettings.from_query(query, models, held_out_sizes(models), list_samples()),
    write_link=CornerSettings.to_query,
    widgets={"model": Widget(KEY + "model"), "source": Widget(KEY + "src"), "index": Widget(KEY + "index"),
             "label": Widget(KEY + "label"), "seed": Widget(KEY + "seed"), "photo": Widget(KEY + "image_sample"),
             "calls": Widget(KEY + "calls")},
    extra=lambda s: {KEY + "image_source": "Bundled photo"},  # a linked photo is a bundled one
)


# ---------------------------------------------------------------- cached work (heavy work waits its turn at the gate)
def _in_gate(work):
    try:
        with heavy_gate().slot():
            return work()
    except GateRefused as e:
        st.warning(str(e))
        st.stop()


@st.cache_data(max_entries=32, show_spinner=False, hash_funcs=BY_CONTENT)
def _estimate(model: str, pixels: np.ndarray, calls: int):
    """The page's estimate of L(x) for one image, once per (model, image, calls)."""
    return _in_gate(lambda: estimate_image(cached_model(model), pixels, calls))


@st.cache_data(max_entries=16, show_spinner=False)
def _generated(model: str, label: int, seed: int) -> np.ndarray:
    """One fresh sample (the app's default sampler, guidance and steps)."""
    return _in_gate(lambda: model_samples(cached_model(model), 1, seed, labels=np.array([label]))[0][0])


@st.cache_data(max_entries=4, show_spinner=False)
def _walks(model: str):
    """‖x_t‖ along a few real reverse walks, once per model."""
    loaded = cached_model(model)
    return _in_gate(lambda: walk_norms(loaded.runner, loaded.schedule,
                                                loaded.network_labels(np.arange(WALKS), 0).tolist(), steps=WALK_STEPS))


@st.cache_data(max_entries=4, show_spinner=False)
def _uniform_norms(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    images = uniform_images(1000, shape, seed=1)
    return norms(to_model_space(images)), images[:8]


def _choose_image(source: str, model: str, loaded: LoadedModel) -> tuple[np.ndarray, str]:
    """-> (pixels uint8 of the model's shape, description), from the sidebar's widgets."""
    shape = image_shape(loaded.runner)
    if source == "held":
        try:
            images = cached_held_out(model)[0]
        except ShippedDataError as e:
            st.error(f"{e} Pick another kind of image above.")
            st.stop()
        if st.session_state.get(KEY + "index", 0) >= len(images):  # from a larger set: keep the widget in range
            st.session_state[KEY + "index"] = len(images) - 1
        index = st.number_input("Image number", 0, len(images) - 1, key=KEY + "index", **KEPT,
                                help=f"One of the {len(images):,} held-out test images, never seen in training.")
        return images[index], f"Held-out real image #{index}"
    if source in ("generated", "noise"):
        if source == "generated":
            names = loaded.class_names
            label = st.selectbox("Class", range(len(names)), key=KEY + "label", **KEPT,
                                 format_func=lambda k: names[k] if names[k] == str(k) else f"{k}: {names[k]}")
        seed = st.number_input("Seed", 0, MAX_SEED, key=KEY + "seed", **KEPT,
                               help="The same seed always gives the same image.")
        if source == "noise":
            return uniform_images(1, pixel_shape(shape), int(seed))[0], f"Uniform noise, seed {seed}"
        return (_generated(model, int(label), int(seed)),
                f"A fresh sample of class “{loaded.class_names[label]}”, seed {seed}")
    small = fit_to_shape(pick_image(KEY + "image", label="Picture").pixels, shape)
    bundled = st.session_state.get(KEY + "image_source") == "Bundled photo"
    name = st.session_state.get(KEY + "image_sample", "Photo") if bundled else "Your picture"
    colour = "colour" if shape[0] == 3 else "grayscale"
    return small, f"{name}, reduced to {shape[1]} × {shape[2]} {colour}"


# ================================================================= the page
SETTINGS.restore()
lesson = lesson_for("corner", LESSON_CONTROLS)
with st.sidebar:
    st.subheader("What to measure")
    model = st.selectbox("Model", models, key=KEY + "model", format_func=lambda m: DATASET_TITLES.get(m, m),
                         disabled=lesson.is_locked("model"), **KEPT)
    try:
        loaded = cached_model(model)
    except WeightsError as e:
        st.error(f"The {model!r} model cannot be used: {e}")
        st.stop()
    keep_class_choice(KEY + "label", model, range(len(loaded.class_names)), default=0)
    source = st.radio("Image", SOURCES, format_func=SOURCE_TITLES.get, key=KEY + "src", disabled=lesson.is_locked("image"),
                      **KEPT)
    pixels, description = _choose_image(source, model, loaded)
    calls = st.select_slider("Network calls for the estimate", CALLS, key=KEY + "calls", disabled=lesson.is_locked("calls"),
                             **KEPT,
                             help="About this many network calls: more calls, a narrower interval (it shrinks "
                                  "like 1/√calls).")
lesson_panel("corner", LESSON_CONTROLS, SETTINGS.mirror(SETTINGS.shown()), lesson)

schedule = loaded.schedule
dims = int(pixels.size)
est = _estimate(model, pixels, int(calls))
value, half = float(est.bits_per_dim[0]), float(est.half_width[0])
packed = compress(pixels)
model_corner = corner_of_bound((value + half) * dims, dims)
comp_corner = corner_of_description(packed.bits, dims)
side = f"{pixels.shape[1]} × {pixels.shape[0]}"

st.header(description)
c_img, c_num = st.columns([1, 3], gap="large")
with c_img:
    show_png(st, pixels, scale=max(1, 224 // pixels.shape[1]),
             caption=f"{side}{' × 3' if pixels.ndim == 3 else ''} = {dims:,} values",
             alt=f"The image measured: {description}, "
                 f"{alt_text.size_words(pixels.shape[0], pixels.shape[1], pixels.ndim == 3)}.")
    if source == "generated":
        st.caption(f"Made by the app's default sampler: {DEFAULT_STEPS[SAMPLER]} steps of DPM-Solver++ with guidance "
                   f"s = {default_guidance(model):g}, not by the 1,000-step DDPM whose bound is measured here.")
with c_num:
    m1, m2, m3 = st.columns([9, 5, 4])  # the bound and its interval need the room ("27.041 ± 0.150")
    m1.metric("The model's bound L(x)", f"{value:.3f} ± {half:.3f}", help="bits per dimension, estimated with a 95% "
              f"interval from {est.plan.evals} network calls at random timesteps")
    m2.metric(f"Compressor ({packed.method})", f"{packed.bits / dims:.3f}",
              help="bits per dimension of the shortest PNG or LZMA description, exact")
    m3.metric("Plain pixels", "8", help="bits per dimension of writing every pixel value out as it is: all 256^D "
              "images, no corner at all")
    st.caption("All three in bits per dimension (bits per pixel value). Lower means a smaller corner.")
    if model_corner.fraction_digits is not None:
        st.markdown(
            f"**What the model proves, with 95% confidence.** The estimate's 95% interval puts L(x) at most "
            f"{value + half:.3f} bits/dim, {model_corner.bits:,} bits in all (taken alone, that upper end is a "
            f"one-sided bound held with 97.5% confidence). Then the model gives this image a probability of at least "
            f"2<sup>−{model_corner.bits:,}</sup>, so at most 2<sup>{model_corner.bits:,}</sup> &lt; "
            f"10<sup>{model_corner.count_digits:,}</sup> images are at least as plausible to it: **one in "
            f"10<sup>{model_corner.fraction_digits:,}</sup> of all** {side} images, of which there are "
            f"256<sup>{dims:,}</sup>, a number with {model_corner.space_digits:,} digits.",
            unsafe_allow_html=True)
    else:
        where = (f"even the estimate, {value:.2f} bits/dim," if value >= 8 else
                 f"the upper end of its 95% interval, {value + half:.2f} bits/dim,")
        st.markdown(f"**The bound proves nothing here.** L(x) is an upper bound on the bits the model needs for this "
                    f"image, −log₂ of its probability, and {where} is above the 8 bits/dim of writing every pixel "
                    "out. So its guarantee, at most 2<sup>L(x)</sup> images as plausible as this one, says less "
                    "than counting alone: there are only 256<sup>D</sup> images in all. An upper bound can show "
                    "that an image is likely, never that it is unlikely: whether the model finds this image less "
                    "likely than a uniformly random pick, the bound cannot tell.", unsafe_allow_html=True)
    if comp_corner.fraction_digits is not None:
        st.markdown(
            f"**What the compressor proves, by counting.** {packed.method} describes it in {packed.bits:,} bits. At "
            f"most 2<sup>{packed.bits + 1:,}</sup> − 1 &lt; 10<sup>{comp_corner.count_digits:,}</sup> images have a "
            f"description that short: one in 10<sup>{comp_corner.fraction_digits:,}</sup> of all. No estimate in it.",
            unsafe_allow_html=True)
    else:
        st.markdown(f"**The compressor proves nothing either**: its {packed.bits:,} bits are more than the "
                    f"{8 * dims:,} of writing the pixels out.")

st.header("Where this image falls")
st.markdown("The same bound, summed exactly over all timesteps, for hundreds of images of each kind: real pictures "
            "the model never saw, its own samples, another data set and noise.")
try:
    summary = cached_likelihood_summary(model)
except SummaryError as e:
    summary = None
    st.info(str(e))
if summary is not None and summary.shape == image_shape(loaded.runner):
    order = ("real", "samples", "ood", "noise")
    sets = {k: (summary.sets[k].title, summary.sets[k].bpd) for k in order if k in summary.sets}
    real = summary.sets["real"]
    compressor_mean = float(np.mean(real.compressor_bits)) / dims
    alt = alt_text.bound_histograms([t for t, _ in sets.values()], value)
    show_chart(lambda width: histogram_chart(sets, (value, value - half, value + half), compressor_mean,
                                             description=alt, width=width), KEY + "hist", alt)
    mean, hw = real.mean_ci()
    st.caption(f"Each bar counts images by their bound, summed over all {summary.T:,} timesteps. Held-out real "
               f"images: {mean:.3f} ± {hw:.3f} bits/dim on average, their compressor {compressor_mean:.3f}. Noise sits "
               "far to the right, above 8 bits/dim, where the bound proves nothing about it.")
    if compressor_mean < mean - hw:
        st.info(f"**Here the compressor wins.** For these held-out images a generic compressor needs "
                f"{compressor_mean:.2f} bits/dim and the model's bound {mean:.2f}: the compressor proves a smaller "
                "corner than the model's bound does, because a small network trained on a few thousand images "
                "pays for its doubt in every pixel, while the flat backgrounds and flat colours of these images "
                "are just what PNG and LZMA were made for. Both figures are honest upper bounds on a "
                "description's length; the smaller one proves the tighter corner.", icon=":material/compress:")
    if "ood" in summary.sets and summary.sets["ood"].mean_ci()[0] < mean:
        st.warning(f"**A likelihood is no detector of foreign images.** {summary.sets['ood'].title.capitalize()} "
                   f"score better under this model than its own held-out images ({summary.sets['ood'].mean_ci()[0]:.2f} "
                   f"vs {mean:.2f} bits/dim), as Nalisnick et al. (2019) found for Fashion-MNIST models and MNIST "
                   "digits: simpler images cost fewer bits under almost any model (the compressor agrees). A small "
                   "bound says an image is simple, not that it is typical of the data.",
                   icon=":material/lightbulb:")

st.header("Where in the walk the bits are spent")
st.markdown("Each step of the walk back from noise settles a little more of the picture, and costs some bits. Noise "
            "is the same at every scale, while pictures keep most of their power in coarse shapes, so the forward "
            "process buries the finest detail first (on the forward page, watch a photo's fine texture vanish long "
            "before its outline) and the walk back settles it last. The chart shows the share of the bound spent in "
            "the walk's last t steps.")
curves = {"this image (estimate)": (est.per_timestep()[0], THIS_IMAGE, "solid")}  # the histogram's colours
if summary is not None:
    curves["held-out real images (mean)"] = (summary.sets["real"].profile, SET_COLOURS["real"], "dash")
    if "noise" in summary.sets:
        curves["uniform noise (mean)"] = (summary.sets["noise"].profile, SET_COLOURS["noise"], "dot")
alt = alt_text.bits_profile(list(curves))
show_chart(lambda width: profile_chart(curves, description=alt, width=width), KEY + "profile", alt)
decoder, kl, last20 = float(est.decoder()[0]), float(est.steps()[0]), float(est.share_of_last(20)[0])
st.caption(f"For this image the decoder, the walk's very last step, carries {est.share_of_decoder()[0]:.0%} of the "
           f"bits and the last 20 of the {schedule.T:,} steps {last20:.0%}"
           + (": most of L(x) pays for the finest detail, the last few levels of each pixel value, which only the "
              "barely noisy end of the walk can tell apart." if last20 > 0.5 and value < 8 else ".")
           + " Each estimated stratum is spread evenly over its timesteps.")

st.header("The bound, term by term (Ho et al. 2020, eq. 5)")
st.markdown("The bound adds one cost for every step of the walk back: how far the model's step is from the true "
            "step, averaged over the noisy versions x<sub>1</sub> … x<sub>T</sub> of the image that the forward "
            "process q makes. The inequality holds for that average: the sum for one draw of the noise may fall below "
            "−log p<sub>θ</sub>(x<sub>0</sub>).",
            unsafe_allow_html=True)
st.latex(r"-\log p_\theta(x_0) \;\le\; L = \mathbb E_{q(x_{1:T}\mid x_0)}\big[\,L_T + \textstyle\sum_{t=2}^{T} L_{t-1}"
         r" + L_0\,\big]")
st.latex(r"L_T = D_{\mathrm{KL}}\!\left(q(x_T\mid x_0)\,\|\,p(x_T)\right),\qquad "
         r"L_{t-1} = D_{\mathrm{KL}}\!\left(q(x_{t-1}\mid x_t,x_0)\,\|\,p_\theta(x_{t-1}\mid x_t)\right)")
st.latex(r"L_0 = -\log p_\theta(x_0\mid x_1)")
t1, t2, t3 = st.columns(3)
t1.markdown(f"**Prior** L<sub>T</sub>: {est.prior[0]:.2e} bits/dim, computed in closed form. Almost nothing: after "
            "T steps x<sub>T</sub> is almost pure noise whatever x<sub>0</sub> was.", unsafe_allow_html=True)
t2.markdown(f"**The T − 1 steps** Σ L<sub>t−1</sub>: {kl:.3f} bits/dim (estimated). Each compares the true "
            "small step back with the model's.", unsafe_allow_html=True)
t3.markdown(f"**Decoder** L<sub>0</sub>: {decoder:.3f} bits/dim (estimated): the 256 levels of each pixel value "
            "from the last, barely noisy x<sub>1</sub>.", unsafe_allow_html=True)
with st.expander("The maths of each term"):
    st.latex(r"L_T = \tfrac12\sum_i\left(\bar\alpha_T x_{0,i}^2 + (1-\bar\alpha_T) - 1 - \log(1-\bar\alpha_T)\right)")
    st.latex(r"L_{t-1} = \frac{\|\tilde\mu_t(x_t,x_0)-\mu_\theta(x_t)\|^2}{2\tilde\beta_t},\qquad"
             r"\tilde\beta_t=\frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\,\beta_t")
    st.latex(r"L_0 = -\sum_i \log\int_{\delta_-(x_{0,i})}^{\delta_+(x_{0,i})}\mathcal N\!\left(u;\;\hat x_{0,i}(x_1),\;"
             r"\tilde\beta_2\right)du,\qquad \delta_\pm(x)=x\pm\tfrac1{255}\ \ (\pm\infty \text{ at the end levels})")
    st.markdown("Each step back of the model is a Gaussian with the variance β̃<sub>t</sub> of the true step when x₀ "
                "is known, the variance the DDPM sampler adds. Its mean μ<sub>θ</sub> is μ̃<sub>t</sub>, the mean of "
                "that true step (Ho et al. 2020, eq. 7), with the predicted clean image x̂<sub>0</sub> in place of "
                "x<sub>0</sub>, clipped to [−1, 1] as the sampler does. The decoder is a Gaussian around x̂<sub>0</sub> "
                "of variance β̃<sub>2</sub>, the variance of the sampler's last noisy step (as in Ho et al.'s code; "
                "β̃<sub>1</sub> is 0, and the sampler adds no noise at its final step), integrated over each pixel "
                "value's bin. In bits per dimension, L/(D ln 2).", unsafe_allow_html=True)
st.markdown("**The training loss is the bound, reweighted.** With the variance β̃<sub>t</sub>, each step's term is the "
            "error of the guess x̂<sub>0</sub>, or of the noise prediction ε̂, weighted by how much the "
            "signal-to-noise ratio drops at that step. Ho et al. train on ‖ε − ε̂‖² with that weight dropped (every "
            "t counts the same: their L<sub>simple</sub>), which makes better pictures but is not the bound.",
            unsafe_allow_html=True)
st.latex(r"\begin{aligned} L_{t-1} &= \tfrac12\big(\mathrm{SNR}(t-1) - \mathrm{SNR}(t)\big)\,\|x_0-\hat x_0\|^2 \\"
         r"&= \tfrac12\Big(\frac{\mathrm{SNR}(t-1)}{\mathrm{SNR}(t)} - 1\Big)\,\|\varepsilon-\hat\varepsilon\|^2"
         r"\end{aligned}")
st.caption("SNR(t) = ᾱ_t / (1 − ᾱ_t). The second form is for the unclipped x̂₀; clipping it to [−1, 1], as this page "
           "does, can only lower a term, since x₀ lies in [−1, 1].")
st.markdown("Computing all T terms takes T network calls; the page draws a few hundred timesteps at random and "
            "weighs each by how likely it was to be drawn, which keeps the estimate unbiased:")
st.latex(r"\hat L = L_T + \sum_{h}\frac1{n_h}\sum_{j=1}^{n_h} L_{t_j}(\varepsilon_j)\,\frac{m_h}{q_{t_j}},"
         r"\qquad t_j\sim q\ \text{within stratum } h,\quad \mathbb E[\hat L]=L")
st.caption(f"Here {len(est.plan.strata)} strata (runs of timesteps) and {est.plan.evals} calls: stratum h gets "
           "n_h of them, each at a timestep t_j drawn from q within the stratum and with its own noise ε_j, and m_h "
           f"is q's total over stratum h. The proposal q gives the decoder {DECODER_SHARE:.0%} of the draws and "
           "spreads the rest over t ≥ 1 in proportion to how much log(1 + SNR) drops at each step, log(1 + SNR(t − 1)) − "
           "log(1 + SNR(t)), which sends most of them where the noise is small. The interval is ±1.96 standard "
           "errors from the spread within each stratum (a normal approximation).")

st.header("Where noise lives")
noise_shell, random_shell = gaussian_shell(dims), uniform_shell(dims)
walk = _walks(model)
try:
    held = cached_held_out(model)[0]
    mean_sq = float(np.mean(norms(to_model_space(held)) ** 2))
except ShippedDataError:
    mean_sq = float(np.mean(norms(walk.final) ** 2))
ts = np.unique(np.linspace(0, schedule.T - 1, 200).astype(int))
alt = alt_text.walk_norms(walk.norms.shape[1], noise_shell.mean, random_shell.mean, float(walk.norms[0].mean()),
                          float(walk.norms[-1].mean()))
forward_norms = (ts + 1, forward_norm(mean_sq, schedule.alpha_bar[ts], dims))
st.markdown("Pure noise is not spread all over image space: in many dimensions almost every draw has nearly the same "
            "length, so noise lives in a thin shell, and every walk starts there.")
show_chart(lambda width: shell_chart(walk, noise_shell, random_shell, forward_norms, schedule.T, description=alt,
                                     width=width), KEY + "shell", alt)
image_norm = float(np.sqrt(mean_sq))
length = noise_shell.compare(image_norm)  # "about" as long as noise, or "shorter" or "longer"
start_gap = float(np.median(walk.to_end[0]))
st.markdown(
    f"In {dims:,} dimensions, Gaussian noise has length ‖ε‖ = {noise_shell.mean:.2f} ± "
    f"{noise_shell.sd:.2f} (the chi distribution; √D = {np.sqrt(dims):.2f}), so every draw sits in a thin shell, "
    "and none near the centre, where the density is highest. Every reverse walk (blue) starts on that shell. "
    + (f"Real images here happen to be about as long as noise (‖x₀‖ ≈ {image_norm:.1f}: most of their values sit at "
       "an end of the range, ±1), so the walks hardly change length: what changes is direction. "
       if length == "about" else f"Real images are {length} "
       f"(‖x₀‖ ≈ {image_norm:.1f}), and the walks leave the shell as the picture forms. ")
    + f"The dotted lines are each walk's distance to where it ends: about {start_gap:.0f} at the start, as far "
    "as two points at right angles (in high dimension, two random directions almost always are), and 0 at the "
    "end. The dashed line is what the forward "
    f"process predicts from real images. Uniformly random images live in a thin shell too, of radius "
    f"{random_shell.mean:.2f} ± {random_shell.sd:.2f}, and they all look alike:")
sample_norms, examples = _uniform_norms(tuple(pixels.shape))
left, right = st.columns([2, 3])
show_png(left, tile(examples, 4), scale=3, caption="Eight uniformly random images",
         alt=alt_text.random_images(len(examples), pixels.shape[0], pixels.shape[1], colour=pixels.ndim == 3))
alt = alt_text.norms_spread(len(sample_norms), random_shell.share_within(sample_norms), random_shell.mean)
show_chart(lambda width: norms_histogram(sample_norms, random_shell, "‖x‖ of 1,000 uniformly random images",
                                         description=alt, width=width), KEY + "uniform", alt, slot=right, width=600)

st.header("What is proven, what is estimated")
st.markdown(
    "- **Proven for every image and every model:** P<sub>model</sub>(x) ≥ 2<sup>−L(x)</sup> (Jensen's inequality), "
    "where L(x) is the bound's exact value, eq. 5 with its average over the noise. L is an upper bound on the model's "
    "code length for x, never a guess of it: it can show that an image is likely, never that it is unlikely.\n"
    f"- **Estimated:** L(x) itself, from {est.plan.evals} network calls at random timesteps with random noise: "
    "unbiased, with a 95% interval (a normal approximation). What the page says the model proves rests on the "
    "interval's upper end, so it holds with 95% confidence (97.5% for that upper end taken alone). Even the sum "
    "over all T timesteps draws one noise per term, so it too is an estimate, just a more precise one.\n"
    "- **Computed exactly:** the powers of ten, from that upper end by integer arithmetic (certified digit counts; "
    "we round the bits up, so they claim no more than the bound).\n"
    "- **Counted:** the compressor's figure is a pigeonhole count of short descriptions. Nothing in it is estimated, "
    "but it only knows simple regularities (flat areas, repeats), not what the images of a data set look like.",
    unsafe_allow_html=True)

with st.expander("Reproduce this", icon=":material/terminal:"):
    st.markdown("The histograms and the mean profiles come from the exact sums over all timesteps, made by the "
                "project's command-line tool and shipped with the app:")
    command = (summary.run.get("command", f"python -m diffusion_core.likelihood --model {model}") + " --export"
               if summary is not None else f"python -m diffusion_core.likelihood --model {model} --export")
    st.html(f'<pre style="white-space: pre-wrap; overflow-wrap: anywhere">{html.escape(command)}</pre>')
