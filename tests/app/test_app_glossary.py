"""Issue 28: no term before its definition. Every page's text is read as AppTest renders it through app.py, and
every glossary term the text uses must be in the page's "Words on this page" box (pages/terms.py), which defines it
in one plain sentence and links to the whole glossary. The glossary page itself defines every term."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from diffusion_core.access.glossary import GLOSSARY, terms_used
from diffusion_core.access.site_map import PAGES
from pages.terms import BOX_LABEL

ROOT = Path(__file__).resolve().parents[2]
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error", "latex")


def _texts(node) -> list[str]:
    out = []
    for kind in TEXT_KINDS:
        out += [str(getattr(element, "value", "") or "") for element in getattr(node, kind, [])]
    return out


def page_text_and_box(path: str) -> tuple[str, set[str]]:
    """All text a page shows outside its words box, and the names of the terms its box defines."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    if path:
        at.switch_page(next(p.file for p in PAGES if p.path == path)).run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [e for e in at.expander if e.label == BOX_LABEL]
    boxed = {line.split("**")[1] for box in boxes for line in _texts(box) if line.startswith("[**")}
    box_text = {text for box in boxes for text in _texts(box)}
    shown = [text for text in _texts(at) if text not in box_text]
    shown += [w.label for kind in ("button", "slider", "selectbox", "radio", "toggle", "number_input", "tabs")
              for w in getattr(at, kind, []) if getattr(w, "label", None)]
    return "\n".join(shown), boxed


@pytest.mark.slow
@pytest.mark.parametrize("path", [p.path for p in PAGES if p.path != "glossary"], ids=lambda p: p or "home")
def test_every_term_a_page_uses_is_defined_on_it(path):
    text, boxed = page_text_and_box(path)
    missing = sorted(terms_used(text) - boxed)
    assert not missing, f"/{path} uses {missing} without defining them in its '{BOX_LABEL}' box"


def test_the_glossary_page_defines_every_term():
    at = AppTest.from_file(str(ROOT / "pages" / "glossary.py"), default_timeout=60).run()
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown)
    for entry in GLOSSARY:
        assert f"**{entry.name}**: {entry.plain}" in shown


def test_each_word_in_the_box_links_to_its_entry():
    """The box names each term as a link to its entry on the glossary page (an anchor that page has)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    assert not at.exception
    box = next(e for e in at.expander if e.label == BOX_LABEL)
    lines = [m.value for m in box.markdown]
    assert lines
    for entry in GLOSSARY:
        mine = [line for line in lines if line.startswith(f"[**{entry.name}**](")]
        if mine:
            assert mine == [f"[**{entry.name}**](glossary#{entry.anchor}): {entry.plain}"]
