"""A bounded record of the requests each cluster received (for tests that check call patterns)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestRecord:
    """One answered request."""

    method: str
    path: str          # below the cluster prefix, e.g. /api/v1/namespaces/payments/pods
    query: str         # raw query string
    user: str          # authenticated username ("" when authentication failed)
    status: int
    content_type: str  # request Content-Type ("" without a body)

    @property
    def dry_run(self) -> bool:
        """True for dryRun=All requests."""
        return "dryRun=All" in self.query


class Journal:
    """Thread-safe, bounded list of RequestRecords."""

    def __init__(self, limit: int = 5000) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=limit)

    def add(self, record: RequestRecord) -> None:
        """Append a record."""
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        """A snapshot, oldest first."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self._records.clear()
