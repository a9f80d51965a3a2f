"""Read what the analyzers need in each cluster, through the read path's GET-only,
deadline-bound requester, in two concurrent rounds:

1. per cluster: events, nodes, disruption budgets, Services and EndpointSlices;
2. only where the first round shows trouble — the namespaces with Warning events or a
   Service without a ready endpoint — their pods, pod metrics, ReplicaSets, Deployments,
   ConfigMaps and Secret metadata (PartialObjectMetadata: never values); and the pods of
   the nodes that are not ready, under pressure or cordoned. A quiet namespace costs no
   pod list, however many pods it runs.

A collection a cluster refuses or fails to answer is left empty: the analyzers that need it
say nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kubechat_tui.domain import RESOURCES, ResourceInfo
from kubechat_tui.engine.diagnostics.fanout import fan_out
from kubechat_tui.engine.diagnostics.requests import ReadRequests
from kubechat_tui.engine.insights.snapshot import SERVICE_NAME, ClusterSnapshot, Obj, meta
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.fleet import parse_json
from kubechat_tui.kube.queries import RawRequester, list_items, metrics

ENDPOINT_SLICES = ResourceInfo("endpointslices", "EndpointSlice", "discovery.k8s.io", "v1",
                               True, ())
METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
COLLECTIONS: dict[str, ResourceInfo] = {
    "events": RESOURCES["events"], "nodes": RESOURCES["nodes"],
    "budgets": RESOURCES["poddisruptionbudgets"], "services": RESOURCES["services"],
    "endpoint_slices": ENDPOINT_SLICES, "replicasets": RESOURCES["replicasets"],
    "deployments": RESOURCES["deployments"], "configmaps": RESOURCES["configmaps"],
}
FIRST = ("events", "nodes", "budgets", "services", "endpoint_slices")
PER_NAMESPACE = ("pods", "pod_metrics", "replicasets", "deployments", "configmaps", "secrets")
PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure")


@dataclass(frozen=True)
class Task:
    """One read: a collection in a cluster; `namespace` None is every namespace, `node`
    keeps the pods of one node."""

    cluster: str
    name: str
    namespace: str | None
    node: str = ""


@dataclass(frozen=True)
class Gathered:
    """What one task read (None: not answered), and the request lines it sent."""

    task: Task
    items: list[Obj] | None
    requests: tuple[str, ...]


def gather(api: RawRequester, clusters: list[str], namespace: str | None, now: datetime,
           seconds: float, refused: frozenset[tuple[str, str]] = frozenset(),
           ) -> tuple[dict[str, ClusterSnapshot], dict[str, list[str]]]:
    """A snapshot per cluster, and the requests sent there (as the audit lists them);
    `refused` (cluster, collection) pairs are not read (policy forbids them)."""
    snaps = {c: ClusterSnapshot(c, now) for c in clusters}
    sent: dict[str, list[str]] = {c: [] for c in clusters}
    deadline = time.monotonic() + seconds
    pods: dict[str, dict[str, Obj]] = {c: {} for c in clusters}

    def done(part: Gathered) -> None:
        task, items, snap = part.task, part.items, snaps[part.task.cluster]
        sent[task.cluster] += part.requests
        if items is None:
            return
        if task.name == "pods":
            pods[task.cluster].update({meta(p, "uid"): p for p in items})
        elif task.name == "pod_metrics":
            snap.pod_metrics = (snap.pod_metrics or []) + items
        else:
            getattr(snap, task.name).extend(items)

    def run(tasks: list[Task]) -> None:
        allowed = [t for t in tasks if (t.cluster, t.name) not in refused]
        fan_out(allowed, lambda t: _read(api, t, deadline, seconds), deadline, done,
                lambda t: Gathered(t, None, ()))

    run([Task(c, name, namespace) for c in clusters for name in FIRST])
    run([t for c in clusters for t in _second_round(snaps[c], namespace)])
    for cluster, snap in snaps.items():
        snap.pods = list(pods[cluster].values())
    return snaps, sent


def _second_round(snap: ClusterSnapshot, namespace: str | None) -> list[Task]:
    """The reads where the first round shows trouble."""
    spaces = {meta(e, "namespace") for e in snap.events if e.get("type") == "Warning"}
    ready = {(meta(s, "namespace"), ((s.get("metadata") or {}).get("labels") or {}).get(
        SERVICE_NAME)) for s in snap.endpoint_slices
        if any((e.get("conditions") or {}).get("ready") for e in s.get("endpoints") or ())}
    spaces |= {meta(s, "namespace") for s in snap.services
               if (s.get("spec") or {}).get("selector")
               and (meta(s, "namespace"), meta(s, "name")) not in ready}
    spaces.discard("")
    if namespace is not None:
        spaces &= {namespace}
    tasks = [Task(snap.cluster, name, ns) for ns in sorted(spaces)
             for name in PER_NAMESPACE]
    return tasks + [Task(snap.cluster, "pods", namespace, meta(n, "name"))
                    for n in snap.nodes if _troubled(n)]


def _troubled(node: Obj) -> bool:
    """Not ready, under pressure, or cordoned."""
    if (node.get("spec") or {}).get("unschedulable"):
        return True
    for condition in (node.get("status") or {}).get("conditions") or ():
        kind, status = condition.get("type"), condition.get("status")
        if (kind == "Ready" and status != "True") or (kind in PRESSURE and status == "True"):
            return True
    return False


def _read(api: RawRequester, task: Task, deadline: float, seconds: float) -> Gathered:
    requests = ReadRequests(api, deadline, seconds)
    try:
        items: list[Obj] | None = READS.get(task.name, _collection)(requests, task)
    except (ApiError, ValueError):
        items = None
    return Gathered(task, items, tuple(r.line() for r in requests.sent))


def _collection(requests: ReadRequests, task: Task) -> list[Obj]:
    return list_items(requests, task.cluster, COLLECTIONS[task.name], task.namespace)[0]


def _pods(requests: ReadRequests, task: Task) -> list[Obj]:
    fields = f"spec.nodeName={task.node}" if task.node else None
    return list_items(requests, task.cluster, RESOURCES["pods"], task.namespace,
                      field_selector=fields)[0]


def _secrets(requests: ReadRequests, task: Task) -> list[Obj]:
    """Secret metadata only (the server leaves `data` out)."""
    status, doc = parse_json(requests.request(
        task.cluster, "GET", RESOURCES["secrets"].collection_path(task.namespace),
        accept=METADATA_LIST))
    if status != 200:
        raise ApiError(task.cluster, status, f"secrets metadata: HTTP {status}")
    return [{"kind": "Secret", "apiVersion": "v1", "metadata": i.get("metadata") or {}}
            for i in doc.get("items") or () if isinstance(i, dict)]


def _pod_metrics(requests: ReadRequests, task: Task) -> list[Obj]:
    return metrics(requests, task.cluster, "pods", task.namespace)


READS: dict[str, Callable[[ReadRequests, Task], list[Obj]]] = {
    "pods": _pods, "secrets": _secrets, "pod_metrics": _pod_metrics,
}
