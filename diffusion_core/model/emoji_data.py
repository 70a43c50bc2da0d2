"""The colour data set: emoji in up to four art styles, curated into ten classes a reader can prompt for.

Source: ``emoji.json`` and the 64x64 RGBA PNGs of the npm packages ``emoji-datasource-google`` (Noto
Color Emoji, Apache-2.0) and ``emoji-datasource-twitter`` (Twemoji, CC BY 4.0), both version 16.0.0,
as laid out in a folder such as ``../shared/data/emoji`` (``google-64/``, ``twitter-64/``, ``emoji.json``);
optionally Microsoft's Fluent Emoji in its *flat* and *color* styles (MIT, ``fluent-flat-64/``,
``fluent-color-64/``, same file names; no flags, and a few people missing).

**Classes.** Unicode's nine groups are not visual classes (a small CNN separates them at ~63%): "Objects"
holds phones and socks, "Symbols" arrows and zodiac signs. The ten classes below are built from Unicode
*subcategories* that look alike at 32x32, so that a prompt names something a reader can recognise:

====  ==============  ============================================================================
 0    smiley face     the yellow round faces (Smileys & Emotion ``face-*``; costumes such as ghosts,
                      robots and the clown left out: they are not round yellow faces)
 1    person          a person or a family, standing or as a bust (``person``, ``person-gesture``,
                      ``person-role``, ``person-fantasy``, ``family``; people doing sports left out:
                      their poses and props vary too much)
 2    hand            ``hand-*`` and ``hands``
 3    animal          every ``animal-*`` subcategory, plus cat and monkey faces
 4    plant           ``plant-flower``, ``plant-other``
 5    food & drink    ``food-*`` and ``drink`` (dishware left out)
 6    vehicle         ``transport-ground``, ``transport-air``, ``transport-water``
 7    building        ``place-building`` (but brick, rock and wood), ``place-religious``, ``hotel``
 8    flag            every flag
 9    heart           ``heart`` (but the love letter, an envelope)
====  ==============  ============================================================================

Everything else (objects, activities, symbols, weather, clocks...) is left out.

**Kinds.** Inside a class, the Unicode subcategories are grouped into 25 *kinds* (:data:`KINDS`: mammal,
bird, sea creature, ...; fruit, vegetable, drink, ...; on land, in the air, on water), so that a model
trained on kinds learns a bird and a whale apart rather than one blur of "animal". A prompt for a class
then picks one of its kinds in the proportions of the training data (:func:`kind_weights`).
 Each emoji is composited on
white and reduced to 32x32 by averaging 2x2 blocks (no ringing at the sharp outlines). Both art styles of an
emoji are kept as two images with the same label; ``styles`` says which is which.

**Split.** 10% of the emoji of each class are held out, with *both* styles on the same side, so a held-out
image is never the other style of a training image. The split is a fixed seeded draw per class. A few emoji
share their picture with another (two flags of the same design; person emoji drawn alike): a held-out emoji
whose picture, in either style, is also a training picture is left out of the test set, which would
otherwise hold copies of training images.

**Flips.** A mirrored emoji is still an emoji of its class, except flags (and text), so training may flip
every class but the flag (:data:`FLIPPABLE`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

CLASS_NAMES = ("smiley face", "person", "hand", "animal", "plant", "food & drink", "vehicle", "building",
               "flag", "heart")
SUBCATEGORY_CLASS = {
    **{sub: 0 for sub in ("face-smiling", "face-affection", "face-tongue", "face-hand", "face-neutral-skeptical",
                          "face-sleepy", "face-unwell", "face-hat", "face-glasses", "face-concerned", "face-negative")},
    **{sub: 1 for sub in ("person", "person-gesture", "person-role", "person-fantasy", "family")},
    **{sub: 2 for sub in ("hand-fingers-open", "hand-fingers-partial", "hand-single-finger", "hand-fingers-closed",
                          "hands", "hand-prop")},
    **{sub: 3 for sub in ("animal-mammal", "animal-bird", "animal-marine", "animal-bug", "animal-reptile",
                          "animal-amphibian", "cat-face", "monkey-face")},
    **{sub: 4 for sub in ("plant-flower", "plant-other")},
    **{sub: 5 for sub in ("food-fruit", "food-vegetable", "food-prepared", "food-asian", "food-sweet", "drink")},
    **{sub: 6 for sub in ("transport-ground", "transport-air", "transport-water")},
    **{sub: 7 for sub in ("place-building", "place-religious", "hotel")},
    **{sub: 8 for sub in ("country-flag", "flag", "subdivision-flag")},
    "heart": 9,
}
EXCLUDED_NAMES = frozenset({"BRICK", "ROCK", "WOOD", "LOVE LETTER"})  # in a class's subcategory, but not of it
FLIPPABLE = tuple(k != CLASS_NAMES.index("flag") for k in range(len(CLASS_NAMES)))
STYLES = ("google", "twitter")  # folders google-64/ and twitter-64/: every curated emoji has both
ALL_STYLES = (*STYLES, "fluent-flat", "fluent-color")  # the Fluent styles lack some emoji (all flags)
# (kind name, class, Unicode subcategories): every subcategory of SUBCATEGORY_CLASS in exactly one kind.
KINDS = (
    ("smiley face", 0, tuple(sub for sub, c in SUBCATEGORY_CLASS.items() if c == 0)),
    ("person", 1, ("person", "person-gesture")),
    ("person: at work", 1, ("person-role",)),
    ("person: fantasy", 1, ("person-fantasy",)),
    ("person: family", 1, ("family",)),
    ("hand", 2, tuple(sub for sub, c in SUBCATEGORY_CLASS.items() if c == 2)),
    ("animal: mammal", 3, ("animal-mammal", "cat-face", "monkey-face")),
    ("animal: bird", 3, ("animal-bird",)),
    ("animal: sea creature", 3, ("animal-marine",)),
    ("animal: bug", 3, ("animal-bug",)),
    ("animal: reptile or amphibian", 3, ("animal-reptile", "animal-amphibian")),
    ("plant: flower", 4, ("plant-flower",)),
    ("plant: tree or leaf", 4, ("plant-other",)),
    ("food: fruit", 5, ("food-fruit",)),
    ("food: vegetable", 5, ("food-vegetable",)),
    ("food: dish", 5, ("food-prepared",)),
    ("food: Asian dish", 5, ("food-asian",)),
    ("food: sweet", 5, ("food-sweet",)),
    ("food: drink", 5, ("drink",)),
    ("vehicle: on land", 6, ("transport-ground",)),
    ("vehicle: in the air", 6, ("transport-air",)),
    ("vehicle: on water", 6, ("transport-water",)),
    ("building", 7, tuple(sub for sub, c in SUBCATEGORY_CLASS.items() if c == 7)),
    ("flag", 8, tuple(sub for sub, c in SUBCATEGORY_CLASS.items() if c == 8)),
    ("heart", 9, ("heart",)),
)
KIND_NAMES = tuple(name for name, _, _ in KINDS)
KIND_CLASS = tuple(c for _, c, _ in KINDS)
SUBCATEGORY_KIND = {sub: k for k, (_, _, subs) in enumerate(KINDS) for sub in subs}
KIND_FLIPPABLE = tuple(FLIPPABLE[c] for c in KIND_CLASS)
IMAGE_SIZE = 32
HELD_OUT_FRACTION = 0.1
SPLIT_SEED = 20261201


class EmojiDataError(ValueError):
    """The folder does not hold the emoji data set laid out as described in the module docstring."""


@dataclass(frozen=True)
class EmojiSet:
    """images (N, 32, 32, 3) uint8 RGB on white; labels (N,) uint8 class; styles (N,) uint8 index into
    ALL_STYLES; names (N,) the emoji's Unicode name (the styles of one emoji share it)."""

    images: np.ndarray
    labels: np.ndarray
    styles: np.ndarray
    names: tuple[str, ...]
    kinds: np.ndarray  # (N,) uint8 index into KINDS (a finer label inside ``labels``)


