"""An aggregated, live table of one resource kind across the selected clusters.

One daemon thread per cluster lists (paginated, parsed off the UI thread) and then watches;
a semaphore bounds how many clusters fetch and parse a page at once, so the first cluster's
rows arrive early instead of every cluster finishing late together. `on_change` is called
from those threads after each page or watch batch; `rows()` is a cheap snapshot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from kubechat_tui.config.settings import KubeSettings
from kubechat_tui.kube.feed import ClusterFeed, FeedSpec
from kubechat_tui.kube.kinds import KINDS, Row, collection_path, reader_for
from kubechat_tui.kube.types import LoadProgress, ResourceKind

__all__ = ["KINDS", "Inventory"]


class Inventory:
    """Rows of `kind` from `clusters`, kept current by watches."""

    def __init__(self, fleet: Any, kind: ResourceKind, clusters: Sequence[str],
                 namespace: str | None = None, label_selector: str | None = None) -> None:
        self.fleet = fleet
        self.kind = kind
        self.clusters = list(dict.fromkeys(clusters))
        self.namespace = namespace
        self.label_selector = label_selector or None
        settings = getattr(getattr(fleet, "settings", None), "kube", None) or KubeSettings()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._gate = threading.Semaphore(settings.list_workers)
        self._snapshot: list[Row] | None = None
        self._on_change: Callable[[], None] = _ignore
        spec = FeedSpec(collection_path(kind, namespace), self.label_selector,
                        settings.page_size, settings.max_rows_per_cluster)
        self._feeds = [
            ClusterFeed(cluster, _client_of(fleet, cluster), reader_for(kind), spec,
                        self._lock, self._changed, self._stop, self._gate)
            for cluster in self.clusters
        ]
        self._threads: list[threading.Thread] = []

    def start(self, on_change: Callable[[], None]) -> None:
        """Start listing and watching every cluster (returns at once)."""
        self._on_change = on_change
        self._threads = [threading.Thread(target=feed.run, daemon=True,
                                          name=f"kubechat-{self.kind.name}-{feed.cluster}")
                         for feed in self._feeds]
        for thread in self._threads:
            thread.start()

    def rows(self) -> list[Row]:
        """Every row so far, clusters in selection order (a new list the caller may keep)."""
        with self._lock:
            if self._snapshot is None:
                snapshot: list[Row] = []
                for feed in self._feeds:
                    snapshot.extend(feed.rows.values())
                self._snapshot = snapshot
            return list(self._snapshot)

    def progress(self) -> dict[str, LoadProgress]:
        """Per-cluster load state (copies)."""
        with self._lock:
            return {feed.cluster: replace(feed.progress) for feed in self._feeds}

    def stop(self) -> None:
        """Stop every feed without waiting (safe on the UI thread): open watches are cut,
        a list in flight finishes in the background and its rows are dropped."""
        self._stop.set()
        for feed in self._feeds:
            feed.interrupt()

    def join(self, timeout: float = 2.0) -> bool:
        """Wait until every feed thread ended (after stop); False on timeout."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def _changed(self) -> None:
        with self._lock:
            self._snapshot = None
        if not self._stop.is_set():
            self._on_change()


def _client_of(fleet: Any, cluster: str) -> Callable[[], Any]:
    return lambda: fleet.client(cluster)


def _ignore() -> None:
    """The on_change used before start()."""
