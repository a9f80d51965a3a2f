"""The tail's memory: a ring of the newest entries (its size is `kube.log_ring_lines`),
each line tagged with its severity and any anomaly it revealed. Thread-safe: streams add
from their threads, the console and the CLI read by sequence number.

Memory is constant over a long tail: the ring holds at most `capacity` entries, the
anomaly cards at most MAX_CARDS, the per-stream baselines a bounded history each.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass

from kubechat_tui.domain.log_records import LogEvent, LogLine, StreamKey
from kubechat_tui.engine.logtail.anomaly import Anomaly, StreamBaseline
from kubechat_tui.engine.logtail.severity import Severity, severity

MAX_CARDS = 200
MAX_BASELINES = 5000  # streams tracked (a tail of more pods than this stops adding)


@dataclass(frozen=True, slots=True)
class Entry:
    """One buffered event with its sequence number (1, 2, ... never reused)."""

    seq: int
    event: LogEvent
    severity: Severity | None = None
    flag: str = ""  # the anomaly this line revealed, if any

    @property
    def key(self) -> StreamKey | None:
        """The stream it belongs to (None for a note about the whole tail)."""
        return self.event.key

    @property
    def text(self) -> str:
        """The line's text, or the note's line."""
        event = self.event
        return event.text if isinstance(event, LogLine) else event.line()


class TailBuffer:
    """Newest `capacity` entries, anomaly cards and marked streams."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ring: deque[Entry] = deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._seq = 0
        self._baselines: dict[StreamKey, StreamBaseline] = {}
        self.cards: deque[Anomaly] = deque(maxlen=MAX_CARDS)
        self.marked: set[StreamKey] = set()
        self.lines_seen = 0
        self.cards_raised = 0

    def add(self, event: LogEvent) -> None:
        """Buffer an event (called from stream threads)."""
        level: Severity | None = None
        found: list[Anomaly] = []
        with self._lock:
            if isinstance(event, LogLine):
                self.lines_seen += 1
                level = severity(event.text)
                baseline = self._baseline(event.key)
                if baseline is not None:
                    found = baseline.observe(event.ts_ns, level in ("error", "fatal"),
                                             event.text)
                for anomaly in found:
                    self.cards.append(anomaly)
                    self.cards_raised += 1
                    if anomaly.kind == "rate":
                        self.marked.add(anomaly.key)
            self._seq += 1
            self._ring.append(Entry(self._seq, event, level,
                                    "; ".join(a.text for a in found)))

    def _baseline(self, key: StreamKey) -> StreamBaseline | None:
        found = self._baselines.get(key)
        if found is None and len(self._baselines) < MAX_BASELINES:
            found = self._baselines[key] = StreamBaseline(key)
        return found

    @property
    def last_seq(self) -> int:
        """The sequence number of the newest entry (0: none yet)."""
        with self._lock:
            return self._seq

    def since(self, seq: int) -> list[Entry]:
        """Entries newer than `seq` still in the ring, oldest first."""
        with self._lock:
            if not self._ring or self._ring[-1].seq <= seq:
                return []
            newer = list(itertools.islice(reversed(self._ring), self._seq - seq))
        newer.reverse()
        return newer

    def entries(self) -> list[Entry]:
        """Every buffered entry, oldest first."""
        with self._lock:
            return list(self._ring)

    def cards_since(self, raised: int) -> list[Anomaly]:
        """Cards raised after the first `raised` (the older ones may have left the ring)."""
        with self._lock:
            newer = min(self.cards_raised - raised, len(self.cards))
            return list(self.cards)[len(self.cards) - newer:] if newer > 0 else []
