"""The fleet: the session's clusters, each served by one context, with health and identity.

`cluster_names()` are clusters (API servers, see `kube.topology`), never context names: the
clusters of the contexts asked for, or every cluster of the kubeconfig. Each is reached
through exactly one context (`context_of`); `via()` routes through other contexts by name.
Health checks run in a small pool of daemon threads (`HEALTH_WORKERS`) that probe whichever
cluster is due next, with backoff on failure: a broken cluster never blocks or crashes the
others, and 50 clusters do not start 50 threads (or 50 TLS handshakes at once) while the
first lists load.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import orjson
from kubernetes.client import ApiClient
from kubernetes.config.config_exception import ConfigException

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube import health
from kubechat_tui.kube.client import JSON, ClusterClient, Query
from kubechat_tui.kube.credentials import build_api_client
from kubechat_tui.kube.errors import ApiError, CredentialError, KubeconfigError
from kubechat_tui.kube.kubeconfig import load_kubeconfig
from kubechat_tui.kube.topology import Topology
from kubechat_tui.kube.types import ClusterStatus, Health

StatusCallback = Callable[[ClusterStatus], None]
CLOSE_WAIT = 1.0  # seconds close() waits for health threads (they are daemons)
HEALTH_WORKERS = 8  # clusters probed at once (a blackholed one holds a worker until timeout)


class Fleet:
    """The session's clusters, each reached through the one context serving it; thread-safe.

    Requests name a cluster (`request(cluster, ...)`) and go out with the credentials of
    that cluster's serving context; `via(contexts)` routes them through other contexts of
    the same kubeconfig (an approver's, `--as USER`), never silently through another one.
    """

    def __init__(self, settings: Settings, topology: Topology,
                 serving: Mapping[str, str]) -> None:
        self.settings = settings
        self.topology = topology
        self.kubeconfig = topology.kubeconfig
        self._serving = dict(serving)
        self._clusters = list(serving)
        self._clients: dict[str, ClusterClient] = {}
        self._broken: dict[str, str] = {}
        self._statuses = {c: ClusterStatus(c, Health.CONNECTING, self.is_production(c),
                                           context=self._serving[c]) for c in self._clusters}
        self._callbacks: list[StatusCallback] = []
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}  # per context, held outside `_lock`
        self._stop = threading.Event()
        self._due = threading.Condition(self._lock)
        self._schedule: list[tuple[float, int, str]] = []  # (due, fleet order, cluster)
        self._failures: dict[str, int] = {}
        self._threads: list[threading.Thread] = []

    @classmethod
    def from_kubeconfig(cls, settings: Settings, kubeconfig: str | None = None,
                        contexts: Sequence[str] = ()) -> Fleet:
        """The fleet of `contexts` (default: every cluster, see `Topology.serving_contexts`)
        from the merged kubeconfig.

        Raises KubeconfigError (one line) for unreadable files, unknown or broken contexts,
        or two contexts asked for one cluster.
        """
        topology = Topology(load_kubeconfig(kubeconfig), settings.pinned_servers())
        serving = topology.serving_contexts(contexts, settings.cluster_contexts())
        fleet = cls(settings, topology, serving)
        for name in contexts:  # asked for by name: a broken one is a usage error
            fleet.context_client(name)
        return fleet

    @property
    def current_context(self) -> str | None:
        """The kubeconfig's current-context (None when unset)."""
        return self.kubeconfig.current_context

    @property
    def current_cluster(self) -> str | None:
        """The cluster the current context reaches, when this fleet serves it."""
        current = self.current_context
        entry = self.topology.contexts.get(current) if current else None
        return entry.cluster if entry is not None and entry.cluster in self._serving else None

    def cluster_names(self) -> list[str]:
        """The fleet's clusters, kubeconfig order."""
        return list(self._clusters)

    def context_names(self) -> list[str]:
        """Every usable context of the kubeconfig."""
        return list(self.topology.contexts)

    def routes(self) -> dict[str, str]:
        """cluster -> the context serving it."""
        return dict(self._serving)

    def context_of(self, cluster: str) -> str:
        """The context serving a cluster; KubeconfigError when the fleet does not have it."""
        try:
            return self._serving[cluster]
        except KeyError:
            raise KubeconfigError(not_in_session(cluster, self._clusters)) from None

    def namespace_of(self, cluster: str) -> str | None:
        """The namespace of the context serving a cluster (None: none set)."""
        context = self._serving.get(cluster)
        return self.topology.contexts[context].namespace if context else None

    def is_production(self, cluster: str) -> bool:
        """Production by the cluster's name or any alias (config patterns and tags)."""
        entry = self.topology.clusters.get(cluster)
        names = entry.names if entry is not None else (cluster,)
        return any(self.settings.is_production(name) for name in names)

    def client(self, cluster: str) -> ClusterClient:
        """The client of a cluster's serving context; KubeconfigError if it cannot be built."""
        return self.context_client(self.context_of(cluster))

    def context_client(self, context: str) -> ClusterClient:
        """The client of any usable context (built on first use, outside the fleet's lock:
        fetching the first credential may run an exec plugin); KubeconfigError if not. A
        broken kubeconfig entry is remembered; a credential failure is not (it may pass
        once the user logs in again: the plugin's own hold limits how often it runs)."""
        with self._lock:
            found = self._clients.get(context)
            if found is not None:
                return found
            if context in self._broken:
                raise KubeconfigError(self._broken[context])
            building = self._building.setdefault(context, threading.Lock())
        with building:  # one build per context; other contexts build meanwhile
            with self._lock:
                found = self._clients.get(context)
            if found is not None:
                return found
            built = self._build(context)
            with self._lock:
                self._clients[context] = built
            return built

    def _build(self, context: str) -> ClusterClient:
        try:
            entry = self.topology.context(context)
            return ClusterClient(entry.cluster, build_api_client(self.kubeconfig, context,
                                                                 self.settings.kube),
                                 self.settings.kube.connect_timeout_seconds,
                                 self.settings.kube.request_timeout_seconds)
        except CredentialError:
            raise
        except KubeconfigError as exc:
            self._remember_broken(context, str(exc))
            raise
        except (ConfigException, OSError, ValueError, TypeError) as exc:
            text = " ".join(str(exc).split()) or type(exc).__name__
            line = f"{self.kubeconfig.describe_sources()}: context {context!r}: {text}"
            self._remember_broken(context, line)
            raise KubeconfigError(line) from None

    def _remember_broken(self, context: str, line: str) -> None:
        with self._lock:
            self._broken[context] = line

    def api_client(self, cluster: str) -> ApiClient:
        """The configured official client of a cluster (for typed calls outside lists)."""
        return self.client(cluster).api

    def request(self, cluster: str, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                timeout: float | None = None, accept: str = JSON) -> tuple[int, bytes]:
        """Raw HTTP to a cluster through its serving context; status 0 when unreachable,
        misconfigured or not in this session."""
        try:
            context = self.context_of(cluster)
        except KubeconfigError as exc:
            return 0, orjson.dumps(_status_doc(str(exc)))
        return self.request_via(context, method, path, query=query, body=body,
                                content_type=content_type, timeout=timeout, accept=accept)

    def request_via(self, context: str, method: str, path: str, *, query: Query = None,
                    body: object | None = None, content_type: str | None = None,
                    timeout: float | None = None, accept: str = JSON) -> tuple[int, bytes]:
        """Raw HTTP through one named context (status 0 as for `request`)."""
        try:
            client = self.context_client(context)
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
        return parse_json(self.request(cluster, method, path, query=query, body=body,
                                       content_type=content_type, timeout=timeout))

    def via(self, contexts: Mapping[str, str]) -> ContextRouter:
        """Requests for these clusters through these contexts (cluster -> context)."""
        for cluster, context in contexts.items():
            reached = self.topology.context(context).cluster
            if reached != cluster:
                raise KubeconfigError(f"context {context!r} reaches cluster {reached!r}, "
                                      f"not {cluster!r}")
        return ContextRouter(self, contexts)

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
        production = self.is_production(cluster)
        try:
            found = health.probe(self.client(cluster), production)
        except CredentialError as exc:  # like a 401: the credentials, not the network
            found = ClusterStatus(cluster, Health.FORBIDDEN, production, error=str(exc))
        except KubeconfigError as exc:
            found = ClusterStatus(cluster, Health.UNREACHABLE, production, error=str(exc))
        return replace(found, context=self._serving[cluster])

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


class ContextRouter:
    """An ApiRequester sending each cluster's requests through one given context; a
    cluster it was not given answers status 0 (fails closed, like an unreachable one)."""

    def __init__(self, fleet: Fleet, contexts: Mapping[str, str]) -> None:
        self.fleet = fleet
        self.contexts = dict(contexts)

    def cluster_names(self) -> list[str]:
        """The clusters routed."""
        return list(self.contexts)

    def routes(self) -> dict[str, str]:
        """cluster -> the context its requests go through."""
        return dict(self.contexts)

    def client(self, cluster: str) -> ClusterClient:
        """The client of this router's context for the cluster (streams such as exec);
        KubeconfigError when the cluster is not routed."""
        context = self.contexts.get(cluster)
        if context is None:
            raise KubeconfigError(not_in_session(cluster, list(self.contexts)))
        return self.fleet.context_client(context)

    def request(self, cluster: str, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                timeout: float | None = None, accept: str = JSON) -> tuple[int, bytes]:
        """`Fleet.request` through this router's context for the cluster."""
        context = self.contexts.get(cluster)
        if context is None:
            return 0, orjson.dumps(_status_doc(not_in_session(cluster, list(self.contexts))))
        return self.fleet.request_via(context, method, path, query=query, body=body,
                                      content_type=content_type, timeout=timeout,
                                      accept=accept)

    def request_json(self, cluster: str, method: str, path: str, *, query: Query = None,
                     body: object | None = None, content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """`Fleet.request_json` through this router's context for the cluster."""
        return parse_json(self.request(cluster, method, path, query=query, body=body,
                                       content_type=content_type, timeout=timeout))


def not_in_session(cluster: str, clusters: Sequence[str]) -> str:
    """One line: a cluster this session does not reach."""
    have = ", ".join(clusters[:8]) + (" ..." if len(clusters) > 8 else "")
    return (f"cluster {cluster!r} is not in this session (clusters: {have or 'none'}); "
            "add a --context that reaches it")


def parse_json(answer: tuple[int, bytes]) -> tuple[int, dict[str, Any]]:
    """(status, body) with the body parsed ({} or a Status-like dict if not JSON)."""
    status, raw = answer
    try:
        doc = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        doc = _status_doc(raw[:200].decode("utf-8", "replace"))
    return status, doc if isinstance(doc, dict) else {"items": doc}


def _status_doc(message: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": "Unreachable", "code": 0}


def _with_retry(status: ClusterStatus, delay: float) -> ClusterStatus:
    return replace(status, retry_in=delay)
