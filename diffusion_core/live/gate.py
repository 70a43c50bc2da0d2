"""A per-server limit on concurrent sampling runs, so one classroom cannot starve the machine.

One :class:`SamplingGate` is shared by all sessions of a server process. A run asks for a slot with
:meth:`SamplingGate.slot`. Slots go strictly first come, first served: whoever asked first runs first,
however the threads happen to wake. While it waits, the caller is told its place in the queue each time it
changes (the page shows it), always outside the gate's lock, so a slow or failing message never holds up
anyone else; after ``timeout`` seconds it gives up politely. A waiter that is interrupted (its reader left,
or its run was stopped) leaves the queue and the readers behind it move up.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class GateTimeout(RuntimeError):
    """No sampling slot became free in time; the message suggests trying again."""


def default_slots() -> int:
    """One run per two cores (torch uses several threads per run), at least one."""
    return max(1, (os.cpu_count() or 1) // 2)


class SamplingGate:
    def __init__(self, slots: int | None = None) -> None:
        self.slots = slots or default_slots()
        self._free = self.slots
        self._queue: deque[object] = deque()  # one token per waiting run, in order of arrival
        self._cond = threading.Condition()

    @property
    def busy(self) -> int:
        """Runs in progress now."""
        with self._cond:
            return self.slots - self._free

    @property
    def waiting(self) -> int:
        """Runs queued now."""
        with self._cond:
            return len(self._queue)

    @contextmanager
    def slot(self, timeout: float = 60.0, on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        """Hold one slot for the ``with`` body; ``on_wait(place)`` is called whenever the queued place changes
        (place >= 1 means that many runs go first, counting this one)."""
        self._acquire(timeout, on_wait)
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self._cond.notify_all()  # the head of the queue may be any of the waiters

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
                            raise GateTimeout(f"The server is busy ({self.slots} runs at a time); "
                                              "please try again in a moment.")
                        self._cond.wait(remaining)
                told = place
                if on_wait:
                    on_wait(place)
        except BaseException:
            with self._cond:
                if token in self._queue:
                    self._queue.remove(token)
                    self._cond.notify_all()
            raise
