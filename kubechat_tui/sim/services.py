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


SLICE_MANAGER = "endpointslice-controller.k8s.io"


def slice_endpoints(service: Obj, pods: list[Obj], zones: dict[str, str]) -> list[Obj] | None:
    """EndpointSlice endpoints: every selected pod with an IP, readiness as conditions."""
    out: list[Obj] = []
    for pod in pods:
        ip = pod.get("status", {}).get("podIP")
        if not ip or not selects(service, pod):
            continue
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        ready = node_ready_pod(pod) and not terminating
        node = pod["spec"].get("nodeName", "")
        endpoint: Obj = {"addresses": [ip], "conditions": {
            "ready": ready, "serving": node_ready_pod(pod), "terminating": terminating},
            "targetRef": {"kind": "Pod", "namespace": pod["metadata"]["namespace"],
                          "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]},
            "nodeName": node}
        if zones.get(node):
            endpoint["zone"] = zones[node]
        out.append(endpoint)
    return out or None


def slice_ports(service: Obj) -> list[Obj]:
    """EndpointSlice ports: the service's target ports."""
    return [{"name": p.get("name", ""), "protocol": p.get("protocol", "TCP"),
             "port": p.get("targetPort", p.get("port"))}
            for p in service.get("spec", {}).get("ports") or []]


def endpoint_slice(service: Obj, endpoints: list[Obj] | None, name: str, uid: str,
                   created: str) -> Obj:
    """The EndpointSlice the endpointslice controller keeps for a service."""
    meta = service["metadata"]
    labels = {**(meta.get("labels") or {}),
              "endpointslice.kubernetes.io/managed-by": SLICE_MANAGER,
              "kubernetes.io/service-name": meta["name"]}
    return {
        "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"name": name, "generateName": f"{meta['name']}-",
                     "namespace": meta["namespace"], "uid": uid, "generation": 1,
                     "creationTimestamp": created, "labels": labels,
                     "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                          "name": meta["name"], "uid": meta["uid"],
                                          "controller": True, "blockOwnerDeletion": True}]},
        "addressType": "IPv4", "endpoints": endpoints, "ports": slice_ports(service)}


def node_zones(nodes: list[Obj]) -> dict[str, str]:
    """node name -> topology zone."""
    return {n["metadata"]["name"]: (n["metadata"].get("labels") or {}).get(
        "topology.kubernetes.io/zone", "") for n in nodes}
