"""Switching models (issue 27): a prompt is kept only when it names the same class, with a note otherwise; a
changed guidance default is said; digit labels are not doubled."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from diffusion_core.live.model_switch import carried_prompt, class_label, guidance_note
from diffusion_core.model.data import CLASS_NAMES

NONE = 10


def test_labels_read_7_for_digits_and_name_the_class_elsewhere():
    assert class_label(7, CLASS_NAMES["digits"], NONE) == "7"
    assert class_label(3, CLASS_NAMES["fashion"], NONE) == "3: Dress"
    assert class_label(NONE, CLASS_NAMES["emoji"], NONE) == "none (unconditional)"


def test_a_digit_prompt_does_not_become_an_animal():
    choice, note = carried_prompt(CLASS_NAMES["digits"], 3, CLASS_NAMES["emoji"], NONE, default=NONE)
    assert choice == NONE and note == "This model has no class “3”: the prompt is now none (unconditional)."
    choice, note = carried_prompt(CLASS_NAMES["digits"], 3, CLASS_NAMES["emoji"], NONE, default=0)
    assert choice == 0 and note.endswith("the prompt is now “smiley face”.")


def test_the_same_class_is_kept_wherever_it_sits():
    choice, note = carried_prompt(("cat", "dog"), 1, ("dog", "cat", "bird"), 3, default=3)
    assert (choice, note) == (0, None)
    assert carried_prompt(("cat",), 1, ("dog",), 1, default=0) == (1, None)  # none stays none


@given(st.sampled_from(sorted(CLASS_NAMES)), st.sampled_from(sorted(CLASS_NAMES)), st.integers(0, 10))
def test_a_kept_prompt_always_names_the_same_class(old, new, choice):
    kept, note = carried_prompt(CLASS_NAMES[old], choice, CLASS_NAMES[new], len(CLASS_NAMES[old]), default=0)
    if note is None and choice < len(CLASS_NAMES[old]):
        assert CLASS_NAMES[new][kept] == CLASS_NAMES[old][choice]


def test_a_changed_guidance_is_announced():
    assert guidance_note(1.5, 4.0) == ("Guidance set to this model's own default, s = 4 (it was 1.5): each model's "
                                       "default is the scale its quality measurements chose (see its model card).")
    assert guidance_note(4.0, 4.0) is None
