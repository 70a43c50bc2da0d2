"""The live denoiser's settings: validation of shared links, caps and round trips."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.live.generation_settings import MAX_GRID_STEPS, NO_CLASS, GenerationSettings

MODELS = ["digits", "fashion"]


def test_defaults_without_query():
    s, problems = GenerationSettings.from_query({}, MODELS)
    assert s == GenerationSettings() and problems == []


def test_round_trip():
    s = GenerationSettings(model="fashion", label=NO_CLASS, guidance=3.5, sampler="ddim", steps=37, eta=0.3,
                           seed=123, mode="one")
    back, problems = GenerationSettings.from_query(s.to_query(), MODELS)
    assert back == s and problems == []


def test_each_model_has_its_own_default_guidance():
    emoji, _ = GenerationSettings.from_query({"model": "emoji"}, MODELS + ["emoji"])
    digits, _ = GenerationSettings.from_query({"model": "digits"}, MODELS + ["emoji"])
    asked, _ = GenerationSettings.from_query({"model": "emoji", "guidance": "1.5"}, MODELS + ["emoji"])
    assert (emoji.guidance, digits.guidance, asked.guidance) == (4.0, 1.5, 1.5)


def test_sampler_sets_its_default_steps():
    s, _ = GenerationSettings.from_query({"sampler": "ddpm"}, MODELS)
    assert s.steps == 1000


def test_invalid_values_fall_back_with_a_message():
    query = {"model": "cats", "label": "12", "guidance": "nan", "sampler": "euler", "seed": "-1",
             "mode": "huge", "eta": "2", "steps": "abc"}
    s, problems = GenerationSettings.from_query(query, MODELS)
    assert s == GenerationSettings()
    named = [re.match(r"Ignored (\w+)=(.*?) in the link: .* Using the default instead\.$", p) for p in problems]
    assert all(named), problems
    assert sorted((m.group(1), m.group(2)) for m in named) == sorted(query.items())  # each value, named once


def test_grid_caps_steps():
    s, problems = GenerationSettings.from_query({"mode": "grid", "sampler": "ddpm", "steps": "1000"}, MODELS)
    assert problems and s.steps == 1000  # default for DDPM kept, the over-cap request refused
    assert s.step_limits == (10, MAX_GRID_STEPS)


def test_labels():
    assert GenerationSettings(mode="grid").labels(10) == list(range(10))
    assert GenerationSettings(label=NO_CLASS).labels(10) == [10]
    assert GenerationSettings(label=3).labels(10) == [3]


def test_unknown_model_when_default_missing():
    s, _ = GenerationSettings.from_query({}, ["fashion"])
    assert s.model == "fashion"


@given(st.dictionaries(st.sampled_from(["model", "label", "guidance", "sampler", "steps", "eta", "seed", "mode", "x"]),
                       st.text(max_size=30)))
def test_any_query_gives_valid_settings(query):
    s, _ = GenerationSettings.from_query(query, MODELS)
    lo, hi = s.step_limits
    assert s.model in MODELS and lo <= s.steps <= hi and 0 <= s.guidance <= 8 and 0 <= s.eta <= 1
    assert s.label == NO_CLASS or 0 <= s.label <= 9
