"""Home: the story in one moving picture first (a shipped model's walk from noise beside a random picture of the same
size and the exact count of such pictures), then in a few paragraphs, and a way into each page in the story's order.

The pictures are files written once by ``python -m diffusion_core.home_picture`` (``diffusion_core.live.home_walk``):
this page needs neither torch nor a model, and stays light (a test runs it in a fresh process). They travel inside
the page as data URLs (an animated WebP would lose its frames through ``st.image``, which re-encodes what it is
given), 85 kB in all, once per visit.
"""

from __future__ import annotations

import base64
import html

import streamlit as st

from diffusion_core.access import alt_text
from diffusion_core.access.palette import MUTED
from diffusion_core.access.site_map import PAGES
from diffusion_core.live.home_walk import FRAME_MS, HOLD_MS, HOME, Walk, denoiser_query, read_frames, read_walks, still_png
from diffusion_core.space.image_space import digit_count
from pages.app_entry import run_through_app
from pages.common import link_with_settings
from pages.lesson_panel import lesson_for, lesson_panel
from pages.reader_state import KEPT
from pages.terms import words_on_this_page

run_through_app()
lesson = lesson_for("home", {})  # the home page has no settings: a lesson here is a task

SHOWN_PX = 224  # the pictures' largest width on screen: 8 screen pixels per pixel of a 28 × 28 digit, 7 of a 32 × 32 emoji
MODEL_WORDS = {"digits": "handwritten digits", "emoji": "colour emoji", "fashion": "Fashion-MNIST clothes"}
ARTICLE = "How Diffusion Models Generate Images: The Math Behind AI Creativity"

STYLE = """<style>
.home-walks { display: flex; flex-wrap: wrap; gap: 1rem 2rem; margin: 0.25rem 0 0.25rem; }
.home-pair { display: flex; gap: 0.75rem; flex: 1 1 20rem; max-width: calc(2 * __PX__px + 0.75rem); }
.home-pair figure { margin: 0; flex: 1 1 0; min-width: 0; max-width: __PX__px; }
.home-pair img { display: block; width: 100%; height: auto; image-rendering: pixelated; border-radius: 4px; }
.home-pair figcaption { color: __MUTED__; font-size: 0.875rem; line-height: 1.35; margin-top: 0.4rem; }
.home-still { display: none !important; }
@media (prefers-reduced-motion: reduce) { .home-moving { display: none !important; } .home-still { display: block !important; } }
</style>""".replace("__PX__", str(SHOWN_PX)).replace("__MUTED__", MUTED)


def _data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _img(data: bytes, mime: str, alt: str, css: str = "") -> str:
    return f'<img class="{css}" src="{_data_url(data, mime)}" alt="{html.escape(alt)}">'


def _pair(walk: Walk, moving: bool) -> str:
    """One walk beside a random picture of its size, each with its caption (HTML)."""
    final = read_frames(walk)[-1]
    ends_as = alt_text.main_colour(final) if walk.colour else None
    model = MODEL_WORDS.get(walk.model, walk.model)
    walk_alt = alt_text.home_walk(model, walk.prompt, walk.steps, walk.sampler, walk.guidance, walk.seed, walk.frames,
                                  walk.height, walk.width, walk.colour, HOLD_MS / 1000, ends_as)
    still_alt = (f"The picture the {model} model's {walk.steps}-step walk from pure noise ends on: "
                 f"{'a ' + ends_as if ends_as else 'a'} {walk.prompt}, {walk.width} by {walk.height} pixels.")
    still = _img(still_png(walk), "image/png", still_alt, "home-still" if moving else "")
    if moving:
        pictures = _img((HOME / walk.walk_file).read_bytes(), "image/webp", walk_alt, "home-moving") + still
    else:
        pictures = still
    digits = digit_count(256, walk.values)
    kind = "colour" if walk.colour else "grey"
    random_alt = alt_text.home_random(walk.height, walk.width, walk.colour, walk.values, digits)
    result = f"{ends_as} {walk.prompt}" if ends_as else walk.prompt
    return (f'<div class="home-pair"><figure>{pictures}<figcaption>Pure noise to a {html.escape(result)}, in '
            f'{walk.steps} steps</figcaption></figure>'
            f'<figure>{_img((HOME / walk.random_file).read_bytes(), "image/png", random_alt)}<figcaption>A random '
            f'{walk.width} × {walk.height} {kind} picture: one of 256<sup>{walk.values:,}</sup>, a number with '
            f'{digits:,} digits</figcaption></figure></div>')


