"""Presenter mode: the story of the app as a scripted walk, one page a step, for showing to a room.

A link with ``present=1`` (and optionally ``step=N`` and ``theme=light``) opens the walk; the page then becomes a
slide for a projector: type sized for the back row (:data:`BODY_PX` at a 1920-pixel-wide screen, nothing under
:data:`SMALLEST_PX`), its sidebar folded away, the key picture large and the details folded, the talking point of
the step on top and, always on screen, a bar with the step indicator ("Step 3 of 7") and Previous and Next. Page
Down and Page Up (what presentation remotes send) and the arrow keys move between steps wherever the focus is, and
never change a control. ``theme=light`` gives the light projector theme (a dark theme washes out in a lit room).
:func:`read_presenting` and :func:`read_theme` read the parameters as strictly as every other link value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from diffusion_core.access.link_values import ignored, whole_in
from diffusion_core.access.site_map import page as site_page

PRESENT_PARAMS = ("present", "step", "theme")
THEMES = ("dark", "light")  # the app's own (dark) theme, and the projector theme for lit rooms
BODY_PX = 32  # body text at a 1920-pixel-wide screen: read from the back of a classroom
SMALLEST_PX = 24  # no text smaller, captions, inputs, tables and code included
DESIGN_WIDTH_PX = 1920  # the projector width the sizes above are for; type scales with the screen's width


@dataclass(frozen=True)
class Step:
    """One step of the walk: the page (its URL path; "" is home), what to say there, and a title of its own (by
    default the page's title, from :mod:`diffusion_core.access.site_map`)."""

    page: str
    say: str
    own_title: str = ""

    @property
    def title(self) -> str:
        return self.own_title or site_page(self.page).title


STEPS: tuple[Step, ...] = (
    Step("", "A 100 × 100 grey picture is 10,000 numbers from 0 to 255. Nothing more, and so only finitely many "
             "pictures.", own_title="An image is a grid of integers"),
    Step("image-space",
         "256 to the power 10,000: a number with 24,083 digits, exact and certified. Atoms in the universe: 81 digits."),
    Step("forward",
         "Training data for a diffusion model: a real image buried in noise. Move t and watch it fade."),
    Step("direction",
         "In 2-D every arrow of the denoiser can be checked against the exact answer: knowing which direction to move."),
    Step("denoiser",
         "A small trained model walks back from pure noise, step by step, to a digit, a garment or an emoji: the "
         "prompt is the class."),
    Step("draw", "Start from your own drawing: the model carries a rough sketch towards the pictures it was trained on."),
    Step("corner",
         "The model measures it: with 95% confidence, a real digit is among a vanishing share of all images, as "
         "plausible to the model as it is; the page gives the exact power of ten."),
)


def step_of_page(page: str) -> int:
    """The first step (0-based) that shows ``page`` (its URL path), else 0."""
    return next((i for i, s in enumerate(STEPS) if s.page == page), 0)


def read_presenting(query: Mapping[str, str], page: str) -> tuple[bool, int, list[str]]:
    """(presenting?, 0-based step, messages about rejected values) from a link opened on ``page``.

    ``present`` must be ``1`` (``0`` turns it off); ``step`` a whole number from 1 to the number of steps, and
    without it the step is the current page's.
    """
    problems: list[str] = []
    on = False
    if "present" in query:
        if query["present"] in ("0", "1"):
            on = query["present"] == "1"
        else:
            problems.append(ignored("present", query["present"], "use 1 (or 0)."))
    step = step_of_page(page)
    if on and "step" in query:
        number = whole_in(query["step"], 1, len(STEPS))
        if number is None:
            problems.append(ignored("step", query["step"], f"use a whole number from 1 to {len(STEPS)}."))
        else:
            step = number - 1
    return on, step, problems


def read_theme(query: Mapping[str, str]) -> tuple[str, list[str]]:
    """(the presenter's theme, messages): ``theme`` is ``dark`` (the default) or ``light``."""
    value = query.get("theme")
    if value is None or value in THEMES:
        return value or "dark", []
    return "dark", [ignored("theme", value, "use light (or dark).")]


def step_query(step: int, theme: str = "dark") -> dict[str, str]:
    """The presenter's own URL parameters at ``step`` (0-based), in ``theme`` (the default, dark, is left out)."""
    query = {"present": "1", "step": str(step + 1)}
    if theme != "dark":
        query["theme"] = theme
    return query
