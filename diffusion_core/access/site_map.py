"""The app's pages, listed once: their order in the story, URL path, source file, title, icon and one line for the
home page. The navigation (``app.py``), the home page's links and presenter mode's walk
(:mod:`diffusion_core.access.presenter`) all read this list, so a page is named the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    """One page: ``path`` its URL path ("" is home), ``file`` its source under the repository root, ``title`` and
    ``icon`` (a Material Symbols name, as Streamlit writes it) as the navigation shows them, ``blurb`` what the
    home page says about it."""

    path: str
    file: str
    title: str
    icon: str
    blurb: str = ""


PAGES: tuple[PageEntry, ...] = (
    PageEntry("", "pages/home.py", "Home", ":material/home:"),
    PageEntry("image-space", "pages/image-space.py", "How large is image space?", ":material/grid_on:",
              "Exact, certified digit counts for any image size; every image's index in the space, and back."),
    PageEntry("forward", "pages/forward.py", "The forward process", ":material/blur_on:",
              "Watch a real photo — or yours — dissolve into noise, step by step, with the maths beside it."),
    PageEntry("direction", "pages/direction.py", "Which direction to move", ":material/explore:",
              "Diffusion in 2-D: train a tiny denoiser in seconds and check every arrow it draws against the exact "
              "answer."),
    PageEntry("denoiser", "pages/denoiser.py", "Live denoiser", ":material/auto_awesome:",
              "Run a small trained diffusion model live: noise becomes a digit, a garment or an emoji, step by step."),
    PageEntry("draw", "pages/draw.py", "Draw your own", ":material/draw:",
              "Start the walk from your own drawing, or erase part of a real picture, and watch the model pull it "
              "towards real images."),
    PageEntry("corner", "pages/corner.py", "How tiny is the corner?", ":material/filter_center_focus:",
              "Measure it: how few of all images a trained model finds as plausible as a real digit (with 95% "
              "confidence). Try noise, a photo, yours."),
    PageEntry("glossary", "pages/glossary.py", "Words and symbols", ":material/menu_book:",
              "Every technical word the app uses, in one plain sentence each, and its one set of symbols."),
)
"""In the order of the story: the 2-D page comes before the live denoiser because it explains, where every arrow can
be checked, the ideas the denoiser borrows (the score, the ODE the samplers solve); the glossary comes last."""


def page(path: str) -> PageEntry:
    """The page with URL path ``path`` ("" is home). Raises KeyError for an unknown path."""
    for entry in PAGES:
        if entry.path == path:
            return entry
    raise KeyError(f"no page at /{path}")
