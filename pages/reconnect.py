"""After the server went away, a full run as soon as the browser is connected again.

When a reader's server restarts (a deploy, a crash) or their replica fails over (deploy/), Streamlit's browser code
reconnects to a server that starts a fresh session, and runs nothing until the reader moves. A move inside a
fragment (the denoiser's seed and Generate, the 2-D page's sections) then reruns only that fragment, which the fresh
session has never run: Streamlit drops the request, and the reader's click does nothing, again and again, until
something outside a fragment is moved. This component (``st.components.v2``, a few lines of JavaScript, drawing
nothing) watches the app's connection state and, once it is connected again after a loss, asks for one full run
with every value on screen: the session then knows its fragments (and reader_state.restore its widgets' values).
A reconnection to the same session (a short network drop) gets one needless run, which changes nothing.
"""

from __future__ import annotations

import streamlit as st

KEY = "rerun_after_reconnect"
_JS = """
let ask = null;
let watching = false;
export default function rerunAfterReconnect({setTriggerValue, parentElement}) {
  ask = setTriggerValue;
  (parentElement.host || parentElement).setAttribute("data-component-ready", "true");
  if (watching) return;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  watching = true;
  let lost = false;
  new MutationObserver(() => {
    const state = app.getAttribute("data-test-connection-state");
    if (state && state !== "CONNECTED") {
      lost = true;
    } else if (lost && state === "CONNECTED") {
      lost = false;
      ask("reconnected", Date.now());
    }
  }).observe(app, {attributes: true, attributeFilter: ["data-test-connection-state"]});
}
"""
_COMPONENT = None


def rerun_after_reconnecting() -> None:
    """Mount the watcher (once per run, outside any fragment, so its request reruns the whole page)."""
    global _COMPONENT
    if _COMPONENT is None:
        _COMPONENT = st.components.v2.component("image_space.rerun_after_reconnect", js=_JS)
    _COMPONENT(key=KEY, on_reconnected_change=lambda: None)
