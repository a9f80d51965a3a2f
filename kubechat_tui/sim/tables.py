"""Server-side printing: the Table rows kube-apiserver builds for each kind."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from kubechat_tui.sim.clock import age, human_duration, parse
from kubechat_tui.sim.selectors import format_label_selector

Obj = dict[str, Any]
Cell = str | int
NONE = "<none>"

COLUMNS: dict[str, list[dict[str, Any]]] = json.loads(
    resources.files("kubechat_tui.sim").joinpath("table_columns.json").read_text()
)


def columns(key: str, custom: bool = False) -> list[dict[str, Any]]:
    """columnDefinitions for a resource key (the generic Name/Created At when unknown,
    Name/Age for a custom resource: wire sample 38)."""
    if custom:
        return COLUMNS["custom"]
    return COLUMNS.get(key) or COLUMNS["default"]


def _pod(obj: Obj, at: float) -> list[Cell]:
    spec, status, meta = obj.get("spec", {}), obj.get("status", {}), obj["metadata"]
    reason = status.get("reason") or status.get("phase", "")
    restarts, ready, last_restart = 0, 0, 0.0
    has_running = False
    for cs in reversed(status.get("containerStatuses") or []):
        restarts += int(cs.get("restartCount", 0))
        finished = parse(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
        if finished and finished > last_restart:
            last_restart = finished
        state = cs.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            sig = terminated.get("signal", 0)
            reason = f"Signal:{sig}" if sig else f"ExitCode:{terminated.get('exitCode', 0)}"
        elif cs.get("ready") and "running" in state:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        reason = "Running" if conds.get("Ready") == "True" else "NotReady"
    if meta.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif status.get("phase") not in ("Succeeded", "Failed"):
            reason = "Terminating"
    restarts_cell = str(restarts)
    if restarts and last_restart:
        restarts_cell = f"{restarts} ({human_duration(at - last_restart)} ago)"
    ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    return [
        meta["name"], f"{ready}/{len(spec.get('containers') or [])}", reason, restarts_cell,
        age(meta.get("creationTimestamp"), at),
        (ips[0].get("ip") if ips else "") or NONE, spec.get("nodeName") or NONE,
        status.get("nominatedNodeName") or NONE,
        NONE if not gates else f"{len(gates)}/{len(gates)}",
    ]


def _node(obj: Obj, at: float) -> list[Cell]:
    meta, spec, status = obj["metadata"], obj.get("spec", {}), obj.get("status", {})
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    states = []
    if ready is None:
        states.append("Unknown")
    else:
        states.append("Ready" if ready.get("status") == "True" else "NotReady")
    if spec.get("unschedulable"):
        states.append("SchedulingDisabled")
    labels = meta.get("labels") or {}
    roles = sorted(k.split("/", 1)[1] for k in labels
                   if k.startswith("node-role.kubernetes.io/") and "/" in k)
    if not roles and labels.get("kubernetes.io/role"):
        roles = [labels["kubernetes.io/role"]]
    addrs = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return [
        meta["name"], ",".join(states), ",".join(roles) or NONE,
        age(meta.get("creationTimestamp"), at), info.get("kubeletVersion", ""),
        addrs.get("InternalIP") or NONE, addrs.get("ExternalIP") or NONE,
        info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _event(obj: Obj, at: float) -> list[Cell]:
    first = age(obj.get("firstTimestamp"), at)
    if not obj.get("firstTimestamp"):
        first = age(obj.get("eventTime"), at)
    last = age(obj.get("lastTimestamp"), at) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 0
    series = obj.get("series")
    if series:
        last, count = age(series.get("lastObservedTime"), at), series.get("count", 0)
    elif count == 0:
        count = 1
    inv = obj.get("involvedObject") or {}
    target = inv.get("kind", "").lower()
    if inv.get("name"):
        target = f"{target}/{inv['name']}"
    source = obj.get("source") or {}
    component = source.get("component") or obj.get("reportingComponent", "")
    host = source.get("host") or obj.get("reportingInstance", "")
    src = f"{component}, {host}" if host else component
    return [last, obj.get("type", ""), obj.get("reason", ""), target, inv.get("fieldPath", ""),
            src, (obj.get("message") or "").strip(), first, int(count), obj["metadata"]["name"]]


def _template_parts(obj: Obj) -> tuple[str, str]:
    containers = ((obj.get("spec", {}).get("template") or {}).get("spec") or {}).get(
        "containers") or []
    return (",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers))


def _deployment(obj: Obj, at: float) -> list[Cell]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    names, images = _template_parts(obj)
    return [obj["metadata"]["name"],
            f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            int(status.get("updatedReplicas", 0)), int(status.get("availableReplicas", 0)),
            age(obj["metadata"].get("creationTimestamp"), at), names, images,
            format_label_selector(spec.get("selector"))]


def _replicaset(obj: Obj, at: float) -> list[Cell]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    names, images = _template_parts(obj)
    return [obj["metadata"]["name"], int(spec.get("replicas", 1)), int(status.get("replicas", 0)),
            int(status.get("readyReplicas", 0)), age(obj["metadata"].get("creationTimestamp"), at),
            names, images, format_label_selector(spec.get("selector"))]


def _daemonset(obj: Obj, at: float) -> list[Cell]:
    spec, st = obj.get("spec", {}), obj.get("status", {})
    names, images = _template_parts(obj)
    node_sel = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    return [obj["metadata"]["name"], int(st.get("desiredNumberScheduled", 0)),
            int(st.get("currentNumberScheduled", 0)), int(st.get("numberReady", 0)),
            int(st.get("updatedNumberScheduled", 0)), int(st.get("numberAvailable", 0)),
            ",".join(f"{k}={v}" for k, v in sorted(node_sel.items())) or NONE,
            age(obj["metadata"].get("creationTimestamp"), at), names, images,
            format_label_selector(spec.get("selector"))]


def _statefulset(obj: Obj, at: float) -> list[Cell]:
    names, images = _template_parts(obj)
    ready = obj.get("status", {}).get("readyReplicas", 0)
    return [obj["metadata"]["name"], f"{ready}/{obj.get('spec', {}).get('replicas', 1)}",
            age(obj["metadata"].get("creationTimestamp"), at), names, images]


def _service(obj: Obj, at: float) -> list[Cell]:
    spec = obj.get("spec", {})
    ports = []
    for p in spec.get("ports") or []:
        node = f":{p['nodePort']}" if p.get("nodePort") else ""
        ports.append(f"{p.get('port')}{node}/{p.get('protocol', 'TCP')}")
    ingress = (obj.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(spec.get("externalIPs") or [i.get("ip") or i.get("hostname", "")
                                                   for i in ingress])
    if not external:
        external = "<pending>" if spec.get("type") == "LoadBalancer" else NONE
    selector = spec.get("selector") or {}
    return [obj["metadata"]["name"], spec.get("type", "ClusterIP"), spec.get("clusterIP") or NONE,
            external, ",".join(ports) or NONE, age(obj["metadata"].get("creationTimestamp"), at),
            ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or NONE]


def _endpoints(obj: Obj, at: float) -> list[Cell]:
    shown: list[str] = []
    total = 0
    for subset in obj.get("subsets") or []:
        ports = subset.get("ports") or [{}]
        for addr in subset.get("addresses") or []:
            for port in ports:
                total += 1
                if len(shown) < 3:
                    shown.append(f"{addr.get('ip')}:{port['port']}" if port.get("port")
                                 else str(addr.get("ip")))
    text = ",".join(shown) if shown else NONE
    if total > 3:
        text += f" + {total - 3} more..."
    return [obj["metadata"]["name"], text, age(obj["metadata"].get("creationTimestamp"), at)]


def _more(shown: list[str], count: int, limit: int = 3) -> str:
    """listWithMoreString: `a,b,c + 2 more...`, `<unset>` when empty."""
    text = ",".join(shown[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or "<unset>"


def _endpointslice(obj: Obj, at: float) -> list[Cell]:
    ports = [str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
             for p in obj.get("ports") or []]
    addresses = [a for e in obj.get("endpoints") or [] for a in e.get("addresses") or []]
    return [obj["metadata"]["name"], obj.get("addressType", ""), _more(ports, len(ports)),
            _more(addresses, len(addresses)), age(obj["metadata"].get("creationTimestamp"), at)]


def _simple(*extra: Callable[[Obj], Cell]) -> Callable[[Obj, float], list[Cell]]:
    def row(obj: Obj, at: float) -> list[Cell]:
        return [obj["metadata"]["name"], *(f(obj) for f in extra),
                age(obj["metadata"].get("creationTimestamp"), at)]
    return row


def _pdb(obj: Obj, at: float) -> list[Cell]:
    spec = obj.get("spec", {})
    return [obj["metadata"]["name"], str(spec.get("minAvailable", "N/A")),
            str(spec.get("maxUnavailable", "N/A")),
            int(obj.get("status", {}).get("disruptionsAllowed", 0)),
            age(obj["metadata"].get("creationTimestamp"), at)]


def _job(obj: Obj, at: float) -> list[Cell]:
    spec, st = obj.get("spec", {}), obj.get("status", {})
    conditions = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    state = ("Complete" if conditions.get("Complete") == "True" else
             "Failed" if conditions.get("Failed") == "True" else
             "Suspended" if spec.get("suspend") else "Running")
    started, done = parse(st.get("startTime")), parse(st.get("completionTime"))
    duration = human_duration((done or at) - started) if started else ""
    names, images = _template_parts(obj)
    return [obj["metadata"]["name"], state,
            f"{st.get('succeeded', 0)}/{spec.get('completions', 1)}", duration,
            age(obj["metadata"].get("creationTimestamp"), at), names, images,
            format_label_selector(spec.get("selector"))]


def _cronjob(obj: Obj, at: float) -> list[Cell]:
    spec, st = obj.get("spec", {}), obj.get("status", {})
    template = (spec.get("jobTemplate") or {}).get("spec") or {}
    containers = ((template.get("template") or {}).get("spec") or {}).get("containers") or []
    last = st.get("lastScheduleTime")
    return [obj["metadata"]["name"], spec.get("schedule", ""), spec.get("timeZone") or NONE,
            str(bool(spec.get("suspend"))), len(st.get("active") or []),
            age(last, at) if last else NONE, age(obj["metadata"].get("creationTimestamp"), at),
            ",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers),
            format_label_selector(template.get("selector"))]


def _ingress(obj: Obj, at: float) -> list[Cell]:
    spec = obj.get("spec", {})
    hosts = [r.get("host") for r in spec.get("rules") or [] if r.get("host")]
    lb = (obj.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    address = ",".join(i.get("ip") or i.get("hostname", "") for i in lb)
    return [obj["metadata"]["name"], spec.get("ingressClassName") or NONE,
            _more(hosts, len(hosts), 4) if hosts else "*", address,
            "80, 443" if spec.get("tls") else "80",
            age(obj["metadata"].get("creationTimestamp"), at)]


def _claim(obj: Obj, at: float) -> list[Cell]:
    spec, st = obj.get("spec", {}), obj.get("status", {})
    bound = st.get("phase") == "Bound"
    modes = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX",
             "ReadWriteOncePod": "RWOP"}
    return [obj["metadata"]["name"], st.get("phase", "Pending"), spec.get("volumeName", ""),
            (st.get("capacity") or {}).get("storage", "") if bound else "",
            ",".join(modes.get(m, m) for m in st.get("accessModes") or []) if bound else "",
            spec.get("storageClassName") or NONE, spec.get("volumeAttributesClassName") or NONE,
            age(obj["metadata"].get("creationTimestamp"), at),
            spec.get("volumeMode", "Filesystem")]


def _autoscaler(obj: Obj, at: float) -> list[Cell]:
    spec, st = obj.get("spec", {}), obj.get("status", {})
    ref = spec.get("scaleTargetRef") or {}
    current = {m.get("resource", {}).get("name"): m.get("resource", {}).get("current", {})
               for m in st.get("currentMetrics") or [] if m.get("type") == "Resource"}
    targets = []
    for metric in spec.get("metrics") or []:
        resource = metric.get("resource") or {}
        wanted = (resource.get("target") or {}).get("averageUtilization")
        now = (current.get(resource.get("name")) or {}).get("averageUtilization")
        shown = "<unknown>" if now is None else f"{now}%"
        targets.append(f"{resource.get('name')}: {shown}/{wanted}%")
    return [obj["metadata"]["name"], f"{ref.get('kind')}/{ref.get('name')}",
            ", ".join(targets) or NONE, int(spec.get("minReplicas", 1)),
            int(spec.get("maxReplicas", 0)), int(st.get("currentReplicas", 0)),
            age(obj["metadata"].get("creationTimestamp"), at)]


def _certificate(obj: Obj, at: float) -> list[Cell]:
    conditions = obj.get("status", {}).get("conditions") or []
    ready: Obj = next((c for c in conditions if c.get("type") == "Ready"), {})
    spec = obj.get("spec", {})
    return [obj["metadata"]["name"], ready.get("status", ""), spec.get("secretName", ""),
            (spec.get("issuerRef") or {}).get("name", ""), ready.get("message", ""),
            age(obj["metadata"].get("creationTimestamp"), at)]


ROWS: dict[str, Callable[[Obj, float], list[Cell]]] = {
    "pods": _pod,
    "nodes": _node,
    "events": _event,
    "deployments.apps": _deployment,
    "replicasets.apps": _replicaset,
    "daemonsets.apps": _daemonset,
    "statefulsets.apps": _statefulset,
    "services": _service,
    "endpoints": _endpoints,
    "endpointslices.discovery.k8s.io": _endpointslice,
    "namespaces": _simple(lambda o: o.get("status", {}).get("phase", "")),
    "configmaps": _simple(lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
    "secrets": _simple(lambda o: o.get("type", ""), lambda o: len(o.get("data") or {})),
    "serviceaccounts": _simple(lambda o: len(o.get("secrets") or [])),
    "poddisruptionbudgets.policy": _pdb,
    "jobs.batch": _job,
    "cronjobs.batch": _cronjob,
    "ingresses.networking.k8s.io": _ingress,
    "persistentvolumeclaims": _claim,
    "horizontalpodautoscalers.autoscaling": _autoscaler,
    "certificates.cert-manager.io": _certificate,
}


def cells(key: str, obj: Obj, at: float, custom: bool = False) -> list[Cell]:
    """The row cells for one object (generic: name and creation time; custom: name, age)."""
    if custom:
        return [obj["metadata"]["name"], age(obj["metadata"].get("creationTimestamp"), at)]
    printer = ROWS.get(key)
    if printer is None:
        return [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")]
    return printer(obj, at)
