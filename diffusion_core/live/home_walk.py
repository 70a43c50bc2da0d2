"""The home page's moving picture: a shipped model walking from pure noise to a picture, beside a random picture.

The story in one glance: both pictures are points of the same image space; the random one is what almost every
point looks like, and the walk is the app's own denoiser going from such a point to a digit (or an emoji) in the
app's default run (DPM-Solver++, 20 steps, the model's default guidance). The frames are x_t at every step, then
the result held; they are written once, as small animated WebP files (lossless, the model's own resolution; the
browser enlarges them with square pixels), so the home page needs neither torch nor a model to show them:

    python -m diffusion_core.home_picture            # writes assets/home/ (run again after retraining a model)

``assets/home/walks.json`` records each walk's model, its weights' SHA-256, prompt, seed and steps; a test fails
when the shipped weights no longer match, so the picture always shows what the shipped model really does. The same
command writes the app's icon (``icon.png``: the digit walk's last frame), which the browser shows in its tab.

Reading what was written (:func:`read_walks`, :func:`read_frames`, :func:`still_png`, :func:`denoiser_query`) needs
neither torch nor a model: the home page imports this module, and stays light (a test runs it in a fresh process).
Only :func:`make_walk` runs a model, and imports the model code when called.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from diffusion_core import ASSETS

HOME = ASSETS / "home"
ICON = "icon.png"  # the app's icon in the browser's tab: the digit walk's last frame
FRAME_MS = 150  # a 20-step walk takes 3 s, then the result is held
HOLD_MS = 2500


@dataclass(frozen=True)
class Walk:
    """One walk of the home picture: what ran, and the files it wrote (relative to ``assets/home``)."""

    model: str
    weights_sha256: str
    label: int
    prompt: str
    seed: int
    steps: int
    sampler: str
    guidance: float
    frames: int
    walk_file: str
    random_file: str
    height: int
    width: int
    channels: int

    @property
    def values(self) -> int:
        """How many numbers one picture of this size holds: height × width × channels."""
        return self.height * self.width * self.channels

    @property
    def colour(self) -> bool:
        return self.channels == 3


WALKS = (("digits", 3, 11), ("emoji", 9, 3))  # (model, class, seed): a 3 and a red heart (seeds picked by eye)


def webp_animation(frames: list[np.ndarray], frame_ms: int = FRAME_MS, hold_ms: int = HOLD_MS) -> bytes:
    """Lossless, looping animated WebP of uint8 frames (H, W) or (H, W, 3); the last frame held ``hold_ms``."""
    images = [Image.fromarray(f) for f in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, format="WEBP", save_all=True, append_images=images[1:], lossless=True, loop=0,
                   duration=[frame_ms] * (len(images) - 1) + [hold_ms])
    return buffer.getvalue()


def random_picture(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """A uniformly random picture: every value drawn independently from 0..255."""
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def make_walk(model: str, label: int, seed: int, out: Path, assets: Path = ASSETS) -> Walk:
    """Run the app's default sampler for one image and write its frames and a random picture of its size."""
    from diffusion_core.live.generation_settings import GenerationSettings
    from diffusion_core.live.run import sample_live
    from diffusion_core.model.samplers import default_guidance
    from diffusion_core.model.weights import MANIFEST, load_model

    loaded = load_model(model, assets)
    settings = GenerationSettings(model=model, label=label, seed=seed, guidance=default_guidance(model))
    run = sample_live(loaded, settings, on_frame=lambda frame: None)
    traj = run.trajectory
    frames = [traj.x_t[k][0] for k in range(traj.num_frames)] + [traj.final[0]]
    picture = traj.final[0]
    walk_file, random_file = f"walk_{model}.webp", f"random_{model}.png"
    out.mkdir(parents=True, exist_ok=True)
    (out / walk_file).write_bytes(webp_animation(frames))
    Image.fromarray(random_picture(picture.shape, seed)).save(out / random_file, format="PNG", optimize=True)
    height, width = picture.shape[:2]
    sha = json.loads((assets / MANIFEST).read_text())[model]["sha256"]
    return Walk(model, sha, label, loaded.class_names[label], seed,
                settings.steps, settings.sampler, settings.guidance, len(frames), walk_file, random_file, height,
                width, 1 if picture.ndim == 2 else picture.shape[2])


def read_walks(folder: Path = HOME) -> list[Walk]:
    """The walks recorded in ``folder/walks.json`` (empty when the picture was never made)."""
    path = folder / "walks.json"
    if not path.is_file():
        return []
    return [Walk(**entry) for entry in json.loads(path.read_text())["walks"]]


def read_frames(walk: Walk, folder: Path = HOME) -> list[np.ndarray]:
    """Every frame of ``walk``'s animation, decoded exactly (lossless): uint8 (H, W) grey or (H, W, 3) colour."""
    mode = "RGB" if walk.colour else "L"
    frames = []
    with Image.open(folder / walk.walk_file) as im:
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert(mode), dtype=np.uint8))
    return frames


def png_bytes(picture: np.ndarray) -> bytes:
    """A uint8 picture as PNG bytes (lossless)."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def still_png(walk: Walk, folder: Path = HOME) -> bytes:
    """The walk's last frame, the picture it ends on, as a PNG: what is shown where nothing may move."""
    return png_bytes(read_frames(walk, folder)[-1])


def denoiser_query(walk: Walk) -> dict[str, str]:
    """The live denoiser's link parameters that run exactly this walk again (the denoiser's own names,
    ``diffusion_core.live.generation_settings``; a unit test holds them equal to its ``to_query``)."""
    return {"model": walk.model, "label": str(walk.label), "guidance": f"{walk.guidance:g}", "sampler": walk.sampler,
            "eta": "0", "seed": str(walk.seed), "mode": "one", "steps": str(walk.steps)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the home page's moving picture to assets/home/.")
    parser.add_argument("--out", default=str(HOME))
    args = parser.parse_args(argv)
    out = Path(args.out)
    walks = [make_walk(model, label, seed, out) for model, label, seed in WALKS]
    (out / "walks.json").write_text(json.dumps({"walks": [asdict(w) for w in walks]}, indent=1) + "\n")
    (out / ICON).write_bytes(still_png(walks[0], out))
    total = sum((out / w.walk_file).stat().st_size + (out / w.random_file).stat().st_size for w in walks)
    print(json.dumps({"files": len(walks) * 2, "bytes": total, "walks": [w.prompt for w in walks]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
