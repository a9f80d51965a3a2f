"""Read what the analyzers need in each cluster, through the read path's GET-only,
deadline-bound requester: one task per (cluster, collection), all at once.

Secrets are listed as PartialObjectMetadata (names, times, managedFields: never values).
A collection a cluster refuses or fails to answer is left empty: the analyzers that need
it say nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kubechat_tui.domain import RESOURCES, ResourceInfo
from kubechat_tui.engine.diagnostics.fanout import fan_out
from kubechat_tui.engine.diagnostics.requests import ReadRequests
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot, Obj
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.fleet import parse_json
from kubechat_tui.kube.queries import RawRequester, list_items, metrics
from kubechat_tui.kube.recorder import Request

ENDPOINT_SLICES = ResourceInfo("endpointslices", "EndpointSlice", "discovery.k8s.io", "v1",
                               True, ())
METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
COLLECTIONS: dict[str, ResourceInfo] = {
    "pods": RESOURCES["pods"], "events": RESOURCES["events"],
    "replicasets": RESOURCES["replicasets"], "deployments": RESOURCES["deployments"],
    "nodes": RESOURCES["nodes"], "budgets": RESOURCES["poddisruptionbudgets"],
    "services": RESOURCES["services"], "endpoint_slices": ENDPOINT_SLICES,
    "configmaps": RESOURCES["configmaps"],
}
EXTRA = ("secrets", "pod_metrics")


@dataclass(frozen=True)
class Gathered:
    """One collection read in one cluster (None: not answered)."""

    cluster: str
    name: str
    items: list[Obj] | None
    requests: tuple[Request, ...]


def gather(api: RawRequester, clusters: list[str], namespace: str | None, now: datetime,
           seconds: float) -> tuple[dict[str, ClusterSnapshot], dict[str, list[Request]]]:
    """A snapshot per cluster and the requests sent there."""
    snaps = {c: ClusterSnapshot(c, now) for c in clusters}
    sent: dict[str, list[Request]] = {c: [] for c in clusters}
    deadline = time.monotonic() + seconds
    tasks = [(c, name) for c in clusters for name in (*COLLECTIONS, *EXTRA)]

    def done(part: Gathered) -> None:
        sent[part.cluster] += part.requests
        if part.items is not None:
            setattr(snaps[part.cluster], part.name, part.items)

    fan_out(tasks, lambda t: _read(api, t[0], t[1], namespace, deadline, seconds), deadline,
            done, lambda t: Gathered(t[0], t[1], None, ()))
    return snaps, sent


def _read(api: RawRequester, cluster: str, name: str, namespace: str | None,
          deadline: float, seconds: float) -> Gathered:
    requests = ReadRequests(api, deadline, seconds)
    reader = READS.get(name) or (lambda r, c, ns: list_items(r, c, COLLECTIONS[name], ns)[0])
    try:
        items: list[Obj] | None = reader(requests, cluster, namespace)
    except (ApiError, ValueError):
        items = None
    return Gathered(cluster, name, items, tuple(requests.sent))


def _secrets(requests: ReadRequests, cluster: str, namespace: str | None) -> list[Obj]:
    """Secret metadata only (the server leaves `data` out)."""
    status, doc = parse_json(requests.request(
        cluster, "GET", RESOURCES["secrets"].collection_path(namespace), accept=METADATA_LIST))
    if status != 200:
        raise ApiError(cluster, status, f"secrets metadata: HTTP {status}")
    return [{"kind": "Secret", "apiVersion": "v1", "metadata": i.get("metadata") or {}}
            for i in doc.get("items") or () if isinstance(i, dict)]


def _pod_metrics(requests: ReadRequests, cluster: str, namespace: str | None) -> list[Obj]:
    return metrics(requests, cluster, "pods", namespace)


READS: dict[str, Callable[[ReadRequests, str, str | None], list[Obj]]] = {
    "secrets": _secrets, "pod_metrics": _pod_metrics,
}
