"""One server-wide, first-come-first-served queue for heavy work, so one classroom cannot starve the machine.

One :class:`HeavyWorkGate` is shared by all sessions of a server process and covers every heavy job the app
runs: sampling, the sampler comparison and the guidance sweep, the 2-D page's training, the likelihood
estimates, writing out a huge number as text. A job asks for a slot with :meth:`HeavyWorkGate.slot`. Slots go
strictly first come, first served: whoever asked first runs first, however the threads happen to wake. While it
waits, the caller is told its place in the queue each time it changes (the page shows it), always outside the
gate's lock, so a slow or failing message never holds up anyone else. It gives up politely
(:class:`GateTimeout`) only when its place has not moved up for ``timeout`` seconds: a long queue that keeps
moving (a class of 30 asking at once, each job a few seconds) is served to the last reader, while a stuck one
(a job that never ends) still lets its waiters go. A waiter that is interrupted (its reader left, or its run was stopped) leaves
the queue and the readers behind it move up.

A job may name its ``reader`` (a session): each reader holds at most one place, waiting or running. A second
job of the same reader from another thread is refused at once (:class:`ReaderBusy`) instead of taking a second
place in the line; the same reader asking again from the thread that already holds the slot (heavy work that
calls other heavy work) goes straight on inside the slot it has. :meth:`HeavyWorkGate.for_reader` binds a
reader, and a default way of showing the place, once, for the page's calls.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

DEFAULT_TIMEOUT_S = 120.0  # without moving up: the slowest single job (DDPM, 1,000 steps) on a starved server


class GateRefused(RuntimeError):
    """A heavy job did not get a slot; the message says why and what to do."""


class GateTimeout(GateRefused):
    """No slot became free in time; the message suggests trying again."""


class ReaderBusy(GateRefused):
    """This reader already has a heavy job waiting or running: one at a time each."""


def default_slots() -> int:
    """One job per two cores (torch uses several threads per run), at least one."""
    return max(1, (os.cpu_count() or 1) // 2)


class HeavyWorkGate:
    def __init__(self, slots: int | None = None) -> None:
        self.slots = slots or default_slots()
        self._free = self.slots
        self._queue: deque[object] = deque()  # one token per waiting job, in order of arrival
        self._readers: dict[Hashable, int] = {}  # reader -> the thread whose job holds or awaits their place
        self._cond = threading.Condition()

    @property
    def busy(self) -> int:
        """Jobs in progress now."""
        with self._cond:
            return self.slots - self._free

    @property
    def waiting(self) -> int:
        """Jobs queued now."""
        with self._cond:
            return len(self._queue)

    def for_reader(self, reader: Hashable, on_wait: Callable[[int], None] | None = None,
                   on_start: Callable[[], None] | None = None) -> ReaderGate:
        """This gate as one reader uses it: ``slot`` names ``reader`` and shows places with ``on_wait`` unless
        the call gives its own; ``on_start()`` runs when a job that had to wait gets its slot."""
        return ReaderGate(self, reader, on_wait, on_start)

    @contextmanager
    def slot(self, timeout: float = DEFAULT_TIMEOUT_S, on_wait: Callable[[int], None] | None = None,
             reader: Hashable | None = None) -> Iterator[None]:
        """Hold one slot for the ``with`` body; ``on_wait(place)`` is called whenever the queued place changes
        (place >= 1 means that many jobs go first, counting this one). Raises GateTimeout after ``timeout`` seconds
        without moving up, or ReaderBusy when ``reader`` already has a job waiting or running in another thread."""
        me = threading.get_ident()
        if reader is not None:
            with self._cond:
                holder = self._readers.get(reader)
                if holder == me:  # heavy work inside this reader's own slot: it already has its turn
                    nested = True
                elif holder is not None:
                    raise ReaderBusy("Your earlier run is still going (or waiting its turn); this one can start "
                                     "when it has finished. Each reader runs one heavy job at a time.")
                else:
                    nested = False
                    self._readers[reader] = me
            if nested:
                yield
                return
        try:
            self._acquire(timeout, on_wait)
            try:
                yield
            finally:
                with self._cond:
                    self._free += 1
                    self._cond.notify_all()  # the head of the queue may be any of the waiters
        finally:
            if reader is not None:
                with self._cond:
                    self._readers.pop(reader, None)

    def _acquire(self, timeout: float, on_wait: Callable[[int], None] | None) -> None:
        token, deadline, told = object(), time.monotonic() + timeout, None
        with self._cond:
            self._queue.append(token)
        try:
            while True:
                with self._cond:
                    while True:
                        if self._free > 0 and self._queue[0] is token:
                            self._queue.popleft()
                            self._free -= 1
                            self._cond.notify_all()  # the next in line may take another free slot
                            return
                        place = self._queue.index(token) + 1
                        if place != told:
                            break  # tell the caller, outside the lock
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            raise GateTimeout(f"The server is busy ({self.slots} heavy job"
                                              f"{'s' if self.slots > 1 else ''} at a time, {len(self._queue)} "
                                              "waiting); please try again in a moment.")
                        self._cond.wait(remaining)
                if told is not None and place < told:
                    deadline = time.monotonic() + timeout  # the queue moves: keep waiting
                told = place
                if on_wait:
                    on_wait(place)
        except BaseException:
            with self._cond:
                if token in self._queue:
                    self._queue.remove(token)
                    self._cond.notify_all()
            raise


class ReaderGate:
    """A :class:`HeavyWorkGate` bound to one reader and a default way of showing their place in the queue."""

    def __init__(self, gate: HeavyWorkGate, reader: Hashable, on_wait: Callable[[int], None] | None = None,
                 on_start: Callable[[], None] | None = None) -> None:
        self.gate, self.reader, self.on_wait, self.on_start = gate, reader, on_wait, on_start

    @contextmanager
    def slot(self, timeout: float = DEFAULT_TIMEOUT_S, on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        """As :meth:`HeavyWorkGate.slot`, for this reader (``on_wait`` replaces the default one for this call)."""
        show, waited = on_wait or self.on_wait, []

        def told(place: int) -> None:
            waited.append(place)
            if show:
                show(place)

        with self.gate.slot(timeout, told, reader=self.reader):
            if waited and on_wait is None and self.on_start:
                self.on_start()
            yield
