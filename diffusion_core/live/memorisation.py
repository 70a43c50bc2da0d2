"""Did the model copy a training image? Each sample against its nearest training image, judged per class.

A generated image's distance to its nearest training image (exact search, :mod:`diffusion_core.judge.metrics`)
means little alone: simple classes sit close to their neighbours (held-out MNIST 1s: median 2.1; 2s: 5.6). So
it is compared with how close real images the model never saw come, class by class (a
:class:`~diffusion_core.judge.metrics.CopyYardstick`). Closer than 95% of them is worth a look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diffusion_core.judge.metrics import CopyYardstick, nearest_neighbour_distances


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
    """The check in words (Markdown paragraphs), for one sample or a grid."""
    k = len(class_names)
    if len(check.distances) == 1:
        c = int(min(check.labels[0], k))
        group = "Real images" if c >= k else f"Real {class_names[c]!r} images"
        if check.suspicious[0]:
            judged = "closer than 95% of them are: compare the pair above, it may be a near-copy"
        elif check.far[0]:
            judged = ("farther than 95% of them are: no copy, but unlike every training image, more than real "
                      "images of its class are; the model has not drawn it the way real ones look")
        else:
            judged = ("as far from the training set as a new real image: the model learned the *kind* of image, "
                      "not the images themselves")
        return [f"Distance to the nearest training image: **{check.distances[0]:.2f}**. {group} that the model "
                f"never saw are typically **{ruler.typical[c]:.2f}** from their nearest training image (5% are "
                f"closer than {ruler.unusually_close[c]:.2f}), so this one is {judged}."]
    name = lambda c: class_names[c] if c < k else "none"  # noqa: E731
    lines = ["Distance to the nearest training image, and (in brackets) how far held-out real images of the same "
             "class typically are: " + ", ".join(f"{name(c)}: **{d:.2f}** ({ruler.typical[min(c, k)]:.2f})"
                                                for c, d in zip(check.labels, check.distances)) + "."]
    if check.suspicious.any():
        lines.append("Closer than 95% of new real images of their class would be: **" +
                     ", ".join(name(c) for c in check.labels[check.suspicious]) + "**. Compare those pairs above: "
                     "near-copies?")
    else:
        lines.append("None is closer to the training set than 95% of new real images of its class would be: the "
                     "model learned the *kind* of image, not the images themselves.")
    if check.far.any():
        lines.append("Farther from every training image than 95% of new real images of their class: **" +
                     ", ".join(name(c) for c in check.labels[check.far]) + "**: no copies, but not drawn the way "
                     "real ones look.")
    return lines
