"""Text alternatives say what a picture shows, from its real values; every picture a page shows has one."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from diffusion_core.access import alt_text
from diffusion_core.forward.process import alpha_bar_with_zero
from diffusion_core.forward.schedules import NoiseSchedule

ROOT = Path(__file__).resolve().parents[2]


def test_a_frame_of_the_forward_process_says_how_much_signal_is_left():
    ab = alpha_bar_with_zero(NoiseSchedule("cosine", 1000))
    text = alt_text.noisy_frame(250, float(ab[250]))
    assert text.startswith("x_t at t = 250 of the picture: the picture clearly recognisable")
    assert "92% of the signal remains" in text and f"{math.sqrt(ab[250]):.0%}" == "92%"
    assert f"standard deviation {math.sqrt(1 - ab[250]):.2f}" in text


@pytest.mark.parametrize(("t", "words"), [(0, "the clean picture itself"), (400, "still recognisable"),
                                          (800, "rough shape"), (1000, "almost pure noise")])
def test_visibility_follows_the_signal_to_noise_ratio(t, words):
    ab = float(alpha_bar_with_zero(NoiseSchedule("cosine", 1000))[t])
    snr = ab / (1 - ab) if ab < 1 else math.inf
    assert words in alt_text.noisy_frame(t, ab), (t, snr)


def test_visibility_never_grows_with_t():
    """Along a whole schedule the words only ever move down the list, never back up."""
    ab = alpha_bar_with_zero(NoiseSchedule("linear", 1000))
    order = ["the clean picture itself, no noise yet", *(words for _, words in alt_text.VISIBILITY)]
    ranks = [order.index(alt_text.visibility(float(a))) for a in ab]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == len(order) - 1


def test_bad_alpha_bar_is_refused():
    with pytest.raises(ValueError):
        alt_text.visibility(1.5)


def test_the_other_descriptions_carry_their_numbers():
    assert "128 by 96 pixels, in colour" in alt_text.clean_image("Astronaut", 96, 128, True, (60, 40, 8))
    assert "row 60, column 40" in alt_text.clean_image("Astronaut", 96, 128, True, (60, 40, 8))
    assert "step 3 of 20" in alt_text.denoising_frame(600, 1, "Prompt: 7", 3, 20)
    assert "A grid of 10 images" in alt_text.generated(10, "One per class, 0 to 9", "digits")
    assert "0, 1, 2" in alt_text.walk_picture(3, 784, ["0", "1", "2"]) and "784-D" in alt_text.walk_picture(3, 784, "012")
    ab = 0.25
    assert "50% of its signal" in alt_text.field_picture("learned field", 600, ab)
    assert "at t = 250 it is 0.847" in alt_text.schedule_plot("cosine", 1000, 250, 0.847, 0.0)


def _image_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("image", "show_png", "show_pixels"):
                yield node


def test_every_picture_on_every_page_has_a_text_alternative():
    """Each st.image / show_png / show_pixels call in pages/ passes ``alt=`` (axe checks the rendered result)."""
    missing, seen = [], 0
    for page in sorted((ROOT / "pages").glob("*.py")):
        for call in _image_calls(ast.parse(page.read_text())):
            seen += 1
            if not any(k.arg == "alt" for k in call.keywords):
                missing.append(f"{page.name}:{call.lineno}")
    assert seen >= 20 and missing == []


def test_step_spacing_is_counted_from_the_list():
    """Issue 28: the sentence about where DPM-Solver++'s steps fall is derived from the list it describes."""
    from diffusion_core.forward.schedules import NoiseSchedule
    from diffusion_core.model.samplers import logsnr_timesteps, trailing_timesteps

    ts = logsnr_timesteps(NoiseSchedule("cosine", 1000).alpha_bar, 20)
    words = alt_text.step_spacing(ts, 1000)
    noisy, clean = int((ts >= 667).sum()), int((ts <= 333).sum())
    assert words.startswith(f"Of its 20 steps, {noisy} fall at t ≥ 667")
    assert f"{20 - noisy - clean} in the middle third and {clean} at t ≤ 333" in words
    assert words.endswith("they crowd at both ends, most of all at the noisy end.")  # 10, 3 and 7 on 2026-12-07
    assert alt_text.step_spacing(trailing_timesteps(1000, 21), 1000).endswith("they are spread about evenly.")
    assert alt_text.step_spacing([999, 990, 980, 500], 1000).endswith("most of them fall at the noisy end.")


def test_the_digit_chart_is_described_from_its_counts():
    """Issue 28: 8-bit grey starts below the sand and atoms lines and crosses them at 8 and 34 pixels (the old
    text said the line was far above both)."""
    from diffusion_core.space.image_space import digit_count, first_exponent_reaching

    crossings = [(name, d, first_exponent_reaching(256, d)) for name, d in (("grains of sand", 20), ("atoms", 81))]
    words = alt_text.digit_chart("grey, 8-bit", digit_count(256, 1), crossings, 10_000, 24_083)
    assert words == ("Log-log chart of the decimal digits of N against pixels for grey, 8-bit: a straight line that "
                     "starts at 3 digits for one pixel; it reaches the grains of sand line (20 digits) at 8 pixels; it "
                     "reaches the atoms line (81 digits) at 34 pixels; your setting, 10,000 pixels, has 24,083 digits.")


def test_pictures_are_described_as_drawn():
    assert "arrows" not in alt_text.field_picture("error map", 10, 0.5, arrows=False)
    assert "arrows show" in alt_text.field_picture("learned field", 10, 0.5)
    assert "colour static" in alt_text.random_images(8, 32, 32, colour=True)
    assert "grey static" in alt_text.random_images(8, 28, 28)
