"""How large is image space? Exact, certified sizes of the space of images, and every image's index in it.

Layout and widgets only: the arithmetic lives in ``diffusion_core.space.image_space`` (digit counts, head
and tail digits, the whole number), ``diffusion_core.space.space_facts`` (comparisons, the article's claims,
the thought experiment) and ``diffusion_core.space.image_index`` (image <-> integer).
"""

from __future__ import annotations

import html
import re
from contextlib import nullcontext
from fractions import Fraction

import streamlit as st

from diffusion_core.access import alt_text
from diffusion_core.access.site_map import page as site_page
from diffusion_core.images.image_io import fit_square, to_grayscale
from diffusion_core.space.digit_chart import PHONE_HEIGHT, PHONE_WIDTH, ChartPoint, digit_chart_svg
from diffusion_core.space.image_index import (
    MAX_INDEX_CHARS,
    MAX_SIDE,
    MIN_SIDE,
    BadIndexError,
    changed_pixels,
    image_to_index,
    index_count,
    index_to_image,
    index_to_text,
    is_colour,
    parse_index,
    random_index,
    reduction_words,
)
from diffusion_core.space.image_space import (
    BIT_DEPTHS,
    COLOUR_MODELS,
    EDGE_DIGITS,
    MAX_TEXT_DIGITS,
    PRESETS,
    ImageSpaceError,
    ImageSpec,
    certify_digit_count,
    colour_model,
    digit_count,
    first_exponent_reaching,
    group_digits,
    leading_digits,
    parse_count,
    power_text,
    trailing_digits,
)
from diffusion_core.space.power_text_process import IN_PROCESS_UP_TO, power_text_responsive
from diffusion_core.space.settings import spec_from_query, to_query
from diffusion_core.space.space_facts import (
    ATOMS_EXPONENT,
    DIGITS_PER_PAGE,
    SAND_EXPONENT,
    SECONDS_PER_YEAR,
    SHEET_MM,
    digit_curve,
    pages_to_write,
    scientific,
    seed_claims,
    stack_height_mm,
    thought_experiment,
    times_reference,
)
from pages.app_entry import run_through_app
from pages.common import (
    heavy_gate,
    monospace,
    pick_image_or_none,
    queue_message,
    scroll_into_view_on_phones,
    show_pixels,
    show_svg,
)
from pages.lesson_panel import Control, lesson_for, lesson_panel
from pages.reader_state import KEPT, PageSettings, Widget
from pages.safe_text import plain
from pages.terms import words_on_this_page

run_through_app()

SHOW_DIGITS_UP_TO = 100_000  # the whole number is shown on the page up to this many digits
CUSTOM = "Custom"
ARTICLE = "How Diffusion Models Generate Images: The Math Behind AI Creativity"
MAX_SIZE_CHARS = 120  # a width or height typed in: room for 10^100, which gets its own clear message


def _tex_int(value: int) -> str:
    """An integer with thousands separators that LaTeX will not space out."""
    return f"{value:,}".replace(",", "{,}")


# ---------------------------------------------------------------- settings (widgets + URL) --------

def _preset_for(spec: ImageSpec) -> str:
    return next((name for name, p in PRESETS.items() if p == spec), CUSTOM)


SETTINGS = PageSettings(  # the page's link and the widget of each value of the format (pages/reader_state.py)
    read_link=spec_from_query,
    write_link=to_query,
    widgets={"width": Widget("is_w", show=str, read=lambda text: parse_count(text, "Width")),
             "height": Widget("is_h", show=str, read=lambda text: parse_count(text, "Height")),
             "channels": Widget("is_colour", show=colour_model, read=COLOUR_MODELS.get),
             "bits": Widget("is_bits")},
    extra=lambda spec: {"is_preset": _preset_for(spec)},
)


def _apply_preset() -> None:
    if st.session_state.is_preset in PRESETS:
        SETTINGS.put(PRESETS[st.session_state.is_preset])


def _sync_preset() -> None:
    """After a manual edit, show the matching preset's name, or "Custom"."""
    try:
        st.session_state.is_preset = _preset_for(SETTINGS.shown())
    except ImageSpaceError:
        st.session_state.is_preset = CUSTOM


LESSON_CONTROLS = {  # what a lesson link may hide or lock (pages/lesson_panel.py)
    "preset": Control("Preset", ("is_preset",)), "w": Control("Width", ("is_w",)), "h": Control("Height", ("is_h",)),
    "colour": Control("Colour model", ("is_colour",)), "bits": Control("Bits per channel", ("is_bits",)),
}


