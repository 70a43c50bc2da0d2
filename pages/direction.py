"""Which direction to move: diffusion in 2-D, where the learned direction is checked against the exact one.

Layout only; the data, the exact field, the tiny MLP, the samplers and the figures live in ``diffusion_core.toy2d``.
The sections after the field are in ``pages/direction_sections.py``.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from diffusion_core.access import alt_text
from diffusion_core.access.site_map import page as site_page
from diffusion_core.toy2d.charts import error_t_chart, loss_chart
from diffusion_core.toy2d.datasets import DATASET_TITLES, GaussianMixture
from diffusion_core.toy2d.mlp import STEP_CHOICES, WIDTHS, Trained
from diffusion_core.toy2d.plots import field_figure
from diffusion_core.toy2d.settings import SCHEDULE
from pages.app_entry import run_through_app
from pages.common import link_to, show_svg
from pages.direction_sections import (
    KEY,
    SETTINGS,
    accuracy_section,
    cached_eps_error,
    cached_field,
    data_view,
    field_jpegs,
    find_model,
    guidance_section,
    memorisation_section,
    mixture,
    particles_section,
    shown_settings,
    train_button,
)
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, keep_class_choice

run_through_app()

PLAY_FRAMES = 30  # t values in one playback pass, from T-1 down to 0 (the way sampling goes)
PLAY_FPS = 5


# ================================================================= the page
st.title(site_page("direction").title)
st.markdown(
    "**In 784 dimensions nobody can see which way a denoiser points. In two, everyone can.** Here the data are "
    "points in a plane, noised by the very same schedule as the images on the other pages, and a tiny network "
    "learns — in a few seconds, live — which direction leads back from noise to data. For these data the right "
    "answer is known *exactly*, so every arrow the network draws can be checked.")
st.markdown("> Intelligence isn't about generating pixels. It's about knowing which direction to move.")
SETTINGS.restore()
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py): the sidebar's choices
    "data": Control("Data", (KEY + "data",)), "width": Control("Hidden width", (KEY + "width",)),
    "steps": Control("Training steps", (KEY + "steps",)), "classes": Control("Learn the classes too", (KEY + "classes",)),
}
lesson = lesson_for("direction", LESSON_CONTROLS)

with st.sidebar:
    st.markdown("### 2-D settings")
    data_name = st.selectbox("Data", list(DATASET_TITLES), format_func=DATASET_TITLES.get, key=KEY + "data",
                             disabled=lesson.is_locked("data"), **KEPT)
    st.markdown("**The tiny denoiser**")
    st.select_slider("Hidden width (units per layer)", WIDTHS, key=KEY + "width", disabled=lesson.is_locked("width"), **KEPT,
                     help="Three hidden layers of this many units. Wider learns sharper fields, and takes longer.")
    st.select_slider("Training steps", STEP_CHOICES, key=KEY + "steps", disabled=lesson.is_locked("steps"), **KEPT,
                     help="Each step shows the network 256 fresh noisy points.")
    st.toggle("Learn the classes too (for guidance)", key=KEY + "classes", disabled=lesson.is_locked("classes"), **KEPT,
              help="Half of the training points carry their class, the other half a 'no class' token, so one network "
                   "learns both ε(x, t, y) and ε(x, t): what classifier-free guidance needs.")

mix = mixture(data_name, tuple(st.session_state[KEY + "points"]))
keep_class_choice(KEY + "label", "|".join(mix.class_names), range(mix.num_classes), default=0)
settings = SETTINGS.shown()
lesson_panel("direction", LESSON_CONTROLS, SETTINGS.mirror(settings), lesson)
trained = find_model(mix, settings.config)

# ---------------------------------------------------------------- the data
st.header("The data, and every noisy version of it")
left, right = st.columns(2, gap="large")
with left:
    chart, alt = data_view(mix)
    show_svg(st, chart, KEY + "data_fig", alt=alt)
    if mix.is_empirical:
        st.caption(f"Your {len(mix.means)} points (edit them under *Memorisation made visible* below).")
    else:
        st.caption(f"2,000 draws from the data set “{DATASET_TITLES[mix.name]}”, coloured by class.")
with right:
    kind = ("a mixture of deltas — the points themselves" if mix.is_empirical else
            f"a mixture of {len(mix.weights)} Gaussians" + (" (chained along the curve)" if len(mix.weights) > 9 else ""))
    st.markdown(f"These data are {kind}. Noising them keeps them a mixture: each component is shrunk by √ᾱ_t "
                "and blurred by the noise, so the density of x_t at *every* t is known in closed form.")
    st.latex(r"p_t(x) = \sum_k w_k\,\mathcal N\!\big(x;\ \sqrt{\bar\alpha_t}\,m_k,\ \bar\alpha_t S_k + (1-\bar\alpha_t) I\big)")
    st.caption("w_k, m_k, S_k: each component's weight, centre and covariance.")
    st.markdown("A denoiser trained with DDPM's loss learns the mean noise given x_t, which is the score of p_t "
                "rescaled (Tweedie's formula). Its minus sign points where the density grows fastest:")
    st.latex(r"\epsilon^*(x,t) = \mathbb E[\epsilon \mid x_t = x] = -\sqrt{1-\bar\alpha_t}\;\nabla_x \log p_t(x)")
    st.latex(r"\mathbb E[x_0\mid x_t = x] = \frac{x - \sqrt{1-\bar\alpha_t}\,\epsilon^*(x,t)}{\sqrt{\bar\alpha_t}}")
    st.caption(f"Schedule: {SCHEDULE.kind}, T = {SCHEDULE.T} (Nichol & Dhariwal 2021), the one the image pages use.")


# ---------------------------------------------------------------- training
@st.fragment
def training_section(mix: GaussianMixture) -> None:
    """Train the MLP for the current data and settings (once per server), with a progress bar and its loss."""
    s = shown_settings()
    found = find_model(mix, s.config)
    if found is not None:
        st.success(f"Trained: {found.config.steps:,} steps of {found.config.batch} points in {found.seconds:.1f} s "
                   f"(final loss {found.losses[-100:].mean():.3f}).", icon=":material/check_circle:")
        with st.expander("Its training loss", expanded=False):
            alt = alt_text.loss_curve(len(found.losses), float(found.losses[-100:].mean()))
            show_svg(st, loss_chart(found.losses, description=alt), KEY + "loss_fig", alt=alt)
            st.caption("The loss never reaches 0: ε is random, and the best possible prediction is its mean given "
                       "x_t. What matters is how close ε̂ gets to that mean, ε*: the field below.")
        return
    st.markdown(f"The network for “{DATASET_TITLES[mix.name]}”, width {s.width}, {s.steps:,} steps"
                f"{', with classes' if s.classes and mix.num_classes > 1 else ''} is not trained yet on this server.")
    if train_button(mix, s.config, "Train the denoiser", KEY + "train"):
        st.rerun()  # the whole page: every section can now show the learned field
    st.caption("Takes a few seconds (the default: under 10 s on two busy CPU cores). Until then the sections "
               "below show the exact field alone.")


st.header("A tiny denoiser, trained live")
c1, c2 = st.columns([3, 2], gap="large")
with c1:
    training_section(mix)
with c2:
    st.markdown("An MLP with three hidden layers sees a noisy point x_t, the timestep t (as sines and cosines) and, "
                "optionally, a class. It is trained as DDPM trains its UNet: pick a data point, a t and a noise ε, "
                "and learn to tell the noise from the data in x_t = α_t x₀ + σ_t ε.")
    st.latex(r"\mathcal L = \mathbb E_{x_0,\,t,\,\epsilon}\,\big\|v - v_\theta(x_t, t)\big\|^2,\qquad"
             r" v = \alpha_t\,\epsilon - \sigma_t\,x_0,\qquad \epsilon_\theta = \sigma_t\,x_t + \alpha_t\,v_\theta")
    st.caption("It predicts v (Salimans & Ho 2022), not ε itself: at low noise v ≈ ε, DDPM's own loss; at t = T the "
               "data are 5·10⁻⁵ of x_t, and an ε one per cent off would throw the first step's x̂₀ hundreds of units "
               "away. t leans towards low noise (t = T·u^1.5), where ε* is small and sharp; every t keeps the same "
               "best answer, so that only moves where the effort goes.")

# ---------------------------------------------------------------- the field
def _start_play() -> None:
    st.session_state[KEY + "playing"] = True
    st.session_state[KEY + "play_t"] = st.session_state.get(KEY + "t", 0)


def _pause() -> None:
    if st.session_state.get(KEY + "playing"):
        st.session_state[KEY + "playing"] = False
        st.session_state[KEY + "t"] = st.session_state.get(KEY + "play_t", st.session_state.get(KEY + "t", 0))


def _stop_play() -> None:
    st.session_state[KEY + "playing"] = False


def _field_caption(frame, t: int) -> str:
    a = frame.alpha_bar
    text = (f"t = {t}: x_t keeps √ᾱ = {np.sqrt(a):.3f} of the data and adds noise of standard deviation "
            f"{np.sqrt(1 - a):.3f}. Arrows: −ε, one scale for both fields.")
    if frame.relative_error is not None:
        text += f" Weighted error at this t: {frame.relative_error:.2%} of ‖ε*‖²."
    return text


def _draw_field(slots: list, mix: GaussianMixture, trained: Trained | None, t: int, overlay: bool, interactive: bool,
                key: str | None):
    """The field at t into ``slots`` (one per panel): still pictures, or one Plotly chart; returns the frame."""
    frame = cached_field(mix, trained, t)
    if interactive:
        slots[0].plotly_chart(field_figure(frame, overlay), key=key)
        return frame
    for slot, (title, picture) in zip(slots, field_jpegs(mix, trained, t, overlay)):
        slot.image(picture, caption=title, width="stretch", alt=alt_text.field_picture(title, frame.t, frame.alpha_bar))
    return frame


def _panels(has_model: bool, overlay: bool, interactive: bool) -> int:
    return 1 if interactive or not has_model else 2 if overlay else 3


@st.fragment
def field_section(mix: GaussianMixture) -> None:
    """The t slider, the view toggles, Play, and the field: moving t reruns only this fragment."""
    s = shown_settings()
    found = find_model(mix, s.config)
    net = None if found is None else found.model
    playing = st.session_state.get(KEY + "playing", False)
    c_t, c_view, c_play = st.columns([6, 3, 1], vertical_alignment="bottom")
    c_t.slider("Timestep t", 0, SCHEDULE.T - 1, key=KEY + "t", on_change=_stop_play, disabled=playing, **KEPT,
               help="0: the clean data. 999: pure noise. Sampling walks from right to left. Pause playback to move it.")
    with c_view:
        st.toggle("Overlay the two fields", key=KEY + "overlay", disabled=net is None or playing, **KEPT)
        st.toggle("Interactive chart (zoom, hover)", key=KEY + "interactive", disabled=playing, **KEPT,
                  help="A Plotly chart instead of still pictures; it takes the browser longer to redraw.")
    c_play.button("Play", icon=":material/play_arrow:", key=KEY + "play", on_click=_start_play, disabled=playing,
                  help="Plays t from here down to 0, as sampling does, then again from T. Pause keeps the t shown.")
    overlay, interactive = s.view == "overlay", bool(st.session_state.get(KEY + "interactive"))
    with st.container(key=KEY + "field_view"):
        columns = st.columns(_panels(net is not None, overlay, interactive))
        slots = [col.empty() for col in columns]
    caption = st.empty()
    if not playing:
        frame = _draw_field(slots, mix, found, s.t, overlay, interactive, KEY + "field_fig")
        caption.caption(_field_caption(frame, s.t))
        return
    start = st.session_state.get(KEY + "play_t", s.t)
    ts = np.unique(np.rint(np.linspace(0, SCHEDULE.T - 1, PLAY_FRAMES)).astype(int))[::-1]
    for t in ts[ts <= start] if start > 0 else ts:
        began = time.perf_counter()
        frame = _draw_field(slots, mix, found, int(t), overlay, interactive, None)
        caption.caption(_field_caption(frame, int(t)) + " (playing)")
        st.session_state[KEY + "play_t"] = int(t)
        time.sleep(max(0.0, 1.0 / PLAY_FPS - (time.perf_counter() - began)))
    st.session_state[KEY + "play_t"] = SCHEDULE.T - 1
    st.rerun(scope="fragment")


st.header("The field at time t")
st.markdown("**The arrows are the network's answer to one question: from here, at this noise level, which way is "
            "the data?** Orange is what the MLP learned, white the exact answer; the blue glow is p_t, where noisy "
            "points actually are at this t. At large t everything points to the middle, towards a blurred blob; "
            "as t falls the arrows turn towards each part of the data. The red map shows where the two disagree, "
            "weighted by how often a point is there.")
st.session_state[KEY + "playing"] = False  # a whole-page run stops playback; Play reruns only the field
field_section(mix)
st.button("Pause", icon=":material/pause:", key=KEY + "pause", on_click=_pause, help="Stops playback at the t shown.")

if trained is None:
    st.info("Train the denoiser above to see its arrows beside the exact ones, and where in time it is wrong.",
            icon=":material/school:")
else:
    err = cached_eps_error(mix, trained)
    st.markdown("#### Where in time is the model wrong?")
    left, right = st.columns([3, 2], gap="large")
    worst = int(np.argmax(err.relative))
    worst_range = f"{err.edges[worst]}–{err.edges[worst + 1] - 1}"
    alt = alt_text.error_over_t(err.overall, worst_range, err.relative[worst])
    show_svg(left, error_t_chart(err, description=alt), KEY + "error_t_fig", alt=alt)
    right.metric("weighted ε error over all t", f"{err.overall:.2%}",
                 help="20,000 draws: t uniform, x_t from p_t, the same draws for every model.")
    right.latex(r"\frac{\mathbb E_t\,\mathbb E_{x\sim p_t}\|\epsilon_\theta(x,t) - \epsilon^*(x,t)\|^2}"
                r"{\mathbb E_t\,\mathbb E_{x\sim p_t}\|\epsilon^*(x,t)\|^2}")
    right.markdown(f"Relative to the size of ε* it is worst for t in {worst_range}: "
                   "at low noise ε* is small and changes sharply from one blob to the next, so a small absolute "
                   "miss is a large relative one. At high noise the answer is nearly ε* ≈ x_t, easy to learn.")

particles_section(mix)
guidance_section(mix)
memorisation_section(mix, settings)
accuracy_section(mix)

st.header("What this means in 784 dimensions")
checked = ("here there is, and a small network learns it closely." if trained is None else
           f"here there is, and {trained.model.parameter_count:,} parameters learn it to a squared error "
           f"of {cached_eps_error(mix, trained).overall:.1%} of its own size.")
st.markdown(
    "Everything here happens in the UNet of the **Live denoiser** too: at each step it estimates ε for a point in "
    "784-dimensional image space — a direction no one can draw — and the sampler takes a step along it. With "
    f"images there is no exact answer to check against; {checked}")
link_to("denoiser", "Live denoiser: the same walk for handwritten digits")
