"""What the scheduler and kubelet would report for a pod: placement and container states."""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.store import Obj

CRASH_PERIOD = 30.0  # seconds between simulated crash-loop restarts


def behaviors(pod: Obj, image_behaviors: dict[str, str]) -> dict[str, str]:
    """container name -> healthy | crashloop | oomkilled | imagepull."""
    return {c["name"]: image_behaviors.get(c.get("image", ""), "healthy")
            for c in pod["spec"].get("containers") or []}


def node_ready(node: Obj) -> bool:
    """True when the node's Ready condition is True."""
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in node.get("status", {}).get("conditions") or [])


def schedule(pod: Obj, nodes: list[Obj], load: dict[str, int]) -> tuple[Obj | None, str]:
    """Pick the least-loaded fitting node, or explain why none fits."""
    selector = pod["spec"].get("nodeSelector") or {}
    fitting, tainted, mismatched, cordoned = [], 0, 0, 0
    for node in nodes:
        labels = node["metadata"].get("labels") or {}
        if any(labels.get(k) != v for k, v in selector.items()):
            mismatched += 1
        elif not node_ready(node):
            tainted += 1
        elif node.get("spec", {}).get("unschedulable"):
            cordoned += 1
        else:
            fitting.append(node)
    if fitting:
        best = min(fitting, key=lambda n: (load.get(n["metadata"]["name"], 0),
                                           n["metadata"]["name"]))
        return best, ""
    total = len(nodes)
    parts = []
    if tainted:
        parts.append(f"{tainted} node(s) had untolerated taint "
                     "{node.kubernetes.io/unreachable: }")
    if mismatched:
        parts.append(f"{mismatched} node(s) didn't match Pod's node affinity/selector")
    if cordoned:
        parts.append(f"{cordoned} node(s) were unschedulable")
    return None, (f"0/{total} nodes are available: {', '.join(parts)}. preemption: 0/{total} "
                  f"nodes are available: {total} Preemption is not helpful for scheduling.")


def _cond(type_: str, status: str, at: str, reason: str = "", message: str = "") -> Obj:
    out: Obj = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": at}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def unschedulable_status(message: str, at: float) -> Obj:
    """Status of a pod the scheduler cannot place."""
    return {"phase": "Pending",
            "conditions": [_cond("PodScheduled", "False", rfc3339(at), "Unschedulable", message)],
            "qosClass": "Burstable"}


def _container_status(pod: Obj, container: Obj, behavior: str, started: float, now: float,
                      restarts: int) -> tuple[Obj, bool]:
    name, image = container["name"], container["image"]
    meta = pod["metadata"]
    cid = f"containerd://{meta['uid'].replace('-', '')}{name}"[:77]
    image_id = f"{image.split(':')[0]}@sha256:{meta['uid'].replace('-', '')[:32]}{'0' * 32}"
    status: Obj = {"name": name}
    ready = False
    if behavior == "imagepull":
        status["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                       "message": f'Back-off pulling image "{image}"'}}
        status.update({"lastState": {}, "ready": False, "restartCount": 0, "image": image,
                       "imageID": "", "started": False})
        return status, False
    last_end = now - 5 - (restarts % 7)
    if behavior in ("crashloop", "oomkilled") and restarts:
        oom = behavior == "oomkilled"
        terminated = {"exitCode": 137 if oom else 1, "reason": "OOMKilled" if oom else "Error",
                      "startedAt": rfc3339(last_end - (40 if oom else 2)),
                      "finishedAt": rfc3339(last_end), "containerID": cid}
        if oom:
            status["state"] = {"terminated": dict(terminated)}
        else:
            status["state"] = {"waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={name} "
                           f"pod={meta['name']}_{meta.get('namespace', '')}({meta['uid']})"}}
        status["lastState"] = {"terminated": terminated}
    else:
        status["state"] = {"running": {"startedAt": rfc3339(started)}}
        status["lastState"] = {}
        ready = True
    status.update({"ready": ready, "restartCount": restarts, "image": image, "imageID": image_id,
                   "containerID": cid, "started": ready})
    return status, ready


