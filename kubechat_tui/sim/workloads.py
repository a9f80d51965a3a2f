"""Deployments, ReplicaSets and their pods: construction and the status controllers report."""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim.builders import (
    Ids,
    managed,
    meta,
    owner_ref,
    service_account_volume,
    template_hash,
)
from kubechat_tui.sim.clock import parse, rfc3339
from kubechat_tui.sim.selectors import format_label_selector
from kubechat_tui.sim.store import Obj, clone

REVISION = "deployment.kubernetes.io/revision"
CONTROLLER = "kube-controller-manager"


def deployment(name: str, namespace: str, labels: dict[str, str], replicas: int,
               template: Obj, created: float, ids: Ids) -> Obj:
    """A Deployment with API defaults; status is filled by deployment_status."""
    return {
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": meta(name, namespace, created, ids, generation=1, labels=dict(labels),
                         annotations={REVISION: "1"},
                         managedFields=[managed("kubectl-client-side-apply", "apps/v1", created,
                                                {"f:spec": {"f:replicas": {}, "f:template": {}}})]),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": labels["app"]}},
            "template": template,
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
        },
        "status": {},
    }


def replicaset(owner: Obj, template: Obj, revision: int, replicas: int, created: float,
               ids: Ids) -> Obj:
    """The ReplicaSet a deployment controller makes for one template revision."""
    tpl = clone(template)
    pth = template_hash(tpl)
    tpl["metadata"].setdefault("labels", {})["pod-template-hash"] = pth
    selector = clone(owner["spec"]["selector"])
    selector.setdefault("matchLabels", {})["pod-template-hash"] = pth
    max_surge = owner["spec"].get("replicas", 1) + 1
    return {
        "kind": "ReplicaSet", "apiVersion": "apps/v1",
        "metadata": meta(
            f"{owner['metadata']['name']}-{pth}", owner["metadata"]["namespace"], created, ids,
            generation=1, labels=dict(tpl["metadata"]["labels"]),
            annotations={**copied_annotations(owner),
                         "deployment.kubernetes.io/desired-replicas":
                         str(owner["spec"].get("replicas", 1)),
                         "deployment.kubernetes.io/max-replicas": str(max_surge),
                         REVISION: str(revision)},
            ownerReferences=[owner_ref(owner)],
            managedFields=[managed(CONTROLLER, "apps/v1", created, {"f:status": {}},
                                   "status")]),
        "spec": {"replicas": replicas, "selector": selector, "template": tpl},
        "status": {"replicas": 0, "observedGeneration": 1},
    }


def copied_annotations(owner: Obj) -> dict[str, str]:
    """Deployment annotations a new ReplicaSet inherits (change-cause, not bookkeeping)."""
    return {k: v for k, v in (owner["metadata"].get("annotations") or {}).items()
            if not k.startswith("deployment.kubernetes.io/")
            and k != "kubectl.kubernetes.io/last-applied-configuration"}


def pod_from(rs: Obj, created: float, ids: Ids) -> Obj:
    """A pod stamped from a ReplicaSet's template (no node, no status yet)."""
    tpl = clone(rs["spec"]["template"])
    name = f"{rs['metadata']['name']}-{ids.suffix()}"
    spec = tpl["spec"]
    sa = spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = sa
    spec.setdefault("tolerations", [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300}])
    spec.update({"priority": 0, "enableServiceLinks": True,
                 "preemptionPolicy": "PreemptLowerPriority"})
    labels = tpl["metadata"].get("labels") or {}
    annotations = tpl["metadata"].get("annotations") or {}
    pod: Obj = {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": meta(name, rs["metadata"]["namespace"], created, ids,
                         generateName=f"{rs['metadata']['name']}-", generation=1,
                         labels=dict(labels), annotations=dict(annotations),
                         ownerReferences=[owner_ref(rs)],
                         managedFields=[managed(CONTROLLER, "v1", created, {"f:metadata": {}})]),
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": "Burstable"},
    }
    service_account_volume(pod)  # ServiceAccount admission, on the pod's way in
    return pod


