"""power_text in a spawned worker: the exact digits, progress relayed, limits checked before spawning.

Oracles independent of diffusion_core: Python's own ``str(int)`` where that is fast enough (tens of thousands of
digits), and for a million digits tests/unit/power_oracles.py (length from decimal's log10, head from decimal at
two precisions, tail from ``pow``, every digit through residues modulo three large primes).
"""

from __future__ import annotations

import sys

import pytest

from diffusion_core.space.image_space import TooManyDigitsError, power_text
from diffusion_core.space.power_text_process import (
    IN_PROCESS_UP_TO,
    power_text_in_process,
    power_text_responsive,
)
from tests.unit.power_oracles import assert_is_power_text


@pytest.fixture
def unlimited_int_str():
    """Let int -> str write any length for the oracle, restoring Python's limit afterwards."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(old)


def test_same_text_and_progress_as_in_process(unlimited_int_str):
    """The worker's text is exactly str(256**30000) (72,248 digits) and equals the in-process text."""
    seen = []
    text = power_text_in_process(256, 30_000, on_progress=lambda done, step: seen.append((done, step)))
    assert text == str(256**30_000)
    assert text == power_text(256, 30_000)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and seen[0][1].startswith("1 of ")


def test_too_long_is_refused_without_starting_a_worker():
    with pytest.raises(TooManyDigitsError, match="100,000,000"):
        power_text_in_process(256, 36_000_000 * 2)


def test_responsive_choice_gives_the_exact_digits(unlimited_int_str):
    """Short numbers (in-process) match str(int); a 1.1-million-digit one (in a worker) passes every oracle."""
    assert power_text_responsive(256, 10_000) == str(256**10_000)  # short: in-process
    text = power_text_responsive(7, 1_300_000)  # 1,098,627 digits: past IN_PROCESS_UP_TO, so in a worker
    assert len(text) > IN_PROCESS_UP_TO
    assert_is_power_text(text, 7, 1_300_000)
