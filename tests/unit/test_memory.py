"""server.memory: freed memory goes back to the operating system, and one trimming thread serves the server."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from server import memory

pytestmark = pytest.mark.skipif(memory._glibc() is None, reason="glibc only (malloc_trim, mallopt)")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_trim_returns_the_free_pages_between_live_blocks():
    """300 MB of 64 KB blocks allocated in a thread (its own arena), nine in ten freed: the free pages sit between
    live blocks, where glibc does not return them by itself; ``trim_now`` does."""
    kept: list[bytes] = []

    def allocate_then_free_most() -> None:
        blocks = [b"x" * (64 * 1024) + bytes([i % 256]) for i in range(300 * 16)]  # written: resident
        kept.extend(blocks[::10])
        blocks.clear()

    worker = threading.Thread(target=allocate_then_free_most)
    worker.start()
    worker.join()
    before = _rss_mb()
    assert memory.trim_now()
    after = _rss_mb()
    assert before - after > 150, (before, after)  # most of the ~270 MB freed comes back
    assert len(kept) == 480


def test_tidy_frees_unreachable_cycles_without_a_script_run():
    """A dropped session is a web of cycles; with no run to trigger Streamlit's collection, ``tidy`` frees it."""
    import gc
    import weakref

    class Node:
        pass

    gc.disable()  # as on an idle server: no allocations, so no automatic collection either
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # reference counting alone cannot free a cycle
        memory.tidy()
        assert gone() is None
    finally:
        gc.enable()


def test_one_trimming_thread_per_process(monkeypatch):
    monkeypatch.setattr(memory, "_trimmer", None)
    first = memory.start_memory_trimmer(every_s=3600)
    assert first is memory.start_memory_trimmer(every_s=3600)
    assert first.daemon and first.is_alive()
    assert [t.name for t in threading.enumerate()].count("malloc-trim") >= 1


def test_glibc_accepts_the_arena_limit_and_threshold():
    assert memory.tune_malloc(2)


PROBE = """
import ctypes, sys
from server import memory

class MallInfo2(ctypes.Structure):  # glibc's struct mallinfo2 (malloc.h): every field a size_t
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                                               "uordblks", "fordblks", "keepcost")]

libc = memory._glibc()
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == "limit":
    assert memory.tune_malloc(2)
libc.free(libc.malloc(4 << 20))  # glibc's dynamic threshold rises to 4 MB here
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)
"""


def _mapped_blocks_added(mode: str) -> int:
    """In a fresh process (a heap with no large free chunk to reuse): mapped blocks a 1 MB malloc adds."""
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2], check=True)
    return int(done.stdout.strip())


def test_large_blocks_get_their_own_mappings_after_a_larger_one_was_freed():
    """Without a fixed threshold glibc raises it to the size of each mapped block freed (up to 32 MB), so a 1 MB
    image allocated after a 4 MB one was freed comes from the arena and stays there when freed."""
    assert _mapped_blocks_added("default") == 0  # the behaviour the limit changes
    assert _mapped_blocks_added("limit") == 1
