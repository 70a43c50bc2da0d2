"""Why the model's first guesses are blurry: x̂₀ is an average, the posterior mean E[x₀ | x_t].

Trained to make the smallest squared error, the denoiser's guess x̂₀ from x_t estimates the average of all the clean
images that could have produced x_t, each weighted by how likely it is (the posterior mean; Ho et al. 2020's ε-loss
is that squared error in other units). At a high t almost nothing of the picture is left in x_t, so nearly every
image of the class could have produced it, nearly equally: the guess is close to the plain average of the class's
training images, a blur of all of them. As t falls, fewer images fit x_t and the average sharpens into one picture.

:func:`guess_at_high_t` buries a real held-out picture at a high t (:func:`high_t`) and asks the model for x̂₀ with
the class and guidance s = 1 (the model's own conditional estimate: guidance s ≠ 1 pushes x̂₀ away from that
average, by design); :func:`class_mean` is the average of the shipped training images of the class; :func:`compare`
puts numbers on how close the guess is to that average and to the nearest single training image of the class.
Pictures are (H, W) grey or (H, W, 3) colour in the model's range [-1, 1]; distances are root-mean-square over
the pixel values in that range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.forward.schedules import NoiseSchedule
from diffusion_core.images.pixels import to_model_range
from diffusion_core.live.one_step import OneStep, denoise_once
from diffusion_core.model.unet import UNet

# Why not t = T: the cosine schedule leaves ᾱ_T = 2.4e-9 of the picture's power in x_T, and x̂₀ = (x_t − σ_t ε̂) / √ᾱ_t
# multiplies any error in the predicted noise by 1/√ᾱ_T ≈ 20,000 there: the guess at the very first step is noise
# (clipped to the pixel range). At ᾱ ≈ 0.006 (√ᾱ = 0.076: 7.6% of the picture's amplitude is left) the guess is
# computed accurately and is still mostly the average (measured on the shipped models: digits 7 and 3, fashion 7,
# emoji 9 are each closer to their class's average there than to any one training image).
HIGH_ALPHA_BAR = 0.006


def _channels_last(batch: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N, H, W) for C = 1, else (N, H, W, C), float64."""
    out = np.asarray(batch, np.float64).transpose(0, 2, 3, 1)
    return out[..., 0] if out.shape[-1] == 1 else out


def in_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 (N, H, W[, 3]) pictures as float64 (N, H, W[, 3]) in [-1, 1] (:func:`~diffusion_core.images.pixels.
    to_model_range`, channels kept last)."""
    return _channels_last(to_model_range(images))


def class_mean(images: np.ndarray, labels: np.ndarray, label: int) -> tuple[np.ndarray, int]:
    """The average of the training images of class ``label`` (uint8 (N, H, W[, 3]), labels (N,)) in model range,
    and how many there are. A label that no image has (the "no class" token) averages all of them."""
    labels = np.asarray(labels)
    chosen = images[labels == label] if np.any(labels == label) else images
    if len(chosen) == 0:
        raise ValueError("no images to average")
    return in_model_range(chosen).mean(axis=0), len(chosen)


def high_t(schedule: NoiseSchedule, alpha_bar: float = HIGH_ALPHA_BAR) -> int:
    """The model timestep (0-based) whose ᾱ is closest to ``alpha_bar``: a high t at which the guess is still
    computed accurately (cosine schedule, T = 1000: 950, where ᾱ = 0.0058)."""
    return int(np.argmin(np.abs(np.log(schedule.alpha_bar) - np.log(alpha_bar))))


def guess_at_high_t(model: UNet, schedule: NoiseSchedule, image_u8: np.ndarray, label: int, seed: int) -> OneStep:
    """A real picture (uint8 (H, W[, 3]), one the model never saw) buried at :func:`high_t` with noise from
    ``seed``, and the model's guess x̂₀ with class ``label`` (its null class: none) and guidance s = 1
    (:func:`~diffusion_core.live.one_step.denoise_once`)."""
    return denoise_once(model, schedule, image_u8, label, high_t(schedule), seed=seed)


def mixed_guess_at_high_t(model: UNet, schedule: NoiseSchedule, image_u8: np.ndarray, labels: list[int],
                          weights: list[float], seed: int) -> OneStep:
    """:func:`guess_at_high_t` for a prompt the network knows as several labels (a kinds model's kinds, with their
    shares ``weights`` summing to 1): the same x_t, and the guesses for each kind averaged with those weights.
    E[x₀ | x_t, prompt] = Σ_k p(k | x_t, prompt) E[x₀ | x_t, k]; at this high t x_t says almost nothing about which
    kind the picture is, so p(k | x_t, prompt) is close to the kind's share, and the weighted average of the kinds'
    guesses estimates the prompt's posterior mean. x̂₀ is linear in ε̂, so ε̂ is averaged alike."""
    if len(labels) != len(weights) or not labels or not np.isclose(sum(weights), 1):
        raise ValueError("one weight per label, summing to 1")
    steps = [guess_at_high_t(model, schedule, image_u8, k, seed) for k in labels]
    mix = lambda name: sum(w * getattr(s, name) for w, s in zip(weights, steps))  # noqa: E731
    return OneStep(steps[0].t, steps[0].x0, steps[0].eps, steps[0].x_t, mix("eps_hat"), mix("x0_hat"))


