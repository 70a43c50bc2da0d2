"""Widgets and cached loaders shared by the pages (the one UI helper module).

Pages import from here; nothing here does math: it calls ``diffusion_core`` and lays out results. Importing it
does not import torch: the model loaders import their part of the core when first called, so the image-space
and forward pages stay light.
"""

from __future__ import annotations

import hashlib
import html
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from diffusion_core.access.palette import SURFACE, TEXT
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.image_io import ImageInputError, LoadedImage, list_samples, load_sample, read_image
from diffusion_core.images.pictures import enlarge
from diffusion_core.live.gate import HeavyWorkGate, ReaderGate
from diffusion_core.model.shipped_data import Projection, ShippedDataError, held_out, projection, training_images
from pages.reader_state import KEPT
from pages.safe_text import plain
from server.shelf import Shelf

if TYPE_CHECKING:
    from diffusion_core.judge.metrics import CopyYardstick
    from diffusion_core.likelihood.summary import Summary
    from diffusion_core.live.shared_runs import SharedRuns
    from diffusion_core.live.walk_plot import WalkCanvas
    from diffusion_core.model.weights import LoadedModel
    from diffusion_core.toy2d.mlp import Trained

UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"]


def content_digest(array: np.ndarray) -> str:
    """SHA-1 of an array's bytes, shape and type: what caches key a picture by (``hash_funcs=BY_CONTENT``).

    Streamlit's own hash of an array of 500,000 values or more reads a random sample of 100,000 of them, so two
    uploads that differ elsewhere would share a cache entry."""
    return hashlib.sha1(np.ascontiguousarray(array).tobytes()).hexdigest() + f"{array.shape}{array.dtype}"


BY_CONTENT = {np.ndarray: content_digest}  # hash_funcs for caches keyed by arrays: every value counts


def queue_message(place: int) -> str:
    """The one wording of a reader's place in the heavy-work queue (``bench/streamlit_reader.py`` reads it)."""
    return f"The server is busy with other readers' work; you are number {place} in the queue…"


@st.cache_data(max_entries=16, show_spinner=False)
def _decode_cached(data: bytes, name: str) -> LoadedImage:
    """Decode once per distinct file (keyed by its bytes); the cache holds the reduced image only."""
    return read_image(data, name)


@st.cache_data(max_entries=16, show_spinner=False)
def _load_sample_cached(name: str) -> LoadedImage:
    return load_sample(list_samples()[name])


def pick_image(key: str, label: str = "Image", default: str = "Astronaut", locked: bool = False) -> LoadedImage:
    """A bundled photo or the reader's upload; returns RGB (H, W, 3) uint8 with notes (``locked``: by a lesson).

    A bad upload shows a clear error and falls back to the bundled photo, so the page keeps working. The
    last good upload is kept for the session (a file uploader forgets its file when the reader leaves the
    page), so coming back shows the same picture. Until an upload arrives the page shows the bundled photo and
    says so (:func:`pick_image_or_none` shows nothing instead).
    """
    loaded, chosen, refused = _pick(key, label, default, locked, instead="Showing the bundled photo “{chosen}” instead.")
    if loaded is not None:
        return loaded
    if st.session_state.get(f"{key}_source") == "Upload your own" and not refused:
        st.caption(plain(f"Until a picture arrives, the page shows the bundled photo “{chosen}”."))
    return _load_sample_cached(chosen)


def pick_image_or_none(key: str, label: str = "Image", default: str = "Astronaut",
                       locked: bool = False) -> LoadedImage | None:
    """Like :func:`pick_image`, but with "Upload your own" chosen and no usable file yet (none sent, or a bad one) it
    returns None, so the page shows nothing that belongs to another picture."""
    loaded, chosen, _ = _pick(key, label, default, locked, instead="Upload another file, or choose the bundled photo.")
    if loaded is None and st.session_state.get(f"{key}_source") != "Upload your own":
        return _load_sample_cached(chosen)
    return loaded


