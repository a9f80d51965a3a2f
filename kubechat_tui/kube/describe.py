"""kubectl-describe-style text from an object's JSON (pods, deployments, nodes, events;
a generic spec/status listing for everything else). Secret data is never printed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]
WIDTH = 18  # label column, as kubectl pads "Name:" etc.


def describe_object(obj: Obj) -> str:
    """The describe text of one object."""
    lines = _header(obj)
    kind = str(obj.get("kind", ""))
    lines += SECTIONS.get(kind, _generic)(obj)
    return "\n".join(lines).rstrip() + "\n"


def _field(label: str, value: object, indent: int = 0) -> str:
    text = "<none>" if value in (None, "", [], {}) else str(value)
    width = max(WIDTH - indent, len(label) + 2)
    return f"{' ' * indent}{label + ':':<{width}}{text}"


def _mapping(label: str, values: dict[str, Any] | None) -> list[str]:
    items = sorted((values or {}).items())
    if not items:
        return [_field(label, None)]
    first, *rest = [f"{k}={v}" for k, v in items]
    return [_field(label, first), *(" " * WIDTH + text for text in rest)]


def _header(obj: Obj) -> list[str]:
    meta = obj.get("metadata") or {}
    lines = [_field("Name", meta.get("name"))]
    if meta.get("namespace"):
        lines.append(_field("Namespace", meta["namespace"]))
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k != "kubectl.kubernetes.io/last-applied-configuration"}
    lines += _mapping("Labels", meta.get("labels"))
    lines += _mapping("Annotations", annotations)
    lines.append(_field("CreationTimestamp", meta.get("creationTimestamp")))
    owners = meta.get("ownerReferences") or []
    controller = next((o for o in owners if o.get("controller")), None)
    if controller:
        lines.append(_field("Controlled By", f"{controller.get('kind')}/{controller.get('name')}"))
    return lines


def _pod(obj: Obj) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    lines = [
        _field("Node", spec.get("nodeName")),
        _field("Start Time", status.get("startTime")),
        _field("Status", status.get("reason") or status.get("phase")),
        _field("IP", status.get("podIP")),
        _field("QoS Class", status.get("qosClass")),
        "Containers:",
    ]
    states = {cs.get("name"): cs for cs in status.get("containerStatuses") or []}
    for container in spec.get("containers") or []:
        lines += _container(container, states.get(container.get("name"), {}))
    lines += _conditions(status.get("conditions"))
    return lines


def _container(container: Obj, state: Obj) -> list[str]:
    lines = [f"  {container.get('name')}:",
             _field("Image", container.get("image"), 4)]
    current, last = state.get("state") or {}, state.get("lastState") or {}
    lines += _state("State", current)
    if last:
        lines += _state("Last State", last)
    lines.append(_field("Ready", state.get("ready", False), 4))
    lines.append(_field("Restart Count", state.get("restartCount", 0), 4))
    resources = container.get("resources") or {}
    for part in ("limits", "requests"):
        if resources.get(part):
            lines.append(f"    {part.capitalize()}:")
            lines += [_field(k, v, 6) for k, v in sorted(resources[part].items())]
    return lines


def _state(label: str, state: Obj) -> list[str]:
    if not state:
        return [_field(label, "Waiting", 4)]
    name, detail = next(iter(state.items()))
    lines = [_field(label, name.capitalize(), 4)]
    for key in ("reason", "exitCode", "message", "startedAt", "finishedAt"):
        if (detail or {}).get(key) not in (None, ""):
            lines.append(_field(key[0].upper() + key[1:], detail[key], 6))
    return lines


def _conditions(conditions: list[Obj] | None) -> list[str]:
    lines = ["Conditions:", f"  {'Type':<28}{'Status':<8}Reason"]
    for c in conditions or []:
        lines.append(f"  {c.get('type', ''):<28}{c.get('status', ''):<8}{c.get('reason', '')}")
    return lines if conditions else ["Conditions:          <none>"]


def _deployment(obj: Obj) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    replicas = (f"{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated"
                f" | {status.get('replicas', 0)} total | {status.get('availableReplicas', 0)}"
                f" available | {status.get('unavailableReplicas', 0)} unavailable")
    strategy = spec.get("strategy") or {}
    lines = [_field("Selector", ",".join(f"{k}={v}" for k, v in sorted(selector.items()))),
             _field("Replicas", replicas),
             _field("StrategyType", strategy.get("type")),
             "Pod Template:", "  Containers:"]
    template = (spec.get("template") or {}).get("spec") or {}
    for container in template.get("containers") or []:
        lines += [f"   {container.get('name')}:", _field("Image", container.get("image"), 4)]
    return lines + _conditions(status.get("conditions"))


def _node(obj: Obj) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    labels = (obj.get("metadata") or {}).get("labels") or {}
    prefix = "node-role.kubernetes.io/"
    roles = ",".join(sorted(k[len(prefix):] for k in labels if k.startswith(prefix)))
    taints = [f"{t.get('key')}={t.get('value', '')}:{t.get('effect')}"
              for t in spec.get("taints") or []]
    info = status.get("nodeInfo") or {}
    lines = [_field("Roles", roles), _field("Taints", ", ".join(taints)),
             _field("Unschedulable", spec.get("unschedulable", False))]
    lines += _conditions(status.get("conditions"))
    lines.append("Addresses:")
    lines += [_field(a.get("type", ""), a.get("address"), 2) for a in status.get("addresses") or []]
    for part in ("capacity", "allocatable"):
        lines.append(f"{part.capitalize()}:")
        lines += [_field(k, v, 2) for k, v in sorted((status.get(part) or {}).items())]
    lines += ["System Info:", _field("Kubelet Version", info.get("kubeletVersion"), 2),
              _field("OS Image", info.get("osImage"), 2),
              _field("Container Runtime", info.get("containerRuntimeVersion"), 2)]
    return lines


def _event(obj: Obj) -> list[str]:
    involved = obj.get("involvedObject") or {}
    source = obj.get("source") or {}
    return [_field("Type", obj.get("type")), _field("Reason", obj.get("reason")),
            _field("Object", f"{involved.get('kind')}/{involved.get('name')}"),
            _field("Message", obj.get("message")), _field("Count", obj.get("count")),
            _field("First Seen", obj.get("firstTimestamp") or obj.get("eventTime")),
            _field("Last Seen", obj.get("lastTimestamp") or obj.get("eventTime")),
            _field("Source", source.get("component") or obj.get("reportingComponent"))]


def _secret(obj: Obj) -> list[str]:
    lines = [_field("Type", obj.get("type")), "", "Data", "===="]
    for key, value in sorted((obj.get("data") or {}).items()):
        encoded = str(value)
        lines.append(f"{key}:  {len(encoded) * 3 // 4 - encoded.count('=')} bytes")
    return lines


def _generic(obj: Obj) -> list[str]:
    lines = []
    for part in ("spec", "status", "data"):
        section = obj.get(part)
        if isinstance(section, dict) and section:
            lines.append(f"{part.capitalize()}:")
            for key, value in section.items():
                lines.append(_field(key, value if not isinstance(value, (dict, list))
                                    else _short(value), 2))
    return lines


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 100 else text[:97] + "..."


SECTIONS: dict[str, Callable[[Obj], list[str]]] = {
    "Pod": _pod, "Deployment": _deployment, "Node": _node, "Event": _event, "Secret": _secret,
}
