"""What carries over when a reader switches the denoiser to another model, and what the page says about it.

A prompt is a class *index* in the link and the widgets, but it means a class *name*: 3 is "3" for the digits
model, "Dress" for Fashion-MNIST and "animal" for the emoji model. Keeping the index across a switch silently
changes what is asked for ("3: animal" appears the moment the emoji model is picked), so a prompt is kept only
when the new model has a class of the same name; otherwise the new model's default prompt is taken and the page
says so in one line. Each model also has its own measured default guidance scale
(:func:`diffusion_core.model.samplers.default_guidance`); when a switch changes it, that is said too.
"""

from __future__ import annotations

from collections.abc import Sequence


def class_label(index: int, names: Sequence[str], no_class: int) -> str:
    """A class picker's label: "7" for a class named by its own number (digits), "3: Dress" otherwise, and
    "none (unconditional)" for ``no_class``."""
    if index == no_class:
        return "none (unconditional)"
    name = names[index]
    return name if name == str(index) else f"{index}: {name}"


def carried_prompt(old_names: Sequence[str], old_choice: int, new_names: Sequence[str], no_class: int,
                   default: int) -> tuple[int, str | None]:
    """The prompt for the new model after a switch, and a note when it is not the reader's old one.

    ``old_choice`` is an index into ``old_names`` or ``no_class``; the result is an index into ``new_names`` or
    ``no_class``: "none" stays "none", a class stays when a class of the same name exists (at its index in the new
    model), anything else becomes ``default`` with a one-line note naming both.
    """
    if old_choice == no_class:
        return no_class, None
    if not 0 <= old_choice < len(old_names):
        return default, None
    name = old_names[old_choice]
    if name in new_names:
        return list(new_names).index(name), None
    fallback = "none (unconditional)" if default == no_class else f"“{new_names[default]}”"
    return default, f"This model has no class “{name}”: the prompt is now {fallback}."


def guidance_note(current: float, new_default: float) -> str | None:
    """A line saying a switch set the guidance scale from ``current`` to the new model's default, when that
    changed it."""
    if current == new_default:
        return None
    return (f"Guidance set to this model's own default, s = {new_default:g} (it was {current:g}): each model's "
            "default is the scale its quality measurements chose (see its model card).")