def owned_by(obj: Obj, owner: Obj) -> bool:
    """True when owner is obj's controller."""
    uid = owner["metadata"]["uid"]
    return any(r.get("uid") == uid and r.get("controller")
               for r in obj["metadata"].get("ownerReferences") or [])


def _pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions") or [])


def replicaset_status(rs: Obj, pods: list[Obj]) -> dict[str, Any]:
    """ReplicaSet status from its live pods."""
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    ready = sum(1 for p in live if _pod_ready(p))
    status: dict[str, Any] = {"replicas": len(live)}
    if live:
        status["fullyLabeledReplicas"] = len(live)
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    status["terminatingReplicas"] = len(pods) - len(live)
    status["observedGeneration"] = rs["metadata"].get("generation", 1)
    return status


def deployment_status(dep: Obj, current: Obj | None, rss: list[Obj], now: float,
                      progressed: float | None = None) -> dict[str, Any]:
    """Deployment status and conditions from its ReplicaSets; the progress deadline counts
    from the last progress (default: when the current ReplicaSet was created)."""
    want = dep["spec"].get("replicas", 1)
    total = sum(r.get("status", {}).get("replicas", 0) for r in rss)
    ready = sum(r.get("status", {}).get("readyReplicas", 0) for r in rss)
    updated = current.get("status", {}).get("replicas", 0) if current else 0
    unavailable = max(0, want - ready)
    at = rfc3339(now)
    created = dep["metadata"].get("creationTimestamp", at)
    available = ready >= want - int(want * 0.25)
    rs_name = current["metadata"]["name"] if current else ""
    rolled = progressed if progressed is not None else (
        parse(current["metadata"].get("creationTimestamp")) if current else None)
    deadline = dep["spec"].get("progressDeadlineSeconds", 600)
    if ready < want and rolled is not None and now - rolled > deadline:
        progressing = {"type": "Progressing", "status": "False", "lastUpdateTime": at,
                       "lastTransitionTime": rfc3339(rolled + deadline),
                       "reason": "ProgressDeadlineExceeded",
                       "message": f'ReplicaSet "{rs_name}" has timed out progressing.'}
    else:
        progressing = ({"type": "Progressing", "status": "True", "lastUpdateTime": at,
                        "lastTransitionTime": created, "reason": "NewReplicaSetAvailable",
                        "message": f'ReplicaSet "{rs_name}" has successfully progressed.'}
                       if ready >= want else
                       {"type": "Progressing", "status": "True", "lastUpdateTime": at,
                        "lastTransitionTime": created, "reason": "ReplicaSetUpdated",
                        "message": f'ReplicaSet "{rs_name}" is progressing.'})
    availability = ({"type": "Available", "status": "True", "lastUpdateTime": created,
                     "lastTransitionTime": created, "reason": "MinimumReplicasAvailable",
                     "message": "Deployment has minimum availability."} if available else
                    {"type": "Available", "status": "False", "lastUpdateTime": at,
                     "lastTransitionTime": at, "reason": "MinimumReplicasUnavailable",
                     "message": "Deployment does not have minimum availability."})
    status: dict[str, Any] = {"observedGeneration": dep["metadata"].get("generation", 1),
                              "replicas": total, "updatedReplicas": updated}
    if ready:
        status["readyReplicas"] = ready
        status["availableReplicas"] = ready
    if unavailable:
        status["unavailableReplicas"] = unavailable
    status["terminatingReplicas"] = 0
    status["conditions"] = [availability, progressing]
    return status


def scale_object(obj: Obj) -> Obj:
    """The autoscaling/v1 Scale view of a workload."""
    m = obj["metadata"]
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                       "creationTimestamp") if k in m},
        "spec": {"replicas": obj["spec"].get("replicas", 1)},
        "status": {"replicas": obj.get("status", {}).get("replicas", 0),
                   "selector": format_label_selector(obj["spec"].get("selector"))},
    }
