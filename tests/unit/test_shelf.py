"""server.shelf: the bounded store every session of a server shares keeps the most recently used few."""

from __future__ import annotations

import threading

from server.shelf import Shelf


def test_the_shelf_keeps_the_most_recently_used_few():
    shelf = Shelf(max_entries=2)
    assert shelf.get("a") is None
    shelf.put("a", 1)
    shelf.put("b", 2)
    assert shelf.get("a") == 1  # used: "b" is now the oldest
    shelf.put("c", 3)
    assert len(shelf) == 2 and shelf.get("b") is None and (shelf.get("a"), shelf.get("c")) == (1, 3)
    shelf.put(("data", 3), 4)  # any hashable key
    assert shelf.get(("data", 3)) == 4 and len(shelf) == 2


def test_many_threads_at_once_keep_it_bounded():
    shelf = Shelf(max_entries=5)
    threads = [threading.Thread(target=lambda k=k: [shelf.put((k, i), i) for i in range(200)]) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(shelf) == 5
