"""The per-server heavy-work gate: bounded concurrency, a visible queue, a polite timeout, one job per reader."""

from __future__ import annotations

import threading
import time

import pytest

from diffusion_core.live.gate import GateRefused, GateTimeout, HeavyWorkGate, ReaderBusy


def test_slots_are_released():
    gate = HeavyWorkGate(slots=1)
    with gate.slot():
        assert gate.busy == 1
    assert gate.busy == 0
    with pytest.raises(RuntimeError), gate.slot():
        raise RuntimeError("a failing run still frees its slot")
    assert gate.busy == 0


def test_waiter_is_told_its_place_and_runs_after_release():
    gate = HeavyWorkGate(slots=1)
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
    gate = HeavyWorkGate(slots=1)
    with gate.slot(), pytest.raises(GateTimeout, match="busy"), gate.slot(timeout=0.05):
        pass
    assert gate.busy == 0


def _eventually(condition, seconds: float = 10.0) -> None:
    """Wait until ``condition()`` holds; fail the test (rather than hang) if it does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the gate never got there"
        threading.Event().wait(0.01)


def _queue_up(gate: HeavyWorkGate, n: int, order: list[int], on_wait=None) -> list[threading.Thread]:
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
        gate, order = HeavyWorkGate(slots=1), []
        with gate.slot():
            threads = _queue_up(gate, 6, order)
            assert gate.waiting == 6
        for t in threads:
            t.join(30)
        assert order == list(range(6))


def test_places_are_told_outside_the_lock_and_move_up():
    gate, told, blocked = HeavyWorkGate(slots=1), {0: [], 1: []}, []
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
    gate, order = HeavyWorkGate(slots=1), []

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


def _in_thread(work) -> list:
    """Run ``work()`` in another thread (another reader's session) and return [its result or its exception]."""
    out = []

    def run():
        try:
            out.append(work())
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out.append(e)
    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    return out


def test_one_job_per_reader_from_another_thread_is_refused_at_once():
    gate = HeavyWorkGate(slots=2)  # a free slot: the refusal is about the reader, not about the server being full

    def second_job(reader):
        with gate.slot(timeout=30, reader=reader):
            return "ran"

    with gate.slot(reader="ann"):
        refused = _in_thread(lambda: second_job("ann"))
        assert isinstance(refused[0], ReaderBusy) and isinstance(refused[0], GateRefused)
        assert "one heavy job at a time" in str(refused[0])
        assert gate.waiting == 0 and gate.busy == 1  # the refused job never took a place
        assert _in_thread(lambda: second_job("bob")) == ["ran"]  # another reader is let in
    assert _in_thread(lambda: second_job("ann")) == ["ran"]  # once the first has finished, ann may run again


def test_a_waiting_job_also_holds_the_readers_place():
    gate, released = HeavyWorkGate(slots=1), threading.Event()
    waiting = threading.Event()

    def ann_waits():
        with gate.slot(timeout=30, on_wait=lambda place: waiting.set(), reader="ann"):
            released.wait(30)

    t = threading.Thread(target=ann_waits)
    with gate.slot(reader="host"):
        t.start()
        assert waiting.wait(10)
        assert gate.waiting == 1
        refused = _in_thread(lambda: gate.slot(reader="ann").__enter__())
        assert isinstance(refused[0], ReaderBusy) and gate.waiting == 1
    released.set()
    t.join(30)
    assert gate.busy == 0 and gate.waiting == 0


def test_heavy_work_inside_a_readers_own_slot_goes_straight_on():
    gate = HeavyWorkGate(slots=1)
    with gate.slot(reader="ann"):
        with gate.slot(timeout=0.05, reader="ann"):  # would time out if it queued behind its own slot
            assert gate.busy == 1
        assert gate.busy == 1
    assert gate.busy == 0
    with gate.slot(reader="ann"):  # the reader's place was given back after the nested use
        pass


@pytest.mark.parametrize("how", ["timeout", "failure", "interrupted"])
def test_a_reader_gets_their_place_back_however_the_job_ends(how):
    gate = HeavyWorkGate(slots=1)

    class ReaderLeft(Exception):
        pass

    def leave(place):
        raise ReaderLeft

    with gate.slot(reader="host"):
        if how == "timeout":
            assert isinstance(_in_thread(lambda: gate.slot(timeout=0.05, reader="ann").__enter__())[0], GateTimeout)
        elif how == "interrupted":
            assert isinstance(_in_thread(lambda: gate.slot(on_wait=leave, reader="ann").__enter__())[0], ReaderLeft)
    if how == "failure":
        with pytest.raises(ValueError), gate.slot(reader="ann"):
            raise ValueError("the job failed")
    with gate.slot(timeout=0.05, reader="ann"):
        assert gate.busy == 1


def test_a_reader_gate_shows_the_place_by_default_and_clears_it_when_the_job_starts():
    gate, events = HeavyWorkGate(slots=1), []
    ann = gate.for_reader("ann", on_wait=lambda place: events.append(("place", place)),
                          on_start=lambda: events.append("start"))
    told = threading.Event()

    def job():
        with ann.slot(timeout=30, on_wait=None):
            events.append("ran")

    original = ann.on_wait
    ann.on_wait = lambda place: (original(place), told.set())
    t = threading.Thread(target=job)
    with gate.slot(reader="host"):
        t.start()
        assert told.wait(10)
    t.join(30)
    assert events == [("place", 1), "start", "ran"]
    events.clear()
    with ann.slot():  # no wait: nothing to show, nothing to clear
        events.append("ran")
    assert events == ["ran"]
    own = []

    def own_way():
        with ann.slot(timeout=30, on_wait=own.append):
            events.append("ran its own way")
    with gate.slot(reader="host"):  # a call with its own on_wait shows the place its own way, and clears it itself
        t = threading.Thread(target=own_way)
        t.start()
        _eventually(lambda: own == [1])
    t.join(30)
    assert own == [1] and events == ["ran", "ran its own way"]


def test_the_timeout_message_says_how_busy():
    gate = HeavyWorkGate(slots=1)
    with gate.slot(), pytest.raises(GateTimeout, match=r"1 heavy job at a time, 1 waiting"), gate.slot(timeout=0.05):
        pass


class _FakeClock:
    """time.monotonic for the gate, moved by the test (so waiting is about seconds on this clock, not real ones)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_the_timeout_counts_seconds_without_moving_up(monkeypatch):
    """A waiter whose place keeps moving up waits longer in all than its timeout; one whose place stands still for
    the timeout gives up. Deterministic: the gate's clock is the test's, every step is an event."""
    import diffusion_core.live.gate as gate_module

    clock = _FakeClock()
    monkeypatch.setattr(gate_module, "time", clock)
    gate, go = HeavyWorkGate(slots=1), [threading.Event() for _ in range(3)]
    ran = []

    def job(i):
        with gate.slot(timeout=1e6):
            ran.append(i)
            go[i].wait(30)

    places, result = [], []

    def last_in_line():
        try:
            with gate.slot(timeout=100, on_wait=places.append):
                result.append("served")
        except GateTimeout as e:
            result.append(e)

    with gate.slot():
        ahead = [threading.Thread(target=job, args=(i,)) for i in range(3)]
        for i, t in enumerate(ahead):
            t.start()
            _eventually(lambda i=i: gate.waiting == i + 1)
        last = threading.Thread(target=last_in_line)
        last.start()
        _eventually(lambda: places == [4])
        clock.now += 60  # 60 s at place 4 ...
    for i in range(3):  # ... then each job ahead ends after another 60 s: 240 s in all, never 100 s at one place
        _eventually(lambda i=i: len(places) == i + 2)
        clock.now += 60
        go[i].set()
    last.join(30)
    assert ran == [0, 1, 2] and places == [4, 3, 2, 1] and result == ["served"]

    stuck = []
    with gate.slot():  # now a queue that does not move: 100 s at place 1 and the waiter is let go
        t = threading.Thread(target=lambda: stuck.append(_in_thread(lambda: gate.slot(
            timeout=100, on_wait=places.append).__enter__())[0]))
        t.start()
        _eventually(lambda: gate.waiting == 1)
        clock.now += 100
        with gate._cond:  # wake the waiter to look at the clock (a real wait would time out by itself)
            gate._cond.notify_all()
        t.join(30)
    assert isinstance(stuck[0], GateTimeout) and gate.waiting == 0 and gate.busy == 0
