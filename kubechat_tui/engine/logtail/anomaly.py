"""Lightweight anomaly heuristics per stream, on the lines' own timestamps.

Rate: error lines are counted in BUCKET_SECONDS buckets; once BASELINE_BUCKETS buckets
have passed, a bucket whose error count exceeds both MIN_BURST and FACTOR times the
rolling mean (plus SPREAD standard deviations) marks the stream (once per burst).
Signature: an error line whose template (`severity.template`) was not seen while the
stream's baseline formed (its first BASELINE_SECONDS) is flagged, once per template.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

from kubechat_tui.domain.log_records import StreamKey
from kubechat_tui.engine.logtail.severity import template

NS = 1_000_000_000
BUCKET_SECONDS = 10
HISTORY_BUCKETS = 30  # the rolling baseline: 5 minutes
BASELINE_BUCKETS = 3
MIN_BURST = 5
FACTOR = 3.0
SPREAD = 4.0
BASELINE_SECONDS = 60
MAX_SIGNATURES = 2000


@dataclass(frozen=True)
class Anomaly:
    """A card: what is unusual about a stream, when."""

    key: StreamKey
    kind: str  # "rate" or "signature"
    text: str
    ts_ns: int

    def line(self) -> str:
        """One line for cards and the CLI."""
        return f"[{self.key.label()}] {self.text}"


class StreamBaseline:
    """One stream's error counts and known error templates."""

    def __init__(self, key: StreamKey) -> None:
        self.key = key
        self.history: deque[int] = deque(maxlen=HISTORY_BUCKETS)
        self.bucket: int | None = None
        self.errors = 0
        self.alarmed = False
        self.first_ns: int | None = None
        self.signatures: set[str] = set()

    def observe(self, ts_ns: int, is_error: bool, text: str) -> list[Anomaly]:
        """Count a line; the anomalies it reveals."""
        if self.first_ns is None:
            self.first_ns = ts_ns
        self._advance(ts_ns // (BUCKET_SECONDS * NS))
        if not is_error:
            return []
        self.errors += 1
        found = []
        rate = self._rate_alarm(ts_ns)
        if rate:
            found.append(rate)
        shape = template(text)
        if shape not in self.signatures and len(self.signatures) < MAX_SIGNATURES:
            self.signatures.add(shape)
            if ts_ns - self.first_ns >= BASELINE_SECONDS * NS:
                found.append(Anomaly(self.key, "signature",
                                     f"new error signature: {shape}", ts_ns))
        return found

    def _advance(self, bucket: int) -> None:
        if self.bucket is None:
            self.bucket = bucket
            return
        if bucket <= self.bucket:
            return
        self.history.append(self.errors)
        for _ in range(min(bucket - self.bucket - 1, HISTORY_BUCKETS)):
            self.history.append(0)
        self.bucket, self.errors, self.alarmed = bucket, 0, False

    def _rate_alarm(self, ts_ns: int) -> Anomaly | None:
        if self.alarmed or len(self.history) < BASELINE_BUCKETS:
            return None
        mean = statistics.fmean(self.history)
        spread = statistics.pstdev(self.history)
        threshold = max(MIN_BURST, FACTOR * mean + SPREAD * spread)
        if self.errors <= threshold:
            return None
        self.alarmed = True
        return Anomaly(self.key, "rate",
                       f"error rate {self.errors}/{BUCKET_SECONDS}s, baseline "
                       f"{mean:.1f}/{BUCKET_SECONDS}s", ts_ns)