def rms(a: np.ndarray, b: np.ndarray) -> float:
    """Root-mean-square difference of two pictures (or of a picture and each of a batch: then (N,))."""
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    axes = tuple(range(d.ndim - np.asarray(a).ndim, d.ndim)) if np.asarray(b).ndim > np.asarray(a).ndim else None
    return np.sqrt(np.mean(d**2, axis=axes)) if axes else float(np.sqrt(np.mean(d**2)))


@dataclass(frozen=True)
class AverageGuess:
    """The model's guess beside the class's average: ``guess`` and ``mean`` (H, W[, 3]) in model range, ``count``
    training images averaged, ``to_mean`` the RMS distance guess-mean, ``to_nearest`` the RMS distance from the guess
    to the nearest single training image of the class (index ``nearest`` into the training set), ``typical`` the
    median RMS distance from the guess to the class's training images."""

    guess: np.ndarray
    mean: np.ndarray
    count: int
    to_mean: float
    to_nearest: float
    nearest: int
    typical: float

    @property
    def closer_to_the_average(self) -> bool:
        """Whether the guess is closer to the class's average than to every one of its training images."""
        return self.to_mean < self.to_nearest


def compare(guess: np.ndarray, images: np.ndarray, labels: np.ndarray, label: int) -> AverageGuess:
    """``guess`` (H, W[, 3]) in model range against the training images of class ``label`` (all of them for a label
    no image has): their average and the nearest one."""
    labels = np.asarray(labels)
    members = np.nonzero(labels == label)[0] if np.any(labels == label) else np.arange(len(labels))
    mean, count = class_mean(images, labels, label)
    distances = np.asarray(rms(guess, in_model_range(images[members])))
    k = int(np.argmin(distances))
    return AverageGuess(np.asarray(guess, np.float64), mean, count, rms(guess, mean), float(distances[k]),
                        int(members[k]), float(np.median(distances)))


def words(result: AverageGuess, class_name: str | None, t: int) -> str:
    """The comparison in one or two plain sentences, from its numbers (no claim the numbers do not make); ``t`` is
    the timestep as the page writes it."""
    whose = f"the {result.count:,} training images of “{class_name}”" if class_name else \
        f"all {result.count:,} training images"
    near = (f"At t = {t} the model's guess is {result.to_mean:.2f} from the average of {whose} (root-mean-square "
            f"difference, pixel values from −1 to 1), but {result.to_nearest:.2f} from the nearest single one of them "
            f"and {result.typical:.2f} from a typical one")
    if result.closer_to_the_average:
        return f"{near}: it is an average of many pictures, not a copy of any one of them."
    return (f"{near}: here it is already closer to one training image than to the average of all of them, so it "
            "averages fewer pictures than the whole class.")
