"""Which direction to move: diffusion in 2-D, where the learned direction is checked against the exact one.

Layout only; the data, the exact field, the tiny MLP, the samplers and the figures live in ``diffusion_core.toy2d``.
The sections after the field are in ``pages/direction_sections.py``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from diffusion_core.access import alt_text
from diffusion_core.access.site_map import page as site_page
from diffusion_core.toy2d.charts import LOSS_TITLES, error_t_chart, loss_chart
from diffusion_core.toy2d.datasets import DATASET_TITLES, GaussianMixture
from diffusion_core.toy2d.frames import film_timesteps
from diffusion_core.toy2d.mlp import STEP_CHOICES, WIDTHS, Trained
from diffusion_core.toy2d.plots import field_figure
from diffusion_core.toy2d.settings import SCHEDULE
from pages.app_entry import run_through_app
from pages.common import link_to, show_svg
from pages.direction_sections import (
    FILM_SECONDS,
    KEY,
    SETTINGS,
    accuracy_section,
    cached_eps_error,
    cached_field,
    data_view,
    field_film,
    field_jpegs,
    find_model,
    guidance_section,
    memorisation_section,
    mixture,
    particles_section,
    picture_dimensions,
    shown_settings,
    small_steps_section,
    train_button,
)
from pages.frame_player import frame_player
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, keep_class_choice
from pages.terms import words_on_this_page

run_through_app()

FINAL = 100  # "final loss": the mean over this many last batches
TAP_TARGETS = """<style>
[data-testid="stTooltipHoverTarget"] > button { min-width: 24px; min-height: 24px; display: inline-flex;
  align-items: center; justify-content: center; }
