"""The frame player: a run plays in the reader's browser, at a human pace, with no server round trip per frame.

A Streamlit component of our own (``st.components.v2``: plain JavaScript and CSS in ``pages/frame_player/``, no build
step, no third-party code). The server sends the frames, or what the browser needs to compute them, once; the
browser plays them with one Play/Pause toggle beside the picture, step buttons, a speed control (0.5×, 1×, 2×) and a
scrubber (a native range input), so the scrubber, the caption, the alt text and (forward mode) the table of numbers
always show the same frame, while playing too. Keyboard, with the focus in the player: Space or K plays and pauses,
← / → step one frame (one t; Shift: ten), Home / End go to the first / last; Page Up / Page Down change nothing in the
player and still reach the page (presenter mode's clicker keys). A reader who asks for reduced motion gets no
autoplay: the last frame (frames mode) or the current t (forward mode) with the scrubber; Play still plays.

Two calls, one per mode::

    state = frame_player("den_run", [Frame((x_t_png, x0_hat_png), "step 13 of 20 · t = 342", alt), ...],
                         start=0, autoplay=True, seconds=4.0, loop=False, locked=False, labels=("x_t", "x̂_0"))
    state = forward_player("fw_player", x0, seed, alpha_bar, t, patch=(top, left, channel), seconds=10.0,
                           locked=False, subject="the picture")

* ``frame_player``: a list of :class:`Frame` (one to four pictures each: PNG or JPEG bytes, uint8 arrays or URLs;
  a caption and an alt text), the frame to start on, whether to play at once, one pass in ``seconds`` at 1× (the
  frames at equal intervals), and whether to loop (else it stops on the last frame, the finished picture).
* ``forward_player``: x₀ (uint8 (H, W) grey or (H, W, 3) RGB, up to 256 × 512), the seed of ε
  (:mod:`diffusion_core.forward.noise_stream`, 0 ≤ seed < 2³²), ᾱ_t for t = 0..T (float64), the t to show and the
  8 × 8 patch listed as numbers. The browser computes each x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε itself, pixel for pixel as
  :func:`diffusion_core.forward.noise_stream.forward_pixels` does; only x₀ and a few numbers travel. Its scrubber,
  "Timestep t" (0..T), is the page's timestep control. A pass from 0 to T takes ``seconds`` at 1× and stops at T.

Both return a :class:`PlayerState`: the frame index (``.index``) or timestep (``.t``) the reader settled on and
whether it was playing. The browser reports only when it matters — on Pause, on release of the scrubber, on a
step, at the end of a pass (and once at the start when reduced motion showed the last frame instead of playing) —
never per frame; each report reruns the script (or the fragment the player is in). Until the first report for
*this* film, the state is what Python asked for (``reported`` False). ``locked`` shows the controls disabled (a
lesson link's lock); the picture still shows and an autoplay still plays. Give each player its own ``key``: the
browser keeps its place while the film is the same (see ``id`` in :mod:`diffusion_core.images.player_data`) and
starts afresh on a new one. Like any widget's, a player's state is dropped by a run that does not draw it.

The packing of the data is pure and tested in :mod:`diffusion_core.images.player_data`; this module only mounts it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from diffusion_core.access import alt_text
from diffusion_core.images.player_data import Frame, forward_payload, frames_payload

__all__ = ["Frame", "PlayerState", "frame_player", "forward_player", "asset_sizes"]

ASSETS = Path(__file__).with_name("frame_player")
SCRIPT_FILES = ("noise_stream.js", "player.js")  # one ES module: the noise first, the player uses it
STYLE_FILE = "player.css"
REPORT = "report"  # the component's one state value: {id, position, playing, seq}
FORWARD_CAPTION = "x_t at t = {t}"
# alt_text.noisy_frame's sentence as a template the browser fills for the t shown (the browser test compares them)
FORWARD_ALT = ("x_t at t = {t} of {subject}: {words}; {keep} of the signal remains, under noise of standard "
               "deviation {noise}.")


def _compact(source: str, line_comment: str | None) -> str:
    """``source`` without its comment lines, comment blocks and indentation (it travels with every run).

    Only whole lines go: a line whose text starts with ``line_comment`` and ``/* … */`` blocks that start a line, so
    a ``//`` inside a string (a URL) stays. The files in pages/frame_player/ are the readable source.
    """
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


def _script() -> str:
    return _compact("\n".join((ASSETS / name).read_text(encoding="utf-8") for name in SCRIPT_FILES), "//")


def _style() -> str:
    return _compact((ASSETS / STYLE_FILE).read_text(encoding="utf-8"), None)


def asset_sizes() -> dict[str, int]:
    """Bytes of the component's own JavaScript and CSS, as sent (inline, in the element) with every run that draws
    a player."""
    return {"js": len(_script().encode()), "css": len(_style().encode())}


_COMPONENT = st.components.v2.component("image_space.frame_player", js=_script(), css=_style())


@dataclass(frozen=True)
class PlayerState:
    """Where the reader left a player: ``position`` (frame index or t), ``playing``, and whether the browser said so.

    ``reported`` is False until the browser reports on the film now shown; the state is then the one Python asked
    for (the start frame and autoplay, or the t given).
    """

    position: int
    playing: bool
    reported: bool = False

    @property
    def index(self) -> int:
        """The frame index (frames mode)."""
        return self.position

    @property
    def t(self) -> int:
        """The timestep (forward mode)."""
        return self.position


def _report_in(value) -> dict | None:
    """The report inside a player's state (the component's value: a dict, or None before any)."""
    report = value.get(REPORT) if isinstance(value, dict) else None
    return report if isinstance(report, dict) else None


def _last_report(key: str) -> dict | None:
    """The report the browser sent last for ``key``, read before the player is drawn (None if none)."""
    try:
        return _report_in(st.session_state[key])
    except KeyError:
        return None


def _mount(key: str, payload: dict, position: int, playing: bool, on_change: Callable[[], None] | None) -> PlayerState:
    """Draw the player under ``key`` and say where it is.

    The browser's last report on this film wins, unless Python has asked for another position since (a link, a
    reset: ``position`` differs from the one passed in the run before and from the report). Such a move holds until
    the browser reports again; the browser follows it once it has no newer report of its own in flight (``ack``).

    In a session's first run, a new server's after a restart or a failover, the session does not know the player
    yet: the report the browser sent with the run can be read only once the player is drawn (and ``on_change`` is
    not called). It counts all the same: the reader's first move after a reconnection reaches the page.
    """
    previous = _last_report(key)
    ack = int(previous.get("seq", 0)) if previous else 0
    mounted = _COMPONENT(key=key, data={**payload, "ack": ack}, default={REPORT: None},
                         on_report_change=on_change or (lambda: None))
    previous = previous or _report_in(mounted)
    film = payload["id"]
    report = previous if previous and previous.get("id") == film else None
    asked_key = f"{key}__asked"
    asked = st.session_state.get(asked_key)
    echo = report is not None and report.get("position") == position
    if asked is None or asked["id"] != film:
        since = -1  # the first run that draws this film: any report on it counts
    elif asked["position"] != position and not echo:
        since = ack  # Python moved it now: reports up to this one are older than the move
    else:
        since = asked["since"]
    st.session_state[asked_key] = {"id": film, "position": position, "since": since}
    if report is not None and int(report.get("seq", 0)) > since:
        try:
            return PlayerState(int(report["position"]), bool(report["playing"]), True)
        except (KeyError, TypeError, ValueError):
            pass  # a malformed report: what Python asked for
    return PlayerState(position, playing and since == -1, False)


def frame_player(key: str, frames: Sequence[Frame], *, start: int = 0, autoplay: bool = True, seconds: float = 4.0,
                 loop: bool = False, locked: bool = False, labels: Sequence[str] = (), display_px: int = 280,
                 label: str = "Frame", on_change: Callable[[], None] | None = None) -> PlayerState:
    """Play ``frames`` in the browser; returns the frame the reader settled on (see the module docstring).

    labels: a short name over each picture of a frame ("x_t", "x̂_0"); display_px: each picture's longer side on
    screen (a whole enlargement factor, never wider than the column); label: the scrubber's visible name;
    on_change: called (as a widget callback) when the browser reports.
    """
    payload = frames_payload(frames, start=start, autoplay=autoplay, seconds=seconds, loop=loop, locked=locked,
                             labels=labels, display_px=display_px, label=label)
    return _mount(key, payload, start, autoplay, on_change)


def visibility_runs(alpha_bar: np.ndarray) -> list[tuple[int, str]]:
    """(first t, words) for each run of timesteps that :func:`alt_text.visibility` describes with the same words."""
    runs: list[tuple[int, str]] = []
    for t, ab in enumerate(np.asarray(alpha_bar, dtype=np.float64)):
        words = alt_text.visibility(float(ab))
        if not runs or runs[-1][1] != words:
            runs.append((t, words))
    return runs


def forward_player(key: str, x0: np.ndarray, seed: int, alpha_bar: np.ndarray, t: int, *,
                   patch: tuple[int, int, int] = (0, 0, 0), seconds: float = 10.0, locked: bool = False,
                   subject: str = "the picture", display_px: int = 280,
                   on_change: Callable[[], None] | None = None) -> PlayerState:
    """The forward process x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε computed and played in the browser; returns the t settled on.

    x0: uint8 (H, W) or (H, W, 3); seed: 0 ≤ seed < 2³²; alpha_bar: float64 (T + 1,) from ᾱ_0 = 1 (e.g.
    ``diffusion_core.forward.process.alpha_bar_with_zero``); t: 0..T; patch: (top, left, channel) of the 8 × 8 patch
    of x_t listed under the picture; subject: the picture's name in the alt text (alt_text.noisy_frame's wording).
    """
    payload = forward_payload(x0, seed, alpha_bar, t, patch=patch, seconds=seconds, locked=locked,
                              display_px=display_px, caption=FORWARD_CAPTION,
                              alt=FORWARD_ALT.replace("{subject}", subject), alt_words=visibility_runs(alpha_bar))
    return _mount(key, payload, t, False, on_change)
