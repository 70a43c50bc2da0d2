"""The glossary: every entry a plain definition with a usable anchor and formula, and the patterns find uses."""

from __future__ import annotations

import re

import pytest

from diffusion_core.access.glossary import GLOSSARY, term, terms_used


@pytest.mark.parametrize("entry", GLOSSARY, ids=lambda e: e.name)
def test_each_entry_is_a_plain_definition(entry):
    assert entry.plain[0].isupper() and entry.plain.endswith(".")
    assert 40 <= len(entry.plain) <= 420, "one or two sentences"
    assert entry.formula.count("{") == entry.formula.count("}")
    assert entry.patterns and all(re.compile(p) for p in entry.patterns)


def test_anchors_and_names_are_unique():
    assert len({e.anchor for e in GLOSSARY}) == len({e.name for e in GLOSSARY}) == len(GLOSSARY)


@pytest.mark.parametrize("text,expected", [
    ("The sampler takes 20 steps with guidance s = 1.5.", {"sampler", "guidance"}),
    ("ᾱ_t falls like cos² and the SNR with it.", {"ᾱ (alpha-bar)", "signal-to-noise ratio"}),
    ("Tweedie's formula gives the posterior mean E[x0 | xt].", {"Tweedie's formula", "posterior mean"}),
    ("DDPM and DDIM from the same noise, DPM-Solver++ in 20 steps.", {"DDPM", "DDIM", "DPM-Solver++"}),
    ("A picture of a cat.", set()),
    ("the bound in bits/dim with its 95% interval", {"bits per dimension", "confidence interval"}),
])
def test_terms_used_finds_the_terms_of_a_text(text, expected):
    assert terms_used(text) == expected


def test_case_matters_only_for_acronyms_and_symbols():
    assert terms_used("an ode to joy") == set()  # ODE is an acronym: case-sensitive
    assert "denoiser" in terms_used("The Denoiser predicts")
    with pytest.raises(KeyError, match="known"):
        term("flux capacitor")
