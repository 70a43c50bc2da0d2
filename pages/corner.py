"""How tiny is the corner? The fraction of image space a real image, a sample, noise or the reader's picture
occupies, measured with a shipped diffusion model's variational bound and beside a generic compressor.

Layout only; the maths lives in ``diffusion_core.likelihood``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from diffusion_core import MAX_SEED
from diffusion_core.access import alt_text
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.image_io import list_samples
from diffusion_core.images.pictures import tile
from diffusion_core.images.pixels import to_model_space
from diffusion_core.likelihood.charts import (
    SET_COLOURS,
    THIS_IMAGE,
    histogram_chart,
    norms_histogram,
    profile_chart,
    shell_chart,
)
from diffusion_core.likelihood.compress import compress
from diffusion_core.likelihood.corner import corner_of_bound, corner_of_description
from diffusion_core.likelihood.estimate import estimate_image
from diffusion_core.likelihood.settings import CALLS, SOURCE_TITLES, SOURCES, CornerSettings
from diffusion_core.likelihood.sources import fit_to_shape, model_samples, pixel_shape
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
from diffusion_core.model.samplers import image_shape
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

run_through_app()

KEY = "co_"  # prefix of this page's session-state keys
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py): the sidebar's main choices
    "model": Control("Model", (KEY + "model",)), "image": Control("Image", (KEY + "src",)),
    "calls": Control("Network calls for the estimate", (KEY + "calls",)),
}
WALKS = 4  # reverse walks drawn in "where noise lives"
WALK_STEPS = 50

use_pixel_art_images()
st.title(site_page("corner").title)
st.markdown(
    "Image space is astronomically large, and the article claims that real pictures fill only an unimaginably "
    "tiny corner of it. A trained diffusion model can **measure** that corner. For any 8-bit image x it gives a "
    "number of bits L(x) — its *variational bound* (Ho et al. 2020, eq. 5) — with a proven guarantee: the model "
    "assigns x a probability of at least 2<sup>−L(x)</sup>. Since probabilities add up to at most 1, at most "
    "2<sup>L(x)</sup> images can be as plausible to the model as x. Compare that with the 2<sup>8D</sup> images "
    "of D pixel values, and you have the size of the corner.", unsafe_allow_html=True)

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
    return _in_gate(lambda: walk_norms(loaded.runner, loaded.schedule, list(range(WALKS)), steps=WALK_STEPS))


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
            label = st.selectbox("Class", range(len(names)), key=KEY + "label", format_func=lambda k: f"{k}: {names[k]}",
                                 **KEPT)
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

st.subheader(description)
c_img, c_num = st.columns([1, 3], gap="large")
with c_img:
    show_png(st, pixels, scale=max(1, 224 // pixels.shape[1]),
             caption=f"{pixels.shape[1]} × {pixels.shape[0]}{' × 3' if pixels.ndim == 3 else ''} = {dims:,} values",
             alt=f"The image measured: {description}, "
                 f"{alt_text.size_words(pixels.shape[0], pixels.shape[1], pixels.ndim == 3)}.")
with c_num:
    m1, m2, m3 = st.columns(3)
    m1.metric("The model's bound L(x)", f"{value:.3f} ± {half:.3f}", help="bits per dimension, estimated with a 95% "
              f"interval from {est.plan.evals} network calls at random timesteps")
    m2.metric(f"Compressor ({packed.method})", f"{packed.bits / dims:.3f}",
              help="bits per dimension of the shortest PNG or LZMA description, exact")
    m3.metric("Writing every pixel out", "8", help="bits per dimension: all 256^D images, no corner at all")
    st.caption("All three in bits per dimension (per pixel value). Lower means a smaller corner.")
    if model_corner.fraction_digits is not None:
        st.markdown(
            f"**What the model proves.** With 95% confidence L(x) ≤ {value + half:.3f} bits/dim, i.e. "
            f"{model_corner.bits:,} bits, so the model gives this image a probability of at least "
            f"2<sup>−{model_corner.bits:,}</sup>. Then at most 2<sup>{model_corner.bits:,}</sup> &lt; "
            f"10<sup>{model_corner.count_digits:,}</sup> images are at least as plausible to it: **one in "
            f"10<sup>{model_corner.fraction_digits:,}</sup> of all** {pixels.shape[1]} × {pixels.shape[0]} images, of "
            f"which there are 256<sup>{dims:,}</sup>, a number with {model_corner.space_digits:,} digits.",
            unsafe_allow_html=True)
    else:
        st.markdown(f"**The model proves nothing here.** Its bound is above 8 bits/dim (the upper end is "
                    f"{value + half:.2f}): the model finds this image *less* plausible than picking an image "
                    "uniformly at random would. That is what it thinks of noise and of pictures unlike its data.")
    if comp_corner.fraction_digits is not None:
        st.markdown(
            f"**What the compressor proves, by counting.** {packed.method} describes it in {packed.bits:,} bits. At "
            f"most 2<sup>{packed.bits + 1:,}</sup> − 1 &lt; 10<sup>{comp_corner.count_digits:,}</sup> images have a "
            f"description that short: one in 10<sup>{comp_corner.fraction_digits:,}</sup> of all. No estimate in it.",
            unsafe_allow_html=True)
    else:
        st.markdown(f"**The compressor proves nothing either**: its {packed.bits:,} bits are more than the "
                    f"{8 * dims:,} of writing the pixels out.")

st.markdown("#### Where this image falls")
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
    show_svg(st, histogram_chart(sets, (value, value - half, value + half), compressor_mean, description=alt),
             KEY + "hist", alt=alt)
    mean, hw = real.mean_ci()
    st.caption(f"Each bar counts images by their bound, summed over all {summary.T:,} timesteps (from "
               f"`{summary.run.get('command', 'python -m diffusion_core.likelihood')} --export`). Held-out real "
               f"images: {mean:.3f} ± {hw:.3f} bits/dim on average, their compressor {compressor_mean:.3f}. Noise sits "
               "far to the right: the model is sure it is not a picture.")
    if compressor_mean < mean - hw:
        st.info(f"**Here the compressor wins.** For these held-out images a generic compressor needs "
                f"{compressor_mean:.2f} bits/dim and the model's bound {mean:.2f}: the bound proves a smaller corner "
                "than the model could, because a small network trained on a few thousand images pays for its doubt "
                "in every pixel, while the flat backgrounds and flat colours of these images are just what PNG and "
                "LZMA were made for. Both figures are honest upper bounds on a description's length; the smaller "
                "one proves the tighter corner.", icon=":material/compress:")
    if "ood" in summary.sets and summary.sets["ood"].mean_ci()[0] < mean:
        st.warning(f"**A likelihood is no detector of foreign images.** {summary.sets['ood'].title.capitalize()} "
                   f"score *better* under this model than its own held-out images ({summary.sets['ood'].mean_ci()[0]:.2f} "
                   f"vs {mean:.2f} bits/dim), as Nalisnick et al. (2019) found for Fashion-MNIST models and MNIST "
                   "digits: simpler images cost fewer bits under almost any model (the compressor agrees). A small "
                   "bound says an image is *simple*, not that it is *typical* of the data.",
                   icon=":material/lightbulb:")

st.markdown("#### Where in the walk the bits are spent")
curves = {"this image (estimate)": (est.per_timestep()[0], THIS_IMAGE, "solid")}  # the histogram's colours
if summary is not None:
    curves["held-out real images (mean)"] = (summary.sets["real"].profile, SET_COLOURS["real"], "dash")
    if "noise" in summary.sets:
        curves["uniform noise (mean)"] = (summary.sets["noise"].profile, SET_COLOURS["noise"], "dot")
alt = alt_text.bits_profile(list(curves))
show_svg(st, profile_chart(curves, description=alt), KEY + "profile", alt=alt)
decoder, kl, last20 = float(est.decoder()[0]), float(est.steps()[0]), float(est.share_of_last(20)[0])
st.caption(f"For this image the decoder, the walk's very last step, carries {est.share_of_decoder()[0]:.0%} of the "
           f"bits and the last 20 of the {schedule.T:,} steps {last20:.0%}"
           + (": most of L(x) pays for the finest detail, the last few levels of each pixel value, which only the barely noisy "
              "end of the walk can tell apart." if last20 > 0.5 and value < 8 else ".")
           + " Each estimated stratum is spread evenly over its timesteps.")

st.markdown("#### The bound, term by term (Ho et al. 2020, eq. 5)")
st.latex(r"-\log p_\theta(x_0) \;\le\; L = \underbrace{D_{\mathrm{KL}}\!\left(q(x_T\mid x_0)\,\|\,p(x_T)\right)}_{L_T}"
         r"+\sum_{t=2}^{T}\underbrace{D_{\mathrm{KL}}\!\left(q(x_{t-1}\mid x_t,x_0)\,\|\,p_\theta(x_{t-1}\mid x_t)"
         r"\right)}_{L_{t-1}}\;\underbrace{-\,\log p_\theta(x_0\mid x_1)}_{L_0}")
t1, t2, t3 = st.columns(3)
t1.markdown(f"**Prior** L<sub>T</sub>: {est.prior[0]:.2e} bits/dim. Exact: after T steps x<sub>T</sub> is pure "
            "noise whatever x<sub>0</sub> was.", unsafe_allow_html=True)
t2.markdown(f"**The T − 1 steps** Σ L<sub>t−1</sub>: {kl:.3f} bits/dim (estimated). Each compares the true "
            "small step back with the model's.", unsafe_allow_html=True)
t3.markdown(f"**Decoder** L<sub>0</sub>: {decoder:.3f} bits/dim (estimated): the 256 levels of each pixel value from the last, "
            "barely noisy x<sub>1</sub>.", unsafe_allow_html=True)
st.latex(r"L_T = \tfrac12\sum_i\left(\bar\alpha_T x_{0,i}^2 + (1-\bar\alpha_T) - 1 - \log(1-\bar\alpha_T)\right)")
st.latex(r"L_{t-1} = \frac{\|\tilde\mu_t(x_t,x_0)-\mu_\theta(x_t)\|^2}{2\tilde\beta_t}"
         r"= \frac{\bar\alpha_{t-1}\beta_t^2}{2\tilde\beta_t(1-\bar\alpha_t)^2}\,\|x_0-\hat x_0(x_t)\|^2,"
         r"\qquad \tilde\beta_t=\frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\beta_t")
st.latex(r"L_0 = -\sum_i \log\int_{\delta_-(x_{0,i})}^{\delta_+(x_{0,i})}\mathcal N\!\left(u;\;\hat x_{0,i}(x_1),\;"
         r"\tilde\beta_2\right)du,\qquad \delta_\pm(x)=x\pm\tfrac1{255}\ \ (\pm\infty \text{ at the end levels})")
st.markdown("The model's step back has the sampler's own variance β̃<sub>t</sub> (the DDPM sampler's) and its mean "
            "comes from the predicted clean image x̂<sub>0</sub>, clipped to [−1, 1] as the sampler does. In bits per "
            "dimension, L/(D ln 2). Computing all T terms takes T network calls; the page draws a few hundred:",
            unsafe_allow_html=True)
st.latex(r"\hat L = L_T + \sum_{h}\frac1{n_h}\sum_{j=1}^{n_h} L_{t_j}(\varepsilon_j)\,\frac{m_h}{q_{t_j}},"
         r"\qquad t_j\sim q\ \text{within stratum } h,\quad \mathbb E[\hat L]=L")
st.caption(f"Here {len(est.plan.strata)} strata and {est.plan.evals} calls, most of them where the noise is small "
           "(the proposal q follows log(1 + SNR)); the interval is ±1.96 standard errors from the spread within "
           "each stratum.")

st.markdown("#### Where noise lives")
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
shells = shell_chart(walk, noise_shell, random_shell, (ts + 1, forward_norm(mean_sq, schedule.alpha_bar[ts], dims)),
                     schedule.T, description=alt)
show_svg(st, shells, KEY + "shell", alt=alt)
image_norm = float(np.sqrt(mean_sq))
length = noise_shell.compare(image_norm)  # "about" as long as noise, or "shorter" or "longer"
start_gap = float(np.median(walk.to_end[0]))
st.markdown(
    f"In {dims:,} dimensions, Gaussian noise is not spread out: its length ‖ε‖ is {noise_shell.mean:.2f} ± "
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
         alt=alt_text.random_images(len(examples), pixels.shape[0], pixels.shape[1]))
alt = alt_text.norms_spread(len(sample_norms), random_shell.share_within(sample_norms), random_shell.mean)
show_svg(right, norms_histogram(sample_norms, random_shell, "‖x‖ of 1,000 uniformly random images", description=alt),
         KEY + "uniform", alt=alt)

st.markdown("#### What is proven, what is estimated")
st.markdown(
    "- **Proven for every image and every model:** P<sub>model</sub>(x) ≥ 2<sup>−L(x)</sup> (Jensen's inequality; "
    "L is an upper bound on the model's code length for x, never a guess of it).\n"
    f"- **Estimated:** L(x) itself, from {est.plan.evals} network calls at random timesteps with random noise: "
    "unbiased, with a 95% interval. Even the sum over all T timesteps draws one noise per term, so it too is an "
    "estimate, just a more precise one.\n"
    "- **Exact:** the powers of ten, from the bound by integer arithmetic (certified digit counts; we round the bits "
    "up, so they claim no more than the bound).\n"
    "- **Counted:** the compressor's figure is a pigeonhole count of short descriptions. Nothing in it is estimated, "
    "but it only knows simple regularities (flat areas, repeats), not what the images of a data set look like.",
    unsafe_allow_html=True)