@st.cache_resource(max_entries=2, show_spinner=False)
def walks_html(moving: bool) -> str:
    """The moving picture (or its last frames, ``moving`` False) as one block of HTML, built once per server."""
    return STYLE + '<div class="home-walks">' + "".join(_pair(w, moving) for w in read_walks()) + "</div>"


def moving_picture() -> None:
    walks = read_walks()
    if not walks:  # the files were never made: the story still reads
        st.caption("The moving picture is missing: run python -m diffusion_core.home_picture.")
        return
    moving = st.session_state.get("home_moving", True)
    st.html(walks_html(moving))
    steps = {w.steps for w in walks}
    st.markdown(f"In each pair, left: one of this app's small trained models at work, from pure noise to a picture "
                f"in {'/'.join(map(str, sorted(steps)))} steps, one frame a step ({FRAME_MS / 1000:g} s each). Right: a "
                "picture of the same size whose every value is drawn at random. Both are points of the same space, "
                "and almost every point of it looks like the one on the right.")
    link, toggle = st.columns([3, 1], vertical_alignment="center")
    with link:
        first = walks[0]
        link_with_settings("denoiser", f"Make this {first.prompt} yourself, step by step, in the Live denoiser",
                           denoiser_query(first))
    with toggle:
        st.toggle("Moving pictures", key="home_moving", value=True, help="Stop the walks on their last frame, or play "
                  "them again. Where the system asks for reduced motion they stay still.", **KEPT)


st.title("Image Space")
st.markdown('<p style="font-size: 1.35rem; line-height: 1.4; margin: -0.5rem 0 0.25rem">How a diffusion model finds a '
            'picture in a space too large to imagine.</p>', unsafe_allow_html=True)
moving_picture()
words_on_this_page(["pixel", "image space", "denoiser", "timestep", "sampler", "DPM-Solver++", "prompt",
                    "confidence interval"])

grey_digits = digit_count(256, 100 * 100)
rgb_digits = digit_count(256, 3 * 100 * 100)
photo_digits = digit_count(256, 3 * 4000 * 3000)

left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(
        f"""
**An image is a grid of integers.** A 100 × 100 grey picture is 10,000 numbers, each from 0 (black) to 255
(white). Nothing more.

**So there are only finitely many images, but the count is astronomical.** Every one of the 10,000 pixels can
take 256 values independently, so there are 256<sup>10,000</sup> such pictures: a number with
**{grey_digits:,} digits**. In colour it has {rgb_digits:,} digits; for a 12-megapixel photo, {photo_digits:,}.
There are about 10<sup>19</sup> grains of sand on Earth (a 20-digit number) and 10<sup>80</sup> atoms in the
observable universe (81 digits).

**Almost all of that space is noise.** Pick a point at random and you get static like the random pictures above:
anything else is too unlikely ever to happen. Faces, cats, handwritten digits, every picture anyone will ever take,
sit in a tiny, structured corner of the space. A camera selects one point of that corner.

**A diffusion model learns to walk there.** In the words of the article this app grew from, “{ARTICLE}”, it is
trained by corrupting real images with noise over many small steps, “learning to undo one small step”; to generate, it
starts from pure noise and “applies that step hundreds of times”, each nudging the pixels toward the region where
realistic images live. A prompt (here a class, such as “3” or “heart”) gives the walk its destination.

**What the model really learns** is a little different. In training, a real picture is noised in one jump to a
random timestep t between 1 and 1,000, and the network learns to predict the noise that was mixed in (given the
noisy picture and t, that is the same as guessing the clean picture), one network for every noise level. No step is
built into it: the steps belong to the sampler, the procedure that turns those predictions into a walk from noise to a
picture. The app's default sampler, DPM-Solver++, takes 20 steps, as in the pictures above, not hundreds.
""",
        unsafe_allow_html=True,
    )
    st.markdown("> Intelligence isn't about generating pixels. It's about knowing which direction to move.")
    st.caption(f"The closing motto of the article, “{ARTICLE}”.")
with right:
    st.header("Explore")
    st.caption("Every page, in the story's order.")
    for entry in PAGES[1:]:  # every page of the story after this one (diffusion_core.access.site_map)
        st.page_link(entry.file, label=entry.title, icon=entry.icon)
        st.caption(entry.blurb)
lesson_panel("home", {}, {}, lesson)
