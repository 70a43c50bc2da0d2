"""The per-server sampling gate: bounded concurrency, a visible queue, and a polite timeout."""

from __future__ import annotations

import threading

import pytest

from diffusion_core.gate import GateTimeout, SamplingGate


def test_slots_are_released():
    gate = SamplingGate(slots=1)
    with gate.slot():
        assert gate.busy == 1
    assert gate.busy == 0
    with pytest.raises(RuntimeError), gate.slot():
        raise RuntimeError("a failing run still frees its slot")
    assert gate.busy == 0


def test_waiter_is_told_its_place_and_runs_after_release():
    gate = SamplingGate(slots=1)
    holding, waited, done = threading.Event(), [], threading.Event()

    def second():
        with gate.slot(timeout=30, on_wait=waited.append):
            done.set()

    with gate.slot():
        holding.set()
        t = threading.Thread(target=second)
        t.start()
        while not waited:  # the second run is queued while we hold the only slot
            threading.Event().wait(0.01)
        assert waited == [1] and not done.is_set()
    t.join(timeout=30)
    assert done.is_set() and gate.busy == 0


def test_timeout_when_busy():
    gate = SamplingGate(slots=1)
    with gate.slot(), pytest.raises(GateTimeout, match="busy"), gate.slot(timeout=0.05):
        pass
    assert gate.busy == 0
