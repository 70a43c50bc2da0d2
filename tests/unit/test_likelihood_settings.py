"""The corner page's link and the shipped summary file: round trips, and untrusted or damaged input refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.judge.model_card import kept_sections
from diffusion_core.likelihood.settings import CALLS, SOURCES, CornerSettings
from diffusion_core.likelihood.summary import (
    CARD_END,
    CARD_START,
    SetResult,
    Summary,
    SummaryError,
    card_section,
    read_summary,
    write_card_section,
    write_summary,
)

MODELS, SIZES, PHOTOS = ["digits", "fashion"], {"digits": 1000, "fashion": 1000}, ["Astronaut", "Camera"]


@given(st.sampled_from(MODELS), st.sampled_from(SOURCES), st.integers(0, 999), st.integers(0, 9),
       st.integers(0, 2**31 - 1), st.sampled_from(PHOTOS), st.sampled_from(CALLS))
def test_link_round_trip(model, source, index, label, seed, photo, calls):
    s = CornerSettings(model, source, index, label, seed, photo, calls)
    back, problems = CornerSettings.from_query(s.to_query(), MODELS, SIZES, PHOTOS)
    assert problems == []
    assert back.to_query() == s.to_query()


@pytest.mark.parametrize("key, value", [("model", "evil"), ("img", "held:1000"), ("img", "held:-1"),
                                        ("img", "generated:10"), ("img", "noise:3"), ("img", "photo:../x"),
                                        ("seed", "1e9"), ("seed", "99999999999999"), ("calls", "100"),
                                        ("calls", " 96")])
def test_tampered_values_are_refused_with_a_message(key, value):
    s, problems = CornerSettings.from_query({key: value}, MODELS, SIZES, PHOTOS)
    assert s == CornerSettings() and len(problems) == 1 and problems[0].startswith(f"Ignored {key}={value} in the link: ")


def _summary(tmp_path) -> Summary:
    sets = {"real": SetResult("held-out", np.array([1.5, 1.75]), np.array([1400, 1500]), np.full(4, 0.25))}
    s = Summary("digits", (1, 28, 28), 4, sets, {"n": 2})
    write_summary(s, tmp_path)
    return s


def test_summary_round_trip(tmp_path):
    _summary(tmp_path)
    back = read_summary("digits", tmp_path)
    assert back.shape == (1, 28, 28) and back.dims == 784 and back.T == 4 and back.run == {"n": 2}
    np.testing.assert_array_equal(back.sets["real"].bpd, [1.5, 1.75])
    mean, hw = back.sets["real"].mean_ci()
    assert mean == pytest.approx(1.625) and hw > 0


@pytest.mark.parametrize("damage", ["missing", "not json", "wrong model", "short profile", "no real set"])
def test_damaged_summary_is_refused_with_what_to_run(tmp_path, damage):
    _summary(tmp_path)
    path = tmp_path / "digits.json"
    payload = json.loads(path.read_text())
    if damage == "missing":
        path.unlink()
    elif damage == "not json":
        path.write_text("{")
    else:
        if damage == "wrong model":
            payload["model"] = "fashion"
        elif damage == "short profile":
            payload["sets"]["real"]["profile"] = [0.1]
        else:
            payload["sets"] = {}
        path.write_text(json.dumps(payload))
    with pytest.raises(SummaryError, match="--export"):
        read_summary("digits", tmp_path)


def test_card_section_is_added_replaced_and_kept_by_the_card_writer(tmp_path):
    card = tmp_path / "digits_card.md"
    card.write_text("# Model card: `digits`\n\n## Quality bars\n\nrows\n")
    summary = _summary(tmp_path)
    write_card_section("digits", card_section(summary), tmp_path)
    first = card.read_text()
    assert first.startswith("# Model card: `digits`\n\n## Quality bars\n\nrows\n\n" + CARD_START)
    assert "| held-out | 2 | 1.625 ±" in first and first.rstrip().endswith(CARD_END)
    write_card_section("digits", card_section(summary), tmp_path)  # again: replaced, not repeated
    assert card.read_text() == first
    assert kept_sections(card).strip() == first[first.index(CARD_START):].strip()  # what a rewritten card keeps
    assert write_card_section("fashion", "x", tmp_path) is None  # no card, nothing written


@pytest.mark.parametrize(("load", "says"), [([9.38, 10.08, 9.83], "shared with other work"),
                                            ([1.21, 1.27, 1.09], "otherwise quiet")])
def test_card_section_says_what_the_load_average_says(tmp_path, load, says):
    """The card reports a shared machine only when the load average says so (it once said it of every run)."""
    summary = _summary(tmp_path)
    run = {"n": 2, "threads": 2, "load_average": load, "seconds": 10.0, "calls_per_second": 500.0, "engine": "ONNX Runtime"}
    text = card_section(Summary(summary.model, summary.shape, summary.T, summary.sets, run))
    assert says in text
    assert ("shared" in text) == (says == "shared with other work")
