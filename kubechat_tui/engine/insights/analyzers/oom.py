"""OOMKilled containers with no memory limit, or with a limit below the usage metrics
show. A container killed with a limit set and no usage reading says nothing (it may have
had a spike the limit rightly stopped)."""

from __future__ import annotations

from decimal import Decimal

from kubechat_tui.engine.diagnostics.readers.top import quantity
from kubechat_tui.engine.insights.cards import InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot, Obj, containers, meta, statuses

NAME = "oom-killed"
NEAR = Decimal("0.9")  # usage at 90% of the limit or more is "at the limit"


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per workload (or bare pod) with an OOM-killed container that fits a rule."""
    found: dict[str, tuple[Obj, list[tuple[Obj, str, str]]]] = {}
    for pod in snap.pods:
        for status in statuses(pod):
            if not _oom_killed(status):
                continue
            name = str(status.get("name"))
            why = _why(snap, pod, name)
            if why:
                owner = snap.deployment_of(pod) or pod
                found.setdefault(meta(owner, "uid"), (owner, []))[1].append((pod, name, why))
    return [_card(snap, owner, hits) for owner, hits in found.values()]


def _oom_killed(status: Obj) -> bool:
    return any(((status.get(part) or {}).get("terminated") or {}).get("reason") == "OOMKilled"
               for part in ("state", "lastState"))


def _why(snap: ClusterSnapshot, pod: Obj, container: str) -> str:
    spec = next((c for c in containers(pod) if c.get("name") == container), {})
    limit = str(((spec.get("resources") or {}).get("limits") or {}).get("memory") or "")
    if not limit:
        return "no memory limit"
    usage = _usage(snap, pod, container)
    if usage is not None and usage >= quantity(limit) * NEAR:
        return f"limit {limit}, usage {int(usage / 2**20)}Mi"
    return ""


def _usage(snap: ClusterSnapshot, pod: Obj, container: str) -> Decimal | None:
    item = snap.metrics_of(pod)
    for entry in (item or {}).get("containers") or ():
        if entry.get("name") == container:
            return quantity(str((entry.get("usage") or {}).get("memory") or "0"))
    return None


def _card(snap: ClusterSnapshot, owner: Obj, hits: list[tuple[Obj, str, str]]) -> InsightCard:
    pod, container, why = hits[0]
    ns, name, kind = meta(owner, "namespace"), meta(owner, "name"), str(owner.get("kind"))
    limitless = why == "no memory limit"
    claim = (f"container {container} of {kind.lower()} {name} was OOMKilled "
             + ("and has no memory limit: it grows until the node runs short of memory."
                if limitless else f"with its memory limit below what it uses ({why})."))
    evidence = [snap.object_evidence(p, f"container {c} OOMKilled, {w}") for p, c, w in hits[:3]]
    evidence += [snap.event_evidence(e) for e in snap.events_about(pod)
                 if e.get("type") == "Warning"][:1]
    return InsightCard(NAME, snap.cluster, f"{ns}/{kind.lower()}/{name}",
                       "OOMKilled: no memory limit" if limitless else "OOMKilled: limit too low",
                       claim, "high", tuple(evidence),
                       NextStep("plan", f"top pods in {ns} on {snap.cluster}"))