</style>"""  # the help buttons beside labels are 16 px: 24 px at least, to tap on a phone

# ================================================================= the page
st.html(TAP_TARGETS)
st.title(site_page("direction").title)
dims = picture_dimensions()
st.markdown(
    "**On the other pages a picture is a point in a space of very many dimensions"
    + (f" ({dims})" if dims else "") + ", and nobody can see which way a denoiser points there. In two "
    "dimensions everyone can.** Here the data are points in a plane, noised by the very same schedule as the "
    "pictures, and a tiny network learns, in a few seconds, live, which direction leads back from noise to data. For "
    "these data the right answer is known exactly, so every arrow the network draws can be checked.")
st.markdown("> Intelligence isn't about generating pixels. It's about knowing which direction to move.")
st.caption("The closing motto of the article this app grew from, “How Diffusion Models Generate Images: The Math "
           "Behind AI Creativity”.")
words_on_this_page(["image space", "pixel", "noise", "timestep", "noise schedule", "ᾱ (alpha-bar)",
                    "signal-to-noise ratio", "denoiser", "score", "posterior mean", "Tweedie's formula",
                    "x̂₀ (the model's guess)", "MLP", "v-prediction", "UNet", "sampler", "DDPM", "ODE and SDE", "DDIM",
                    "DPM-Solver++", "guidance", "prompt", "near-copy"])
SETTINGS.restore()
LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py): the sidebar's choices
    "data": Control("Data", (KEY + "data",)), "width": Control("Hidden width", (KEY + "width",)),
    "steps": Control("Training steps", (KEY + "steps",)), "classes": Control("Learn the classes too", (KEY + "classes",)),
    "jump": Control("Why small steps: the step back", (KEY + "jump",)),
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
        st.caption(f"Your {len(mix.means)} points (edit them under “Memorisation made visible” below).")
    else:
        st.caption(f"2,000 draws from the data set “{DATASET_TITLES[mix.name]}”, coloured by class.")
with right:
    kind = ("a mixture of deltas: the points themselves" if mix.is_empirical else
            f"a mixture of {len(mix.weights)} Gaussians" + (" (chained along the curve)" if len(mix.weights) > 9 else ""))
    st.markdown(f"These data are {kind}. Adding noise keeps them a mixture: each component is shrunk by √ᾱ_t and "
                "blurred by the noise, so the density p_t of the noisy points is known exactly at every t.")
    st.latex(r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sigma_t\,\varepsilon,\qquad \sigma_t = \sqrt{1-\bar\alpha_t}")
    st.latex(r"p_t(x) = \sum_k w_k\,\mathcal N\!\big(x;\ \sqrt{\bar\alpha_t}\,m_k,\ \bar\alpha_t S_k + \sigma_t^2 I\big)")
    st.caption("w_k, m_k, S_k: each component's weight, centre and covariance.")
    st.markdown(
        "Three facts about p_t carry the rest of the page. The **score** ∇ log p_t(x) is the direction in which p_t "
        "grows fastest: from x, the way towards where noisy points are more likely. The best guess of the noise in x "
        "(best in squared error), ε*(x, t), is the average of all the noises that could have produced x (the "
        "posterior mean of ε), and it is the score scaled by −σ_t. **Tweedie's formula** turns it into the average clean "
        "point that could have produced x. So a denoiser trained to predict the noise learns the score, and minus its "
        "prediction points where the data are:")
    st.latex(r"\varepsilon^*(x,t) = \mathbb E[\varepsilon \mid x_t = x] = -\sigma_t\;\nabla_x \log p_t(x)")
    st.latex(r"\mathbb E[x_0\mid x_t = x] = \frac{x - \sigma_t\,\varepsilon^*(x,t)}{\sqrt{\bar\alpha_t}}")
    st.caption(f"The second line is Tweedie's formula. Schedule: {SCHEDULE.kind}, T = {SCHEDULE.T} (Nichol & Dhariwal "
               "2021), the one the picture pages use.")


# ---------------------------------------------------------------- training
@st.fragment
def training_section(mix: GaussianMixture) -> None:
    """Train the MLP for the current data and settings (once per server), with a progress bar and its loss."""
    s = shown_settings()
    found = find_model(mix, s.config)
    if found is not None:
        what = LOSS_TITLES[found.config.prediction]
        final = float(found.losses[-FINAL:].mean())
        st.success(f"Trained: {found.config.steps:,} steps of {found.config.batch} points in {found.seconds:.1f} s. "
                   f"Final loss, the {what} over the last {FINAL} batches: {final:.3f}.",
                   icon=":material/check_circle:")
        with st.expander("Its training loss", expanded=False):
            alt = alt_text.loss_curve(len(found.losses), final, what=f"the {what}")
            show_svg(st, loss_chart(found.losses, description=alt, prediction=found.config.prediction),
                     KEY + "loss_fig", alt=alt)
            st.caption(
                ("The network predicts v, so the loss is the squared error of v, averaged over each batch and the two "
                 "coordinates, for timesteps drawn as t = ⌊T·u<sup>1.5</sup>⌋ with u uniform (more of them at low "
                 "noise). "
                 if found.config.prediction == "v" else
                 "The loss is the squared error of ε, averaged over each batch and the two coordinates. ")
                + "It never reaches 0: the noise is random, and the best any network can do is predict its average given "
                "x_t. What matters is how close the prediction gets to that average, ε*: the field below.",
                unsafe_allow_html=True)
        return
    st.markdown(f"The network for “{DATASET_TITLES[mix.name]}”, width {s.width}, {s.steps:,} steps"
                f"{', with classes' if s.classes and mix.num_classes > 1 else ''} is not trained yet on this server.")
    if train_button(mix, s.config, "Train the denoiser", KEY + "train"):
        st.rerun()  # the whole page: every section can now show the learned field
    st.caption("Takes a few seconds (the default: under 10 s on two busy CPU cores). Until then the sections "
               "below show the exact field alone.")


def signal_at_T() -> str:
    """√ᾱ_T of the page's schedule to one figure, as a reader writes it ("5·10⁻⁵")."""
    mantissa, exponent = f"{np.sqrt(SCHEDULE.alpha_bar[-1]):.0e}".split("e")
    return f"{mantissa}·{alt_text.superscript_power(int(exponent))}"


st.header("A tiny denoiser, trained live")
c1, c2 = st.columns([3, 2], gap="large")
with c1:
    training_section(mix)
