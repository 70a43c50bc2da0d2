"""The app's one notation, kept in one place: every page, formula and caption writes these symbols this way.

The app follows Ho et al. 2020 (DDPM): β_t is the variance a forward step adds, α_t = 1 − β_t, and
ᾱ_t = α_1 ⋯ α_t. Papers after it (DDIM, DPM-Solver, the score-SDE papers) write α_t for what is √ᾱ_t here and
σ_t for √(1 − ᾱ_t); the app never does: it writes √ᾱ_t, and σ_t = √(1 − ᾱ_t) is defined once, so a formula
taken from those papers is rewritten in these symbols (and says so where it is quoted). λ_t is *half* the log
signal-to-noise ratio, as in DPM-Solver.

:data:`SYMBOLS` lists (symbol as LaTeX, as plain text, meaning) for the notation table a page can show;
:data:`FORBIDDEN_LATEX` are spellings of the other convention that a test looks for in the pages' formulas.
"""

from __future__ import annotations

SYMBOLS: tuple[tuple[str, str, str], ...] = (
    (r"x_0", "x₀", "the clean picture, its pixel values scaled to [−1, 1] (0 → −1, 255 → +1)"),
    (r"t,\ T", "t, T", "the timestep, 0 (clean) to T (almost pure noise); T = 1000 for the shipped models"),
    (r"\varepsilon", "ε", "Gaussian noise: every value drawn independently from N(0, 1)"),
    (r"\beta_t", "β_t", "the variance of the noise the forward step t adds (the noise schedule)"),
    (r"\alpha_t = 1-\beta_t", "α_t = 1 − β_t", "the share of power one forward step keeps"),
    (r"\bar\alpha_t = \textstyle\prod_{s=1}^t \alpha_s", "ᾱ_t", "the share of the picture's power left after t steps"),
    (r"\sigma_t = \sqrt{1-\bar\alpha_t}", "σ_t", "the standard deviation of the noise in x_t"),
    (r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sigma_t\,\varepsilon", "x_t", "the noisy picture at timestep t (Ho et al. eq. 4)"),
    (r"\mathrm{SNR}(t) = \bar\alpha_t / \sigma_t^2", "SNR(t)", "signal-to-noise ratio: picture power over noise power"),
    (r"\lambda_t = \tfrac12 \log \mathrm{SNR}(t)", "λ_t", "half the log signal-to-noise ratio (DPM-Solver's time)"),
    (r"p_t", "p_t", "the density of x_t over all training pictures and all noises"),
    (r"\varepsilon_\theta(x_t, t, y)", "ε_θ(x_t, t, y)", "the denoiser: its prediction of ε from x_t, t and class y"),
    (r"\varnothing", "∅", "the 'no class' label (the unconditional model)"),
    (r"\hat x_0", "x̂₀", "the denoiser's guess of x₀, (x_t − σ_t ε_θ) / √ᾱ_t ≈ E[x₀ | x_t]"),
    (r"s", "s", "the guidance scale (s = w + 1 in Ho & Salimans' w)"),
    (r"\eta", "η", "DDIM's amount of fresh noise per step, 0 (none) to 1 (like DDPM)"),
)

# Spellings that would mean √ᾱ_t or σ_t in the other convention: x_t = α_t x_0 + σ_t ε, or α_t = √ᾱ_t.
FORBIDDEN_LATEX: tuple[str, ...] = (r"\alpha_t x_0", r"\alpha_t\,x_0", r"\alpha_t = \sqrt", r"\alpha_t\varepsilon",
                                    r"\alpha_t \varepsilon", r"\alpha_t\,\varepsilon")
