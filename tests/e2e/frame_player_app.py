"""A tiny app for the frame player's browser test: both modes on one page, and what Python received, written out.

``streamlit run tests/e2e/frame_player_app.py`` (tests/e2e/test_e2e_frame_player.py starts it). Link parameters:
``loop=1`` loops the frames, ``locked=1`` locks every player, ``t=N`` starts the forward players at t = N; a
button moves the grey forward player to t = 250 from Python (as a link or a reset would), another only reruns.
The pictures are made here from fixed numbers, so the test can compute every frame again.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402

from diffusion_core.forward.noise_stream import gaussian  # noqa: E402
from diffusion_core.forward.process import alpha_bar_with_zero  # noqa: E402
from diffusion_core.forward.schedules import NoiseSchedule  # noqa: E402
from diffusion_core.images.image_io import fit_short_side, list_samples, load_sample, to_grayscale  # noqa: E402
from diffusion_core.images.pictures import png_bytes  # noqa: E402
from diffusion_core.images.pixels import to_pixels  # noqa: E402
from pages.frame_player import Frame, forward_player, frame_player  # noqa: E402

FRAMES = 20
SIDE = 28
SEED = 7
T = 1000
PATCH = (10, 20, 1)  # top, left, channel (the grey picture uses channel 0)


def run_frames() -> list[Frame]:
    """A fake 20-step run: x_t drifts from noise to a ring, x̂_0 sharpens; each frame's caption and alt differ."""
    yy, xx = np.mgrid[:SIDE, :SIDE]
    ring = np.where(np.abs(np.hypot(yy - 13.5, xx - 13.5) - 8) < 2.5, 1.0, -1.0)
    noise = gaussian((SIDE, SIDE), 3).astype(np.float64)
    frames = []
    for k in range(FRAMES):
        keep = (k + 1) / FRAMES
        t = round(T * (1 - keep))
        x_t = to_pixels(keep * ring + (1 - keep) * noise)
        x0_hat = to_pixels(np.clip(ring * (0.2 + 0.8 * keep), -1, 1))
        frames.append(Frame((png_bytes(x_t), png_bytes(x0_hat)), f"step {k + 1} of {FRAMES} · t = {t}",
                            f"Step {k + 1} of {FRAMES}, t = {t}: a ring {'emerging from' if keep < 1 else 'out of'} noise."))
    return frames


def photo(rgb: bool) -> np.ndarray:
    """The bundled astronaut at 48 px short side: (48, 48, 3) RGB or (48, 48) grey."""
    small = fit_short_side(load_sample(list_samples()["Astronaut"]).pixels, 48)
    return small if rgb else to_grayscale(small)


def alpha_bar() -> np.ndarray:
    """ᾱ_t for t = 0..T of the linear schedule, float64."""
    return alpha_bar_with_zero(NoiseSchedule("linear", T))


def patch(rgb: bool) -> tuple[int, int, int]:
    return (PATCH[0], PATCH[1], PATCH[2] if rgb else 0)


def _move_grey() -> None:
    st.session_state.grey_t = 250


def main() -> None:
    query = st.query_params
    locked = query.get("locked") == "1"
    start_t = int(query.get("t", "500"))
    st.session_state.runs = st.session_state.get("runs", 0) + 1
    st.title("Frame player test")
    with st.container(key="got_runs"):
        st.write(f"runs={st.session_state.runs}")
    left, right = st.columns(2)
    left.button("Set the grey player's t to 250", key="move_grey", on_click=_move_grey)
    right.button("Rerun", key="rerun")

    st.header("Frames")
    state = frame_player("fp_frames", run_frames(), start=0, autoplay=True, seconds=4.0,
                         loop=query.get("loop") == "1", locked=locked, labels=("x_t", "x̂_0"), label="Step")
    with st.container(key="got_frames"):
        st.write(f"frames: index={state.index} playing={state.playing} reported={state.reported}")

    for name, rgb in (("grey", False), ("rgb", True)):
        st.header(f"Forward, {name}")
        t = st.session_state.get("grey_t", start_t) if name == "grey" else start_t
        fw = forward_player(f"fp_fw_{name}", photo(rgb), SEED, alpha_bar(), t, patch=patch(rgb),
                            locked=locked, subject="the astronaut")
        with st.container(key=f"got_fw_{name}"):
            st.write(f"forward {name}: t={fw.t} playing={fw.playing} reported={fw.reported}")


if __name__ == "__main__":  # streamlit run; the test imports the functions above
    main()
