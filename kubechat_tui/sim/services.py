"""The endpoints controller's view: which pods back a service."""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim.kubelet import node_ready_pod
from kubechat_tui.sim.store import Obj


def selects(service: Obj, pod: Obj) -> bool:
    """True when the service's selector matches the pod's labels."""
    selector = service.get("spec", {}).get("selector") or {}
    labels = pod["metadata"].get("labels") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def subsets(service: Obj, pods: list[Obj]) -> list[dict[str, Any]]:
    """Endpoints subsets: ready pods under addresses, the rest under notReadyAddresses."""
    ready: list[Obj] = []
    not_ready: list[Obj] = []
    for pod in pods:
        ip = pod.get("status", {}).get("podIP")
        if not ip or pod["metadata"].get("deletionTimestamp") or not selects(service, pod):
            continue
        addr = {"ip": ip, "nodeName": pod["spec"].get("nodeName", ""),
                "targetRef": {"kind": "Pod", "namespace": pod["metadata"]["namespace"],
                              "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}}
        (ready if node_ready_pod(pod) else not_ready).append(addr)
    if not ready and not not_ready:
        return []
    subset: Obj = {}
    if ready:
        subset["addresses"] = ready
    if not_ready:
        subset["notReadyAddresses"] = not_ready
    subset["ports"] = [{"name": p.get("name", ""), "port": p.get("targetPort", p.get("port")),
                        "protocol": p.get("protocol", "TCP")}
                       for p in service.get("spec", {}).get("ports") or []]
    return [subset]
