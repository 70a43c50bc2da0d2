"""The app's glossary: one plain sentence for every technical term a page uses, kept in one place.

Each :class:`Term` has the name a reader sees, a one-sentence definition in student-level words (true as
stated: where a plain sentence must simplify, it says "roughly" or names what it leaves out), optionally the
formula in the app's notation (:mod:`diffusion_core.access.notation`), and the patterns that mark a *use* of the
term in a page's text. :func:`terms_used` finds the terms a text uses; a test reads every page's text and fails
when a page uses a term that it neither defines on the page nor links to this list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A glossary entry: ``name``, its ``plain`` definition (one or two sentences), an optional LaTeX
    ``formula``, and ``patterns`` (regular expressions, case-insensitive unless they hold an uppercase
    letter or a symbol) that mark a use of the term in text."""

    name: str
    plain: str
    patterns: tuple[str, ...]
    formula: str = ""

    @property
    def anchor(self) -> str:
        """A URL fragment for the term's entry in the full list, e.g. ``glossary-signal-to-noise-ratio``."""
        return "glossary-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


GLOSSARY: tuple[Term, ...] = (
    Term("pixel", "One square of a picture, stored as a whole number from 0 (black) to 255 (white); a colour "
         "pixel is three such numbers, for red, green and blue.", (r"\bpixels?\b",)),
    Term("image space", "The set of every possible picture of a given size: for W × H grey pixels with 256 levels "
         "each there are 256^(W·H) of them.", (r"\bimage space\b",)),
    Term("noise", "Random numbers added to a picture; here always Gaussian noise ε, drawn independently for every "
         "pixel with mean 0 and standard deviation 1.", (r"\bGaussian noise\b", r"\bε\b"),
         r"\varepsilon \sim \mathcal{N}(0, I)"),
    Term("forward process", "The recipe that buries a real picture x₀ in noise step by step, so that after T "
         "steps nothing of it is left; it makes the training examples.", (r"\bforward process\b",),
         r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon"),
    Term("timestep", "How far along the forward process a picture is: t = 0 is the clean picture x₀, t = T "
         "(here usually 1,000) is almost pure noise.", (r"\btimesteps?\b",)),
    Term("noise schedule", "The list of how much noise each step adds (β₁ … β_T), which fixes how fast the picture "
         "fades; the app has the linear and the cosine schedule.", (r"\b(noise )?schedules?\b", r"β_t", r"\\beta")),
    Term("ᾱ (alpha-bar)", "The share of the picture's power that is left after t steps: x_t keeps √ᾱ_t of the "
         "picture and the noise has standard deviation √(1 − ᾱ_t); it falls from 1 at t = 0 towards 0 at T.",
         (r"ᾱ", r"\\bar\\alpha", r"alpha[- ]bar"), r"\bar\alpha_t = \prod_{s=1}^{t} (1-\beta_s)"),
    Term("signal-to-noise ratio", "How strong the picture is against the noise at step t: SNR = ᾱ_t / (1 − ᾱ_t), "
         "the power left of the picture divided by the power of the noise. Its logarithm is often used; λ_t is half "
         "of it.", (r"\bSNR\b", r"signal-to-noise", r"\blog[- ]SNR\b", r"\bλ"),
         r"\mathrm{SNR}(t) = \frac{\bar\alpha_t}{1-\bar\alpha_t},\quad \lambda_t = \tfrac12 \log \mathrm{SNR}(t)"),
    Term("denoiser", "The trained network. Shown a noisy picture x_t and its timestep t, it predicts the noise ε "
         "that was mixed in, which is the same as predicting the clean picture.", (r"\bdenois(er|ers|ing)\b",
                                                                                  r"ε_θ", r"\\varepsilon_\\theta"),
         r"\hat\varepsilon = \varepsilon_\theta(x_t, t, y)"),
    Term("x̂₀ (the model's guess)", "The denoiser's estimate of the clean picture from x_t. Trained to make the "
         "smallest squared error, it estimates the average of all the clean pictures that could have led to x_t "
         "(the posterior mean), so it is blurry when x_t is very noisy and sharp when little noise is left.",
         (r"x̂", r"\\hat ?x_0", r"\bx0[_ ]?hat\b"),
         r"\hat x_0 = \frac{x_t - \sqrt{1-\bar\alpha_t}\,\hat\varepsilon}{\sqrt{\bar\alpha_t}} "
         r"\approx \mathbb{E}[x_0 \mid x_t]"),
    Term("posterior mean", "The average of all the clean pictures that could have produced a given noisy one, each "
         "weighted by how likely it is; the best guess in the sense of the smallest average squared error.",
         (r"\bposterior mean\b", r"E\[x_?0 ?\| ?x_?t\]", r"\\mathbb\{E\}\[x_0"), r"\mathbb{E}[x_0 \mid x_t]"),
    Term("score", "The direction in which the density of noisy pictures p_t grows fastest, ∇ log p_t(x); the "
         "denoiser's noise prediction is the score scaled by −√(1 − ᾱ_t).", (r"\bscores?\b(?! ?(of|on) the)",
                                                                          r"∇ ?log"),
         r"\varepsilon^*(x_t, t) = -\sqrt{1-\bar\alpha_t}\;\nabla_{x_t} \log p_t(x_t)"),
    Term("Tweedie's formula", "The exact link between the posterior mean and the score: E[x₀ | x_t] = (x_t + "
         "(1 − ᾱ_t) ∇ log p_t(x_t)) / √ᾱ_t, which is why predicting noise, predicting the clean picture and "
         "knowing the score are the same task.", (r"\bTweedie",),
         r"\mathbb{E}[x_0 \mid x_t] = \frac{x_t + (1-\bar\alpha_t)\nabla \log p_t(x_t)}{\sqrt{\bar\alpha_t}}"),
    Term("sampler", "The procedure that turns the denoiser's predictions into a picture: start from pure noise at "
         "t = T and take steps towards t = 0, each using the denoiser once (twice with guidance).",
         (r"\bsamplers?\b",)),
    Term("DDPM", "Denoising Diffusion Probabilistic Models (Ho et al. 2020): the model family, and its sampler that "
         "adds a little fresh noise at every step (ancestral sampling), usually with all 1,000 steps.",
         (r"\bDDPM\b",)),
    Term("DDIM", "Denoising Diffusion Implicit Models (Song, Meng & Ermon 2021): a sampler that follows the same "
         "trained denoiser without fresh noise (with η = 0), so far fewer steps, e.g. 50, give good pictures.",
         (r"\bDDIM\b", r"\bη\b")),
    Term("DPM-Solver++", "A fast sampler (Lu et al. 2022) that solves the probability-flow ODE with a second-order "
         "step, good in about 20 steps.", (r"DPM-Solver",)),
    Term("ODE and SDE", "An ordinary differential equation says how a point moves, smoothly and without chance; a "
         "stochastic differential equation adds random kicks. Diffusion sampling can be written either way: the "
         "probability-flow ODE (no fresh noise) and the reverse SDE (like DDPM) end in the same distribution of "
         "pictures.", (r"\bODE\b", r"\bSDE\b", r"probability[- ]flow")),
    Term("guidance", "Classifier-free guidance (Ho & Salimans 2022): the denoiser is run with the prompt and without "
         "it, and the step is pushed further in the direction of the difference by the guidance scale s; s = 0 "
         "ignores the prompt, s = 1 is plain conditioning, s > 1 pushes harder (surer but less varied pictures).",
         (r"\bguidance\b", r"\bguided\b", r"\bCFG\b"),
         r"\hat\varepsilon = \varepsilon_\theta(x_t, \varnothing) + s\,"
         r"\big(\varepsilon_\theta(x_t, y) - \varepsilon_\theta(x_t, \varnothing)\big)"),
    Term("prompt", "What the reader asks the model for. Here it is a class (a digit, a garment, a kind of emoji), "
         "given to the denoiser as a label; large models use text instead.", (r"\bprompts?\b",)),
    Term("UNet", "The shape of the denoising network used for pictures: it shrinks the picture step by step to see "
         "its layout, then grows it back, passing details across from the shrinking half.", (r"\bU-?Net\b",)),
    Term("MLP", "A multilayer perceptron: the simplest neural network, layers of weighted sums each followed by a "
         "simple bend; the 2-D page's denoiser is one.", (r"\bMLP\b",)),
    Term("v-prediction", "A way to train the denoiser in which it predicts v = √ᾱ_t ε − √(1 − ᾱ_t) x₀, a mix of the "
         "noise and the picture, instead of the noise alone (Salimans & Ho 2022); the noise and x̂₀ follow from v "
         "exactly.", (r"\bv-predict", r"\bv = ")),
    Term("PCA", "Principal component analysis: the two directions along which a cloud of points is most spread out; "
         "flattening image space onto them gives a 2-D map, a shadow of the real, much higher-dimensional picture.",
         (r"\bPCA\b", r"principal component")),
    Term("manifold", "Loosely, the thin, curved region of image space where real pictures lie: a tiny corner of the "
         "whole space, surrounded by noise.", (r"\bmanifold\b",)),
    Term("variational bound", "A number L(x) the model can compute for a picture x that is guaranteed to be at "
         "least the picture's true code length, −log₂ p(x) in bits: the model needs at most L(x) bits to describe "
         "x, so p(x) ≥ 2^(−L(x)). A large bound proves nothing about how unlikely a picture is.",
         (r"\bvariational bound\b", r"\bELBO\b", r"\bL\(x\)"), r"-\log_2 p(x) \le L(x)"),
    Term("bits per dimension", "A code length divided by the number of pixel values, so pictures of different sizes "
         "compare: 8 bits per dimension is what any 8-bit picture costs with no model at all.",
         (r"\bbits?[ /]per[ /]dim", r"\bbits/dim\b")),
    Term("KL divergence", "D_KL(q ‖ p), how many extra bits on average it costs to describe samples of q with a code "
         "built for p; zero exactly when the two distributions are the same.", (r"\bKL\b", r"D_\{?KL",
                                                                           r"Kullback")),
    Term("compressor", "A general-purpose file compressor (here PNG and LZMA, the better of the two per "
         "picture): a picture it writes in b bits is one of fewer than 2^(b+1) pictures that can be written that "
         "short, since there are no more bit strings of that length or less.",
         (r"\bcompressors?\b", r"\bLZMA\b")),
    Term("confidence interval", "A range computed from random measurements that contains the true value in 95% of "
         "repetitions; the app's ± figures are 95% intervals.", (r"\bconfidence\b", r"95 ?% interval", r"± ?\d")),
    Term("Fréchet distance", "A distance between two clouds of points summarised by their means and spreads; here "
         "between the features an independent classifier sees in generated and in real pictures (lower is closer).",
         (r"Fr[ée]chet", r"\bFID\b")),
    Term("near-copy", "A generated picture closer to some training picture than 95% of real, unseen pictures of its "
         "class are: a sign the model may have memorised rather than learned.", (r"\bnear-cop(y|ies)\b",
                                                                                 r"\bmemoris")),
    Term("shell", "In very many dimensions almost all random noise vectors have nearly the same length, so they lie "
         "in a thin spherical shell; pictures of pure noise all live there, far from real pictures.",
         (r"\bshells?\b",)),
    Term("latent space", "A compressed description of pictures learned by an autoencoder; Stable Diffusion runs its "
         "diffusion there (4 × 64 × 64 numbers for a 512 × 512 colour picture) and decodes the result to pixels.",
         (r"\blatents?\b",)),
    Term("power spectrum", "A picture can be written as a sum of waves, from coarse (one wave across the whole "
         "picture) to fine (a light-and-dark cycle every two pixels); its power spectrum says how much of the "
         "picture's variation each size of wave carries. Noise whose spectrum is flat, the same at every size, is "
         "called white.", (r"\bpower spectrum\b", r"\bspectr(um|a|al)\b", r"\bwhite noise\b", r"\bnoise is white\b")),
)

BY_NAME = {term.name: term for term in GLOSSARY}


def _compiled(pattern: str) -> re.Pattern:
    """Case-insensitive unless the pattern itself distinguishes case (an acronym, a Greek letter)."""
    sensitive = any(c.isupper() for c in pattern) or not pattern.isascii()
    return re.compile(pattern, 0 if sensitive else re.IGNORECASE)


PATTERNS = {term.name: tuple(_compiled(p) for p in term.patterns) for term in GLOSSARY}


def terms_used(text: str) -> set[str]:
    """The names of the glossary terms that ``text`` uses (any pattern of theirs matches)."""
    return {name for name, patterns in PATTERNS.items() if any(p.search(text) for p in patterns)}


def term(name: str) -> Term:
    """The entry called ``name``; KeyError names the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no glossary term {name!r}; known: {', '.join(BY_NAME)}") from None