def _pick(key: str, label: str, default: str, locked: bool, instead: str) -> tuple[LoadedImage | None, str, bool]:
    """The picker: (the reader's upload or the kept one, else None; the bundled photo's name; whether a file was
    refused just now). The photo's picker is shown only while "Bundled photo" is chosen (its choice is kept while
    hidden); ``instead`` ends a bad file's message ("{chosen}" is the photo's name)."""
    names = list(list_samples())
    st.session_state.setdefault(f"{key}_sample", default if default in names else names[0])
    source = st.radio(label, ["Bundled photo", "Upload your own"], horizontal=True, key=f"{key}_source",
                      disabled=locked, **KEPT)
    if source != "Upload your own":
        chosen = st.selectbox("Photo", names, key=f"{key}_sample", disabled=locked, **KEPT)
        return None, chosen, False
    chosen = st.session_state[f"{key}_sample"]
    upload = st.file_uploader("Upload an image (PNG, JPEG, GIF, BMP, TIFF, WebP; up to 25 MB)",
                              type=UPLOAD_TYPES, key=f"{key}_upload")
    kept = st.session_state.get(f"{key}_kept_upload")
    if upload is not None:
        try:
            loaded = _decode_cached(upload.getvalue(), upload.name)
        except ImageInputError as e:
            st.error(plain(f"{e} {instead.format(chosen=chosen)}"))
            return None, chosen, True
        st.session_state[f"{key}_kept_upload"] = (upload.name, loaded)
        for note in loaded.notes:
            st.info(plain(note))
        return loaded, chosen, False
    if kept is not None:
        st.caption(plain(f"Showing your upload “{kept[0]}” from before; upload another file to replace it."))
        return kept[1], chosen, False
    return None, chosen, False


PIXEL_ART_STYLE = """<style>
[data-testid="stElementContainer"]:has([data-testid="stImage"]), [data-testid="stImage"],
[data-testid="stImageContainer"] { max-width: 100%; }
[data-testid="stImage"] img { image-rendering: pixelated; max-width: 100%; height: auto; }
</style>"""


def use_pixel_art_images() -> None:
    """Let the browser enlarge this page's images with crisp square pixels, never wider than their column.

    With it, ``show_png(..., scale=k)`` sends the small original and the browser does the enlarging:
    k² fewer pixels to encode, send and decode per frame than enlarging on the server.
    """
    st.html(PIXEL_ART_STYLE)


# Chromium repaints and re-layerizes the whole page after every update: on the 2-D page, whose seven Plotly charts
# are mostly below the fold, that was ~0.1 s of each 0.28 s redraw after a move of t. ``content-visibility: auto``
# lets the browser skip painting a chart or an embedded player while it is off screen (its size, once drawn, is
# remembered; 450 px, Plotly's default height, stands in before). Widgets are left alone: the paint containment it
# implies would clip their focus rings.
OFFSCREEN_CHARTS_STYLE = """<style>
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
[data-testid="stMain"] [data-testid="stElementContainer"]:has(iframe) {
  content-visibility: auto; contain-intrinsic-size: auto 450px; }
</style>"""


def skip_painting_offscreen_charts() -> None:
    """Let the browser skip painting the page's charts and embedded players while they are off screen."""
    st.html(OFFSCREEN_CHARTS_STYLE)


def show_png(slot, image: np.ndarray, caption: str | None = None, scale: int = 1, *, alt: str) -> None:
    """Show a uint8 image in ``slot`` (st, a column, an st.empty) losslessly: PNG, never JPEG artefacts.

    ``scale`` > 1 asks for the image ``scale`` times wider on screen (crisp on pages that call
    ``use_pixel_art_images``). ``alt`` says what the picture shows (``diffusion_core.access.alt_text``).
    """
    slot.image(image, caption=caption, output_format="PNG", width=image.shape[1] * scale if scale > 1 else "content",
               alt=alt)


def show_svg(slot, svg: str, key: str, *, alt: str) -> None:
    """Show a chart drawn as an SVG document (``diffusion_core.svg_chart``) in ``slot``, as wide as the slot.

    ``alt`` says what it shows (the description it was drawn with); ``key`` names the container it sits in, for
    tests and for the page's CSS.
    """
    with slot.container(key=key):
        st.image(svg, width="stretch", alt=alt)


def show_pixels(pixels: np.ndarray, caption: str | None = None, target: int = 280, *, alt: str) -> None:
    """Show a uint8 image (H, W) or (H, W, 3) enlarged on the server with crisp pixels, described by ``alt``."""
    st.image(enlarge(pixels, target), caption=caption, clamp=True, output_format="PNG", alt=alt)


