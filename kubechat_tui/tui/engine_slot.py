"""The console's engine: opened once, on first use, off the UI thread; closed at exit.

    slot = EngineSlot(lambda: open_fleet_engine(settings, fleet, data_dir, clusters))
    handle = slot.get()      # blocking (network + database): call it from a worker
    slot.close()             # at exit: waits for webhook deliveries, signs the audit head,
                             # closes the database; returns the lost announcements

A failed open raises and is retried on the next `get()` (after fixing a broken policy
file, say), so the console never holds a half-open engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by whoever opens it, not at console start
    from kubechat_tui.engine.wiring import EngineHandle


class EngineClosed(RuntimeError):
    """The console is shutting down; no new work starts."""


class EngineSlot:
    """Holds the session's engine handle; thread-safe."""

    def __init__(self, opener: Callable[[], EngineHandle]) -> None:
        self._opener = opener
        self._lock = threading.Lock()
        self._handle: EngineHandle | None = None
        self._closed = False

    @property
    def handle(self) -> EngineHandle | None:
        """The open engine, or None before the first successful open."""
        return self._handle

    def get(self) -> EngineHandle:
        """The engine, opened now when needed (blocking)."""
        with self._lock:
            if self._closed:
                raise EngineClosed("the console is shutting down")
            if self._handle is None:
                self._handle = self._opener()
            return self._handle

    def close(self) -> list[str]:
        """Close the engine (idempotent); one line per approval request that was not
        announced on the webhook (`EngineHandle.close`)."""
        with self._lock:
            self._closed = True
            handle, self._handle = self._handle, None
        return handle.close() if handle is not None else []
