"""The image-space page's link: each parameter judged alone, good values kept, a too-large format named."""

from __future__ import annotations

import pytest

from diffusion_core.space.image_space import PRESETS, ImageSpec
from diffusion_core.space.settings import DEFAULT, spec_from_query, to_query


@pytest.mark.parametrize("spec", [*PRESETS.values(), ImageSpec(7, 3, 4, 16), ImageSpec(1, 1, 1, 1)])
def test_round_trip(spec):
    assert spec_from_query(to_query(spec)) == (spec, [])


def test_each_bad_value_is_named_and_the_good_ones_kept():
    spec, problems = spec_from_query({"w": "640", "h": "-3", "colour": "rgb", "bits": "3"})
    assert spec == ImageSpec(640, DEFAULT.height, 3, DEFAULT.bits)
    assert [p.split(" in the link")[0] for p in problems] == ["Ignored h=-3", "Ignored bits=3"]
    assert all(p.endswith("Using the default instead.") for p in problems)


def test_a_long_value_is_quoted_briefly_and_a_too_large_format_falls_back_whole():
    _, problems = spec_from_query({"w": "9" * 5000})
    assert len(problems) == 1 and "9" * 41 not in problems[0] and "9" * 40 + "…" in problems[0]
    spec, problems = spec_from_query({"w": "1000000000000", "h": "1000000000000"})
    assert spec == DEFAULT and problems == [problems[0]] and "not valid" in problems[0] and "10^18" in problems[0]
