"""The drawing pad: the reader draws (or marks what to fill in) at the model's own resolution, in the browser.

A Streamlit component of our own (``st.components.v2``: plain JavaScript and CSS in ``pages/draw_pad/``, no build
step, no third-party code). The picture is drawn at the model's size (28 × 28 grey, 32 × 32 colour) and shown
enlarged by a whole factor (crisp pixels, at most ``display_px`` wide, never wider than the column). Mouse, touch and
pen all draw (pointer events; touch on the pad draws instead of scrolling). Pen and eraser, four brush sizes, Undo
(whole strokes, 60 deep) and Clear (undoable); grey inks for a grey model, a palette and a colour picker for a
colour one. ``mode="mask"`` paints a translucent overlay instead, the part the model should fill in (inpainting),
over a picture that stays as it is.

Keyboard, with the focus on the pad: arrows move a brush outline, Space paints (or marks) under it, Shift+arrows
paint along the way; E switches pen and eraser, [ and ] change the brush size; Ctrl+Z (⌘Z) or U undoes, Delete
clears, Ctrl+Enter (⌘Enter) or Enter sends the picture. Ctrl+Z, Ctrl+Enter and Delete work anywhere in the pad;
every button is reachable with Tab, named for screen readers and outlined when focused.

Drawing never leaves the browser until the reader sends it (the button, or Ctrl+Enter): a stroke costs no server
round trip, and the page reruns once per picture, not once per stroke, which matters on a shared classroom server and
on a phone. (Sending on every pointer-up would rerun the page, and any edit hung on it, after each stroke.)

    value = draw_pad("edit_pad", size=28, colour=False, initial=held_out_digit, mode="draw")
    if value is not None:
        value.image   # uint8 (28, 28) or (32, 32, 3)
        value.fill    # bool (H, W): True where the reader marked "fill this in"; value.known is its complement

Returns ``None`` until the reader first sends a picture. ``initial`` (uint8 (H, W) or (H, W, 3) of the pad's size)
starts the pad from a picture (a held-out image, an upload): a *different* initial picture replaces the drawing, the
same one passed again changes nothing. The last picture sent survives leaving the page and coming back (it is kept
in the session under ``<key>__pad``, which Streamlit does not drop as it drops a widget's state), and the pad shows
it again; strokes drawn after the last send are lost then. The value's encoding is pure and tested in
:mod:`diffusion_core.images.pad_value`; this module only mounts it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import streamlit as st

from diffusion_core.images.pad_value import DrawPadValue, PadValueError, content_digest, decode, encode

__all__ = ["DrawPadValue", "draw_pad", "GREY_INKS", "COLOUR_INKS"]

ASSETS = Path(__file__).with_name("draw_pad")
VALUE = "value"  # the component's one state value: the picture sent last, pad_value's JSON
MODES = ("draw", "mask")
GREY_INKS = (("white", (255,)), ("light grey", (170,)), ("dark grey", (85,)))
COLOUR_INKS = (  # emoji colours: face yellow, skin, hair brown, the flag and heart reds, leaf green, sky blue, ...
    ("black", (0, 0, 0)), ("yellow", (255, 204, 51)), ("orange", (255, 136, 0)), ("red", (221, 34, 51)),
    ("pink", (255, 120, 170)), ("purple", (136, 68, 187)), ("blue", (34, 102, 221)), ("green", (51, 170, 68)),
    ("brown", (136, 85, 51)), ("skin", (255, 204, 153)), ("grey", (136, 136, 136)),
)


def _compact(source: str, line_comment: str | None) -> str:
    """``source`` without whole comment lines, comment blocks and indentation (it travels with every run); see
    pages/frame_player.py, whose rule this is."""
    kept, in_block = [], False
    for line in source.splitlines():
        text = line.strip()
        if in_block or text.startswith("/*"):
            in_block = "*/" not in text
            continue
        if not text or (line_comment and text.startswith(line_comment)):
            continue
        kept.append(text)
    return "\n".join(kept)


_COMPONENT = st.components.v2.component(
    "image_space.draw_pad",
    js=_compact((ASSETS / "pad.js").read_text(encoding="utf-8"), "//"),
    css=_compact((ASSETS / "pad.css").read_text(encoding="utf-8"), None),
)


def _sent(key: str) -> DrawPadValue | None:
    """The picture the browser sent last under ``key`` (widget state), decoded; None if none or malformed."""
    try:
        state = st.session_state[key]
    except KeyError:
        return None
    raw = state.get(VALUE) if isinstance(state, dict) or hasattr(state, "get") else None
    if raw is None:
        return None
    try:
        return decode(raw)
    except PadValueError:
        return None


def draw_pad(key: str, *, size: int = 28, colour: bool = False, initial: np.ndarray | None = None,
             mode: str = "draw", label: str = "Drawing pad", submit_label: str = "Use this drawing",
             locked: bool = False, display_px: int = 336,
             on_change: Callable[[], None] | None = None) -> DrawPadValue | None:
    """Draw the pad under ``key``; returns the picture the reader sent last (see the module docstring), or None.

    size: the model's side (28 or 32); colour: RGB (white background) or grey (black background, light ink, as
    MNIST); initial: the picture to start from, uint8 (size, size) or (size, size, 3); mode: "draw" or "mask";
    label: the pad's visible name; submit_label: the send button's text; locked: controls disabled (a lesson's lock);
    display_px: the largest width of the enlarged picture; on_change: called (as a widget callback) on a send.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if initial is not None:
        want = (size, size, 3) if colour else (size, size)
        if not isinstance(initial, np.ndarray) or initial.dtype != np.uint8 or initial.shape != want:
            raise ValueError(f"initial must be uint8 {want}, got {getattr(initial, 'dtype', None)} "
                             f"{getattr(initial, 'shape', None)}")
    store = st.session_state.setdefault(f"{key}__pad", {"start": None, "generation": 0, "value": None, "seen": None})
    start = None if initial is None else content_digest(initial)
    if start != store["start"]:  # a new picture to start from replaces the drawing
        store.update(start=start, generation=store["generation"] + 1, value=None)
    sent = _sent(key)
    if sent is not None and sent.token != store["seen"]:
        store.update(value=sent, seen=sent.token)
        if sent.image.shape != ((size, size, 3) if colour else (size, size)):
            store["value"] = None  # sent by a pad of another shape under this key
    shown = store["value"]
    if shown is None and initial is not None:
        shown = DrawPadValue(initial, np.zeros((size, size), bool), f"start-{store['generation']}-{start}")
    inks = COLOUR_INKS if colour else GREY_INKS
    data = {"size": size, "colour": colour, "mode": mode, "label": label, "submit_label": submit_label,
            "locked": locked, "display_px": display_px, "initial": None if shown is None else encode(shown),
            "inks": [list(v) for _, v in inks], "ink_names": [n for n, _ in inks]}
    _COMPONENT(key=key, data=data, default={VALUE: None}, on_value_change=on_change or (lambda: None))
    return store["value"]
