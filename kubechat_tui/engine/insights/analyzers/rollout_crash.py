"""A crash loop (or error spike) that began shortly after a rollout — a new ReplicaSet
revision — or after a ConfigMap or Secret the pods use was changed.

Fires when a deployment's pods crash (CrashLoopBackOff, or restarts after an `Error`
exit) and, at most WINDOW before the first crash, the current revision was created or a
ConfigMap/Secret they mount or read was last written (managedFields). Both must be recent
(RECENT). Crashes with no such change before them say nothing.
"""

from __future__ import annotations

from kubechat_tui.engine.insights.cards import Evidence, InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import (
    CHANGE_CAUSE,
    REVISION,
    ClusterSnapshot,
    Obj,
    meta,
    minutes,
    statuses,
    template_images,
    waiting_reason,
)
from kubechat_tui.kube.kinds import event_time

NAME = "crash-after-change"
WINDOW = 3600.0  # a change at most this long before the first crash
RECENT = 6 * 3600.0  # ... and at most this long ago
CLOSE = 900.0  # the first crash this soon after the change: high confidence
CRASH_EVENTS = ("BackOff",)


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per deployment whose crashes followed a recent change."""
    cards = []
    for deployment in snap.deployments:
        crashing = [p for p in snap.pods_of(deployment) if _crashing(p)]
        began = _first_crash(snap, crashing)
        if began is None:
            continue
        changes = [c for c in _changes(snap, deployment, crashing)
                   if 0 <= c[0] - began <= WINDOW and c[0] <= RECENT]
        if changes:
            cards.append(_card(snap, deployment, crashing, began, changes))
    return cards


def _crashing(pod: Obj) -> bool:
    for status in statuses(pod):
        last = (status.get("lastState") or {}).get("terminated") or {}
        if waiting_reason(status) == "CrashLoopBackOff" or (
                int(status.get("restartCount") or 0) > 0 and last.get("reason") == "Error"):
            return True
    return False


def _first_crash(snap: ClusterSnapshot, pods: list[Obj]) -> float | None:
    """Seconds ago the first of the pods crashed: its first back-off event, else the end of
    the instance before the current one."""
    ages = []
    for pod in pods:
        for event in snap.events_about(pod):
            if event.get("reason") in CRASH_EVENTS and "restarting" in str(event.get("message")):
                ages.append(snap.age(event.get("firstTimestamp") or event_time(event)))
        for status in statuses(pod):
            last = (status.get("lastState") or {}).get("terminated") or {}
            ages.append(snap.age(last.get("finishedAt")))
    known = [a for a in ages if a is not None]
    return max(known) if known else None


def _changes(snap: ClusterSnapshot, deployment: Obj,
             pods: list[Obj]) -> list[tuple[float, str, Evidence, NextStep]]:
    """(seconds ago, what, evidence, next step) of each change before the crashes."""
    found = []
    ns, name = meta(deployment, "namespace"), meta(deployment, "name")
    revisions = snap.revisions(deployment)
    current = ((deployment.get("metadata") or {}).get("annotations") or {}).get(REVISION)
    rs = next((r for r in revisions if (r["metadata"].get("annotations") or {}).get(
        REVISION) == current), None)
    if rs is not None and len(revisions) > 1:
        ago = snap.age(meta(rs, "creationTimestamp"))
        if ago is not None:
            cause = (rs["metadata"].get("annotations") or {}).get(CHANGE_CAUSE) or ""
            what = f"revision {current}" + (f" ({cause})" if cause else "") + _image_change(
                revisions, rs)
            found.append((ago, what, Evidence(
                "object", snap.cluster, f"{ns}/replicaset/{meta(rs, 'name')}: {what}",
                meta(rs, "creationTimestamp")), NextStep(
                "recipe", "rollback-deployment", (("namespace", ns), ("deployment", name)))))
    for kind, source in (("configmap", snap.configmaps), ("secret", snap.secrets)):
        for obj in source:
            if meta(obj, "namespace") == ns and meta(obj, "name") in _used(pods, kind):
                written = _last_write(obj)
                ago = snap.age(written)
                if ago is not None and written != meta(obj, "creationTimestamp"):
                    what = f"{kind} {meta(obj, 'name')} changed"
                    found.append((ago, what, Evidence(
                        "object", snap.cluster, f"{ns}/{kind}/{meta(obj, 'name')}: last "
                        f"written by {_writer(obj)}", written), NextStep(
                        "plan", f"describe {kind} {meta(obj, 'name')} in {ns} on "
                        f"{snap.cluster}")))
    return found


def _image_change(revisions: list[Obj], rs: Obj) -> str:
    index = revisions.index(rs)
    if index == 0:
        return ""
    before, after = template_images(revisions[index - 1]), template_images(rs)
    changed = [f"{c}: {before[c]} -> {image}" for c, image in after.items()
               if c in before and before[c] != image]
    return ", image " + "; ".join(changed) if changed else ""



def _used(pods: list[Obj], kind: str) -> set[str]:
    """Names of the ConfigMaps (or Secrets) the pods mount or read into their environment."""
    key, ref_key = ("configMap", "configMapKeyRef") if kind == "configmap" else (
        "secret", "secretKeyRef")
    names: set[str] = set()
    for pod in pods:
        spec = pod.get("spec") or {}
        for volume in spec.get("volumes") or ():
            source = volume.get(key) or {}
            names.add(str(source.get("name") or source.get("secretName") or ""))
            for projected in (volume.get("projected") or {}).get("sources") or ():
                names.add(str((projected.get(key) or {}).get("name") or ""))
        for container in spec.get("containers") or ():
            for env_from in container.get("envFrom") or ():
                names.add(str((env_from.get(f"{key}Ref") or {}).get("name") or ""))
            for env in container.get("env") or ():
                names.add(str(((env.get("valueFrom") or {}).get(ref_key) or {}).get("name")
                              or ""))
    return names - {""}


def _last_write(obj: Obj) -> str:
    times = [str(m.get("time") or "") for m in (obj.get("metadata") or {}).get(
        "managedFields") or () if m.get("time")]
    return max(times) if times else ""  # RFC 3339 in UTC: text order is time order


def _writer(obj: Obj) -> str:
    fields = sorted((obj.get("metadata") or {}).get("managedFields") or (),
                    key=lambda m: str(m.get("time") or ""))
    return str(fields[-1].get("manager") or "?") if fields else "?"


def _card(snap: ClusterSnapshot, deployment: Obj, pods: list[Obj], began: float,
          changes: list[tuple[float, str, Evidence, NextStep]]) -> InsightCard:
    changes.sort(key=lambda c: c[0] - began)  # the change closest before the crashes first
    ago, what, _, step = changes[0]
    name, ns = meta(deployment, "name"), meta(deployment, "namespace")
    claim = (f"{len(pods)} pod(s) of deployment {name} began crashing "
             f"{minutes(ago - began)} after {what}"
             + (f", and {'; '.join(c[1] for c in changes[1:])} shortly before"
                if len(changes) > 1 else "") + ".")
    evidence = [c[2] for c in changes]
    for pod in pods[:2]:
        backoff = [e for e in snap.events_about(pod) if e.get("reason") in CRASH_EVENTS]
        evidence += [snap.event_evidence(e) for e in backoff[:1]]
        evidence += snap.log_evidence(pod, limit=1)
    return InsightCard(NAME, snap.cluster, f"{ns}/deployment/{name}",
                       "Crash loop after a change", claim,
                       "high" if ago - began <= CLOSE else "medium", tuple(evidence), step)
