"""The live-inventory view the planner needs: small raw-JSON queries through the Fleet.

`FleetView` answers "how many pods are behind this deployment", "which PDBs and Services
select them", "how many objects does this selector match" per cluster. Every answer is
None when unknown (cluster down, forbidden, timeout): the planner then shows `affected=None`
instead of guessing. Answers are cached for `ttl` seconds so re-scoring an edited plan is
fast. Blocking: call it from worker threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from kubechat_tui.domain import RESOURCES
from kubechat_tui.kube import failures

PAGE = 500
MAX_COUNT_PAGES = 20  # count at most 10,000 objects per query
METRICS_API = "/apis/metrics.k8s.io/v1beta1"
MAX_PARALLEL = 16  # clusters queried at once
T = TypeVar("T")


@runtime_checkable
class JsonRequester(Protocol):
    """The part of `kube.fleet.Fleet` this module uses."""

    def cluster_names(self) -> list[str]: ...

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]: ...


@dataclass(frozen=True)
class Workload:
    """A deployment/statefulset/daemonset as the blast radius needs it."""

    cluster: str
    namespace: str
    name: str
    replicas: int
    ready: int
    selector: str  # label selector string built from matchLabels/matchExpressions
    template_labels: Mapping[str, str]
    containers: tuple[tuple[str, str], ...]  # (name, image)


@dataclass(frozen=True)
class Pdb:
    """A PodDisruptionBudget and how many disruptions it allows right now."""

    name: str
    disruptions_allowed: int
    selector: Mapping[str, Any]


@dataclass(frozen=True)
class ServiceInfo:
    """A Service selecting some pods, with its ready endpoint count."""

    name: str
    selector: Mapping[str, str]
    ready_endpoints: int | None


class ClusterView(Protocol):
    """What the planner reads from the live fleet (all answers may be None)."""

    def cluster_names(self) -> list[str]: ...

    def namespaces(self, cluster: str) -> list[str] | None: ...

    def locate(self, cluster: str, resource: str, name: str) -> list[str] | None: ...

    def workload(self, cluster: str, resource: str, namespace: str | None,
                 name: str) -> Workload | None: ...

    def count(self, cluster: str, resource: str, namespace: str | None,
              label_selector: str | None = None,
              field_selector: str | None = None) -> int | None: ...

    def pdbs(self, cluster: str, namespace: str) -> list[Pdb] | None: ...

    def services(self, cluster: str, namespace: str) -> list[ServiceInfo] | None: ...

    def has_metrics(self, cluster: str) -> bool | None: ...

    def failure(self, cluster: str) -> str | None: ...


def map_clusters(clusters: Sequence[str], fn: Callable[[str], T]) -> list[T]:
    """`fn(cluster)` for every cluster, concurrently (lookups are network-bound), in order."""
    if len(clusters) <= 1:
        return [fn(c) for c in clusters]
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(clusters))) as pool:
        return list(pool.map(fn, clusters))


def selector_string(selector: Mapping[str, Any]) -> str:
    """A LabelSelector object as the string form (`app=web,tier in (a,b)`)."""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """True when a LabelSelector object selects an object with `labels`."""
    if not selector:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in labels
        if (op == "In" and labels.get(key) not in values) or (
                op == "NotIn" and present and labels.get(key) in values) or (
                op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


class FleetView:
    """ClusterView over a Fleet's `request_json`, with a small TTL cache."""

    def __init__(self, fleet: JsonRequester, ttl: float = 30.0, timeout: float = 5.0) -> None:
        self.fleet = fleet
        self.ttl = ttl
        self.timeout = timeout
        self._cache: dict[tuple[object, ...], tuple[float, Any]] = {}
        self._failures: dict[str, str] = {}
        self._lock = threading.Lock()

    def cluster_names(self) -> list[str]:
        """Every cluster the fleet knows."""
        return list(self.fleet.cluster_names())

    def _get(self, cluster: str, path: str, query: dict[str, str]) -> dict[str, Any] | None:
        key = (cluster, path, tuple(sorted(query.items())))
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        try:
            status, body = self.fleet.request_json(cluster, "GET", path, query=query,
                                                   timeout=self.timeout)
        except Exception as exc:  # unreachable, TLS, timeout: unknown, never a crash
            self._failed(cluster, failures.transport(exc)[1])
            return None
        if status not in (200, 404):
            self._failed(cluster, failures.answer(status, body))
        result = body if status == 200 and isinstance(body, dict) else None
        with self._lock:
            self._cache[key] = (now, result)
        return result

    def _items(self, cluster: str, path: str, query: dict[str, str]) -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = []
        page_query = {**query, "limit": str(PAGE)}
        for _ in range(MAX_COUNT_PAGES):
            body = self._get(cluster, path, page_query)
            if body is None:
                return None
            items += body.get("items") or []
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return items
            page_query = {**query, "limit": str(PAGE), "continue": token}
        return items

    def failure(self, cluster: str) -> str | None:
        """Why the cluster's last unanswered query failed (one line; None: none failed)."""
        with self._lock:
            return self._failures.get(cluster)

    def _failed(self, cluster: str, line: str) -> None:
        with self._lock:
            self._failures[cluster] = line

    def has_metrics(self, cluster: str) -> bool | None:
        """Whether the metrics API (kubectl top) is served; None when the cluster is silent."""
        key: tuple[object, ...] = (cluster, "metrics")
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return bool(hit[1]) if hit[1] is not None else None
        try:
            status, _ = self.fleet.request_json(cluster, "GET", METRICS_API,
                                                timeout=self.timeout)
        except Exception:  # unreachable: unknown
            return None
        served = status == 200 if status in (200, 404, 503) else None
        with self._lock:
            self._cache[key] = (time.monotonic(), served)
        return served

    def namespaces(self, cluster: str) -> list[str] | None:
        """Namespace names in a cluster."""
        items = self._items(cluster, "/api/v1/namespaces", {})
        return None if items is None else [i["metadata"]["name"] for i in items]

    def locate(self, cluster: str, resource: str, name: str) -> list[str] | None:
        """The namespaces holding `resource/name` (empty when it does not exist)."""
        info = RESOURCES[resource]
        items = self._items(cluster, info.collection_path(None),
                            {"fieldSelector": f"metadata.name={name}"})
        if items is None:
            return None
        return sorted({i["metadata"].get("namespace", "") for i in items
                       if i.get("metadata", {}).get("name") == name})

    def workload(self, cluster: str, resource: str, namespace: str | None,
                 name: str) -> Workload | None:
        """A workload's replicas, selector, template labels and containers."""
        if not namespace:
            found = self.locate(cluster, resource, name)
            if not found or len(found) != 1:
                return None
            namespace = found[0]
        body = self._get(cluster, RESOURCES[resource].object_path(namespace, name), {})
        if body is None:
            return None
        spec, status = body.get("spec") or {}, body.get("status") or {}
        template = spec.get("template") or {}
        containers = tuple((c.get("name", ""), c.get("image", ""))
                           for c in (template.get("spec") or {}).get("containers") or [])
        return Workload(
            cluster=cluster, namespace=namespace, name=name,
            replicas=int(spec.get("replicas", status.get("desiredNumberScheduled", 1)) or 0),
            ready=int(status.get("readyReplicas", status.get("numberReady", 0)) or 0),
            selector=selector_string(spec.get("selector") or {}),
            template_labels=(template.get("metadata") or {}).get("labels") or {},
            containers=containers,
        )

    def count(self, cluster: str, resource: str, namespace: str | None,
              label_selector: str | None = None, field_selector: str | None = None) -> int | None:
        """How many objects match (paged list; capped at 10,000)."""
        query: dict[str, str] = {}
        if label_selector:
            query["labelSelector"] = label_selector
        if field_selector:
            query["fieldSelector"] = field_selector
        items = self._items(cluster, RESOURCES[resource].collection_path(namespace), query)
        return None if items is None else len(items)

    def pdbs(self, cluster: str, namespace: str) -> list[Pdb] | None:
        """PodDisruptionBudgets in a namespace."""
        items = self._items(cluster, RESOURCES["poddisruptionbudgets"].collection_path(
            namespace), {})
        if items is None:
            return None
        return [Pdb(name=i["metadata"]["name"],
                    disruptions_allowed=int((i.get("status") or {}).get("disruptionsAllowed", 0)),
                    selector=(i.get("spec") or {}).get("selector") or {}) for i in items]

    def services(self, cluster: str, namespace: str) -> list[ServiceInfo] | None:
        """Services in a namespace with their ready endpoint counts."""
        items = self._items(cluster, RESOURCES["services"].collection_path(namespace), {})
        if items is None:
            return None
        out = []
        for item in items:
            selector = (item.get("spec") or {}).get("selector") or {}
            if not selector:
                continue
            name = item["metadata"]["name"]
            endpoints = self._get(cluster, RESOURCES["endpoints"].object_path(namespace, name),
                                  {})
            ready = None if endpoints is None else sum(
                len(s.get("addresses") or []) for s in endpoints.get("subsets") or [])
            out.append(ServiceInfo(name=name, selector=selector, ready_endpoints=ready))
        return out
