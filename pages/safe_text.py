"""Text from outside (a link's values, a file's name, a teacher's task) shown as exactly that text.

Streamlit renders the body of ``st.warning``, ``st.error``, ``st.info`` and ``st.markdown`` as Markdown: a shared
link whose value is ``[x](https://e.vil)`` would otherwise put a clickable address, in the app's own voice,
inside the warning about that very link. The core's messages are plain text; :func:`plain` makes any plain text
safe to show that way: it backslash-escapes the characters that start Markdown, HTML or LaTeX constructs
(CommonMark allows a backslash before any ASCII punctuation) and breaks the bare ``scheme://`` and ``www.``
addresses that GitHub-flavoured Markdown would turn into links. Everything else is left as written.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_\[\]<>~$|#]|:(?=//)|(?<=www)\.)")


def plain(text: str) -> str:
    """``text`` as Markdown that renders as ``text``: no links, emphasis, HTML, code spans or formulas."""
    return _MARKUP.sub(r"\\\1", str(text))