def settings() -> ImageSpec | None:
    """The format widgets; returns a valid spec, or shows why not and returns None."""
    SETTINGS.restore()
    lesson = lesson_for("image-space", LESSON_CONTROLS)
    locked = lesson.is_locked
    st.selectbox("Preset", [CUSTOM, *PRESETS], key="is_preset", on_change=_apply_preset, disabled=locked("preset"), **KEPT)
    c1, c2, c3, c4 = st.columns([1, 1, 1.3, 1.6])
    c1.text_input("Width (pixels)", key="is_w", on_change=_sync_preset, max_chars=MAX_SIZE_CHARS, disabled=locked("w"),
                  **KEPT)
    c2.text_input("Height (pixels)", key="is_h", on_change=_sync_preset, max_chars=MAX_SIZE_CHARS, disabled=locked("h"),
                  **KEPT)
    c3.radio("Colour model", list(COLOUR_MODELS), key="is_colour", horizontal=True, on_change=_sync_preset,
             disabled=locked("colour"), **KEPT)
    c4.radio("Bits per channel", BIT_DEPTHS, key="is_bits", horizontal=True, on_change=_sync_preset,
             disabled=locked("bits"), **KEPT)
    try:
        spec = SETTINGS.shown()
    except ImageSpaceError as e:
        st.error(plain(f"{e} The numbers below wait for a valid size."))
        return None
    lesson_panel("image-space", LESSON_CONTROLS, SETTINGS.mirror(spec), lesson)
    return spec


# ---------------------------------------------------------------- the count ----------------------

@st.cache_data(max_entries=8, show_spinner=False)
def _grouped_power(base: int, exponent: int) -> str:
    return group_digits(power_text(base, exponent))


@st.cache_resource(max_entries=2, show_spinner=False)
def _power_file(base: int, exponent: int) -> bytes:
    """The whole number as ASCII bytes, written once per server in its turn of the heavy-work queue (in a worker
    process, so the server stays responsive) and shared: bytes cannot change, and a class asking for the 12 MP
    number holds one 87 MB copy, not one per reader (``st.cache_data`` would hand each reader their own).

    The progress bar is part of the cached output (replayed on a cache hit, then emptied).
    """
    bar = st.progress(0.0, text=f"Computing {base}^{exponent:,} …")
    heavy = certify_digit_count(base, exponent).digits > IN_PROCESS_UP_TO  # a short one takes milliseconds
    with heavy_gate().slot(on_wait=lambda place: bar.progress(0.0, text=queue_message(place))) if heavy else nullcontext():
        text = power_text_responsive(base, exponent, on_progress=lambda done, step: bar.progress(
            done, text=f"Computing {base}^{exponent:,}: {step}"))
    bar.empty()
    return text.encode("ascii")


def the_count(spec: ImageSpec) -> int:
    st.header("How many images of this format are there?")
    n, levels = spec.values, spec.levels
    st.markdown(f"Each of the **{spec.width:,} × {spec.height:,} × {spec.channels} = {n:,}** values takes one of "
                f"**$2^{{{spec.bits}}}$ = {levels:,}** levels, independently. So the number of different images is")
    st.latex(rf"N = \left(2^{{{spec.bits}}}\right)^{{W \cdot H \cdot C}} = {_tex_int(levels)}^{{{_tex_int(n)}}}")
    proof = certify_digit_count(levels, n)
    digits = proof.digits
    st.markdown(f"<div style='font-size:2.6rem;font-weight:700;line-height:1.2'>{digits:,} digits</div>",
                unsafe_allow_html=True)
    st.caption("N itself, written out in decimal, is this many digits long — exact and certified.")
    with st.expander("Why this count is exact (not a floating-point estimate)"):
        lo, hi = proof.bounds_text()
        st.latex(r"\text{digits}(N) = \left\lfloor n \log_{10} L \right\rfloor + 1")
        st.markdown("We bound log₁₀ L between two fractions using only integer arithmetic (series for ln, every "
                    "division rounded the safe way), multiply by n, and check that both bounds have the same whole "
                    "part. If they did not, we would add precision and try again.")
        st.latex(rf"{lo} \le {_tex_int(n)} \cdot \log_{{10}} {_tex_int(levels)} \le {hi}")
        st.markdown(f"Both bounds have whole part **{digits - 1:,}**, so N has **{digits:,}** digits.")
    left, right = st.columns(2)
    shown = min(EDGE_DIGITS, digits)
    left.markdown(f"**First {shown} digits**")
    monospace(left, leading_digits(levels, n), name=f"the first {shown} digits of N")
    right.markdown(f"**Last {shown} digits** (from {levels:,}ⁿ mod 10⁵⁰)")
    monospace(right, trailing_digits(levels, n), name=f"the last {shown} digits of N")
    _whole_number(levels, n, digits)
    return digits


