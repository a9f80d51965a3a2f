"""Pending pods the scheduler cannot place (FailedScheduling), with the reason read from
the scheduler's own message: insufficient cpu or memory, untolerated taints, an unbound
PersistentVolumeClaim, a node selector no node matches. A message none of these explain
says nothing."""

from __future__ import annotations

import re

from kubechat_tui.engine.insights.cards import InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot, Obj, meta

NAME = "failed-scheduling"
CAUSES = (  # (pattern in the scheduler's message, what it means)
    (re.compile(r"Insufficient (cpu|memory|ephemeral-storage|[\w./-]+)"),
     "not enough {0} free on any node"),
    (re.compile(r"untolerated taint (\{[^}]*\})"), "nodes carry a taint {0} it does not tolerate"),
    (re.compile(r"unbound immediate PersistentVolumeClaims"),
     "its PersistentVolumeClaim is not bound"),
    (re.compile(r"didn't match Pod's node affinity/selector"),
     "no node matches its node selector or affinity"),
)


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per owner (deployment, else pod) of unschedulable pods."""
    grouped: dict[str, tuple[Obj, list[Obj], Obj, list[str]]] = {}
    for pod in snap.pods:
        if (pod.get("status") or {}).get("phase") != "Pending" or not _unschedulable(pod):
            continue
        event = next((e for e in snap.events_about(pod)
                      if e.get("reason") == "FailedScheduling"), None)
        causes = _causes(str(event.get("message") or "")) if event else []
        if event is None or not causes:
            continue
        owner = snap.deployment_of(pod) or pod
        entry = grouped.setdefault(meta(owner, "uid"), (owner, [], event, causes))
        entry[1].append(pod)
    return [_card(snap, *entry) for entry in grouped.values()]


def _unschedulable(pod: Obj) -> bool:
    return any(c.get("type") == "PodScheduled" and c.get("status") == "False"
               for c in (pod.get("status") or {}).get("conditions") or ())


def _causes(message: str) -> list[str]:
    found = []
    for pattern, meaning in CAUSES:
        hits = sorted({m.group(1) if m.groups() else "" for m in pattern.finditer(message)})
        if hits:
            found.append(meaning.format(", ".join(hits)))
    return found


def _card(snap: ClusterSnapshot, owner: Obj, pods: list[Obj], event: Obj,
          causes: list[str]) -> InsightCard:
    ns, name, kind = meta(owner, "namespace"), meta(owner, "name"), str(owner.get("kind"))
    who = (f"pod {name} stays" if owner is pods[0] else
           f"{len(pods)} pod(s) of {kind.lower()} {name} stay")
    claim = f"{who} Pending: {'; '.join(causes)}."
    evidence = [snap.object_evidence(p, "Pending, PodScheduled=False") for p in pods[:3]]
    evidence.append(snap.event_evidence(event))
    return InsightCard(NAME, snap.cluster, f"{ns}/{kind.lower()}/{name}",
                       "Pods cannot be scheduled", claim, "high", tuple(evidence),
                       NextStep("recipe", "pending-pods", (("namespace", ns),)))
