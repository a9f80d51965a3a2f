"""A PodDisruptionBudget that blocks a drain: it allows no disruption now while a node
running pods it covers is cordoned (a drain's evictions of them are refused). A budget at
zero with no drain under way blocks nothing yet and says nothing."""

from __future__ import annotations

from kubechat_tui.engine.insights.cards import InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot, Obj, meta

NAME = "pdb-blocks-drain"


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per budget at zero covering pods on a cordoned node."""
    cordoned = {meta(n, "name") for n in snap.nodes if (n.get("spec") or {}).get(
        "unschedulable")}
    cards = []
    for pdb in snap.budgets:
        status = pdb.get("status") or {}
        if "disruptionsAllowed" not in status or int(status["disruptionsAllowed"]) > 0:
            continue
        stuck = [p for p in snap.pods if _covers(pdb, p)
                 and (p.get("spec") or {}).get("nodeName") in cordoned]
        if stuck:
            cards.append(_card(snap, pdb, stuck))
    return cards


def _covers(pdb: Obj, pod: Obj) -> bool:
    if meta(pdb, "namespace") != meta(pod, "namespace"):
        return False
    selector = (pdb.get("spec") or {}).get("selector") or {}
    labels = (pod.get("metadata") or {}).get("labels") or {}
    wanted = selector.get("matchLabels") or {}
    if not wanted or selector.get("matchExpressions"):
        return False  # an expression selector is not judged here
    return all(labels.get(k) == v for k, v in wanted.items())


def _card(snap: ClusterSnapshot, pdb: Obj, stuck: list[Obj]) -> InsightCard:
    ns, name = meta(pdb, "namespace"), meta(pdb, "name")
    status, spec = pdb.get("status") or {}, pdb.get("spec") or {}
    limit = (f"minAvailable {spec['minAvailable']}" if "minAvailable" in spec
             else f"maxUnavailable {spec.get('maxUnavailable')}")
    nodes = sorted({str((p.get("spec") or {}).get("nodeName")) for p in stuck})
    claim = (f"PodDisruptionBudget {name} ({limit}, {status.get('currentHealthy', 0)} of "
             f"{status.get('expectedPods', 0)} healthy) allows no disruption, so draining "
             f"cordoned node {', '.join(nodes)} cannot evict {len(stuck)} of its pod(s).")
    evidence = [snap.object_evidence(pdb, f"disruptionsAllowed=0, {limit}")]
    evidence += [snap.object_evidence(p, "on cordoned node "
                                      f"{(p.get('spec') or {}).get('nodeName')}")
                 for p in stuck[:3]]
    return InsightCard(NAME, snap.cluster, f"{ns}/poddisruptionbudget/{name}",
                       "Disruption budget blocks a drain", claim, "high", tuple(evidence),
                       NextStep("plan", f"describe pdb {name} in {ns} on {snap.cluster}"))
