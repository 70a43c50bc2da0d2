"""Home: the story of the app in a few paragraphs, and a way into each page."""

import streamlit as st

from diffusion_core.access.site_map import PAGES
from diffusion_core.space.image_space import digit_count
from pages.app_entry import run_through_app
from pages.lesson_panel import lesson_for, lesson_panel

run_through_app()
lesson = lesson_for("home", {})  # the home page has no settings: a lesson here is a task

st.title("Image Space")
st.markdown("#### How a diffusion model finds a picture in a space too large to imagine")

grey_digits = digit_count(256, 100 * 100)
rgb_digits = digit_count(256, 3 * 100 * 100)
photo_digits = digit_count(256, 3 * 4000 * 3000)

left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(
        f"""
**An image is a grid of integers.** A 100 × 100 grayscale picture is 10,000 numbers, each from 0
(black) to 255 (white). Nothing more.

**So there are only finitely many images — but the count is astronomical.** Every one of the 10,000
pixels can take 256 values independently, so there are 256<sup>10,000</sup> such pictures: a number
with **{grey_digits:,} digits**. In colour it has {rgb_digits:,} digits; for a 12-megapixel photo,
{photo_digits:,}. There are about 10<sup>19</sup> grains of sand on Earth (a 20-digit number) and
10<sup>80</sup> atoms in the observable universe (81 digits).

**Almost all of that space is noise.** Pick a point at random and you get static, every time.
Faces, cats, handwritten digits — every picture anyone will ever take — sit in a tiny, structured
corner of it. A camera *selects* one point of that corner.

**A diffusion model learns to walk there.** It is trained by taking real images and corrupting them
with noise over many small steps, and learning to undo *one* small step. To generate, it starts from
pure random noise and applies that step hundreds of times, each nudging the pixels toward the region
where realistic images live. A prompt — here, a class label — gives the walk its destination.

> Intelligence isn't about generating pixels. It's about knowing which direction to move.
""",
        unsafe_allow_html=True,
    )
with right:
    st.markdown("#### Explore")
    for entry in PAGES[1:]:  # every page of the story after this one (diffusion_core.access.site_map)
        st.page_link(entry.file, label=entry.title, icon=entry.icon)
        st.caption(entry.blurb)
lesson_panel("home", {}, {}, lesson)
