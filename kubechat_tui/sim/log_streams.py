"""Open log follow streams per cluster, so a fault can cut them and written lines wake them.

A stream waits on its queue between polls: `wake` puts True there (new lines were written
to a container), `cut` puts None (the `drop_logs` fault: the connection is aborted).
Lines written to a container (`write`) are kept per (pod uid, container), the newest
`MAX_WRITTEN` of them, and served with the generated ones.
"""

from __future__ import annotations

import asyncio
from collections import deque

from kubechat_tui.sim.clock import now

MAX_WRITTEN = 10_000
Line = tuple[float, str]
Wakeup = asyncio.Queue[bool | None]


class LogStreams:
    """The follow streams open on each cluster and the lines written to containers."""

    def __init__(self, clusters: list[str]) -> None:
        self._open: dict[str, set[Wakeup]] = {c: set() for c in clusters}
        self._written: dict[tuple[str, str, str], deque[Line]] = {}

    def open(self, cluster: str) -> Wakeup:
        """Register a follow stream; its queue says when to look again (None: cut)."""
        queue: Wakeup = asyncio.Queue()
        self._open[cluster].add(queue)
        return queue

    def close(self, cluster: str, queue: Wakeup) -> None:
        """Forget a stream that ended."""
        self._open[cluster].discard(queue)

    def cut(self, cluster: str) -> int:
        """Abort every follow stream open on the cluster (once); returns how many."""
        streams = list(self._open[cluster])
        for queue in streams:
            queue.put_nowait(None)
        return len(streams)

    def write(self, cluster: str, uid: str, container: str, texts: list[str]) -> None:
        """Append lines to a container's log, stamped now (a microsecond apart), and wake
        the streams following that cluster."""
        lines = self._written.setdefault((cluster, uid, container), deque(maxlen=MAX_WRITTEN))
        at = max(now(), lines[-1][0] + 1e-6 if lines else 0.0)
        for index, text in enumerate(texts):
            lines.append((at + index * 1e-6, text))
        for queue in list(self._open[cluster]):
            queue.put_nowait(True)

    def written(self, cluster: str, uid: str, container: str, after: float,
                until: float) -> list[Line]:
        """The written lines stamped in (after, until]."""
        lines = self._written.get((cluster, uid, container)) or ()
        return [line for line in lines if after < line[0] <= until]
