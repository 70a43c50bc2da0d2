"""Keep Streamlit's garbage collection after every run cheap (imported by app.py; no heavy imports here)."""

from __future__ import annotations

import gc
import sys

_modules_at_last_freeze = 0


def freeze_imported_heap() -> None:
    """Move everything alive into the collector's permanent generation whenever new modules were imported.

    After every run Streamlit calls ``gc.collect(2)`` (``runner.postScriptGC``), holding the GIL while the
    server still has the run's last messages to send. With torch, plotly and onnxruntime imported that is
    ~220,000 long-lived objects and ~0.1 s on this machine's cores, added to every click. Frozen objects are
    skipped by later collections (and still freed by reference counting), so each collection then only
    scans what the runs themselves created: the memory hygiene stays, its cost goes. Called at the end of
    every run; it collects and freezes only when ``sys.modules`` grew, i.e. a few times per server.
    """
    global _modules_at_last_freeze
    if len(sys.modules) > _modules_at_last_freeze:
        _modules_at_last_freeze = len(sys.modules)
        gc.collect()
        gc.freeze()
