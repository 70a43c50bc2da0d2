"""A tiny app for the drawing pad's browser test: a grey pad and a colour pad in mask mode, and what Python received.

``streamlit run tests/e2e/draw_pad_app.py`` (tests/e2e/test_e2e_draw_pad.py starts it). The grey pad (28 × 28, as
for the digits model) starts blank; a checkbox hides it, as leaving the page would (its widget state is dropped).
The colour pad (32 × 32) starts from a fixed picture, :func:`start_picture`, and marks what to fill in. Under each pad,
one line of JSON says what Python decoded (shape, sums, the pixels themselves as base64, the token).
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from pages.draw_pad import draw_pad  # noqa: E402


def start_picture() -> np.ndarray:
    """(32, 32, 3) uint8: a red-to-blue gradient with a yellow square, on white."""
    yy, xx = np.mgrid[:32, :32]
    pic = np.stack([255 - 6 * xx, np.full_like(xx, 80), 6 * xx + 30], axis=-1).astype(np.uint8)
    pic[:4], pic[-4:] = 255, 255
    pic[10:18, 12:20] = (255, 204, 51)
    return pic


def summary(value) -> str:
    if value is None:
        return json.dumps({"sent": False})
    return json.dumps({"sent": True, "shape": list(value.image.shape), "sum": int(value.image.sum(dtype=np.int64)),
                       "nonzero": int(np.count_nonzero(value.image)), "marked": int(value.fill.sum()),
                       "token": value.token, "pixels": base64.b64encode(value.image.tobytes()).decode()})


st.set_page_config(page_title="Drawing pad test", layout="centered")
st.title("Drawing pad")
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
st.caption(f"runs: {st.session_state['runs']}")
hide = st.checkbox("Hide the grey pad (as leaving the page would)", key="hide")
if not hide:
    grey = draw_pad("pad_grey", size=28, colour=False, label="Draw a digit")
    with st.container(key="summary_grey"):
        st.text(summary(grey))
mask = draw_pad("pad_mask", size=32, colour=True, initial=start_picture(), mode="mask",
                label="Mark what to fill in", submit_label="Fill in the marked part")
with st.container(key="summary_mask"):
    st.text(summary(mask))