def link_to(path: str, label: str | None = None) -> None:
    """A link to the app's page at URL ``path`` (client-side: the session and its settings travel along), with the
    page's icon and, unless ``label`` says otherwise, its title (``diffusion_core.access.site_map``).

    Shown only where the app's navigation knows the page; a page run on its own (Streamlit's AppTest of one file)
    has no other pages to link to, and shows nothing instead of failing.
    """
    entry = site_page(path)
    try:
        st.page_link(entry.file, label=label or entry.title, icon=entry.icon)
    except StreamlitPageNotFoundError:
        return


def shipped_models() -> list[str]:
    """The shipped models' names; with none, says so and what to do, and stops the page."""
    from diffusion_core.model.weights import available_models

    models = available_models()
    if not models:
        st.error("No trained models are shipped in assets/ (assets/manifest.json is missing). "
                 "Restore assets/ from the repository or retrain (see README).")
        st.stop()
    return models


def read_only(array: np.ndarray) -> np.ndarray:
    """``array`` marked read-only: what ``st.cache_resource`` returns is shared by every session."""
    array.setflags(write=False)
    return array


@st.cache_resource(max_entries=4, show_spinner="Loading the denoiser…")
def cached_model(name: str) -> LoadedModel:
    """The shipped model ``name``, loaded once per server (never mutated). Raises WeightsError."""
    from diffusion_core.model.weights import load_model

    return load_model(name)


@st.cache_resource
def _server_gate() -> HeavyWorkGate:
    """One queue per server process for all heavy work: a few jobs at once, the rest wait their turn in order."""
    return HeavyWorkGate()


def heavy_gate() -> ReaderGate:
    """The server's heavy-work queue as this reader (session) uses it: one job of theirs at a time.

    Call it where the job's feedback belongs: while the job waits, a message at that spot tells the reader their
    place in the queue (unless the call passes its own ``on_wait``); it goes away when the job starts.
    """
    reader = st.session_state.setdefault("heavy_reader", uuid.uuid4().hex)
    note = st.empty()

    def show_place(place: int) -> None:
        note.info(queue_message(place), icon=":material/hourglass_top:")

    return _server_gate().for_reader(reader, show_place, note.empty)


@st.cache_resource
def shared_runs() -> SharedRuns:
    """One table per server process of finished and running sampling runs: identical runs are computed once."""
    from diffusion_core.live.shared_runs import SharedRuns

    return SharedRuns()


