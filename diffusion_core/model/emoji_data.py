"""The colour data set: emoji in two art styles, curated into ten classes a reader can prompt for.

Source: ``emoji.json`` and the 64x64 RGBA PNGs of the npm packages ``emoji-datasource-google`` (Noto
Color Emoji, Apache-2.0) and ``emoji-datasource-twitter`` (Twemoji, CC BY 4.0), both version 16.0.0,
as laid out in a folder such as ``../shared/data/emoji`` (``google-64/``, ``twitter-64/``, ``emoji.json``).

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

Everything else (objects, activities, symbols, weather, clocks...) is left out. Each emoji is composited on
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
STYLES = ("google", "twitter")  # folders google-64/ and twitter-64/
IMAGE_SIZE = 32
HELD_OUT_FRACTION = 0.1
SPLIT_SEED = 20261201


class EmojiDataError(ValueError):
    """The folder does not hold the emoji data set laid out as described in the module docstring."""


@dataclass(frozen=True)
class EmojiSet:
    """images (N, 32, 32, 3) uint8 RGB on white; labels (N,) uint8 class; styles (N,) uint8 index into
    STYLES; names (N,) the emoji's Unicode name (the two styles of one emoji share it)."""

    images: np.ndarray
    labels: np.ndarray
    styles: np.ndarray
    names: tuple[str, ...]


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


def load_emoji(folder: str | Path, split: str = "train") -> EmojiSet:
    """The ``split`` ("train" or "test") of the curated emoji in ``folder``, both styles of each emoji."""
    folder = Path(folder)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
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
    side = [(record, label) for record, label in chosen if (record["name"] in held) == (split == "test")]
    pictures = [[emoji_image(folder / f"{style}-64" / record["image"]) for style in STYLES] for record, _ in side]
    if split == "test":
        training = {p.tobytes() for record, _ in chosen if record["name"] not in held
                    for p in (emoji_image(folder / f"{style}-64" / record["image"]) for style in STYLES)}
        kept = [i for i, styles in enumerate(pictures) if not any(p.tobytes() in training for p in styles)]
        side, pictures = [side[i] for i in kept], [pictures[i] for i in kept]
    images = [p for styles in pictures for p in styles]
    labels = [label for _, label in side for _ in STYLES]
    styles = [s for _ in side for s in range(len(STYLES))]
    names = tuple(record["name"] for record, _ in side for _ in STYLES)
    return EmojiSet(np.stack(images), np.array(labels, np.uint8), np.array(styles, np.uint8), names)
