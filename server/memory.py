"""Give memory back to the machine after a class leaves (imported by app.py; glibc only, a no-op elsewhere).

Measured with ``bench/bench_classroom.py --scenarios browse``: after 30 readers browsed for 2 minutes and left,
the server kept ~530 MB more than before it, although Streamlit's caches held 14 MB and the readers' sessions
were gone. The rest was memory the C allocator had freed but kept: glibc gives every thread that allocates its
own arena (up to 8 per core), Streamlit runs every script run in a new thread, and freed blocks between live
ones stay in the arena's pages. And a closed tab's session is a web of reference cycles: Streamlit keeps it for
``server.disconnectedSessionTTL`` and drops it when it next stores a session, but only the cycle collector frees
it, and on an idle server nothing runs that collector (Streamlit collects after each script run). Counted with
``gc.get_objects()`` 45 s after two rounds of 30 readers: 804, then 23,914, then 45,800 objects still alive, most of
them widget metadata of the departed sessions. Three remedies, standard for long-running servers:

* :func:`tune_malloc`: at most two arenas (``M_ARENA_MAX``; the environment variable
  ``MALLOC_ARENA_MAX=2`` does the same when set before the server starts, as ``deploy/`` does), and blocks of
  256 KB or more (a frame, an image, a batch of activations) in their own mappings, handed back when freed
  (``M_MMAP_THRESHOLD``; glibc otherwise raises that threshold to 32 MB as large blocks are freed, and such blocks
  then stay in the arenas between smaller live ones). 30 readers browsing for 5 minutes: peak 918 MB and
  +223 MB two minutes after they left, against 1,057 MB and +274 MB without it (one run each, 2026-12-03);
* :func:`tidy`, every half minute from a daemon thread (:func:`start_memory_trimmer`): ``gc.collect()`` frees
  the cycles of dropped sessions (objects imported at start-up are frozen out of it by ``server/heap.py``, so it
  scans only what runs left behind), then ``malloc_trim(0)`` hands the free pages inside every arena back to the
  operating system (a few milliseconds each time);
* ``disconnectedSessionTTL = 60`` in ``.streamlit/config.toml``: a closed tab's session is dropped after a minute,
  not two (a reader whose connection drops for longer gets the page back from its URL).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import threading
import time

M_ARENA_MAX, M_MMAP_THRESHOLD = -8, -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD_BYTES = 256 * 1024
TRIM_EVERY_S = 30.0

_trimmer_lock = threading.Lock()
_trimmer: threading.Thread | None = None


@functools.cache
def _glibc():
    """The C library if it is glibc (has ``malloc_trim``), else None; looked up once."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def tune_malloc(arenas: int = 2, mmap_threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Ask glibc for at most ``arenas`` malloc arenas from now on, and to give every block of ``mmap_threshold``
    bytes or more its own mapping (returned to the system when freed); True if it accepted both."""
    libc = _glibc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas) == 1 and libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1)


def trim_now() -> bool:
    """Return the allocator's free pages to the operating system; True if any memory was released."""
    libc = _glibc()
    return bool(libc and libc.malloc_trim(0))


def tidy() -> None:
    """Free unreachable reference cycles, then return the allocator's free pages to the operating system."""
    gc.collect()
    trim_now()


def start_memory_trimmer(every_s: float = TRIM_EVERY_S) -> threading.Thread | None:
    """The one trimming thread of this process, started on the first call with the arena limit set (None where
    there is no glibc). Later calls only return it: app.py calls this on every run."""
    global _trimmer
    if _glibc() is None:
        return None
    with _trimmer_lock:
        if _trimmer is None:
            tune_malloc()

            def trim_forever() -> None:  # a daemon thread: it ends with the server
                while True:
                    time.sleep(every_s)
                    tidy()

            _trimmer = threading.Thread(target=trim_forever, name="malloc-trim", daemon=True)
            _trimmer.start()
        return _trimmer
