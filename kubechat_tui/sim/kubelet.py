"""What the scheduler and kubelet would report for a pod: placement and container states."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.store import Obj

CRASH_TICK = 1.0  # seconds between crash-loop status refreshes
FAILING = ("crashloop", "oomkilled")
SLOW_STOP = "slowstop"  # runs healthy, but ignores SIGTERM: stops at the grace period's end
STOP_DELAY = 1.0  # seconds a container that honours SIGTERM takes to exit
RUN_SECONDS = {"crashloop": 2.0, "oomkilled": 40.0}  # how long an instance lives
BACKOFF_FIRST, BACKOFF_CAP = 10.0, 300.0  # CrashLoopBackOff: 10 s, doubling, 5 min cap
SYNC_DELAY = 1.0  # a dead container shows as terminated until the kubelet's next sync


def go_duration(seconds: float) -> str:
    """time.Duration.String() for whole seconds: `10s`, `1m20s`, `5m0s`."""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def _backoff(crashes: int) -> float:
    return min(BACKOFF_FIRST * 2 ** min(crashes, 16), BACKOFF_CAP)


@dataclass(frozen=True)
class Cycle:
    """Where a crash-looping container stands: its current (or last) instance, the one
    before it and the back-off between them."""

    restarts: int
    start: float  # the current instance started
    end: float  # ... and dies (in the future while it runs)
    backoff: float  # the wait after `end` before the next restart
    previous: tuple[float, float] | None  # the instance before: start, end

    def phase(self, at: float) -> str:
        """running, terminated (just died, not yet synced) or waiting (CrashLoopBackOff)."""
        if at < self.end:
            return "running"
        return "terminated" if at < self.end + SYNC_DELAY else "waiting"


def cycle(started: float, at: float, behavior: str) -> Cycle:
    """The crash loop of a container first started at `started`, as of `at`: each instance
    runs RUN_SECONDS, then the kubelet waits 10 s, 20 s, 40 s ... 5 min before the next."""
    run = RUN_SECONDS[behavior]
    start, crashes, previous = started, 0, None
    while _backoff(crashes) < BACKOFF_CAP:
        wait = _backoff(crashes)
        if start + run + wait > at:
            return Cycle(crashes, start, start + run, wait, previous)
        previous, start, crashes = (start, start + run), start + run + wait, crashes + 1
    period = run + BACKOFF_CAP
    skipped = max(0, int((at - start) // period))
    if skipped:
        begin = start + (skipped - 1) * period
        previous, start, crashes = (begin, begin + run), start + skipped * period, \
            crashes + skipped
    return Cycle(crashes, start, start + run, BACKOFF_CAP, previous)


def restarts_since(started: float, at: float, behavior: str = "crashloop") -> int:
    """How many restarts a crash-looping container started at `started` has had by `at`."""
    return cycle(started, at, behavior).restarts


def behaviors(pod: Obj, image_behaviors: dict[str, str]) -> dict[str, str]:
    """container name -> healthy | crashloop | oomkilled | imagepull | slowstop."""
    return {c["name"]: image_behaviors.get(c.get("image", ""), "healthy")
            for c in pod["spec"].get("containers") or []}


def runs_normally(behavior: str) -> bool:
    """True for a container that serves (healthy, or healthy until it is stopped)."""
    return behavior in ("healthy", SLOW_STOP)


def stop_seconds(pod: Obj, image_behaviors: dict[str, str]) -> float:
    """How long a terminating pod lives: its containers exit on SIGTERM after STOP_DELAY,
    one that ignores it is killed when the grace period ends; never past the grace period."""
    grace = float(pod["metadata"].get("deletionGracePeriodSeconds", 30))
    if SLOW_STOP in behaviors(pod, image_behaviors).values():
        return grace
    return min(STOP_DELAY, grace)


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


def _container_id(uid: str, name: str, instance: int) -> str:
    digest = hashlib.sha256(f"{uid}/{name}/{instance}".encode()).hexdigest()
    return f"containerd://{digest}"


def _container_status(pod: Obj, container: Obj, behavior: str, started: float,
                      at: float) -> tuple[Obj, bool]:
    name, image = container["name"], container["image"]
    meta = pod["metadata"]
    uid = meta["uid"]
    image_id = f"{image.split(':')[0]}@sha256:{uid.replace('-', '')[:32]}{'0' * 32}"
    status: Obj = {"name": name}
    if behavior == "imagepull":
        status["state"] = {"waiting": {"reason": "ImagePullBackOff",
                                       "message": f'Back-off pulling image "{image}"'}}
        status.update({"lastState": {}, "ready": False, "restartCount": 0, "image": image,
                       "imageID": "", "started": False})
        return status, False
    if behavior not in FAILING:
        status.update({"state": {"running": {"startedAt": rfc3339(started)}}, "lastState": {},
                       "ready": True, "restartCount": 0, "image": image, "imageID": image_id,
                       "containerID": _container_id(uid, name, 0), "started": True})
        return status, True
    loop = cycle(started, at, behavior)
    oom = behavior == "oomkilled"

    def terminated(begin: float, end: float, instance: int) -> Obj:
        return {"exitCode": 137 if oom else 1, "reason": "OOMKilled" if oom else "Error",
                "startedAt": rfc3339(begin), "finishedAt": rfc3339(end),
                "containerID": _container_id(uid, name, instance)}

    phase = loop.phase(at)
    last = terminated(*loop.previous, loop.restarts - 1) if loop.previous else None
    if phase == "running":
        status["state"] = {"running": {"startedAt": rfc3339(loop.start)}}
    elif phase == "terminated":
        status["state"] = {"terminated": terminated(loop.start, loop.end, loop.restarts)}
    else:
        status["state"] = {"waiting": {
            "reason": "CrashLoopBackOff",
            "message": f"back-off {go_duration(loop.backoff)} restarting failed container="
                       f"{name} pod={meta['name']}_{meta.get('namespace', '')}({uid})"}}
        last = terminated(loop.start, loop.end, loop.restarts)
    status.update({"lastState": {"terminated": last} if last else {}, "ready": False,
                   "restartCount": loop.restarts, "image": image, "imageID": image_id,
                   "containerID": _container_id(uid, name, loop.restarts),
                   "started": phase == "running"})
    return status, False


def container_statuses(pod: Obj, started: float, at: float,
                       image_behaviors: dict[str, str]) -> tuple[list[Obj], list[str]]:
    """Every container's status as of `at`, and the names of those not ready."""
    kinds = behaviors(pod, image_behaviors)
    statuses, not_ready = [], []
    for container in pod["spec"].get("containers") or []:
        st, ok = _container_status(pod, container, kinds[container["name"]], started, at)
        statuses.append(st)
        if not ok:
            not_ready.append(container["name"])
    return statuses, not_ready


def running_status(pod: Obj, node: Obj, started: float, now: float,
                   image_behaviors: dict[str, str]) -> Obj:
    """Status of a scheduled pod whose containers behave as their images dictate."""
    kinds = behaviors(pod, image_behaviors)
    statuses, not_ready = container_statuses(pod, started, now, image_behaviors)
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