def _whole_number(levels: int, n: int, digits: int) -> None:
    if digits <= SHOW_DIGITS_UP_TO:
        with st.expander(f"All {digits:,} digits"):  # folded: the page does not open on a wall of digits
            monospace(st, _grouped_power(levels, n), name=f"all {digits:,} digits of N", height=260)
    else:
        st.caption(f"All {digits:,} digits are too many to show on a page (the page shows up to "
                   f"{SHOW_DIGITS_UP_TO:,}).")
    if digits > MAX_TEXT_DIGITS:
        st.info(f"A file of all {digits:,} digits would be {digits / 1e6:,.0f} MB. This app writes out at most "
                f"{MAX_TEXT_DIGITS:,} digits (enough for a 12 MP colour photo's 86,696,639); for this size the "
                "first and last digits above are what can usefully be shown.")
        return
    target = (levels, n)
    if st.button(f"Prepare a .txt file of all {digits:,} digits", key="is_prepare"):
        st.session_state.is_prepared = target
    if st.session_state.get("is_prepared") == target:
        note = st.empty()  # readers who asked while another writes it out wait for that one computation
        note.info(f"Writing out all {digits:,} digits: once for everyone who asks for this size, then shared.",
                  icon=":material/hourglass_top:")
        try:
            data = _power_file(levels, n)
        except RuntimeError as e:
            note.empty()
            st.error(f"Could not write the number out: {e} Try again, or a smaller size.")
            return
        note.empty()
        st.download_button(f"Download {levels}^{n}.txt ({len(data) / 1e6:,.1f} MB)", data=data,
                           file_name=f"{levels}^{n}.txt", mime="text/plain", on_click="ignore", key="is_download")


# ---------------------------------------------------------------- perspective --------------------

def perspective(spec: ImageSpec, digits: int) -> None:
    st.header("Putting it in perspective")
    sand, atoms = times_reference(digits, SAND_EXPONENT), times_reference(digits, ATOMS_EXPONENT)
    left, right = st.columns(2)
    with left:
        st.markdown("**Against sand and atoms.** About 10¹⁹ grains of sand on Earth (20 digits); "
                    "about 10⁸⁰ atoms in the observable universe (81 digits).")
        if atoms >= 1:
            st.latex(rf"\left(10^{{80}}\right)^{{{_tex_int(atoms)}}} \le N < \left(10^{{80}}\right)^{{{_tex_int(atoms + 1)}}}")
            st.caption(f"Give every atom its own universe, and every atom in those its own, {atoms:,} levels deep: "
                       "there are still more images.")
        elif sand >= 1:
            st.markdown("N is more than the grains of sand on Earth, but fewer than the atoms in the universe.")
        else:
            st.markdown("N is smaller than the number of grains of sand on Earth: a small format.")
    with right:
        pages, height_mm = pages_to_write(digits), stack_height_mm(digits)
        height = _length_text(height_mm)
        st.markdown(f"**Writing it out.** At {DIGITS_PER_PAGE:,} digits a page (40 lines of 50), N fills "
                    f"**{float(pages):,.2f} pages**; a stack of {float(SHEET_MM)} mm sheets **{height}** tall.")
    _seed_table()
    _universe(spec)
    _chart(spec, digits)


def _length_text(mm: Fraction) -> str:
    """A length given exactly in millimetres, shown in mm, m or km."""
    if mm < 1000:
        return f"{float(mm):,.1f} mm"
    return f"{float(mm) / 1e3:,.2f} m" if mm < 10**6 else f"{float(mm) / 1e6:,.1f} km"


def _powers(text: str) -> str:
    """Plain text with its caret powers ("256^10,000", "~10^19") as superscripts, escaped for HTML."""
    return re.sub(r"\^([\d,]+)", r"<sup>\1</sup>", html.escape(text))


def _seed_table() -> None:
    st.markdown(f"**The numbers of the article this app grew from, “{ARTICLE}”, recomputed**")
    rows = ["| What | The article says | Computed exactly | Verdict |", "|---|---|---|---|"]
    rows += [f"| {_powers(c.subject)} | {_powers(c.claim)} | {_powers(c.computed)} | "
             f"{'holds' if c.holds else '**does not hold**'} |" for c in seed_claims()]
    st.markdown("\n".join(rows), unsafe_allow_html=True)  # a markdown table: no data-grid code for the browser


