"""Shared pytest set-up: the repository root on sys.path (tests import diffusion_core, pages and server), one torch
thread for every test, and the markers: ``e2e`` for the browser tests (tests/e2e/conftest.py marks them) and ``slow``
for any test that takes more than about 20 s here (``-m "not slow and not e2e"`` runs the quick part alone)."""

import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests use tiny tensors: one torch thread is fastest and does not spin against other processes.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Every test starts on one torch thread and leaves it so, whatever it set (the count is per process)."""
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(1)
