"""How long a cluster's list or watch waits before its next attempt.

Full-jitter exponential backoff (a random delay below 0.2 s, 0.4 s, ... at most 5 s), so a
failing cluster is retried within seconds and many clusters do not retry in step; a delay the
server asks for (Retry-After on 429/503) is honoured up to RETRY_AFTER_MAX. The count starts
again after a watch that stayed up (`reset`), so a dropped watch reconnects at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable

BASE_SECONDS = 0.2
MAX_SECONDS = 5.0
RETRY_AFTER_MAX = 30.0
_MAX_DOUBLINGS = 16  # far past MAX_SECONDS: keeps 2 ** n small


class Backoff:
    """Consecutive failures of one feed and the delay each one earns."""

    def __init__(self, rng: Callable[[], float] = random.random) -> None:
        self.failures = 0
        self._rng = rng

    def reset(self) -> None:
        """The last attempt worked: the next failure waits the shortest delay."""
        self.failures = 0

    def delay(self, retry_after: float | None = None) -> float:
        """Count a failure; seconds to wait: the server's Retry-After (bounded) when given,
        else a random share of the doubled ceiling."""
        self.failures += 1
        if retry_after:
            return min(float(retry_after), RETRY_AFTER_MAX)
        doublings = min(self.failures - 1, _MAX_DOUBLINGS)
        return self._rng() * min(MAX_SECONDS, BASE_SECONDS * 2 ** doublings)