@st.cache_resource(max_entries=3, show_spinner="Loading the training images…")
def cached_training_images(name: str) -> np.ndarray:
    """All training images of ``name`` (uint8 (N, H, W[, 3]), read-only, shared) for the memorisation check."""
    return read_only(training_images(name))


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_held_out(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The shipped held-out images and labels of ``name`` ((N, H, W[, 3]) uint8, (N,)), read once per server.

    Shared by every session, so made read-only: a page that tried to change them would fail loudly.
    """
    images, labels = held_out(name)
    return read_only(images), read_only(labels)


def held_out_sizes(names: Iterable[str]) -> dict[str, int]:
    """How many held-out images each of ``names`` ships (a name whose file is missing is left out)."""
    sizes = {}
    for name in names:
        try:
            sizes[name] = len(cached_held_out(name)[0])
        except ShippedDataError:
            continue
    return sizes


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_projection(name: str) -> Projection:
    """The shipped 2-D PCA of ``name``'s training images and its projected cloud, read once per server (read-only)."""
    p = projection(name)
    for array in (p.mean, p.components, p.cloud, p.cloud_labels):
        read_only(array)
    return p


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_yardstick(name: str, num_classes: int) -> CopyYardstick:
    """How far real held-out images lie from their nearest training image, per class (once per server)."""
    from diffusion_core.live.memorisation import yardstick

    images, labels = cached_held_out(name)
    ruler = yardstick(images, labels, cached_training_images(name), num_classes)
    read_only(ruler.typical)
    read_only(ruler.unusually_close)
    read_only(ruler.unusually_far)
    return ruler


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_walk_canvas(name: str, class_names: tuple[str, ...]) -> WalkCanvas:
    """The model's projected training cloud, drawn once per server (read-only, shared)."""
    from diffusion_core.live.walk_plot import cloud_canvas

    proj = cached_projection(name)
    return cloud_canvas(proj.cloud, proj.cloud_labels, list(class_names))


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_likelihood_summary(name: str) -> Summary:
    """The shipped results of the likelihood command for ``name`` (every held-out image's bound), read once per
    server (read-only). Raises SummaryError when they are not shipped."""
    from diffusion_core.likelihood.summary import read_summary

    summary = read_summary(name)
    for s in summary.sets.values():
        read_only(s.bpd)
        read_only(s.compressor_bits)
        read_only(s.profile)
    return summary


@st.cache_resource
def toy_models() -> Shelf[Trained]:
    """The 2-D page's trained denoisers by (data key, configuration), one shelf per server (bounded; a model is never
    mutated once trained)."""
    return Shelf(max_entries=8)


def link_with_settings(path: str, label: str, query: Mapping[str, str]) -> None:
    """A link to the app's page at URL ``path`` that opens it with ``query`` as its link's settings, e.g. the live
    denoiser set to draw the home page's 3. A page the reader already set up in this session keeps their own
    settings (``pages/reader_state.py``: the session comes before the link). Shown only where the navigation knows
    the page, like :func:`link_to`."""
    entry = site_page(path)
    try:
        st.page_link(entry.file, label=label, icon=entry.icon, query_params=dict(query))
    except StreamlitPageNotFoundError:
        return


MONOSPACE = ("ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace")


def monospace(slot, text: str, *, name: str, height: int | None = None, wrap: bool = True) -> None:
    """Digits or other plain text in a monospace box in ``slot`` (st, a column), escaped, in the system's monospace
    font: an HTML ``<pre>``, never ``st.code``, whose syntax highlighter and code font weigh ~600 KiB on the wire.

    ``name`` says what it holds (e.g. "the first 50 digits"): when the box scrolls, ``pages.accessible`` makes it a
    region reachable with the keyboard, named so; ``height`` (px) caps the box, which then scrolls; ``wrap`` lets long lines
    wrap at the screen's edge (even inside a run of digits) instead of scrolling sideways.
    """
    limit = f"max-height: {height}px; overflow-y: auto;" if height else ""
    breaks = "white-space: pre-wrap; overflow-wrap: anywhere;" if wrap else "white-space: pre; overflow-x: auto;"
    slot.html(f'<pre data-name="{html.escape(name)}" style="font-family: {MONOSPACE}; font-size: 0.875rem; '
              f'line-height: 1.5; margin: 0; padding: 0.75rem 1rem; border-radius: 0.5rem; background: {SURFACE}; '
              f'color: {TEXT}; {breaks} {limit}">{html.escape(text)}</pre>')


_SCROLL_JS = """
let last = null;
export default function scrollOnPhones({data, parentElement}) {
  (parentElement.host || parentElement).setAttribute("data-component-ready", "true");  // the browser tests wait for it
  if (!data || data.token === last) return;
  last = data.token;
  if (!window.matchMedia("(max-width: 640px)").matches) return;
  const target = document.querySelector(data.target);
  if (!target) return;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  target.style.scrollMarginTop = "4rem";  // below Streamlit's header bar, not under it
  target.scrollIntoView({block: "start", behavior: still ? "auto" : "smooth"});
  // What is drawn after this call (the result's picture, a rerun's later elements) can move the target or stop a
  // smooth scroll half way: look again once the page has settled, and finish the move at once if it is needed.
  for (const ms of [600, 1500]) {
    setTimeout(() => {
      const top = target.getBoundingClientRect().top;
      if (target.isConnected && (top < 0 || top >= innerHeight / 2)) target.scrollIntoView({block: "start"});
    }, ms);
  }
}
"""
_SCROLL_ON_PHONES = None


def scroll_into_view_on_phones(key: str, token: int | str | None) -> None:
    """On a narrow screen (a phone, ≤ 640 px: columns stack and a result lands below the fold), bring the container
    with ``key`` into view once per ``token`` (a counter the action that made the result moves on; None: nothing yet).
    Wider screens show a result beside or under its button already. Call it after drawing that container."""
    global _SCROLL_ON_PHONES
    if token is None:
        return
    if _SCROLL_ON_PHONES is None:  # registered on first use: pages that never scroll do not carry it
        _SCROLL_ON_PHONES = st.components.v2.component("image_space.scroll_on_phones", js=_SCROLL_JS)
    _SCROLL_ON_PHONES(key=f"scroll_{key}", data={"token": str(token), "target": f".st-key-{key}"})
