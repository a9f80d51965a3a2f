"""Readiness or liveness probes failing on containers that run: readiness failures on a
running container that is not ready, liveness failures on one the kubelet restarted.
Readiness failures of a container that has terminated before (a crash loop: the probe
only sees it gone) and old failures of a container that is ready now say nothing."""

from __future__ import annotations

from kubechat_tui.engine.insights.cards import InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot, Obj, meta, statuses
from kubechat_tui.kube.kinds import event_time

NAME = "probe-failures"
RECENT = 900.0  # probe events last seen at most this long ago


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per pod whose probes fail now."""
    cards = []
    for pod in snap.pods:
        failing = [e for e in snap.events_about(pod) if e.get("reason") == "Unhealthy"
                   and (snap.age(event_time(e)) or RECENT + 1) <= RECENT]
        hits = [(e, probe, s) for e in failing for probe in ("Readiness", "Liveness")
                if str(e.get("message") or "").startswith(f"{probe} probe failed")
                for s in statuses(pod) if _container_of(e) in ("", s.get("name"))
                and _fits(probe, s)]
        if hits:
            cards.append(_card(snap, pod, hits))
    return cards


def _container_of(event: Obj) -> str:
    """The container a kubelet event names in its fieldPath (`spec.containers{api}`)."""
    path = str((event.get("involvedObject") or {}).get("fieldPath") or "")
    return path.partition("{")[2].rstrip("}")


def _fits(probe: str, status: Obj) -> bool:
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated") or {}
    if probe == "Readiness":  # not a container that keeps dying on its own
        return "running" in state and not status.get("ready") and not last
    return "running" in state and int(status.get("restartCount") or 0) > 0 and \
        last.get("reason") != "OOMKilled"


def _card(snap: ClusterSnapshot, pod: Obj, hits: list[tuple[Obj, str, Obj]]) -> InsightCard:
    ns, name = meta(pod, "namespace"), meta(pod, "name")
    _, probe, status = hits[0]
    what = "is running but not ready" if probe == "Readiness" else (
        f"was restarted {status.get('restartCount')} time(s) by the kubelet")
    claim = f"the {probe.lower()} probe of container {status.get('name')} fails: it {what}."
    evidence = [snap.object_evidence(pod, f"container {status.get('name')} "
                                     f"ready={bool(status.get('ready'))}")]
    evidence += [snap.event_evidence(e) for e, _, _ in hits[:2]]
    return InsightCard(NAME, snap.cluster, f"{ns}/pod/{name}", f"{probe} probe failing",
                       claim, "high", tuple(evidence),
                       NextStep("plan", f"describe pod {name} in {ns} on {snap.cluster}"))
