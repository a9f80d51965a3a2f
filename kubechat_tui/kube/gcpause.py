"""Pause the cyclic garbage collector while big list pages are parsed.

Parsing a page allocates tens of thousands of small dicts and strings; with the collector
on, each page triggers collections that rescan the whole (large, long-lived) heap, which
made parsing ~8x slower than orjson itself. JSON trees hold no reference cycles, so
reference counting frees them; the collector is resumed when the last parser finishes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic GC off (re-entrant across threads)."""
    global _active, _resume
    with _lock:
        if _active == 0:
            _resume = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _resume:
                gc.enable()
