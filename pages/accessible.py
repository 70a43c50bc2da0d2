"""What every page needs to be usable by everyone, applied once per run by ``app.py`` (issue 16).

Fixes that axe-core found in Streamlit's own markup, where no widget parameter reaches:

* **Contrast.** The theme's primary blue (#7c9cff) carries white button text at 2.6:1; dark text on it is 7.4:1.
  Hovered or focused, Streamlit darkens the button to #2e62ff (3.9:1 with dark text): here it lightens instead.
  The labels of disabled widgets are drawn in a faded grey at 3.3:1 on the sidebar; here at 6.3:1, still
  lighter than an enabled label.
* **Tap targets of 24 px at least.** The help buttons beside widget labels and the link icons beside headings are
  16 px, a radio button's or checkbox's label 22 px tall, the arrows that scroll a row of tabs 20 px wide: at least
  24 px here, on every page, so a finger on a phone finds them.
* **Nothing cut off.** An upload box's line of formats ("25MB per file • PNG, JPG, GIF, BMP, TIF, WEBP") ended in
  "…" in a narrow column (768 to 1,400 px): it wraps instead.
* **A link to a place in a page** (``/glossary#glossary-score``) scrolls there once Streamlit has drawn it, and the
  place lands below Streamlit's header bar (which covered its first lines), not under it.
* **Scrollable regions a keyboard can reach.** A wide formula (``.katex-display``) or a long number in a
  fixed-height ``st.code`` box scrolls, but neither is focusable, so a keyboard user could never see the rest.
  A small script gives every such region ``tabindex="0"`` and a name, as WCAG's technique asks, whenever
  Streamlit redraws the page (a ``MutationObserver``, installed once per browser tab).

The text alternatives of pictures and plots are not here: each page passes ``alt=`` to ``st.image`` with
wording from :mod:`diffusion_core.access.alt_text`.
"""

from __future__ import annotations

import streamlit as st

from diffusion_core.access.palette import BACKGROUND

ACCENT_LIGHTER, DISABLED_LABEL = "#a9bcff", "#a3a8b4"  # measured against the theme (docstring above)
STYLE = """<style>
[data-testid^="stBaseButton-primary"], [data-testid^="stBaseButton-primary"] p { color: __BACKGROUND__ !important; }
[data-testid^="stBaseButton-primary"]:hover, [data-testid^="stBaseButton-primary"]:active,
[data-testid^="stBaseButton-primary"]:focus { background-color: __LIGHTER__ !important; border-color: __LIGHTER__ !important; }
label[data-testid="stWidgetLabel"][disabled], label[data-testid="stWidgetLabel"][disabled] p { color: __DISABLED__ !important; }
[data-testid="stMain"] a[id]:not([href]) { scroll-margin-top: 4.5rem; }
[data-testid="stTooltipHoverTarget"] > button, [data-testid="stHeaderActionElements"] > a { min-width: 24px;
  min-height: 24px; display: inline-flex; align-items: center; justify-content: center; }
[data-testid="stRadio"] label:has(input), [data-testid="stCheckbox"] label:has(input) { min-height: 24px;
  align-items: center; }
button[aria-label^="Scroll tabs"] { min-width: 24px; }
[data-testid="stFileUploaderDropzoneInstructions"] span { white-space: normal; overflow: visible; text-overflow: clip; }
.st-visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
</style>""".replace("__BACKGROUND__", BACKGROUND).replace("__LIGHTER__", ACCENT_LIGHTER).replace("__DISABLED__", DISABLED_LABEL)

SCRIPT = """<script>
(() => {
  if (window.__imageSpaceScrollables) return;
  window.__imageSpaceScrollables = true;
  const NAMES = {"PRE": "number, scrolls", "SPAN": "formula, scrolls sideways"};
  const mark = () => {
    document.querySelectorAll('[data-testid="stMain"] pre, .katex-display').forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", el.dataset.name || NAMES[el.tagName] || "scrolling region");
      }
    });
  };
  // A link to a place in a page (/glossary#glossary-score) arrives before Streamlit has drawn that place: scroll to
  // it once it is there, once per address.
  let reached = null;
  const goToHash = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id || reached === location.href) return;
    const target = document.getElementById(id);
    if (target) { reached = location.href; target.scrollIntoView({block: "start"}); }
  };
  let queued = false;
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; mark(); goToHash(); }); }
  }).observe(document.body, {childList: true, subtree: true});
  window.addEventListener("resize", mark);
  mark();
  goToHash();
})();
</script>"""


def apply_accessibility_fixes() -> None:
    """The contrast styles and the scrollable-region script, on the page being run (no visible element)."""
    st.html(STYLE)
    st.html(SCRIPT, unsafe_allow_javascript=True, width=1)
