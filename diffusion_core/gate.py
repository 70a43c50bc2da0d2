"""A per-server limit on concurrent sampling runs, so one classroom cannot starve the machine.

One :class:`SamplingGate` is shared by all sessions of a server process. A run asks for a slot
with :meth:`SamplingGate.slot`; while it waits, the caller is told its place in the queue (the
page shows a visible "waiting" state), and after ``timeout`` seconds it gives up politely.
"""

from __future__ import annotations

import os
import threading
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
        self._waiting = 0
        self._cond = threading.Condition()

    @property
    def busy(self) -> int:
        """Runs in progress now."""
        with self._cond:
            return self.slots - self._free

    @contextmanager
    def slot(self, timeout: float = 60.0, on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        """Hold one slot for the ``with`` body; ``on_wait(place)`` is called while queued (place >= 1)."""
        with self._cond:
            if self._free == 0:
                self._waiting += 1
                place = self._waiting
                try:
                    if on_wait:
                        on_wait(place)
                    if not self._cond.wait_for(lambda: self._free > 0, timeout):
                        raise GateTimeout(f"The server is busy ({self.slots} runs at a time); please try again in a moment.")
                finally:
                    self._waiting -= 1
            self._free -= 1
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self._cond.notify()
