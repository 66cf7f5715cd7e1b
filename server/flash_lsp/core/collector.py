"""The cyclic garbage collector held back while an analysis runs (docs/architecture.md,
"Garbage collection during an analysis").

An analysis allocates hundreds of thousands of small objects (AST nodes, simulated values) that
reference counting frees; with the default threshold (a collection every 700 net allocations) the
collector re-scans the survivors over and over, which on a 2,000-module project costs about as
much as the analysis itself. While at least one analysis runs (in any thread), the first
generation is collected only every 100,000 allocations; the previous thresholds come back when
the last one ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_THRESHOLDS = (100_000, 20, 100)  # what the one-shot CLI sets for the whole run
_lock = threading.Lock()
_running = 0
_saved: tuple[int, ...] | None = None  # the thresholds to put back (None: left as they were)


@contextmanager
def relaxed_gc() -> Iterator[None]:
    global _running, _saved
    with _lock:
        if _running == 0:
            current = gc.get_threshold()
            _saved = current if 0 < current[0] < _THRESHOLDS[0] else None  # 0: collection is off
            if _saved is not None:
                gc.set_threshold(*_THRESHOLDS)
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _saved is not None:
                gc.set_threshold(*_saved)