with c2:
    st.markdown("The network is an **MLP**, a small neural network of three layers. It sees a noisy point x_t, the "
                "timestep t and, optionally, a class. It is trained as DDPM trains the picture models: pick a data "
                "point x₀, a t and a noise ε, form x_t, and learn to tell the noise from the data.")
    st.latex(r"v = \sqrt{\bar\alpha_t}\,\varepsilon - \sigma_t\,x_0")
    st.latex(r"\mathcal L = \mathbb E_{x_0,\,t,\,\varepsilon}\,\big\|v - v_\theta(x_t, t)\big\|^2")
    st.latex(r"\varepsilon_\theta = \sigma_t\,x_t + \sqrt{\bar\alpha_t}\,v_\theta")
    st.caption("It predicts v (v-prediction, Salimans & Ho 2022), not ε itself: at low noise v ≈ ε, DDPM's own loss; "
               f"at t = T the data are {signal_at_T()} of x_t (√ᾱ_T), and an ε one per cent off would throw the first "
               "step's x̂₀ hundreds of units away. Timesteps are drawn as t = ⌊T·u<sup>1.5</sup>⌋, u uniform, so more "
               "of them fall at low noise, where ε* is small and sharp; every t keeps the same best answer, so that "
               "only moves where the effort goes.", unsafe_allow_html=True)


# ---------------------------------------------------------------- the field
def _film_moved() -> None:
    """The film reported (Pause, a step, the scrubber, the end of a pass): the t slider takes the t it shows."""
    value = st.session_state.get(KEY + "film_player")
    report = value.get("report") if isinstance(value, dict) else None
    if isinstance(report, dict):
        ts = film_timesteps(SCHEDULE.T)
        index = report.get("position")
        if isinstance(index, int) and 0 <= index < len(ts):
            st.session_state[KEY + "t"] = int(ts[index])


def _field_caption(frame, t: int) -> str:
    a = frame.alpha_bar
    text = (f"t = {t}: x_t keeps √ᾱ = {np.sqrt(a):.3f} of the data and adds noise of standard deviation "
            f"σ = {np.sqrt(1 - a):.3f}. Arrows: −ε, one scale for both fields.")
    if frame.relative_error is not None:
        text += f" Weighted error at this t: {frame.relative_error:.2%} of ‖ε*‖²."
    return text


def _draw_field(slots: list, mix: GaussianMixture, trained: Trained | None, t: int, overlay: bool, interactive: bool):
    """The field at t into ``slots`` (one per panel): still pictures, or one Plotly chart; returns the frame."""
    frame = cached_field(mix, trained, t)
    if interactive:
        slots[0].plotly_chart(field_figure(frame, overlay), key=KEY + "field_fig")
        return frame
    for slot, (title, picture) in zip(slots, field_jpegs(mix, trained, t, overlay)):
        slot.image(picture, caption=title, width="stretch",
                   alt=alt_text.field_picture(title, frame.t, frame.alpha_bar,
                                              arrows=not title.startswith("where it is wrong")))
    return frame


def _panels(has_model: bool, overlay: bool, interactive: bool) -> int:
    return 1 if interactive or not has_model else 2 if overlay else 3


@st.fragment
def field_section(mix: GaussianMixture) -> None:
    """The t slider, the view toggles, the film, and the field: moving t reruns only this fragment."""
    s = shown_settings()
    found = find_model(mix, s.config)
    net = None if found is None else found.model
    film = bool(st.session_state.get(KEY + "film"))
    c_t, c_view = st.columns([3, 2], vertical_alignment="bottom")
    c_t.slider("Timestep t", 0, SCHEDULE.T - 1, key=KEY + "t", disabled=film, **KEPT,
               help="0: the clean data. 999: pure noise. Sampling walks from right to left.")
    with c_view:
        st.toggle("Play the field from t = 999 to 0", key=KEY + "film",
                  help="A film of 20 timesteps, one pass in about 12 s, with a speed control and Pause. Turn it off "
                       "to explore with the slider again, at the t the film showed last.")
        st.toggle("Overlay the two fields", key=KEY + "overlay", disabled=net is None, **KEPT)
        st.toggle("Interactive chart (zoom, hover)", key=KEY + "interactive", disabled=film, **KEPT,
                  help="A Plotly chart instead of still pictures; it takes the browser longer to redraw.")
    overlay, interactive = s.view == "overlay", bool(st.session_state.get(KEY + "interactive")) and not film
    if film:
        frames, labels = field_film(mix, found, overlay)
        with st.container(key=KEY + "film_view"):
            frame_player(KEY + "film_player", frames, autoplay=True, seconds=FILM_SECONDS, labels=labels,
                         display_px=300, label="Film frame", on_change=_film_moved)
        st.caption("The film walks t down from 999 to 0, as sampling does. Space plays and pauses; the arrow keys step "
                   "one frame.")
        return
    with st.container(key=KEY + "field_view"):
        columns = st.columns(_panels(net is not None, overlay, interactive))
        slots = [col.empty() for col in columns]
    frame = _draw_field(slots, mix, found, s.t, overlay, interactive)
    st.caption(_field_caption(frame, s.t))


