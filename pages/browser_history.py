"""One browser-history entry per page visit, so that Back shows the page the reader came from.

Streamlit (1.67) adds a history entry every time a script writes ``st.query_params``
(``window.history.pushState`` in its ``handlePageInfoChanged``), as well as one for each change of page.
Every page here mirrors its settings in the URL after every run (``pages.reader_state.mirror_in_url``), so
entering a page added two entries and every slider move one more: Back stayed on the page, at an older
URL that the page at once filled in again with the settings on screen, and a reader had to press it
several times to leave.

The script below, installed once per browser tab, turns a ``pushState`` that keeps the page's path (only
the query changes) into a ``replaceState``. A change of page still adds its entry; the settings of the
page on screen update that entry in place, as the URL of a map or a search box does. Back goes to the
previous page, which shows the settings it was left with (they live in the session, ``pages.reader_state``).

Streamlit sometimes applies the new page's query (its settings, written at the start of its first run) while
the URL still shows the old page's path, and only then pushes the new path with the same query: the old page's
entry would keep the new page's settings, and Back would show the home page as ``/?model=digits&…`` (seen in
about 2 of 5 visits of the denoiser from the home page). So a page change whose query is exactly the one just
written first gives the entry it leaves its own URL back.
"""

from __future__ import annotations

import streamlit as st

SCRIPT = """<script>
(() => {
  if (window.__imageSpaceHistory) return;
  window.__imageSpaceHistory = true;
  const push = window.history.pushState.bind(window.history);
  const replace = window.history.replaceState.bind(window.history);
  let lastQueryWrite = null;  // the entry's URL and state before the last query-only write, and the query written
  window.history.pushState = function (state, unused, url) {
    const target = url == null ? new URL(window.location.href) : new URL(url, window.location.href);
    if (target.pathname === window.location.pathname) {
      lastQueryWrite = {url: window.location.href, state: window.history.state, query: target.search};
      return replace(state, unused, url);
    }
    if (lastQueryWrite && target.search && lastQueryWrite.query === target.search) {
      replace(lastQueryWrite.state, "", lastQueryWrite.url);  // that query was the new page's: give it back
    }
    lastQueryWrite = null;
    return push(state, unused, url);
  };
})();
</script>"""


def keep_one_history_entry_per_page() -> None:
    """Install the script in this browser tab (no visible element; later runs find it installed)."""
    st.html(SCRIPT, unsafe_allow_javascript=True, width=1)
