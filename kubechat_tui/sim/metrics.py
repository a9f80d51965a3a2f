"""metrics.k8s.io/v1beta1 (what metrics-server serves, and `kubectl top` reads)."""

from __future__ import annotations

import hashlib
from typing import Any

from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.kubelet import node_ready
from kubechat_tui.sim.selectors import compile_filter, parse_field_selector, parse_label_selector
from kubechat_tui.sim.status import not_found
from kubechat_tui.sim.store import Obj

API_VERSION = "metrics.k8s.io/v1beta1"
SYSTEM_CPU_NANO = 180_000_000       # kubelet, runtime and OS on every node
SYSTEM_MEMORY_KI = 900 * 1024


def _seeded(key: str, low: int, high: int, at: float) -> int:
    """A value in [low, high] that drifts slowly with time (new sample every 15 s)."""
    digest = hashlib.sha256(f"{key}/{int(at // 15)}".encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % max(1, high - low)


def _container_usage(pod: Obj, name: str, at: float) -> tuple[int, int]:
    """(nanocores, KiB) for one running container."""
    key = f"{pod['metadata']['uid']}/{name}"
    return _seeded(key + "/cpu", 1_000_000, 90_000_000, at), _seeded(key + "/mem", 12_000,
                                                                     180_000, at)


def _running(pod: Obj) -> list[str]:
    return [c["name"] for c in pod.get("status", {}).get("containerStatuses") or []
            if "running" in (c.get("state") or {})]


def _meta(obj: Obj, at: float) -> dict[str, Any]:
    meta = obj["metadata"]
    out: dict[str, Any] = {"name": meta["name"]}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    out["creationTimestamp"] = rfc3339(at)
    if meta.get("labels"):
        out["labels"] = meta["labels"]
    return out


def pod_metrics(pod: Obj, at: float) -> dict[str, Any] | None:
    """PodMetrics for a pod with running containers (None otherwise, like metrics-server)."""
    running = _running(pod)
    if not running or not pod["spec"].get("nodeName"):
        return None
    containers = []
    for name in running:
        cpu, mem = _container_usage(pod, name, at)
        containers.append({"name": name, "usage": {"cpu": f"{cpu}n", "memory": f"{mem}Ki"}})
    return {"metadata": _meta(pod, at), "timestamp": rfc3339(at - 7), "window": "15.011s",
            "containers": containers}


def node_metrics(node: Obj, pods: list[Obj], at: float) -> dict[str, Any] | None:
    """NodeMetrics: its pods' usage plus system overhead (None for an unreachable kubelet)."""
    if not node_ready(node):
        return None
    name = node["metadata"]["name"]
    cpu, mem = SYSTEM_CPU_NANO, SYSTEM_MEMORY_KI
    for pod in pods:
        if pod["spec"].get("nodeName") == name:
            for container in _running(pod):
                c_cpu, c_mem = _container_usage(pod, container, at)
                cpu, mem = cpu + c_cpu, mem + c_mem
    return {"metadata": _meta(node, at), "timestamp": rfc3339(at - 9), "window": "20.043s",
            "usage": {"cpu": f"{cpu}n", "memory": f"{mem}Ki"}}


def serve(call: Call) -> Reply:
    """GET/LIST NodeMetrics or PodMetrics computed from the cluster's pods and nodes."""
    store, target = call.cluster.store, call.target
    labels = parse_label_selector(call.arg("labelSelector"))
    fields = parse_field_selector(call.arg("fieldSelector"), call.res.fields)
    keep = compile_filter(labels, fields)
    pods = store.objects("pods")
    if call.res.plural == "nodes":
        sources = store.objects("nodes")
        items = [node_metrics(n, pods, call.now) for n in sources if keep(n)]
    else:
        sources = store.objects("pods", target.namespace or None)
        items = [pod_metrics(p, call.now) for p in sources if keep(p)]
    found = [i for i in items if i is not None]
    kind = "NodeMetrics" if call.res.plural == "nodes" else "PodMetrics"
    if target.name:
        match = next((i for i in found if i["metadata"]["name"] == target.name), None)
        if match is None:
            raise not_found(call.res.plural, call.res.group, target.name)
        return Reply(200, {"kind": kind, "apiVersion": API_VERSION, **match})
    return Reply(200, {"kind": f"{kind}List", "apiVersion": API_VERSION,
                       "metadata": {}, "items": found})