def is_emoji_folder(path: Path) -> bool:
    return (path / "emoji.json").is_file() and all((path / f"{style}-64").is_dir() for style in STYLES)


def curated_records(records: list[dict]) -> list[tuple[dict, int]]:
    """The emoji.json records that belong to a class, with their class, in emoji.json's order."""
    chosen = []
    for r in records:
        label = SUBCATEGORY_CLASS.get(r.get("subcategory"))
        if label is not None and r.get("name") not in EXCLUDED_NAMES and all(r.get(f"has_img_{s}") for s in STYLES):
            chosen.append((r, label))
    return chosen


def held_out_names(chosen: list[tuple[dict, int]], fraction: float = HELD_OUT_FRACTION,
                   seed: int = SPLIT_SEED) -> frozenset[str]:
    """The emoji (by name) held out for testing: round(fraction * n) of each class's n, at least one."""
    rng = np.random.default_rng(seed)
    held = set()
    for label in range(len(CLASS_NAMES)):
        names = sorted(r["name"] for r, c in chosen if c == label)
        k = max(1, round(fraction * len(names)))
        held.update(names[i] for i in rng.choice(len(names), k, replace=False))
    return frozenset(held)


def emoji_image(path: Path, size: int = IMAGE_SIZE) -> np.ndarray:
    """One RGBA PNG composited on white and averaged down to ``size`` x ``size``: (size, size, 3) uint8."""
    try:
        with Image.open(path) as img:
            rgba = img.convert("RGBA")
    except (OSError, ValueError) as e:
        raise EmojiDataError(f"{path}: not a readable PNG ({e})") from None
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, rgba).convert("RGB")
    return np.asarray(rgb.resize((size, size), Image.Resampling.BOX), dtype=np.uint8)


