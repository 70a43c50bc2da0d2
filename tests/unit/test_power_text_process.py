"""power_text in a spawned worker: same text as in-process, progress relayed, limits checked before spawning."""

from __future__ import annotations

import pytest

from diffusion_core.space.image_space import TooManyDigitsError, power_text
from diffusion_core.space.power_text_process import (
    power_text_in_process,
    power_text_responsive,
)


def test_same_text_and_progress_as_in_process():
    seen = []
    text = power_text_in_process(256, 30_000, on_progress=lambda done, step: seen.append((done, step)))
    assert text == power_text(256, 30_000)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and seen[0][1].startswith("1 of ")


def test_too_long_is_refused_without_starting_a_worker():
    with pytest.raises(TooManyDigitsError, match="100,000,000"):
        power_text_in_process(256, 36_000_000 * 2)


def test_responsive_choice_gives_the_same_text():
    assert power_text_responsive(256, 10_000) == power_text(256, 10_000)  # short: in-process
    assert power_text_responsive(7, 1_300_000) == power_text(7, 1_300_000)  # 1.1 M digits: in a worker
