"""Scenario extras written as the API returns them: node states (cordoned, under pressure)
and raw manifests (a pod the scheduler could not place, its events, a Service whose
selector matches nothing), loaded into a cluster as they are.

In a manifest, `<ago 12m>` becomes the RFC 3339 time 12 minutes before the server started,
`<node 0>` the name of the cluster's first node and `<uid pods/payments/x>` the uid of an
object loaded before it. A Service gets its Endpoints and EndpointSlice from the pods its
selector matches, as the endpoints controllers would write them.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from kubechat_tui.sim import services
from kubechat_tui.sim.builders import managed, meta, stable_suffix
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.store import Obj

if TYPE_CHECKING:
    from kubechat_tui.sim.scenario import ClusterBuilder

_PLACEHOLDER = re.compile(r"^<(ago|node|uid) ([^>]+)>$")
PRESSURE_REASONS = {"MemoryPressure": ("KubeletHasInsufficientMemory",
                                       "kubelet has insufficient memory available"),
                    "DiskPressure": ("KubeletHasDiskPressure", "kubelet has disk pressure"),
                    "PIDPressure": ("KubeletHasInsufficientPID",
                                    "kubelet has insufficient PID available")}
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"


def mark_nodes(builder: ClusterBuilder, spec: dict[str, Any]) -> None:
    """`cordoned: [node]` (after the pods are placed: they stay, as a drain finds them) and
    `pressure: {node: MemoryPressure|DiskPressure|PIDPressure}` with the kubelet's taint."""
    pressure = spec.get("pressure") or {}
    cordoned = set(spec.get("cordoned") or ())
    for node in builder.nodes:
        name = node["metadata"]["name"]
        taints = node["spec"].setdefault("taints", [])
        if name in cordoned:
            node["spec"]["unschedulable"] = True
            taints.append({"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule",
                           "timeAdded": rfc3339(builder.start - 300)})
        if name in pressure:
            kind = pressure[name]
            reason, message = PRESSURE_REASONS[kind]
            for condition in node["status"]["conditions"]:
                if condition["type"] == kind:
                    condition.update({"status": "True", "reason": reason, "message": message,
                                      "lastTransitionTime": rfc3339(builder.start - 480)})
            taints.append({"key": f"node.kubernetes.io/{kind.removesuffix('Pressure').lower()}"
                           "-pressure", "effect": "NoSchedule"})
        if not taints:
            node["spec"].pop("taints")


def add_manifest(builder: ClusterBuilder, manifest: dict[str, Any]) -> None:
    """Load one manifest (placeholders resolved, metadata completed by the server)."""
    obj = _resolve(builder, copy.deepcopy(manifest))
    created = builder.start - 3600
    given = obj.get("metadata") or {}
    completed = meta(given["name"], given.get("namespace", ""), created, builder.ids,
                     labels=given.get("labels"), annotations=given.get("annotations"),
                     ownerReferences=given.get("ownerReferences"),
                     managedFields=given.get("managedFields"))
    if given.get("creationTimestamp"):
        completed["creationTimestamp"] = given["creationTimestamp"]
        completed["managedFields"] = given.get("managedFields") or [
            managed("kubectl-client-side-apply", "v1", created, {"f:metadata": {}})]
        completed["managedFields"][0]["time"] = given["creationTimestamp"]
    obj["metadata"] = completed
    stored = builder.add(_key(obj), obj)
    if obj["kind"] == "Service" and (obj.get("spec") or {}).get("selector"):
        _endpoints(builder, stored)


def _key(obj: Obj) -> str:
    """The store's key of a kind (`pods`, `deployments.apps`)."""
    group = str(obj["apiVersion"]).rpartition("/")[0]
    plural = str(obj["kind"]).lower() + "s"
    return f"{plural}.{group}" if group else plural


def _resolve(builder: ClusterBuilder, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(builder, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(builder, v) for v in value]
    found = _PLACEHOLDER.match(value) if isinstance(value, str) else None
    if found is None:
        return value
    what, arg = found.groups()
    if what == "ago":
        from kubechat_tui.sim.scenario import parse_age

        return rfc3339(builder.start - parse_age(arg))
    if what == "node":
        return builder.nodes[int(arg)]["metadata"]["name"]
    key, ns, name = arg.split("/")
    target = builder.store.get(key, ns, name)
    if target is None:
        raise ValueError(f"scenario: <uid {arg}>: no such object loaded before it")
    return target["metadata"]["uid"]


def _endpoints(builder: ClusterBuilder, service: Obj) -> None:
    ns, name = service["metadata"]["namespace"], service["metadata"]["name"]
    pods = [p for p in builder.store.objects("pods", ns) if services.selects(service, p)]
    created = builder.start - 3600
    builder.add("endpoints", {"kind": "Endpoints", "apiVersion": "v1",
                              "metadata": meta(name, ns, created, builder.ids),
                              "subsets": services.subsets(service, pods)})
    uid = service["metadata"]["uid"]
    builder.add("endpointslices.discovery.k8s.io", services.endpoint_slice(
        service, services.slice_endpoints(service, pods, services.node_zones(builder.nodes)),
        f"{name}-{stable_suffix(uid, 'slice')}", builder.ids.stable_uid(uid, "slice"),
        rfc3339(created)))
