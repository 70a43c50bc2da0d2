"""What the "Draw your own" page shows of a finished edit: its film from the reader's picture to the result, its walk on
the PCA map starting at the picture itself.

Timesteps here are the forward process's (:mod:`diffusion_core.forward.process`): t = 0 is the picture itself, t = T
pure noise, and the edit starts at t₀ = round(strength · T). The samplers count from 0 (their step at model timestep
k works at the noise level of forward step k + 1; see :mod:`diffusion_core.live.edit`), so a recorded frame at model
timestep k is shown as t = k + 1.

* :func:`film`: the frames a player plays, x_t beside x̂₀ for every copy: the picture first (t = 0: nothing added
  yet), then the x_t going into every recorded step, from x_{t₀} on, with the model's guess x̂₀ made at that step,
  then the result; each with its caption and alt text.
* :func:`walk_from_picture`: the walk on the training set's PCA plane with the picture as its first point (the jump
  from the picture to x_{t₀} is the forward process's, in one go; the rest are the sampler's steps).

The page draws that walk over :func:`~diffusion_core.live.walk_plot.cloud_canvas` without its legend and writes the
legend as text (the start named as the reader's picture), readable at any width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.access import alt_text
from diffusion_core.images.pictures import tile
from diffusion_core.live.edit import EditResult


@dataclass(frozen=True)
class FilmFrame:
    """One frame: ``x_t`` and ``x0_hat`` (the copies side by side, uint8 (H, W·n + gaps[, 3])), the forward timestep
    ``t`` shown, its ``caption`` and ``alt`` text."""

    x_t: np.ndarray
    x0_hat: np.ndarray
    t: int
    caption: str
    alt: str


def film(result: EditResult, what: str) -> list[FilmFrame]:
    """The edit as frames, from the reader's picture to the result (see the module docstring); ``what`` names what
    was asked for, in words ("Prompt: 3")."""
    traj = result.trajectory
    n = len(result.result)
    pictures = np.repeat(result.picture[None], n, axis=0)
    total = traj.num_steps
    frames = [FilmFrame(tile(pictures), tile(pictures), 0, "Your picture (t = 0, no noise added yet)",
                        alt_text.edit_frame(0, n, what, "start"))]
    if result.t0 > 0:
        per_walk = total // result.walks
        for k in range(traj.num_frames):
            t, i = int(traj.timesteps[k]) + 1, min(k * traj.stride, total - 1)  # frame k: x_t going into step i
            walk, first = divmod(i, per_walk)
            caption = (f"Step {i + 1} of {total}" + (f" (walk {walk + 1} of {result.walks})" if result.walks > 1 else "")
                       + f": x_t at t = {t}")
            if first == 0:
                caption += (f", your picture noised to t₀ = {result.t0} in one jump" if walk == 0 else
                            f", the last walk's picture noised to t₀ = {result.t0} again")
            frames.append(FilmFrame(tile(traj.x_t[k]), tile(traj.x0_hat[k]), t, caption,
                                    alt_text.edit_frame(t, n, what, "walk", i + 1, total)))
    frames.append(FilmFrame(tile(result.result), tile(result.result), 0,
                            "The result (t = 0)" if n == 1 else f"The {n} results (t = 0)",
                            alt_text.edit_frame(0, n, what, "end")))
    return frames


def walk_from_picture(result: EditResult, projection) -> tuple[np.ndarray, np.ndarray]:
    """The walk on a 2-D projection (``project``: (N, D) -> (N, 2), such as the training set's PCA): the picture, then
    every recorded x_t, (K + 1, B, 2); and the results (B, 2)."""
    path, end = result.trajectory.projected(projection)
    start = projection.project(result.picture_raw)  # (1, 2)
    return np.concatenate([np.repeat(start[None], path.shape[1], axis=1), path]), end


@dataclass(frozen=True)
class StartLevel:
    """Where an edit from ``strength`` starts: forward timestep ``t0`` of ``T``, the share of the picture left there,
    √ᾱ_{t₀} (``keep``; 1 at t₀ = 0, 0 at T, where the samplers take ᾱ_T as 0), the noise's standard deviation
    σ_{t₀} = √(1 − ᾱ_{t₀}) (``noise``), and the sampler steps it takes of a full run's: ``steps`` of ``full``."""

    t0: int
    T: int
    keep: float
    noise: float
    steps: int
    full: int


def start_level(strength: float, schedule, sampler: str, full_steps: int) -> StartLevel:
    """The :class:`StartLevel` of an edit from ``strength`` with ``full_steps`` of ``sampler`` (see
    :mod:`diffusion_core.live.edit`)."""
    from diffusion_core.live.edit import edit_timesteps, start_timestep

    t0 = start_timestep(strength, schedule.T)
    if t0 == 0:
        return StartLevel(0, schedule.T, 1.0, 0.0, 0, full_steps)
    alpha_bar = 0.0 if t0 == schedule.T else float(schedule.alpha_bar[t0 - 1])
    steps = len(edit_timesteps(sampler, schedule, full_steps, t0))
    return StartLevel(t0, schedule.T, alpha_bar ** 0.5, (1.0 - alpha_bar) ** 0.5, steps, full_steps)


def compare_bounds(before: float, before_half: float, after: float, after_half: float) -> str:
    """The bound of the reader's picture against the result's (bits/dim, each with the half-width of its 95%
    interval), in one sentence that claims a change only where the intervals do not overlap."""
    if after + after_half < before - before_half:
        return (f"The result's bound is lower by {before - after:.2f} bits/dim, and the two 95% intervals do not "
                "overlap: the model's code describes the result in fewer bits than your picture. Both are upper "
                "bounds, so this shows the result is at least that plausible, not that your picture is less so.")
    if after - after_half > before + before_half:
        return (f"The result's bound is higher by {after - before:.2f} bits/dim, and the two 95% intervals do not "
                "overlap: the model's code needs more bits for the result than for your picture. Both are upper "
                "bounds, so this does not show that the model finds the result less plausible.")
    return ("The two 95% intervals overlap: at this precision the estimates cannot tell the two pictures apart.")


def rms_change(distance: float, values: int) -> float:
    """A distance between two pictures (grey levels, over ``values`` pixel values) as the root-mean-square change of
    one value: distance / √values."""
    return float(distance) / values ** 0.5


def compare_many(before: float, before_half: float, afters: list[tuple[float, float]]) -> str:
    """:func:`compare_bounds` for one result; for several (fills), one sentence naming each that differs from the
    picture beyond both 95% intervals."""
    if len(afters) == 1:
        return compare_bounds(before, before_half, *afters[0])
    lower = [i + 1 for i, (a, h) in enumerate(afters) if a + h < before - before_half]
    higher = [i + 1 for i, (a, h) in enumerate(afters) if a - h > before + before_half]
    alike = len(afters) - len(lower) - len(higher)

    def which(numbers: list[int]) -> str:
        names = [f"fill {k}" for k in numbers]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    parts = [f"lower for {which(lower)}"] if lower else []
    parts += [f"higher for {which(higher)}"] if higher else []
    said = ("Against your picture's bound, beyond both 95% intervals: " + "; ".join(parts) + ". All are upper "
            "bounds: a lower one shows that fill at least that plausible, a higher one shows nothing by itself."
            if parts else "")
    if alike:
        whom = (f"all {alike} fills" if not parts else "the other fill" if alike == 1 else f"the other {alike} fills")
        said += (" " if said else "") + (f"For {whom} the intervals overlap your picture's: at this precision the "
                                         f"estimates cannot tell {'it' if alike == 1 else 'them'} from your picture.")
    return said


def copy_words(check, ruler, class_names) -> list[str]:
    """The copy check of several results of one prompt (fills) in words: the verdict first, then the numbers it rests
    on, judged against real held-out images of that class (or all real images, with no class). One result:
    :func:`~diffusion_core.live.memorisation.verdict`'s words."""
    from diffusion_core.live.memorisation import verdict

    n = len(check.distances)
    if n == 1:
        return verdict(check, ruler, class_names)
    k = len(class_names)
    c = int(min(check.labels[0], k))
    real = "real images" if c >= k else f"real “{class_names[c]}” images"
    close, far = int(check.suspicious.sum()), int(check.far.sum())

    def named(mask) -> str:
        numbers = [f"fill {i + 1}" for i in np.flatnonzero(mask)]
        return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]

    lines = [f"**{close} of the {n} may be {'a near-copy' if close == 1 else 'near-copies'}** ({named(check.suspicious)}): "
             f"closer to a training image than 95% of {real} the model never saw are. Compare those pairs above."
             if close else
             f"**No sign of copying:** none of the {n} is closer to a training image than 95% of {real} the model "
             "never saw are."]
    if far:
        lines.append(f"{far} of the {n} ({named(check.far)}) {'is' if far == 1 else 'are'} unusually far from every "
                     f"training image, farther than 95% of {real} the model never saw: not {'a copy' if far == 1 else 'copies'}, "
                     "and not much like any one training image either.")
    lines.append("Their distances to the nearest training image: " + ", ".join(f"{d:.2f}" for d in check.distances)
                 + f"; for {real} that the model never saw it is typically {ruler.typical[c]:.2f}, and only 5% come "
                 f"closer than {ruler.unusually_close[c]:.2f}.")
    return lines


def landing_words(check, training_labels, class_names) -> str:
    """Where each walk ended: the class of each result's nearest training image, against the class asked for. One
    result: :func:`~diffusion_core.live.memorisation.landing`'s sentence."""
    from diffusion_core.live.memorisation import landing

    if len(check.distances) == 1:
        return landing(check, training_labels, class_names)
    k = len(class_names)
    nearest = [class_names[int(c)] for c in np.asarray(training_labels)[check.indices]]
    listed = ", ".join(f"“{name}”" for name in nearest[:-1]) + f" and “{nearest[-1]}”"
    asked = int(check.labels[0])
    if asked >= k:
        return f"Asked for no class, the {len(nearest)} end nearest training images of class {listed}."
    same = sum(name == class_names[asked] for name in nearest)
    return (f"Asked for “{class_names[asked]}”, the {len(nearest)} end nearest training images of class {listed}: "
            f"{same} of them of the class asked for.")
