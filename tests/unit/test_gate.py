"""The per-server sampling gate: bounded concurrency, a visible queue, and a polite timeout."""

from __future__ import annotations

import threading
import time

import pytest

from diffusion_core.live.gate import GateTimeout, SamplingGate


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


def _eventually(condition, seconds: float = 10.0) -> None:
    """Wait until ``condition()`` holds; fail the test (rather than hang) if it does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the gate never got there"
        threading.Event().wait(0.01)


def _queue_up(gate: SamplingGate, n: int, order: list[int], on_wait=None) -> list[threading.Thread]:
    """Start ``n`` runs one after another, each queued (and told so) before the next asks."""
    threads = []
    for i in range(n):
        told = threading.Event()

        def run(i=i, told=told):
            def waiting(place):
                if on_wait:
                    on_wait(place)
                told.set()
            with gate.slot(timeout=30, on_wait=waiting):
                order.append(i)
        threads.append(threading.Thread(target=run))
        threads[-1].start()
        assert told.wait(10)
    return threads


def test_first_come_first_served_however_threads_wake():
    """Each queued run is let in strictly in the order it asked, across many rounds."""
    for _ in range(20):
        gate, order = SamplingGate(slots=1), []
        with gate.slot():
            threads = _queue_up(gate, 6, order)
            assert gate.waiting == 6
        for t in threads:
            t.join(30)
        assert order == list(range(6))


def test_places_are_told_outside_the_lock_and_move_up():
    gate, told, blocked = SamplingGate(slots=1), {0: [], 1: []}, []
    inside = {0: threading.Event(), 1: threading.Event()}
    release = threading.Event()

    def run(i):
        def on_wait(place):
            told[i].append(place)
            probe = threading.Thread(target=lambda: gate.busy)  # needs the gate's lock
            probe.start()
            probe.join(2)
            blocked.append(probe.is_alive())
        with gate.slot(timeout=30, on_wait=on_wait):
            inside[i].set()
            release.wait(30)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    with gate.slot():
        for i, t in enumerate(threads):
            t.start()
            _eventually(lambda i=i: told[i])
    assert inside[0].wait(10)  # the first in line runs, and holds the slot ...
    _eventually(lambda: told[1] == [2, 1])  # ... while the second moves up from place 2 to place 1
    release.set()
    for t in threads:
        t.join(30)
    assert told == {0: [1], 1: [2, 1]} and not any(blocked)


def test_an_interrupted_waiter_leaves_the_queue():
    gate, order = SamplingGate(slots=1), []

    class ReaderLeft(Exception):
        pass

    def leave(place):
        raise ReaderLeft

    with gate.slot():
        with pytest.raises(ReaderLeft):
            with gate.slot(on_wait=leave):
                pass
        assert gate.waiting == 0
        threads = _queue_up(gate, 1, order)
    threads[0].join(30)
    assert order == [0] and gate.busy == 0
