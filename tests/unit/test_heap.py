"""server.heap: freezing the imported heap so Streamlit's after-run collection stays cheap."""

import gc
import sys
import types
import weakref

import pytest

from server import heap


@pytest.fixture
def import_new_module(monkeypatch):
    """A function that adds a never-seen module to sys.modules, as an import would; undone afterwards.

    Starts as a server whose modules were all seen by the last freeze.
    """
    gc.unfreeze()
    monkeypatch.setattr(heap, "_modules_at_last_freeze", len(sys.modules))
    names = []

    def add() -> None:
        names.append(f"_heap_test_module_{len(names)}_{id(names)}")
        sys.modules[names[-1]] = types.ModuleType(names[-1])

    yield add
    gc.unfreeze()
    for name in names:
        sys.modules.pop(name, None)


def test_freezes_only_after_new_imports(import_new_module):
    heap.freeze_imported_heap()
    assert gc.get_freeze_count() == 0, "nothing new was imported"
    import_new_module()
    heap.freeze_imported_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 0

    survivors = [[i] for i in range(5_000)]  # new container objects, alive
    heap.freeze_imported_heap()
    assert gc.get_freeze_count() == frozen, "no module was imported, so nothing new is frozen"

    import_new_module()
    heap.freeze_imported_heap()
    assert gc.get_freeze_count() >= frozen + len(survivors)


def test_garbage_cycles_are_collected_before_freezing(import_new_module):
    """Unreachable cycles alive at the moment of freezing would never be collected: they must go first."""

    class Node:
        pass

    gc.disable()  # no automatic collection may hide a missing one
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b
        assert probe() is not None, "a cycle survives reference counting"
        import_new_module()
        heap.freeze_imported_heap()
        assert probe() is None
    finally:
        gc.enable()
