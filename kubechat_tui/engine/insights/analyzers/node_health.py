"""Nodes that are NotReady (or Unknown) or under memory, disk or PID pressure, with the
pods they run."""

from __future__ import annotations

from kubechat_tui.engine.insights.cards import Evidence, InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import ClusterSnapshot, Obj, meta

NAME = "node-health"
PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure")
SHOWN_PODS = 4


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per unhealthy node."""
    cards = []
    for node in snap.nodes:
        conditions = {str(c.get("type")): c for c in (node.get("status") or {}).get(
            "conditions") or ()}
        ready = conditions.get("Ready")
        bad = [c for t, c in conditions.items() if t in PRESSURE and c.get("status") == "True"]
        if ready is not None and ready.get("status") != "True":
            bad.insert(0, ready)
        if bad:
            cards.append(_card(snap, node, bad))
    return cards


def _card(snap: ClusterSnapshot, node: Obj, bad: list[Obj]) -> InsightCard:
    name = meta(node, "name")
    pods = [p for p in snap.pods if (p.get("spec") or {}).get("nodeName") == name
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    words = [("NotReady" if c.get("type") == "Ready" else f"under {c.get('type')}")
             for c in bad]
    claim = (f"node {name} is {' and '.join(words)}, affecting {len(pods)} pod(s)"
             + (f" ({', '.join(meta(p, 'namespace') + '/' + meta(p, 'name') for p in pods[:2])}"
                f"{', …' if len(pods) > 2 else ''})" if pods else "") + ".")
    evidence = [Evidence("object", snap.cluster, f"node/{name}: {c.get('type')}="
                         f"{c.get('status')} {c.get('reason') or ''}: "
                         f"{' '.join(str(c.get('message') or '').split())[:200]}",
                         str(c.get("lastTransitionTime") or "")) for c in bad]
    evidence += [snap.object_evidence(p, f"on {name}") for p in pods[:SHOWN_PODS]]
    return InsightCard(NAME, snap.cluster, f"node/{name}",
                       "Node not ready" if bad[0].get("type") == "Ready" else "Node under "
                       "pressure", claim, "high", tuple(evidence),
                       NextStep("recipe", "node-not-ready", (("node", name),)))
