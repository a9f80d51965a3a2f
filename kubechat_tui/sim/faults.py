"""Per-cluster faults injected on demand: latency, errors, throttling, outages, dropped watches."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, fields, replace

from kubechat_tui.sim.status import ApiError, internal_error, too_many_requests

_REASONS = {500: "InternalError", 502: "", 503: "ServiceUnavailable", 504: "Timeout"}


@dataclass(frozen=True)
class FaultState:
    """The fault settings in force for one cluster."""

    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 500
    throttle: bool = False
    retry_after: int = 1
    unreachable: bool = False
    blackhole: bool = False  # unreachable by timeout: accept, then never answer
    drop_watches: bool = False


class Faults:
    """Thread-safe fault switchboard for one cluster (set from tests, read by the server)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = FaultState()
        self._rng = random.Random(7)

    @property
    def state(self) -> FaultState:
        """The current settings."""
        with self._lock:
            return self._state

    def set(self, **settings: object) -> None:
        """Change some settings (unknown names raise TypeError); the others keep their values."""
        known = {f.name for f in fields(FaultState)}
        unknown = set(settings) - known
        if unknown:
            raise TypeError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        with self._lock:
            self._state = replace(self._state, **settings)  # type: ignore[arg-type]

    def clear(self) -> None:
        """Back to a healthy cluster."""
        with self._lock:
            self._state = FaultState()

    def injected_error(self) -> ApiError | None:
        """The error this request should fail with, if any."""
        state = self.state
        if state.throttle:
            return too_many_requests(state.retry_after)
        with self._lock:
            roll = self._rng.random()
        if state.error_rate and roll < state.error_rate:
            if state.error_status == 429:
                return too_many_requests(state.retry_after)
            if state.error_status == 500:
                return internal_error("etcdserver: request timed out")
            reason = _REASONS.get(state.error_status, "")
            return ApiError(state.error_status, reason,
                            "the server is currently unable to handle the request"
                            if state.error_status == 503 else
                            f"simulated failure (HTTP {state.error_status})", {})
        return None
