"""What the browser's frame player plays for a recorded run: which frames, their captions, their alt texts.

A run is over in 0.1-0.7 s, too fast to watch; its recorded frames (:mod:`diffusion_core.live.trajectory`) are
played again in the reader's browser at a human pace (``pages/frame_player.py``). Frame k of a run shows the sample
x_t after k of its n steps, beside the model's guess x̂₀ from it; the last frame is the finished picture, after all
n steps, at t = 0. So the scrubber's position, the caption ("step 13 of 20 · t = 342") and the picture always say
the same thing, and "step 20 of 20" is t = 0.

**Timesteps as the app writes them.** The samplers count the model's timesteps from 0 (their first step is at
T − 1 = 999, where ᾱ is the schedule's last value); the app's notation (:mod:`diffusion_core.access.notation`, the
forward page) counts t from 0, the clean picture, to T = 1000, pure noise. The model's timestep i is the app's
t = i + 1 (:func:`shown_t`), so a run starts at t = 1000 and ends at t = 0.

**How much is sent.** A grid of ten colour emoji costs ~62 kB a frame as lossless PNGs in JSON (x_t | x̂₀), one
grey digit ~1.8 kB. Every picture stays exact (lossless PNG); a run whose frames would exceed
:data:`PLAYER_BUDGET_BYTES` plays fewer of them, evenly spaced, never fewer than :data:`MIN_FRAMES` (the first and
the finished picture among them). :func:`plan` chooses them from the encoded sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from diffusion_core.images.pictures import png_bytes, tile
from diffusion_core.images.player_data import Frame
from diffusion_core.live.trajectory import Trajectory

PLAYER_BUDGET_BYTES = 320_000  # the frames' pictures as base64 in the player's JSON, per run
MIN_FRAMES = 6  # at least the start, four steps between and the finished picture
MAX_FRAMES = 41  # a 1,000-step DDPM run records 112 frames: 40 steps and the finished picture are enough to watch
SECONDS = 4.0  # one pass at 1x: ~4 s for 20 steps (the player's own speed control halves or doubles it)


def shown_t(model_t: int) -> int:
    """The app's t (0 = clean, T = pure noise) of the model's 0-based timestep ``model_t`` (0..T-1): model_t + 1."""
    return int(model_t) + 1


@dataclass(frozen=True)
class PlayedFrame:
    """One frame of the player: ``index`` into the trajectory's frames (None: the finished picture), the number of
    steps ``done`` when it was recorded (of ``total``), and its timestep ``t`` as the app writes it."""

    index: int | None
    done: int
    total: int
    t: int

    @property
    def finished(self) -> bool:
        return self.index is None

    def caption(self) -> str:
        """"step 13 of 20 · t = 342"; the first "step 0 of 20 · t = 1000: pure noise", the last "… the finished
        picture"."""
        text = f"step {self.done} of {self.total} · t = {self.t}"
        if self.finished:
            return text + ": the finished picture"
        return text + (": pure noise, before the first step" if self.done == 0 else "")


def all_frames(trajectory: Trajectory) -> list[PlayedFrame]:
    """Every recorded frame of ``trajectory`` and then the finished picture, in order.

    Recorded frame k entered step k·stride (the last recorded step, num_steps − 1, also when off the stride): it is
    the sample after that many steps, at the model timestep it was recorded at."""
    n, stride = trajectory.num_steps, trajectory.stride
    frames = [PlayedFrame(k, min(k * stride, n - 1), n, shown_t(t)) for k, t in enumerate(trajectory.timesteps)]
    return frames + [PlayedFrame(None, n, n, 0)]


def evenly(count: int, most: int) -> list[int]:
    """``most`` indices of 0..count-1 spread as evenly as whole numbers allow, the first and last always among them
    (all of them when count <= most)."""
    if count <= most:
        return list(range(count))
    if most < 2:
        raise ValueError(f"need at least 2 frames to keep the first and the last, got {most}")
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


def plan(frames: Sequence[PlayedFrame], sizes: Sequence[int], budget: int = PLAYER_BUDGET_BYTES,
         least: int = MIN_FRAMES, most: int = MAX_FRAMES) -> list[int]:
    """Which of ``frames`` to play (indices into it): as many as fit ``budget`` bytes of base64 (``sizes``: each
    frame's pictures in bytes), evenly spread, at most ``most``, at least ``least`` (or all, if fewer); always the
    first and the finished picture."""
    count = len(frames)
    if len(sizes) != count:
        raise ValueError(f"{len(sizes)} sizes for {count} frames")
    floor = min(count, least)
    for k in range(min(count, most), floor - 1, -1):
        chosen = evenly(count, k)
        if sum(base64_size(sizes[i]) for i in chosen) <= budget or k == floor:
            return chosen
    return evenly(count, floor)  # pragma: no cover - the loop always returns


