"""CreateContainerConfigError from a missing ConfigMap or Secret, or a key missing from
one, as the kubelet reports it. A ConfigMap key is checked against the ConfigMap read now
(present again: nothing said); a Secret is checked by name only (its values and keys are
never read). Other configuration errors say nothing."""

from __future__ import annotations

import re

from kubechat_tui.engine.insights.cards import InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import (
    ClusterSnapshot,
    Obj,
    meta,
    statuses,
    waiting_reason,
)

NAME = "missing-config"
MISSING_KEY = re.compile(r"couldn't find key (\S+) in (ConfigMap|Secret) ([\w.-]+)/([\w.-]+)")
MISSING_OBJECT = re.compile(r"(configmap|secret) \"([\w.-]+)\" not found")


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per pod waiting on a missing ConfigMap/Secret (key)."""
    cards = []
    for pod in snap.pods:
        for status in statuses(pod):
            if waiting_reason(status) != "CreateContainerConfigError":
                continue
            message = str(((status.get("state") or {}).get("waiting") or {}).get("message")
                          or "")
            missing = _missing(snap, meta(pod, "namespace"), message)
            if missing:
                cards.append(_card(snap, pod, str(status.get("name")), missing))
                break
    return cards


def _missing(snap: ClusterSnapshot, ns: str, message: str) -> tuple[str, str, str] | None:
    """(kind, name, key or "") the message names, when what is there now agrees."""
    found = MISSING_KEY.search(message)
    if found:
        key, kind, name = found.group(1), found.group(2).lower(), found.group(4)
        obj = _find(snap, kind, found.group(3), name)
        if kind == "configmap" and obj is not None and key in {
                *(obj.get("data") or {}), *(obj.get("binaryData") or {})}:
            return None
        return kind, name, key
    found = MISSING_OBJECT.search(message)
    if found and _find(snap, found.group(1), ns, found.group(2)) is None:
        return found.group(1), found.group(2), ""
    return None


def _find(snap: ClusterSnapshot, kind: str, ns: str, name: str) -> Obj | None:
    source = snap.configmaps if kind == "configmap" else snap.secrets
    return next((o for o in source if meta(o, "namespace") == ns and meta(o, "name") == name),
                None)


def _card(snap: ClusterSnapshot, pod: Obj, container: str,
          missing: tuple[str, str, str]) -> InsightCard:
    ns, name = meta(pod, "namespace"), meta(pod, "name")
    kind, source, key = missing
    what = f"key {key} of {kind} {source}" if key else f"{kind} {source}"
    owner = snap.deployment_of(pod)
    claim = (f"container {container} of pod {name} cannot start: {what} does not exist"
             + (f" (deployment {meta(owner, 'name')})" if owner else "") + ".")
    evidence = [snap.object_evidence(pod, f"{container} CreateContainerConfigError")]
    evidence += [snap.event_evidence(e) for e in snap.events_about(pod)
                 if e.get("reason") == "Failed"][:1]
    return InsightCard(NAME, snap.cluster, f"{ns}/pod/{name}", f"Missing {kind}"
                       + (" key" if key else ""), claim, "high", tuple(evidence),
                       NextStep("plan", f"describe {kind} {source} in {ns} on {snap.cluster}"))