def _universe(spec: ImageSpec) -> None:
    st.markdown("**The thought experiment.** Make every atom in the universe a supercomputer producing a billion "
                "images a second, and let them run since the Big Bang, 13.8 billion years ago.")
    exp = thought_experiment(spec)
    mantissa, power = scientific(exp.images, 1)
    st.latex(rf"10^{{80}} \times 10^{{9}}\,\tfrac{{\text{{images}}}}{{\text{{s}}}} \times 13.8\times10^{{9}}\,"
             rf"\text{{yr}} \times {_tex_int(SECONDS_PER_YEAR)}\,\tfrac{{\text{{s}}}}{{\text{{yr}}}} "
             rf"= {mantissa}\ldots\times 10^{{{power}}}\ \text{{images}}")
    frac_m, frac_e = exp.fraction
    st.latex(rf"\frac{{\text{{images made}}}}{{N}} \approx {frac_m}\times 10^{{{_tex_int(frac_e)}}}")
    if frac_e < 0:
        st.caption(f"That is a fraction with {-frac_e - 1:,} zeros after the decimal point before the first digit. "
                   "Almost every image of this format will never be seen by anyone, ever. (Exact: "
                   f"{exp.images_digits}-digit count of images; a year is 365.25 days.)")
    else:
        st.caption("This format is small enough that the universe would list every image many times over.")


def _chart(spec: ImageSpec, digits: int) -> None:
    model = colour_model(spec.channels)
    name = f"{'grey' if model == 'Grayscale' else model}, {spec.bits}-bit images"
    crossings = [(what, reference, first_exponent_reaching(spec.levels, reference, spec.channels))
                 for what, reference in (("sand", digit_count(10, SAND_EXPONENT)), ("atoms", digit_count(10, ATOMS_EXPONENT)))]
    (_, _, sand_at), (_, _, atoms_at) = crossings
    start = digit_count(spec.levels, spec.channels)
    st.markdown(f"**Digits against pixels.** The digit count, ⌊n log₁₀ L⌋ + 1, grows almost exactly in proportion to "
                f"the pixel count, so on log–log axes it is a straight line. For {name} one pixel gives "
                f"{start:,} digit{'s' if start != 1 else ''}; the line passes the sand line at {sand_at:,} "
                f"pixel{'s' if sand_at != 1 else ''} and the atoms line at {atoms_at:,}.")
    alt = alt_text.digit_chart(name, start, crossings, spec.pixels, digits)
    # Two drawings of one chart: the wide one, and below 640 px of screen a narrow one whose text stays readable
    # (the wide one shrunk to a phone's width drew its labels at 6 px). CSS shows one; the other takes no room.
    st.html(CHART_STYLE)
    show_svg(st, _chart_svg(spec, digits), "is_digit_chart", alt=alt)
    show_svg(st, _chart_svg(spec, digits, phone=True), "is_digit_chart_phone", alt=alt)


CHART_STYLE = """<style>
.st-key-is_digit_chart_phone { display: none !important; }
@media (max-width: 640px) {
  .st-key-is_digit_chart { display: none !important; }
  .st-key-is_digit_chart_phone { display: block !important; }
}
</style>"""


@st.cache_data(max_entries=16, show_spinner=False)
def _chart_svg(spec: ImageSpec, digits: int, phone: bool = False) -> str:
    presets = [ChartPoint(name.split(" (")[0], p.pixels, p.digits()) for name, p in PRESETS.items()]
    size = {"width": PHONE_WIDTH, "height": PHONE_HEIGHT} if phone else {}
    return digit_chart_svg(digit_curve(spec.channels, spec.bits), presets, ChartPoint("your setting", spec.pixels, digits),
                           f"{colour_model(spec.channels)}, {spec.bits}-bit", **size)


# ---------------------------------------------------------------- image <-> index ----------------

def _set_index_text(text: str, scroll: bool = False) -> None:
    """Put ``text`` in the index box; ``scroll``: a button did it, so a phone brings its image into view."""
    st.session_state.ix_text = text
    if scroll:
        st.session_state.ix_scroll = st.session_state.get("ix_scroll", 0) + 1


