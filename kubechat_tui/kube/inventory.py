"""An aggregated, live table of one resource kind across the selected clusters.

A bounded pool of loader threads (`list_workers`) lists the clusters in selection order, so
the first clusters' rows arrive early instead of every cluster finishing late together. The
first cluster's first page goes alone (the other loaders wait for it, or for a short grace),
and the first wave's first pages are capped (`FIRST_PAGE`): a quick first paint, and the
first cluster's rows on top. Once a cluster is listed, its own thread watches it (mostly
blocked on the socket); those threads are started by one starter thread, because starting a
thread blocks the starter until the new thread gets the GIL (tens of ms while pages are
parsed), which would idle the loaders. Pages are parsed in the loaders, never on the UI thread.
`on_change` is called after each page or watch batch; `rows()` is a cheap snapshot;
`progress()` says per cluster how far the list got and whether its rows are current.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from kubechat_tui.config.settings import KubeSettings
from kubechat_tui.kube import freshness
from kubechat_tui.kube.feed import ClusterFeed, FeedSpec
from kubechat_tui.kube.kinds import KINDS, Row, collection_path, reader_for
from kubechat_tui.kube.types import LoadProgress, ResourceKind

__all__ = ["FIRST_PAGE", "FIRST_PAGE_GRACE", "KINDS", "Inventory"]

# The first wave's first page is at most this long (a larger `kube.page_size` waits for the
# second page): a whole cluster of a typical size arrives in one page and paints at once,
# while a cluster of thousands of pods still shows its first rows early.
FIRST_PAGE = 1000
FIRST_PAGE_GRACE = 0.25  # seconds the other loaders wait for the first cluster's first page

Listed = tuple[ClusterFeed, str | None, float]  # a listed cluster: version to watch from, retry


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
        self.workers = max(1, min(settings.list_workers, len(self.clusters)))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._opened = threading.Event()  # the first page (or error) of any cluster came in
        self._gate = threading.Semaphore(self.workers)
        self._snapshot: list[Row] | None = None
        self._on_change: Callable[[], None] = _ignore
        spec = FeedSpec(collection_path(kind, namespace), self.label_selector,
                        settings.page_size, settings.max_rows_per_cluster)
        self._feeds = [
            ClusterFeed(cluster, _client_of(fleet, cluster), reader_for(kind),
                        _with_fallback(spec, fleet, kind, namespace, cluster),
                        self._lock, self._changed, self._stop, self._gate)
            for cluster in self.clusters
        ]
        self._pending: queue.SimpleQueue[tuple[ClusterFeed, int | None]] = queue.SimpleQueue()
        self._listed: queue.SimpleQueue[Listed | None] = queue.SimpleQueue()
        self._loaders = self.workers  # loaders still listing
        self._threads: list[threading.Thread] = []

    def start(self, on_change: Callable[[], None]) -> None:
        """Start listing (then watching) every cluster; returns at once. Only the first
        loader is started here (a thread start waits for the GIL, slow on a busy UI
        thread): each loader starts the next one, the last one the watch starter."""
        self._on_change = on_change
        for index, feed in enumerate(self._feeds):
            self._pending.put((feed, FIRST_PAGE if index < self.workers else None))
        self._spawn(self._load, (0,), f"kubechat-{self.kind.name}-loader-0")

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
        """Per-cluster load state and freshness, as of now (copies)."""
        now = time.monotonic()
        with self._lock:
            return {feed.cluster: freshness.seen(feed.progress, now) for feed in self._feeds}

    def stop(self) -> None:
        """Stop every feed without waiting (safe on the UI thread): open watches are cut,
        a page in flight finishes in the background and the rest of its list is skipped."""
        self._stop.set()
        self._opened.set()
        self._listed.put(None)
        for feed in self._feeds:
            feed.interrupt()

    def join(self, timeout: float = 2.0) -> bool:
        """Wait until every loader and feed thread ended (after stop); False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                alive = [t for t in self._threads if t.is_alive()]
            if not alive:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            alive[0].join(remaining)

    def _load(self, number: int) -> None:
        """A loader: start the next loader (or the watch starter), then list queued
        clusters in order and queue each for its watch. All but the first wait for the
        first page."""
        name = self.kind.name
        if number + 1 < self.workers:
            self._spawn(self._load, (number + 1,), f"kubechat-{name}-loader-{number + 1}")
        else:
            self._spawn(self._start_watches, (), f"kubechat-{name}-watch-starter")
        if number > 0:
            self._opened.wait(FIRST_PAGE_GRACE)
        while not self._stop.is_set():
            try:
                feed, first_page = self._pending.get_nowait()
            except queue.Empty:
                break
            version, retry_in = feed.load(first_page)
            if not self._stop.is_set():
                self._listed.put((feed, version, retry_in))
        with self._lock:
            self._loaders -= 1
            last = self._loaders == 0
        if last:
            self._listed.put(None)

    def _start_watches(self) -> None:
        """The watch starter: one thread per listed cluster, until every loader is done."""
        while (item := self._listed.get()) is not None:
            feed, version, retry_in = item
            self._spawn(feed.run, (version, retry_in), f"kubechat-{self.kind.name}-{feed.cluster}")

    def _spawn(self, target: Callable[..., None], args: tuple[Any, ...], name: str) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=name)
        with self._lock:
            if self._stop.is_set():
                return
            self._threads.append(thread)
        thread.start()

    def _changed(self) -> None:
        self._opened.set()
        with self._lock:
            self._snapshot = None
        if not self._stop.is_set():
            self._on_change()


def _with_fallback(spec: FeedSpec, fleet: Any, kind: ResourceKind, namespace: str | None,
                   cluster: str) -> FeedSpec:
    """A cluster-wide list falls back to the namespace of the context serving the cluster."""
    namespace_of = getattr(fleet, "namespace_of", None)
    own = namespace_of(cluster) if namespace is None and kind.namespaced and callable(
        namespace_of) else None
    return replace(spec, fallback=(own, collection_path(kind, own))) if own else spec


def _client_of(fleet: Any, cluster: str) -> Callable[[], Any]:
    return lambda: fleet.client(cluster)


def _ignore() -> None:
    """The on_change used before start()."""
