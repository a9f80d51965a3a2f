"""The fleet: one client per kubeconfig context, with health and identity per cluster.

`cluster_names()` are the clusters the console shows: the contexts asked for, or else every
context of the kubeconfig except identity variants `USER@CTX` of another context CTX
(the demo has `viewer@prod-eu` next to `prod-eu`). Every context stays reachable through
`request()` (see `context_names()`), so `--as USER` can route through `USER@CLUSTER`.
Health checks run in a small pool of daemon threads (`HEALTH_WORKERS`) that probe whichever
cluster is due next, with backoff on failure: a broken cluster never blocks or crashes the
others, and 50 clusters do not start 50 threads (or 50 TLS handshakes at once) while the
first lists load.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from kubernetes.client import ApiClient
from kubernetes.config.config_exception import ConfigException

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube import health
from kubechat_tui.kube.client import JSON, ClusterClient, Query
from kubechat_tui.kube.credentials import build_api_client
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.kubeconfig import Kubeconfig, load_kubeconfig
from kubechat_tui.kube.types import ClusterStatus, Health

StatusCallback = Callable[[ClusterStatus], None]
CLOSE_WAIT = 1.0  # seconds close() waits for health threads (they are daemons)
HEALTH_WORKERS = 8  # clusters probed at once (a blackholed one holds a worker until timeout)


class Fleet:
    """Clusters from kubeconfig contexts; thread-safe."""

    def __init__(self, settings: Settings, kubeconfig: Kubeconfig, clusters: Sequence[str]) -> None:
        self.settings = settings
        self.kubeconfig = kubeconfig
        self._clusters = list(clusters)
        self._clients: dict[str, ClusterClient] = {}
        self._broken: dict[str, str] = {}
        self._statuses = {c: ClusterStatus(c, Health.CONNECTING, settings.is_production(c))
                          for c in self._clusters}
        self._callbacks: list[StatusCallback] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._due = threading.Condition(self._lock)
        self._schedule: list[tuple[float, int, str]] = []  # (due, fleet order, cluster)
        self._failures: dict[str, int] = {}
        self._threads: list[threading.Thread] = []

    @classmethod
    def from_kubeconfig(cls, settings: Settings, kubeconfig: str | None = None,
                        contexts: Sequence[str] = ()) -> Fleet:
        """The fleet of `contexts` (default: all clusters) from the merged kubeconfig.

        Raises KubeconfigError (one line) for unreadable files or unknown contexts.
        """
        loaded = load_kubeconfig(kubeconfig)
        chosen = list(dict.fromkeys(contexts)) or default_clusters(loaded.contexts)
        for name in chosen:
            loaded.check_context(name)
        fleet = cls(settings, loaded, chosen)
        for name in contexts:  # asked for by name: a broken one is a usage error
            fleet.client(name)
        return fleet

    @property
    def current_context(self) -> str | None:
        """The kubeconfig's current-context (None when unset)."""
        return self.kubeconfig.current_context

    def cluster_names(self) -> list[str]:
        """The fleet's clusters, kubeconfig order."""
        return list(self._clusters)

    def context_names(self) -> list[str]:
        """Every context of the kubeconfig (identity variants included)."""
        return list(self.kubeconfig.contexts)

    def client(self, context: str) -> ClusterClient:
        """The client of a context (built on first use); KubeconfigError if it cannot be."""
        with self._lock:
            found = self._clients.get(context)
            if found is not None:
                return found
            if context in self._broken:
                raise KubeconfigError(self._broken[context])
            try:
                self.kubeconfig.check_context(context)
                built = ClusterClient(context, build_api_client(self.kubeconfig, context,
                                                                self.settings.kube),
                                      self.settings.kube.connect_timeout_seconds,
                                      self.settings.kube.request_timeout_seconds)
            except KubeconfigError as exc:
                self._broken[context] = str(exc)
                raise
            except (ConfigException, OSError, ValueError, TypeError) as exc:
                text = " ".join(str(exc).split()) or type(exc).__name__
                self._broken[context] = (f"{self.kubeconfig.describe_sources()}: "
                                         f"context {context!r}: {text}")
                raise KubeconfigError(self._broken[context]) from None
            self._clients[context] = built
            return built

    def api_client(self, cluster: str) -> ApiClient:
        """The configured official client of a cluster (for typed calls outside lists)."""
        return self.client(cluster).api

    def request(self, cluster: str, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                timeout: float | None = None, accept: str = JSON) -> tuple[int, bytes]:
        """Raw HTTP through the cluster's client; status 0 when unreachable or misconfigured."""
        try:
            client = self.client(cluster)
            return client.request(method, path, query=query, body=body,
                                  content_type=content_type, accept=accept, timeout=timeout)
        except ApiError as exc:
            return 0, orjson.dumps(_status_doc(exc.message))
        except KubeconfigError as exc:
            return 0, orjson.dumps(_status_doc(str(exc)))

    def request_json(self, cluster: str, method: str, path: str, *, query: Query = None,
                     body: object | None = None, content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """`request` with the body parsed by orjson ({} or a Status-like dict if not JSON)."""
        status, raw = self.request(cluster, method, path, query=query, body=body,
                                   content_type=content_type, timeout=timeout)
        try:
            doc = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            doc = _status_doc(raw[:200].decode("utf-8", "replace"))
        return status, doc if isinstance(doc, dict) else {"items": doc}

    def status(self, cluster: str) -> ClusterStatus:
        """The latest health and identity of a cluster."""
        with self._lock:
            return self._statuses[cluster]

    def statuses(self) -> list[ClusterStatus]:
        """Every cluster's status, fleet order."""
        with self._lock:
            return [self._statuses[c] for c in self._clusters]

    def on_status(self, callback: StatusCallback) -> None:
        """Call `callback` (from worker threads) whenever a cluster's status changes."""
        with self._lock:
            self._callbacks.append(callback)

    def start(self) -> None:
        """Start background health/identity checks (idempotent, never blocks): a few
        workers probe the clusters in fleet order, then each again when it is due. The
        caller starts one thread; that one starts the other workers (a thread start waits
        for the new thread to take the GIL, which is slow while lists are being parsed)."""
        with self._lock:
            if self._threads or self._stop.is_set():
                return
            now = time.monotonic()
            self._schedule = [(now, i, c) for i, c in enumerate(self._clusters)]
            self._threads = [self._worker(0)]
        self._threads[0].start()

    def _worker(self, number: int) -> threading.Thread:
        return threading.Thread(target=self._monitor, args=(number,), daemon=True,
                                name=f"kubechat-health-{number}")

    def check(self, cluster: str) -> ClusterStatus:
        """Probe one cluster now (blocking) and record the result."""
        result = self._probe(cluster)
        self._publish(result)
        return result

    def _probe(self, cluster: str) -> ClusterStatus:
        production = self.settings.is_production(cluster)
        try:
            return health.probe(self.client(cluster), production)
        except KubeconfigError as exc:
            return ClusterStatus(cluster, Health.UNREACHABLE, production, error=str(exc))

    def close(self) -> None:
        """Stop health checks and close every connection pool."""
        with self._due:
            self._stop.set()
            self._due.notify_all()
        deadline = time.monotonic() + CLOSE_WAIT
        with self._lock:
            threads = list(self._threads)
        for thread in threads:  # a probe in flight may hold its thread until timeout
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def _monitor(self, number: int) -> None:
        """A health worker: probe the cluster due next, then schedule its next check.
        Worker 0 first starts the others."""
        if number == 0:
            for other in range(1, min(HEALTH_WORKERS, len(self._clusters))):
                with self._lock:
                    if self._stop.is_set():
                        return
                    thread = self._worker(other)
                    self._threads.append(thread)
                thread.start()
        while True:
            cluster = self._next_due()
            if cluster is None:
                return
            result = self._probe(cluster)
            with self._lock:
                failures = 0 if result.health is Health.OK else self._failures.get(cluster, 0) + 1
                self._failures[cluster] = failures
            delay = health.backoff(failures) if failures else health.HEALTHY_RECHECK
            if failures:
                result = _with_retry(result, delay)
            self._publish(result)
            with self._due:
                heapq.heappush(self._schedule, (time.monotonic() + delay,
                                                self._clusters.index(cluster), cluster))
                self._due.notify()

    def _next_due(self) -> str | None:
        """Wait for the next cluster whose check is due; None once the fleet is closed."""
        with self._due:
            while not self._stop.is_set():
                wait = self._schedule[0][0] - time.monotonic() if self._schedule else None
                if wait is not None and wait <= 0:
                    return heapq.heappop(self._schedule)[2]
                self._due.wait(wait)
            return None

    def _publish(self, status: ClusterStatus) -> None:
        with self._lock:
            changed = self._statuses.get(status.name) != status
            self._statuses[status.name] = status
            callbacks = list(self._callbacks)
        if changed and not self._stop.is_set():
            for callback in callbacks:
                callback(status)


def default_clusters(contexts: Sequence[str]) -> list[str]:
    """Every context except `USER@CTX` identity variants of another context CTX."""
    names = set(contexts)
    return [c for c in contexts if not ("@" in c and c.rsplit("@", 1)[1] in names)]


def _status_doc(message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": "Unreachable", "code": 0}


def _with_retry(status: ClusterStatus, delay: float) -> ClusterStatus:
    return ClusterStatus(status.name, status.health, status.production, status.identity,
                         status.groups, status.error, retry_in=delay)
