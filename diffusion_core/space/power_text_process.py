"""Write out ``base ** exponent`` in a separate process, so the caller stays responsive.

:func:`diffusion_core.space.image_space.power_text` spends nearly all its time inside single ``decimal``
multiplications (libmpdec), which hold Python's GIL: in a web server that would freeze every other
thread -- including the one sending the progress bar -- for seconds at a time (the last squaring of a
12 MP photo's count takes several seconds). :func:`power_text_in_process` runs the same function in a
freshly spawned process and relays its progress over a queue; the caller only waits on the queue,
which releases the GIL. :func:`power_text_responsive` picks in-process or worker by size.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module

from diffusion_core.space.image_space import (
    MAX_TEXT_DIGITS,
    ProgressCallback,
    TooManyDigitsError,
    digit_count,
    power_text,
)

POLL_SECONDS = 1.0  # how often the waiting caller checks that the worker is still alive
IN_PROCESS_UP_TO = 1_000_000  # digits; shorter numbers take < 50 ms and are written out in-process


def _worker(base: int, exponent: int, max_digits: int, messages: multiprocessing.Queue) -> None:
    """Child process: compute the text, sending ("progress", fraction, step) and finally ("done", text)."""
    try:
        text = power_text(base, exponent, lambda done, step: messages.put(("progress", done, step)), max_digits)
    except (ArithmeticError, ValueError, MemoryError) as e:  # relayed to the parent, which raises it there
        messages.put(("error", f"{type(e).__name__}: {e}"))
    else:
        messages.put(("done", text))


def power_text_in_process(base: int, exponent: int, on_progress: ProgressCallback | None = None,
                          max_digits: int = MAX_TEXT_DIGITS) -> str:
    """Same result as :func:`~diffusion_core.space.image_space.power_text`, computed in a spawned process.

    Size limits are checked here first (:class:`TooManyDigitsError`, no process started). Raises
    ``RuntimeError`` if the worker fails or dies (for example, killed for memory).
    """
    digits = digit_count(base, exponent)
    if digits > max_digits:
        raise TooManyDigitsError(f"{base}^{exponent:,} has {digits:,} digits; writing out more than "
                                 f"{max_digits:,} digits is refused to keep the app responsive.")
    context = multiprocessing.get_context("spawn")  # never fork a threaded server
    messages = context.Queue()
    worker = context.Process(target=_worker, args=(base, exponent, max_digits, messages), daemon=True)
    worker.start()
    try:
        while True:
            try:
                kind, *payload = messages.get(timeout=POLL_SECONDS)
            except queue_module.Empty:
                if not worker.is_alive():
                    raise RuntimeError(f"the worker computing {base}^{exponent:,} stopped "
                                       f"(exit code {worker.exitcode}).") from None
                continue
            if kind == "progress":
                if on_progress is not None:
                    on_progress(*payload)
            elif kind == "done":
                return payload[0]
            else:
                raise RuntimeError(f"computing {base}^{exponent:,} failed: {payload[0]}")
    finally:
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
        messages.close()


def power_text_responsive(base: int, exponent: int, on_progress: ProgressCallback | None = None,
                          max_digits: int = MAX_TEXT_DIGITS) -> str:
    """:func:`power_text` for a server: in this process when short (a few ms of GIL), else in a worker.

    Spawning costs ~0.2-0.4 s, far more than writing out a short number (1 ms for 24,083 digits).
    """
    if digit_count(base, exponent) <= IN_PROCESS_UP_TO:
        return power_text(base, exponent, on_progress, max_digits)
    return power_text_in_process(base, exponent, on_progress, max_digits)
