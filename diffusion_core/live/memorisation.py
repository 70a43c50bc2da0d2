"""Did the model copy a training image? Each sample against its nearest training image, judged per class.

A generated image's distance to its nearest training image (exact search, :mod:`diffusion_core.judge.metrics`)
means little alone: simple classes sit close to their neighbours (held-out MNIST 1s: median 2.1; 2s: 5.6). So
it is compared with how close real images the model never saw come, class by class (a
:class:`~diffusion_core.judge.metrics.CopyYardstick`). Closer than 95% of them is worth a look.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from diffusion_core.judge.metrics import CopyYardstick, nearest_neighbour_distances
from diffusion_core.model.shipped_data import DATASETS, ShippedDataError


@dataclass(frozen=True)
class CopyCheck:
    """distances (B,) to the nearest training image (pixels scaled to 0-1), its indices (B,), the samples'
    labels (B,) (num_classes = no class), and which are suspiciously close and which unusually far (B,) bool."""

    distances: np.ndarray
    indices: np.ndarray
    labels: np.ndarray
    suspicious: np.ndarray
    far: np.ndarray


def yardstick(held_out: np.ndarray, held_out_labels: np.ndarray, training: np.ndarray,
              num_classes: int) -> CopyYardstick:
    """How far real held-out images (N, H, W[, 3]) lie from the training set, per class."""
    return CopyYardstick.from_held_out(nearest_neighbour_distances(held_out, training)[0], held_out_labels, num_classes)


def check_copies(images: np.ndarray, labels: np.ndarray, training: np.ndarray, ruler: CopyYardstick) -> CopyCheck:
    """Samples (B, H, W[, 3]) with their labels (B,), against the training images (M, H, W[, 3])."""
    distances, indices = nearest_neighbour_distances(images, training)
    return CopyCheck(distances, indices, np.asarray(labels), ruler.suspicious(distances, labels),
                     ruler.far(distances, labels))


def verdict(check: CopyCheck, ruler: CopyYardstick, class_names: tuple[str, ...]) -> list[str]:
    """The check in words (Markdown paragraphs), for one sample or a grid: first the verdict in one plain
    sentence, then the numbers it rests on. One distance cannot show what a model "learned"; it can show no sign
    of copying, or a sign worth a look."""
    k = len(class_names)
    if len(check.distances) == 1:
        c = int(min(check.labels[0], k))
        real = "real images" if c >= k else f"real “{class_names[c]}” images"
        if check.suspicious[0]:
            said = (f"**Possibly a near-copy:** it is closer to a training image than 95% of {real} the model never "
                    "saw are. Compare the pair above.")
        elif check.far[0]:
            said = (f"**Not a copy, but unusual:** it is farther from every training image than 95% of {real} the "
                    "model never saw are, so it does not look much like any training image.")
        else:
            said = (f"**No sign of copying:** it is about as far from the training images as {real} the model "
                    "never saw are.")
        return [said, f"Its distance to the nearest training image is {check.distances[0]:.2f}; for {real} that the "
                f"model never saw it is typically {ruler.typical[c]:.2f}, and only 5% come closer than "
                f"{ruler.unusually_close[c]:.2f}."]
    name = lambda c: class_names[c] if c < k else "none"  # noqa: E731
    n = len(check.distances)
    if check.suspicious.any():
        close = ", ".join(f"“{name(c)}”" for c in check.labels[check.suspicious])
        lines = [f"**{int(check.suspicious.sum())} of {n} may be near-copies** ({close}): closer to a training image "
                 "than 95% of real images of their class that the model never saw. Compare those pairs above."]
    else:
        lines = [f"**No sign of copying:** none of the {n} is closer to a training image than 95% of real images of "
                 "its class that the model never saw."]
    if check.far.any():
        far = ", ".join(f"“{name(c)}”" for c in check.labels[check.far])
        lines.append(f"Unusually far from every training image ({far}): not copies, but not much like the training "
                     "images of their class either.")
    lines.append("Distance to the nearest training image, and in brackets how far real unseen images of the same "
                 "class typically are: " + ", ".join(f"{name(c)} {d:.2f} ({ruler.typical[min(c, k)]:.2f})"
                                                   for c, d in zip(check.labels, check.distances)) + ".")
    return lines


def landing(check: CopyCheck, training_labels: np.ndarray, class_names: tuple[str, ...]) -> str:
    """Where the walks ended, in one sentence: the class of each sample's nearest training image (in pixel
    space, the same search as the copy check) against the class it was asked for."""
    k = len(class_names)
    nearest = np.asarray(training_labels)[check.indices].astype(int)
    asked = np.asarray(check.labels).astype(int)
    if len(nearest) == 1:
        landed, wanted = class_names[nearest[0]], asked[0]
        if wanted >= k:
            return f"It was asked for no class and ends nearest a training image of class “{landed}”."
        if nearest[0] == wanted:
            return f"It ends nearest a training image of its own class, “{landed}”."
        return f"It was asked for “{class_names[wanted]}” but ends nearest a training image of class “{landed}”."
    with_class = asked < k
    same = int(np.sum(nearest[with_class] == asked[with_class]))
    text = (f"{same} of the {int(with_class.sum())} walks asked for a class end nearest a training image of that "
            "class")
    strays = [f"“{class_names[a]}” → “{class_names[b]}”" for a, b in zip(asked, nearest) if a < k and a != b]
    if strays:
        text += f"; the others, asked → nearest: {', '.join(strays)}"
    if not with_class.all():
        text += f"; {int((~with_class).sum())} asked for no class"
    return text + "."


def training_labels(model: str, folder: Path = DATASETS) -> np.ndarray:
    """The labels (N,) of the shipped training images of ``model``, in the order of
    :func:`~diffusion_core.model.shipped_data.training_set`, read without decompressing the images (a page that
    already holds the images needs only these for :func:`landing`)."""
    parts = sorted(folder.glob(f"{model}_train_*of*.npz"))
    if not parts:
        raise ShippedDataError(f"No training images for {model!r} in assets/datasets; restore them from the repository.")
    try:
        labels = []
        for part in parts:
            with np.load(part) as z:
                labels.append(z["labels"])
    except (OSError, ValueError, KeyError) as e:
        raise ShippedDataError(f"the training labels of {model!r} in assets/datasets are unreadable ({e}).") from None
    return np.concatenate(labels)
