"""Requests the API server throttles: a 429 with Retry-After is retried, a few times, bounded.

API priority and fairness (and max-in-flight) answer 429 Too Many Requests with a
Retry-After header before the request is processed, so sending it again later is safe.
`Mutator` (the one place the engine's requests go out) retries such an answer after the
delay the server asked for, up to `kube.retry_attempts` tries in all and
`kube.retry_wait_seconds` waited in all; each retry is told to `on_retry` first (the
engine shows it as progress and audits it). A 429 without Retry-After is not retried
here: an eviction a PodDisruptionBudget refuses says so, and the drain waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from kubechat_tui.config.settings import KubeSettings

THROTTLED = 429
RETRY_AFTER_STATUSES = frozenset({429, 503})  # answers that may carry Retry-After


@dataclass(frozen=True)
class Throttled:
    """One retry about to happen: which request, which try failed, how long we wait."""

    cluster: str
    request: str  # `PATCH /apis/apps/v1/...` (no query, no body)
    attempt: int  # the try that was answered 429 (1-based)
    attempts: int  # tries allowed in all
    wait: float  # seconds until the next try
    message: str  # the server's message

    def line(self) -> str:
        """`prod-eu answered 429 (Too many requests...): retrying in 1s (try 2 of 3)`."""
        return (f"{self.cluster} answered {THROTTLED} ({self.message}): retrying in "
                f"{self.wait:g}s (try {self.attempt + 1} of {self.attempts})")

    def to_json(self) -> dict[str, Any]:
        """The audit form."""
        return {"cluster": self.cluster, "request": self.request, "status": THROTTLED,
                "attempt": self.attempt, "attempts": self.attempts, "wait_seconds": self.wait,
                "message": self.message}


RetryCallback = Callable[[Throttled], None]


@dataclass(frozen=True)
class ThrottleRetry:
    """How many tries a throttled request gets and how long they may wait in all."""

    attempts: int = 1  # 1: never retried
    max_wait_seconds: float = 0.0
    on_retry: RetryCallback | None = None
    sleep: Callable[[float], None] = time.sleep

    def telling(self, on_retry: RetryCallback | None) -> ThrottleRetry:
        """The same bounds, reporting each retry to `on_retry`."""
        return replace(self, on_retry=on_retry)

    def wait(self, status: int, retry_after: float | None, attempt: int,
             waited: float) -> float | None:
        """Seconds to wait before try `attempt + 1`, or None: not retried (not a 429 with
        Retry-After, no tries left, or the delay asked for is beyond the budget)."""
        if status != THROTTLED or not retry_after or attempt >= self.attempts:
            return None
        if waited + retry_after > self.max_wait_seconds:
            return None
        return float(retry_after)

    def gave_up(self, retry_after: float | None, attempt: int, waited: float) -> str:
        """Why a 429 was not retried again, for its error message ('' when never tried)."""
        if not retry_after or self.attempts <= 1:
            return ""
        if attempt >= self.attempts:
            return f"still throttled after {attempt} tries ({waited:g}s waited)"
        return (f"the server asked to wait {retry_after:g}s, beyond the "
                f"{self.max_wait_seconds:g}s retry budget (kube.retry_wait_seconds)")


NO_RETRY = ThrottleRetry()


def throttle_retry(kube: KubeSettings) -> ThrottleRetry:
    """The configured bounds (`kube.retry_attempts`, `kube.retry_wait_seconds`)."""
    return ThrottleRetry(kube.retry_attempts, kube.retry_wait_seconds)


def retry_after_of(body: Mapping[str, Any]) -> float | None:
    """The `details.retryAfterSeconds` of a Status body (None when absent or 0)."""
    details = body.get("details") if isinstance(body, Mapping) else None
    value = details.get("retryAfterSeconds") if isinstance(details, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    return float(value)


def fold_retry_after(status: int, header: str | None, raw: bytes) -> bytes:
    """The body of a 429/503 with its Retry-After header (delay-seconds) put into the
    Status's `details.retryAfterSeconds`, where every reader looks. The API server sends
    the header with a plain-text body when priority and fairness throttle a request."""
    if status not in RETRY_AFTER_STATUSES or not header or not header.strip().isdigit():
        return raw
    seconds = int(header.strip())
    try:
        doc = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        doc = None
    if not isinstance(doc, dict):
        text = raw[:200].decode("utf-8", "replace").strip()
        doc = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": text or f"HTTP {status}", "code": status,
               "reason": "TooManyRequests" if status == THROTTLED else "ServiceUnavailable"}
    details = doc.get("details")
    if retry_after_of(doc) is None:
        doc["details"] = {**(details if isinstance(details, dict) else {}),
                          "retryAfterSeconds": seconds}
    return orjson.dumps(doc)
