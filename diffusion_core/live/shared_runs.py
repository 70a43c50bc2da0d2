"""Identical runs computed once: a class on one shared link costs one sampling run, not thirty.

A sampling run is a pure function of (model, settings): same seed, same images. :class:`SharedRuns` keeps a
bounded, server-wide table of finished runs and of runs in progress, keyed by that pair. A reader who asks for
a run

* that is finished watches it replayed from its recorded trajectory at the live pace (the recorded frames spread
  over the time the run took, at most one per frame gap), and gets the same result;
* that is in progress joins it: they see its newest frame at once, then its frames as the computing reader does;
* that nobody has asked for computes it (through the heavy-work queue, by the caller's ``compute``).

A reader who falls behind (a busy server, thirty readers at once) is shown the newest frame due and skips the
older ones: each frame replaces the one before on the same spot, so a late frame drawn at once behind another
is work the server does for nothing, and drawing them all would put every reader further behind. The last frame
is always shown.

If the computing reader's run fails or is interrupted (the reader left), the joiners do not inherit the
failure: the first of them to notice computes the run itself. Thread-safe; no Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from diffusion_core.live.run import MIN_FRAME_GAP_S, LiveFrame, RunResult
from diffusion_core.live.trajectory import Trajectory

MAX_FINISHED = 32  # finished runs kept (a 10-class, 20-step grid is ~2 MB of frames)


class _Job:
    """A run in progress: the frames shown so far and, at the end, its result or its failure."""

    def __init__(self) -> None:
        self.frames: list[LiveFrame] = []
        self.result: RunResult | None = None
        self.failed = False
        self.cond = threading.Condition()

    def publish(self, frame: LiveFrame) -> None:
        with self.cond:
            self.frames.append(frame)
            self.cond.notify_all()

    def end(self, result: RunResult | None) -> None:
        with self.cond:
            self.result, self.failed = result, result is None
            self.cond.notify_all()


def replay_frames(trajectory: Trajectory, seconds: float, mode: str) -> list[tuple[float, LiveFrame]]:
    """The recorded frames of a finished run with the time (s from the start) at which to show each: evenly over
    the run's own duration, at most one per MIN_FRAME_GAP_S[mode], the first at once and the last always."""
    k, total, gap = trajectory.num_frames, trajectory.num_steps, MIN_FRAME_GAP_S[mode]
    chosen, last_at = [], -gap
    for i in range(k):
        at = i * seconds / max(1, k - 1)
        if i in (0, k - 1) or at - last_at >= gap:
            done = total if i == k - 1 else i * trajectory.stride + 1
            frame = LiveFrame(trajectory.x_t[i], trajectory.x0_hat[i], int(trajectory.timesteps[i]), done, total, at)
            chosen.append((at, frame))
            last_at = at
    return chosen


class SharedRuns:
    """One per server: finished runs (LRU, at most ``max_finished``) and runs in progress, by key."""

    def __init__(self, max_finished: int = MAX_FINISHED, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._finished: OrderedDict[Hashable, RunResult] = OrderedDict()
        self._running: dict[Hashable, _Job] = {}
        self._lock = threading.Lock()
        self._max = max_finished
        self._sleep, self._clock = sleep, clock  # replays wait with these (tests pass a fake clock)

    def __len__(self) -> int:
        with self._lock:
            return len(self._finished)

    def run(self, key: Hashable, compute: Callable[[Callable[[LiveFrame], None]], RunResult],
            on_frame: Callable[[LiveFrame], None]) -> tuple[RunResult, str]:
        """The run for ``key``, showing its frames through ``on_frame``; returns (result, how) with how one of
        "computed", "joined" (another reader's run in progress) or "replayed" (a finished run)."""
        while True:
            with self._lock:
                if key in self._finished:
                    self._finished.move_to_end(key)
                    result, job, owner = self._finished[key], None, False
                elif key in self._running:
                    result, job, owner = None, self._running[key], False
                else:
                    result, job, owner = None, _Job(), True
                    self._running[key] = job
            if result is not None:
                self._replay(result, on_frame)
                return result, "replayed"
            if owner:
                return self._compute(key, job, compute, on_frame), "computed"
            joined = self._follow(job, on_frame)
            if joined is not None:
                return joined, "joined"
            # the run we joined failed or was abandoned: try again (compute it ourselves, or join a new one)

    def _compute(self, key: Hashable, job: _Job, compute, on_frame) -> RunResult:
        result = None
        try:
            def show(frame: LiveFrame) -> None:
                job.publish(frame)
                on_frame(frame)
            result = compute(show)
            with self._lock:
                self._finished[key] = result
                while len(self._finished) > self._max:
                    self._finished.popitem(last=False)
            return result
        finally:
            with self._lock:
                self._running.pop(key, None)
            job.end(result)

    def _follow(self, job: _Job, on_frame) -> RunResult | None:
        """Show the job's frames as they come (the newest, when several came since the last); its result, or None
        if it failed."""
        shown = 0
        while True:
            with job.cond:
                while shown == len(job.frames) and job.result is None and not job.failed:
                    job.cond.wait()
                newest = job.frames[-1] if len(job.frames) > shown else None
                shown, result, failed = len(job.frames), job.result, job.failed
            if newest is not None:
                on_frame(newest)
            if failed:
                return None
            if result is not None:  # read with the frames: the run had published its last, which we just showed
                return result

    def _replay(self, result: RunResult, on_frame) -> None:
        start = self._clock()
        plan = replay_frames(result.trajectory, result.seconds, result.settings.mode)
        for i, (at, frame) in enumerate(plan):
            elapsed = self._clock() - start
            if i + 1 < len(plan) and plan[i + 1][0] <= elapsed:
                continue  # the next frame is already due: this one would be replaced at once
            if at > elapsed:
                self._sleep(at - elapsed)
            on_frame(frame)