st.header("The field at time t")
st.markdown("**The arrows are the network's answer to one question: from here, at this noise level, which way is "
            "the data?** Orange is what the MLP learned, white the exact answer; the blue glow is p_t, where noisy "
            "points actually are at this t. At large t everything points to the middle, towards a blurred blob; "
            "as t falls the arrows turn towards each part of the data.")
if trained is not None:
    st.markdown("**Where is the learned field wrong?** Two places answer: the red map (third panel) shows where in "
                "the plane the two fields disagree at this t, weighted by how often a noisy point is there, and the "
                "bar chart under the field shows at which t the error is largest. Move t, or play the film, and watch "
                "the red map move.")
field_section(mix)

if trained is None:
    st.info("Train the denoiser above to see its arrows beside the exact ones, and where in the plane and in time "
            "it is wrong.", icon=":material/school:")
else:
    err = cached_eps_error(mix, trained)
    st.subheader("Where in time is the model wrong?")
    left, right = st.columns([3, 2], gap="large")
    worst = int(np.argmax(err.relative))
    worst_range = f"{err.edges[worst]}–{err.edges[worst + 1] - 1}"
    alt = alt_text.error_over_t(err.overall, worst_range, err.relative[worst])
    show_svg(left, error_t_chart(err, description=alt), KEY + "error_t_fig", alt=alt)
    right.metric("weighted ε error over all t", f"{err.overall:.2%}",
                 help="20,000 draws: t uniform, x_t from p_t, the same draws for every model.")
    right.latex(r"\frac{\mathbb E_t\,\mathbb E_{x\sim p_t}\|\varepsilon_\theta(x,t) - \varepsilon^*(x,t)\|^2}"
                r"{\mathbb E_t\,\mathbb E_{x\sim p_t}\|\varepsilon^*(x,t)\|^2}")
    right.markdown(f"Each bar is the error for one tenth of the timesteps, relative to the size of ε* there. It is "
                   f"worst for t in {worst_range} ({err.relative[worst]:.1%}): "
                   + ("at low noise ε* is small and changes sharply from one blob to the next, so a small miss is a "
                      "large relative one. At high noise the answer is nearly ε* ≈ x_t, easy to learn."
                      if worst < len(err.relative) // 2 else
                      "at high noise the exact answer is nearly ε* ≈ x_t, a simple field, yet this network misses "
                      "it most there."))

particles_section(mix)
small_steps_section(lesson.is_locked("jump"))
guidance_section(mix)
memorisation_section(mix, settings)
accuracy_section(mix)

st.header("What this means for pictures")
checked = ("here there is, and a small network learns it closely." if trained is None else
           f"here there is, and {trained.model.parameter_count:,} parameters learn it to a squared error "
           f"of {cached_eps_error(mix, trained).overall:.1%} of its own size.")
st.markdown(
    "Everything here happens in the UNet of the **Live denoiser** too (a UNet is the network shape used for "
    "pictures): at each step it estimates ε for a point in image space, which has as many dimensions as the picture "
    "has numbers" + (f" ({dims})" if dims else "") + ", a direction no one can draw, and the sampler takes a step "
    f"along it. With pictures there is no exact answer to check against; {checked}")
link_to("denoiser", "Live denoiser: the same walk for pictures")