def running_status(pod: Obj, node: Obj, started: float, now: float,
                   image_behaviors: dict[str, str], restarts: int) -> Obj:
    """Status of a scheduled pod whose containers behave as their images dictate."""
    kinds = behaviors(pod, image_behaviors)
    statuses, not_ready = [], []
    for container in pod["spec"].get("containers") or []:
        behavior = kinds[container["name"]]
        st, ok = _container_status(pod, container, behavior, started,
                                   now, restarts if behavior in ("crashloop", "oomkilled") else 0)
        statuses.append(st)
        if not ok:
            not_ready.append(container["name"])
    pulling = any(k == "imagepull" for k in kinds.values())
    at = rfc3339(started)
    if not_ready:
        msg = f"containers with unready status: [{' '.join(not_ready)}]"
        ready = [_cond("Ready", "False", at, "ContainersNotReady", msg),
                 _cond("ContainersReady", "False", at, "ContainersNotReady", msg)]
    else:
        ready = [_cond("Ready", "True", at), _cond("ContainersReady", "True", at)]
    ip = pod.get("status", {}).get("podIP") or _pod_ip(pod, node)
    host_ip = next((a["address"] for a in node["status"].get("addresses") or []
                    if a.get("type") == "InternalIP"), "")
    return {
        "phase": "Pending" if pulling else "Running",
        "conditions": [_cond("PodReadyToStartContainers", "True", at),
                       _cond("Initialized", "True", at), *ready,
                       _cond("PodScheduled", "True", at)],
        "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
        "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": at,
        "containerStatuses": statuses,
        "qosClass": "Burstable",
    }


def _pod_ip(pod: Obj, node: Obj) -> str:
    cidr = node.get("spec", {}).get("podCIDR", "10.244.0.0/24")
    base = cidr.split("/")[0].rsplit(".", 1)[0]
    return f"{base}.{2 + int(pod['metadata']['uid'][:4], 16) % 250}"


def restarts_since(started: float, now: float) -> int:
    """How many crash-loop restarts a pod started at `started` has accumulated by now."""
    elapsed = max(0.0, now - started)
    if elapsed < 600:
        return max(1, int(elapsed / 50))
    return 12 + int((elapsed - 600) / 300)


def bump_restart(status: dict[str, Any], container: str, now: float) -> None:
    """Record one more crash for container in a pod status (in place)."""
    for cs in status.get("containerStatuses") or []:
        if cs["name"] != container:
            continue
        cs["restartCount"] = cs.get("restartCount", 0) + 1
        terminated = (cs.get("lastState") or {}).get("terminated")
        if terminated:
            terminated["startedAt"] = rfc3339(now - 2)
            terminated["finishedAt"] = rfc3339(now)
        if "terminated" in (cs.get("state") or {}):
            cs["state"]["terminated"].update(startedAt=rfc3339(now - 40), finishedAt=rfc3339(now))


def node_ready_pod(pod: Obj) -> bool:
    """True when the pod's Ready condition is True."""
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions") or [])


def creating_status(pod: Obj, node: Obj, at: float) -> Obj:
    """Status right after scheduling, while containers are being created."""
    stamp = rfc3339(at)
    host_ip = next((a["address"] for a in node["status"].get("addresses") or []
                    if a.get("type") == "InternalIP"), "")
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    msg = f"containers with unready status: [{' '.join(names)}]"
    return {
        "phase": "Pending",
        "conditions": [_cond("PodReadyToStartContainers", "False", stamp),
                       _cond("Initialized", "True", stamp),
                       _cond("Ready", "False", stamp, "ContainersNotReady", msg),
                       _cond("ContainersReady", "False", stamp, "ContainersNotReady", msg),
                       _cond("PodScheduled", "True", stamp)],
        "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "startTime": stamp,
        "containerStatuses": [
            {"name": c["name"], "state": {"waiting": {"reason": "ContainerCreating"}},
             "lastState": {}, "ready": False, "restartCount": 0, "image": c["image"],
             "imageID": "", "started": False} for c in pod["spec"].get("containers") or []],
        "qosClass": "Burstable",
    }
