"""The denoiser's "Settings changed since this run" notice (issue 27, one truth per control): it names every setting
whose value differs from the result's, and nothing when they match."""

from __future__ import annotations

from dataclasses import fields, replace

from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.live.generation_settings import NO_CLASS, GenerationSettings

SETTINGS = st.builds(GenerationSettings, model=st.sampled_from(["digits", "emoji"]),
                     label=st.sampled_from([NO_CLASS, 0, 3, 7]), guidance=st.sampled_from([0.0, 1.5, 4.0]),
                     sampler=st.sampled_from(["dpmpp", "ddim", "ddpm"]), steps=st.sampled_from([5, 20, 50]),
                     eta=st.sampled_from([0.0, 0.3]), seed=st.integers(0, 10), mode=st.sampled_from(["one", "grid"]))


def test_a_new_seed_is_named_and_a_match_says_nothing():
    shown = GenerationSettings(seed=5)
    assert replace(shown, seed=42).changes_from(shown) == ["seed 5 → 42"]
    assert replace(shown, label=NO_CLASS, guidance=4.0).changes_from(shown) == ["prompt 7 → none", "guidance 1.5 → 4"]
    assert shown.changes_from(replace(shown)) == []


@given(SETTINGS, SETTINGS)
def test_the_notice_is_empty_exactly_when_the_settings_match(now, shown):
    changes = now.changes_from(shown)
    assert (changes == []) == (now == shown)
    assert len(changes) == sum(getattr(now, f.name) != getattr(shown, f.name) for f in fields(GenerationSettings))
