"""From this app to Stable Diffusion: the same walk, in a compressed latent space, with text as the prompt.

The article the app grew from ("How Diffusion Models Generate Images: The Math Behind AI Creativity") ends on Stable
Diffusion (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent Diffusion Models"). What changes from
this app's models:

* **Where the walk happens.** An autoencoder, trained once, squeezes a 512 × 512 colour picture (786,432 numbers) into
  a latent of 4 × 64 × 64 = 16,384 numbers, 48 times fewer, and decodes a latent back into a picture. The diffusion
  model walks from noise to a latent, and the decoder turns that latent into pixels.
* **The prompt.** A text encoder (CLIP's, for Stable Diffusion 1.x) turns the prompt into numbers the denoiser reads,
  where this app's models read a class label.

The counts here are exact: the pictures of a size are counted with :func:`diffusion_core.space.image_space.
digit_count` (certified), 256 levels per value. A latent's values are real numbers (stored as 16- or 32-bit floats),
not 256 levels, so "how many latents" is not a count of pictures. What the bits do bound: a latent of 32-bit
floats has at most 2^(32 · 16,384) = 2^524,288 bit patterns, and a deterministic decoder gives at most one picture for
each, far fewer than the 256^786,432 = 2^6,291,456 pictures of that size: most pictures are the decoding of no
latent at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from diffusion_core.space.image_space import digit_count

SD_PICTURE = (512, 512, 3)  # height, width, colour channels of Stable Diffusion 1.x's pictures
SD_LATENT = (4, 64, 64)  # channels, height, width of its latent: the autoencoder shrinks each side 8 times
LEVELS = 256  # values a pixel channel takes in an 8-bit picture
FLOAT_BITS = 32  # a latent value stored as a 32-bit float (the widest Stable Diffusion uses)


@dataclass(frozen=True)
class Sizes:
    """The two spaces side by side: numbers in a picture and in a latent, and the pictures' count as digits.

    ``picture_values`` (512·512·3) and ``latent_values`` (4·64·64); ``ratio`` how many times fewer numbers the
    latent has; ``picture_digits`` the number of decimal digits of 256^picture_values (exact); ``app_values`` and
    ``app_digits`` the same for this app's model pictures (784 numbers for a digit, 3,072 for an emoji)."""

    picture_values: int
    latent_values: int
    picture_digits: int
    app_values: int
    app_digits: int
    latent_bit_patterns_digits: int  # digits of 2^(32 · latent_values): every bit pattern of the latent's floats

    @property
    def picture_bits(self) -> int:
        """Bits in one 8-bit picture: 256^n = 2^(8n)."""
        return 8 * self.picture_values

    @property
    def latent_bits(self) -> int:
        """Bits in one latent of 32-bit floats."""
        return FLOAT_BITS * self.latent_values

    @property
    def ratio(self) -> float:
        return self.picture_values / self.latent_values


def sizes(app_shape: tuple[int, ...]) -> Sizes:
    """The sizes for a model of this app whose pictures have shape ``app_shape`` (e.g. (1, 28, 28), (3, 32, 32))."""
    picture, latent, app = prod(SD_PICTURE), prod(SD_LATENT), prod(app_shape)
    return Sizes(picture, latent, digit_count(LEVELS, picture), app, digit_count(LEVELS, app),
                 digit_count(2, FLOAT_BITS * latent))


def words(s: Sizes) -> list[str]:
    """The comparison in plain sentences, each number computed."""
    return [
        f"This app's model walks through the space of its own pictures: {s.app_values:,} numbers each, so "
        f"256 to the power {s.app_values:,} possible pictures, a number with {s.app_digits:,} digits.",
        f"A 512 × 512 colour picture is {s.picture_values:,} numbers; there are 256 to the power {s.picture_values:,} such "
        f"pictures, a number with {s.picture_digits:,} digits. Stable Diffusion does not walk there: an autoencoder "
        f"squeezes each picture into a latent of 4 × 64 × 64 = {s.latent_values:,} numbers ({s.ratio:g} times fewer), "
        "the same kind of walk from noise happens in that latent space, and a decoder turns the result into pixels.",
        f"A latent's numbers are real numbers (stored as floating-point numbers), not 256 levels each, so counting "
        f"latents is not counting pictures. What can be said exactly: 16,384 numbers of 32 bits have at most 2 to the "
        f"power {s.latent_bits:,} bit patterns (a number with {s.latent_bit_patterns_digits:,} digits), and the "
        f"decoder turns each into one picture; the pictures number 2 to the power {s.picture_bits:,}. So most "
        "512 × 512 pictures are the decoding of no latent at all: the decoder only ever reaches a tiny corner of "
        "picture space, and training aims that corner at real-looking pictures.",
        "The prompt is text: a text encoder turns it into numbers the denoiser reads at every step, where this "
        "app's models read a class label. Guidance works the same way, with and without the prompt.",
    ]