def base64_size(n: int) -> int:
    """Bytes of ``n`` bytes written in base64 (with padding)."""
    return 4 * math.ceil(n / 3)


@dataclass(frozen=True)
class Film:
    """What the player is given for a run: the :class:`~diffusion_core.images.player_data.Frame` list, the played
    frames it shows (same order), and the recorded frames it left out to stay within the budget."""

    frames: list[Frame]
    played: list[PlayedFrame]
    left_out: int

    @property
    def bytes(self) -> int:
        """The pictures' bytes in base64, as the player's JSON carries them."""
        return sum(base64_size(len(image)) for frame in self.frames for image in frame.images)


def run_film(trajectory: Trajectory, columns: int | None, alt: Callable[[PlayedFrame], str],
             budget: int = PLAYER_BUDGET_BYTES) -> Film:
    """The player's frames for ``trajectory`` drawn as a grid of ``columns`` (None: one row): x_t beside x̂₀, then
    the finished picture on both sides; ``alt(frame)`` is each frame's alt text. Lossless PNGs; as many frames as
    :func:`plan` fits in ``budget``."""
    every = all_frames(trajectory)
    final = png_bytes(tile(trajectory.final, columns), 9)
    pictures: list[tuple[bytes, bytes]] = []
    for f in every:
        if f.finished:
            pictures.append((final, final))
        else:
            pictures.append((png_bytes(tile(trajectory.x_t[f.index], columns), 9),
                             png_bytes(tile(trajectory.x0_hat[f.index], columns), 9)))
    chosen = plan(every, [len(a) + len(b) for a, b in pictures], budget)
    played = [every[i] for i in chosen]
    frames = [Frame(pictures[i], every[i].caption(), alt(every[i])) for i in chosen]
    return Film(frames, played, len(every) - len(chosen))


def side_by_side_indices(frame_counts: Sequence[int], count: int) -> list[list[int]]:
    """For several recorded runs (``frame_counts``: how many frames each recorded, the finished picture included),
    ``count`` rows of one frame index per run, each run at the same share of its way (row r: r / (count − 1) of
    it, to the nearest frame), so runs of 20 and 1,000 steps play side by side and end together."""
    if count < 2 or any(n < 1 for n in frame_counts):
        raise ValueError("need at least 2 rows and a frame in every run")
    return [[round(r * (n - 1) / (count - 1)) for n in frame_counts] for r in range(count)]


SIDE_BY_SIDE_ROWS = 21  # the comparison plays 21 moments of each run: start, every 5% of the way, the end


def side_by_side_film(trajectories: Sequence[Trajectory], names: Sequence[str],
                      alt: Callable[[Sequence[PlayedFrame]], str], rows: int = SIDE_BY_SIDE_ROWS,
                      budget: int = PLAYER_BUDGET_BYTES) -> tuple[list[Frame], list[list[PlayedFrame]]]:
    """Several runs of one image each (the sampler comparison), played side by side: each frame shows every run's
    x_t at the same share of its way (:func:`side_by_side_indices`), ending on the finished pictures together.
    ``names`` label the runs in the caption; ``alt(moments)`` is a frame's alt text. Returns the frames and, for
    each, the played frame of every run."""
    runs = [all_frames(tr) for tr in trajectories]
    pictures = []
    for tr, frames in zip(trajectories, runs):
        pictures.append([png_bytes(tr.final[0] if f.finished else tr.x_t[f.index][0], 9) for f in frames])
    table = side_by_side_indices([len(f) for f in runs], rows)
    moments = [[runs[j][i] for j, i in enumerate(row)] for row in table]
    sizes = [sum(len(pictures[j][i]) for j, i in enumerate(row)) for row in table]
    chosen = plan(moments, sizes, budget)
    frames = []
    for r in chosen:
        share = r / (rows - 1)
        where = "the finished pictures" if r == rows - 1 else "pure noise, the same for all" if r == 0 else \
            f"{share:.0%} of the way"
        caption = f"{where} · " + " · ".join(f"{name} t = {m.t}" for name, m in zip(names, moments[r]))
        frames.append(Frame(tuple(pictures[j][i] for j, i in enumerate(table[r])), caption, alt(moments[r])))
    return frames, [moments[r] for r in chosen]
