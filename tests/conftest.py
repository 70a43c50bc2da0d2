"""Shared pytest set-up: the repository root on sys.path so tests import diffusion_core and pages."""

import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests use tiny tensors: one torch thread is fastest and does not spin against other processes.
torch.set_num_threads(1)
