"""Prompts over finer labels: a model trained on *kinds* (25 emoji kinds: mammal, bird, fruit, ...) asked for a
*class* (10 prompts: animal, food & drink, ...).

A kinds model (``emoji-kinds``, issue 31) learns each kind apart, so that "animal" is not one blur of all animals.
A reader still asks for one of the ten classes; each image of such a prompt is drawn from one of the class's kinds,
picked in the training data's proportions (:func:`diffusion_core.model.emoji_data.kind_weights`), or the reader
names the kind. The picks come from their own generator, seeded by the run's seed, so a seed gives the same
pictures every time and the noise draws of the sampler are untouched.

The mapping travels inside the weights file (``"prompts"``, ``"kind_class"``, ``"kind_weights"``,
:func:`kind_metadata`), so the app needs nothing but the file to use the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

KIND_SEED = 0x6B1D5  # mixed into the run's seed for the kind picks (never the sampler's own noise stream)


@dataclass(frozen=True)
class PromptKinds:
    """``prompts`` (P,) the class names a reader asks for; ``kind_class`` (K,) the prompt of each kind;
    ``weights`` (P, K) the share of each kind among its prompt's training images (rows sum to 1)."""

    prompts: tuple[str, ...]
    kind_class: tuple[int, ...]
    weights: np.ndarray
    kind_names: tuple[str, ...] = ()  # the network's own labels ("animal: bird", ...), as the weights file names them

    def kinds_of(self, prompt: int) -> list[int]:
        return [k for k, c in enumerate(self.kind_class) if c == prompt]

    def draw(self, prompts: np.ndarray, seed: int, no_class: int, kind_no_class: int) -> np.ndarray:
        """Kind labels (B,) for prompt labels (B,): each prompt's kind drawn in its proportions; ``no_class``
        (the prompt "none") becomes the model's own ``kind_no_class``. A pure function of (prompts, seed)."""
        rng = np.random.default_rng([KIND_SEED, int(seed)])
        out = np.empty(len(prompts), dtype=np.int64)
        for i, p in enumerate(np.asarray(prompts, dtype=np.int64)):
            out[i] = kind_no_class if p == no_class else rng.choice(len(self.kind_class), p=self.weights[p])
        return out


def network_labels(kinds: PromptKinds | None, labels: np.ndarray, seed: int, null_class: int) -> np.ndarray:
    """The labels the network is handed (B,) int64 for the prompt labels a reader asked for (B,): the one place a
    prompt becomes a label of the network. ``labels`` index the model's prompts (``LoadedModel.class_names``), the
    number of prompts meaning "no class". A plain model (``kinds`` None): the same labels, its "no class" being
    ``null_class``. A kinds model: each prompt's kind drawn by :meth:`PromptKinds.draw` for ``seed`` (a pure
    function of labels and seed: a seed gives the same pictures every time), "no class" the network's ``null_class``."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    prompts = null_class if kinds is None else len(kinds.prompts)
    if np.any((labels < 0) | (labels > prompts)):
        raise ValueError(f"prompt labels must lie in 0..{prompts} ({prompts} = no class), got {labels.tolist()}")
    if kinds is None:
        return labels.copy()
    return kinds.draw(labels, seed, no_class=prompts, kind_no_class=null_class)


def kind_words(kinds: PromptKinds, prompt: int, drawn: int | None = None) -> str:
    """What a prompt of a kinds model asks for, in words: its kinds and their shares, and ``drawn`` (a kind index, or
    None) the one a run drew. "“animal” is one of 5 kinds, drawn from the seed in the training pictures'
    proportions: mammal 56%, bird 15%, ...; this seed drew “animal: bird”." Empty for a prompt of one kind."""
    name = kinds.prompts[prompt]
    own = kinds.kinds_of(prompt)
    if len(own) == 1:
        return ""
    label = lambda k: kinds.kind_names[k] if kinds.kind_names else str(k)  # noqa: E731
    short = lambda k: label(k).split(": ", 1)[-1]  # noqa: E731
    shares = ", ".join(f"{short(k)} {kinds.weights[prompt, k]:.0%}" for k in own)
    text = (f"This model learned “{name}” as {len(own)} kinds; each picture asked for “{name}” is one of them, "
            f"drawn from the seed in the training pictures' proportions ({shares}).")
    return text + (f" This seed drew “{label(drawn)}”." if drawn is not None else "")


def kind_metadata(prompts: tuple[str, ...], kind_class: tuple[int, ...], class_labels: np.ndarray,
                  kind_labels: np.ndarray) -> dict:
    """What a kinds model's weights file records: the prompts, each kind's prompt, and the kinds' shares among each
    prompt's training images (from the labels of the training set, (N,) each)."""
    counts = np.zeros((len(prompts), len(kind_class)))
    np.add.at(counts, (np.asarray(class_labels, dtype=int), np.asarray(kind_labels, dtype=int)), 1)
    if (counts.sum(axis=1) == 0).any():
        raise ValueError("every prompt needs at least one training image of one of its kinds")
    return {"prompts": list(prompts), "kind_class": list(kind_class),
            "kind_weights": (counts / counts.sum(axis=1, keepdims=True)).tolist()}


def read_kinds(payload: Mapping) -> PromptKinds | None:
    """The mapping a weights file records, or None for a model trained on its prompts directly."""
    if "prompts" not in payload:
        return None
    weights = np.asarray(payload["kind_weights"], dtype=np.float64)
    prompts, kind_class = tuple(payload["prompts"]), tuple(int(c) for c in payload["kind_class"])
    if weights.shape != (len(prompts), len(kind_class)) or not np.allclose(weights.sum(axis=1), 1):
        raise ValueError("kind_weights must be (prompts, kinds) with rows summing to 1")
    if any(weights[c, k] < 0 or (weights[p, k] > 0 and p != c) for k, c in enumerate(kind_class)
           for p in range(len(prompts))):
        raise ValueError("a kind may only be drawn for its own prompt")
    names = tuple(payload.get("class_names", ()))
    return PromptKinds(prompts, kind_class, weights, names if len(names) == len(kind_class) else ())
