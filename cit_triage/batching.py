"""Fewer garbage collections while a batch runs.

Every suggestion leaves dozens of short-lived container objects; at Python's default threshold
(700 allocations) the collector runs so often that it costs a fifth to a third of a batch's
time. While any batch runs, the youngest generation is collected only every ``threshold``
allocations. The threshold is process-wide, so overlapping batches (a service's threads) share
one change: the first to start sets it, the last to finish puts back what was there.
"""

from __future__ import annotations

import contextlib
import gc
import threading

BATCH_THRESHOLD = 50_000

_lock = threading.Lock()
_running = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextlib.contextmanager
def fewer_collections(threshold: int = BATCH_THRESHOLD):
    """Collect the youngest generation every ``threshold`` allocations inside the block."""
    global _running, _saved
    with _lock:
        if _running == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(threshold, _saved[1], _saved[2])
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.set_threshold(*_saved)