def image_and_index() -> None:
    st.header("Every image is one number")
    st.markdown("Read a grey image's pixels row by row, top-left first. They are the digits of one integer written "
                "in base 256: its **index**. Every W × H image has exactly one index between 0 and "
                "256<sup>W·H</sup> − 1, and every such number is exactly one image: black is 0, white is the largest.",
                unsafe_allow_html=True)
    st.latex(r"\text{index} = \sum_{i=0}^{n-1} p_i \, 256^{\,n-1-i}, \qquad n = W \cdot H,\ p_i \in \{0,\dots,255\}")
    st.session_state.setdefault("ix_size", 16)
    size = st.slider("Side of the small image (pixels)", MIN_SIDE, MAX_SIDE, key="ix_size", **KEPT)
    left, right = st.columns([1, 2], gap="large")
    with left:
        loaded = pick_image_or_none("ix", "Picture")
        if loaded is not None:
            small = fit_square(to_grayscale(loaded.pixels), size)
            show_pixels(small, caption=f"{size} × {size} grayscale", alt=alt_text.index_picture(size, "Your picture"))
            height, width = loaded.pixels.shape[:2]
            st.caption(reduction_words(height, width, is_colour(loaded.pixels), size))
    if loaded is None:  # "Upload your own" and no usable file yet: no other picture's index stands in for it
        right.info("Upload a picture on the left: its index appears here.", icon=":material/upload:")
        _index_to_image(size, None)
        return
    index = image_to_index(small)
    text = index_to_text(index)
    with right:
        st.metric("Digits of its index", f"{len(text):,}")
        shown = min(EDGE_DIGITS, len(text))
        st.markdown(f"**First {shown} digits**")
        monospace(st, text[:EDGE_DIGITS], name=f"the first {shown} digits of the index")
        st.markdown(f"**Last {shown} digits**")
        monospace(st, text[-EDGE_DIGITS:], name=f"the last {shown} digits of the index")
        if st.toggle("Show the whole index", key="ix_show_all", **KEPT):
            monospace(st, group_digits(text), name="the whole index", height=220)
    _index_to_image(size, text)


@st.cache_data(max_entries=4, show_spinner=False)
def _parsed_index(text: str, size: int) -> int:
    """The reader's index, parsed once per distinct text (not again on every rerun)."""
    return parse_index(text, size, size)


def _index_to_image(size: int, picture_text: str | None) -> None:
    st.subheader("And back: from a number to its image")
    b1, b2, _ = st.columns([1, 1, 2])
    b1.button("Draw a random index", key="ix_random", on_click=lambda: _set_index_text(
        index_to_text(random_index(size, size)), scroll=True))
    b2.button("Use the picture's index", key="ix_use_picture", on_click=_set_index_text, args=(picture_text or "",),
              kwargs={"scroll": True}, disabled=picture_text is None)
    typed = st.text_area(f"An index for a {size} × {size} image (digits only; spaces and commas are ignored)",
                         key="ix_text", height=110, max_chars=MAX_INDEX_CHARS + 1, **KEPT)  # a cut paste is refused
    if not typed.strip():
        st.info("Paste an index, draw a random one, or use the picture's: its image appears here.")
        return
    try:
        index = _parsed_index(typed, size)
    except BadIndexError as e:
        st.error(plain(str(e)))
        return
    image = index_to_image(index, size, size)
    with st.container(key="ix_result"):
        _index_pictures(index, image, size)
    scroll_into_view_on_phones("ix_result", st.session_state.get("ix_scroll"))


def _index_pictures(index: int, image, size: int) -> None:
    """The image of ``index`` beside that of index + 1, and what adding 1 changed."""
    left, right = st.columns(2)
    with left:
        show_pixels(image, caption="this index", alt=alt_text.index_picture(size, "The image of this index"))
    with right:
        if index + 1 >= index_count(size, size):
            st.info("This is the last index: the all-white image. index + 1 would need one more pixel.")
            return
        after = index_to_image(index + 1, size, size)
        show_pixels(after, caption="index + 1", alt=alt_text.index_picture(size, "The image of index + 1"))
    changed = changed_pixels(image, after)
    r, c, old, new = changed[0]
    if len(changed) == 1:
        st.caption(f"Adding 1 changed only the last pixel (row {r + 1}, column {c + 1}): {old} → {new}.")
    else:
        st.caption(f"The last pixel was 255, so adding 1 rolled it over to 0 and carried into the pixel before, "
                   f"like 199 + 1 = 200: {len(changed)} pixels changed.")
    st.caption("A random index is almost always noise: pictures are a vanishingly small corner of the space.")


# ---------------------------------------------------------------- page -----------------------------

st.title(site_page("image-space").title)
st.markdown("An image is a grid of integers. Fix its size and the number of values each pixel may take, and "
            "there are only finitely many images. But how many? Pick a format; every number below is exact.")
words_on_this_page(["pixel", "image space"])
chosen = settings()
if chosen is not None:
    n_digits = the_count(chosen)
    perspective(chosen, n_digits)
st.divider()
image_and_index()
