"""Identical runs computed once: readers asking together join one run, later readers get it replayed at the live
pace, a failed run is not inherited, and the table stays bounded."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from diffusion_core.live.generation_settings import GenerationSettings
from diffusion_core.live.run import MIN_FRAME_GAP_S, LiveFrame, RunResult
from diffusion_core.live.shared_runs import SharedRuns, replay_frames
from diffusion_core.live.trajectory import Trajectory

STEPS, FRAMES = 20, 20


def _trajectory(seed: int = 0) -> Trajectory:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (FRAMES, 1, 4, 4), dtype=np.uint8)
    return Trajectory(np.arange(FRAMES)[::-1] * 50, x, x, x.reshape(FRAMES, 1, 16).astype(np.float32), x[-1],
                      np.array([3]), STEPS, 1)


class FakeRun:
    """A run that publishes its frames when told to, so tests decide who is where."""

    def __init__(self, seed: int = 0, fail: bool = False) -> None:
        self.trajectory, self.fail = _trajectory(seed), fail
        self.started, self.release, self.calls = threading.Event(), threading.Event(), 0

    def __call__(self, show) -> RunResult:
        self.calls += 1
        for k in range(FRAMES):
            show(LiveFrame(self.trajectory.x_t[k], self.trajectory.x0_hat[k], 0, k + 1, STEPS, 0.01 * k))
            if k == 2:
                self.started.set()
                assert self.release.wait(10)
        if self.fail:
            raise RuntimeError("the reader left")
        return RunResult(GenerationSettings(), self.trajectory, 0.5, 0.01)


def _in_thread(target, *args):
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", target(*args)))
    thread.start()
    return thread, out


def test_readers_asking_together_share_one_computation_and_the_joiner_starts_at_the_newest_frame():
    runs, run = SharedRuns(), FakeRun()
    first_frames, second_frames = [], []
    t1, out1 = _in_thread(runs.run, "key", run, first_frames.append)
    assert run.started.wait(10)
    t2, out2 = _in_thread(runs.run, "key", FakeRun(), second_frames.append)  # would compute other images
    run.release.set()
    t1.join(10), t2.join(10)
    assert run.calls == 1
    assert out1["value"][1] == "computed" and out2["value"][1] == "joined"
    assert out2["value"][0] is out1["value"][0]
    assert [f.done for f in first_frames] == list(range(1, FRAMES + 1))
    joined = [f.done for f in second_frames]
    assert joined[0] >= 3  # three frames were out when they joined: they see the newest, not the first again
    assert joined[-1] == FRAMES and joined == sorted(set(joined))  # then forward only, to the very end


class FakeClock:
    def __init__(self) -> None:
        self.now, self.waits = 0.0, []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_a_finished_run_is_replayed_at_the_live_pace_without_computing():
    clock = FakeClock()
    runs = SharedRuns(sleep=clock.sleep, clock=lambda: clock.now)
    run = FakeRun()
    run.release.set()
    computed, _ = runs.run("key", run, lambda f: None)
    frames = []
    again = FakeRun()
    result, how = runs.run("key", again, frames.append)
    assert how == "replayed" and result is computed and again.calls == 0
    assert frames[0].done == 1 and frames[-1].done == STEPS  # from pure noise to the end
    assert np.array_equal(frames[-1].x_t, run.trajectory.x_t[-1])
    shown_at = [f.elapsed for f in frames]
    assert np.all(np.diff(shown_at)[:-1] >= MIN_FRAME_GAP_S["one"] - 1e-9)  # never faster than the live view
    # (the last frame always comes, as in a live run)
    assert shown_at[-1] == pytest.approx(computed.seconds)  # and as long as the run took
    assert clock.now == pytest.approx(computed.seconds)  # the replay waited as long as the run took


def test_a_reader_who_falls_behind_a_replay_skips_the_frames_already_out_of_date():
    """Each frame shown costs this reader 0.2 s (a busy server): they see fewer frames, never fall further behind,
    and still end on the run's last frame."""
    clock = FakeClock()
    runs = SharedRuns(sleep=clock.sleep, clock=lambda: clock.now)
    run = FakeRun()
    run.release.set()
    computed, _ = runs.run("key", run, lambda f: None)
    plan = replay_frames(computed.trajectory, computed.seconds, computed.settings.mode)
    frames = []

    def slow_reader(frame):
        frames.append(frame)
        clock.now += 0.2

    runs.run("key", FakeRun(), slow_reader)
    assert 1 < len(frames) < len(plan)
    assert frames[-1].done == STEPS
    # done when the run was, plus at most the frame being drawn when the last fell due and the last one itself
    assert clock.now <= computed.seconds + 2 * 0.2 + 1e-9 < 0.2 * len(plan)


def test_a_joiner_who_falls_behind_sees_the_newest_frame_not_every_frame():
    runs, run = SharedRuns(), FakeRun()
    t1, _ = _in_thread(runs.run, "key", run, lambda f: None)
    assert run.started.wait(10)
    seen = []

    def slow_joiner(frame):
        seen.append(frame.done)
        if len(seen) == 1:
            run.release.set()  # the run goes on to its end while this reader is still drawing its first frame
            t1.join(10)

    _, how = runs.run("key", FakeRun(), slow_joiner)
    assert how == "joined" and seen == [3, FRAMES]


def test_replayed_frames_cover_a_fast_run_at_most_one_per_gap():
    frames = replay_frames(_trajectory(), seconds=0.3, mode="grid")
    times = [at for at, _ in frames]
    assert times[0] == 0 and times[-1] == pytest.approx(0.3) and len(frames) <= 0.3 / MIN_FRAME_GAP_S["grid"] + 2


def test_a_failed_run_is_not_inherited_by_those_who_joined_it():
    runs, failing = SharedRuns(sleep=lambda s: None), FakeRun(fail=True)
    t1, out1 = _in_thread(lambda: pytest.raises(RuntimeError, runs.run, "key", failing, lambda f: None))
    assert failing.started.wait(10)
    rescue = FakeRun()
    rescue.release.set()
    t2, out2 = _in_thread(runs.run, "key", rescue, lambda f: None)
    failing.release.set()
    t1.join(10), t2.join(10)
    assert out2["value"][1] == "computed" and rescue.calls == 1  # the joiner computed it itself
    assert runs.run("key", FakeRun(), lambda f: None)[1] == "replayed"


def test_the_table_of_finished_runs_is_bounded():
    runs = SharedRuns(max_finished=3, sleep=lambda s: None)
    for key in range(5):
        run = FakeRun(seed=key)
        run.release.set()
        runs.run(key, run, lambda f: None)
    assert len(runs) == 3
    again = FakeRun()
    again.release.set()
    assert runs.run(0, again, lambda f: None)[1] == "computed"  # the oldest was dropped
