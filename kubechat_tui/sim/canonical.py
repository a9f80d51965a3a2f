"""Objects in the order Go serializes them: struct fields in declaration order, maps sorted.

Python dicts keep insertion order, so a merge patch or a controller would otherwise leave
`resourceVersion` after `managedFields` or a new label last; the real server never does.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

META = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
        "annotations", "ownerReferences", "finalizers", "managedFields")
POD_SPEC = ("volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
            "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy",
            "nodeSelector", "serviceAccountName", "serviceAccount",
            "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC",
            "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
            "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases",
            "priorityClassName", "priority", "dnsConfig", "readinessGates", "runtimeClassName",
            "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
            "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims",
            "resources")
CONTAINER = ("name", "image", "command", "args", "workingDir", "ports", "envFrom", "env",
             "resources", "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices",
             "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
             "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
             "securityContext", "stdin", "stdinOnce", "tty")
TEMPLATED = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")


def _reorder(node: dict[str, Any], order: tuple[str, ...]) -> None:
    """Put node's keys in `order` (unknown keys after, as they came), in place."""
    rank = {k: i for i, k in enumerate(order)}
    items = sorted(node.items(), key=lambda kv: rank.get(kv[0], len(order)))
    node.clear()
    node.update(items)


def _sort(node: Any) -> None:
    """Sort a map[string]... in place, as encoding/json does."""
    if isinstance(node, dict) and list(node) != sorted(node):
        items = sorted(node.items())
        node.clear()
        node.update(items)


def _meta(meta: Any) -> None:
    if isinstance(meta, dict):
        _reorder(meta, META)
        _sort(meta.get("labels"))
        _sort(meta.get("annotations"))


def _pod_spec(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    _reorder(spec, POD_SPEC)
    _sort(spec.get("nodeSelector"))
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        if isinstance(container, dict):
            _reorder(container, CONTAINER)
            resources = container.get("resources")
            if isinstance(resources, dict):
                _sort(resources.get("limits"))
                _sort(resources.get("requests"))


def normalize(obj: Obj) -> Obj:
    """obj with Go's field order and sorted maps (in place; returned for convenience)."""
    _meta(obj.get("metadata"))
    kind = obj.get("kind")
    spec = obj.get("spec")
    if kind == "Pod":
        _pod_spec(spec)
    elif kind in TEMPLATED and isinstance(spec, dict):
        template = spec.get("template")
        if isinstance(template, dict):
            _meta(template.get("metadata"))
            _pod_spec(template.get("spec"))
        selector = spec.get("selector")
        if isinstance(selector, dict):
            _sort(selector.get("matchLabels"))
    elif kind == "Service" and isinstance(spec, dict):
        _sort(spec.get("selector"))
    elif kind == "Node":
        status = obj.get("status")
        if isinstance(status, dict):
            _sort(status.get("capacity"))
            _sort(status.get("allocatable"))
    if kind in ("ConfigMap", "Secret"):
        _sort(obj.get("data"))
        _sort(obj.get("binaryData"))
    return obj