def kind_weights(labels: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """(10, 25) float64: row c is the share of each kind among the images of class c (rows sum to 1)."""
    counts = np.zeros((len(CLASS_NAMES), len(KINDS)))
    np.add.at(counts, (labels.astype(int), kinds.astype(int)), 1)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def load_emoji(folder: str | Path, split: str = "train", styles: tuple[str, ...] = STYLES) -> EmojiSet:
    """The ``split`` ("train" or "test") of the curated emoji in ``folder``, every one of ``styles`` that
    the folder has a picture of (the first two, :data:`STYLES`, it must have for every curated emoji)."""
    folder = Path(folder)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if not set(STYLES) <= set(styles) <= set(ALL_STYLES):
        raise ValueError(f"styles must include {STYLES} and come from {ALL_STYLES}, got {styles}")
    if not is_emoji_folder(folder):
        raise EmojiDataError(f"{folder}: expected emoji.json, google-64/ and twitter-64/ (see diffusion_core.model.emoji_data)")
    try:
        records = json.loads((folder / "emoji.json").read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise EmojiDataError(f"{folder / 'emoji.json'}: not readable JSON ({e})") from None
    chosen = curated_records(records)
    if not chosen:
        raise EmojiDataError(f"{folder / 'emoji.json'}: no emoji of the curated classes")
    held = held_out_names(chosen)

    def pictures_of(record: dict) -> list[tuple[int, np.ndarray]]:
        files = [(ALL_STYLES.index(style), folder / f"{style}-64" / record["image"]) for style in styles]
        return [(s, emoji_image(path)) for s, path in files if ALL_STYLES[s] in STYLES or path.is_file()]

    side = [(record, label) for record, label in chosen if (record["name"] in held) == (split == "test")]
    pictures = [pictures_of(record) for record, _ in side]
    if split == "test":
        training = {p.tobytes() for record, _ in chosen if record["name"] not in held for _, p in pictures_of(record)}
        kept = [i for i, drawn in enumerate(pictures) if not any(p.tobytes() in training for _, p in drawn)]
        side, pictures = [side[i] for i in kept], [pictures[i] for i in kept]
    per_image = [(record, label, s, p) for (record, label), drawn in zip(side, pictures) for s, p in drawn]
    return EmojiSet(images=np.stack([p for *_, p in per_image]),
                    labels=np.array([label for _, label, _, _ in per_image], np.uint8),
                    styles=np.array([s for _, _, s, _ in per_image], np.uint8),
                    names=tuple(record["name"] for record, *_ in per_image),
                    kinds=np.array([SUBCATEGORY_KIND[record["subcategory"]] for record, *_ in per_image], np.uint8))
