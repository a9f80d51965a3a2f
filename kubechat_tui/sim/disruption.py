"""PodDisruptionBudgets: their status and the eviction check the disruption controller backs."""

from __future__ import annotations

import math
from typing import Any

from kubechat_tui.sim.kubelet import node_ready_pod
from kubechat_tui.sim.selectors import labels_match, selector_from_match_labels
from kubechat_tui.sim.store import Obj


def covers(pdb: Obj, pod: Obj) -> bool:
    """True when the budget's selector selects the pod."""
    selector = selector_from_match_labels(pdb.get("spec", {}).get("selector"))
    return bool(selector) and labels_match(selector, pod["metadata"].get("labels"))


def _amount(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        share = total * int(value[:-1]) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


def status(pdb: Obj, pods: list[Obj]) -> dict[str, Any]:
    """PDB status from the live pods it covers."""
    live = [p for p in pods if covers(pdb, p) and not p["metadata"].get("deletionTimestamp")]
    expected = len(live)
    healthy = sum(1 for p in live if node_ready_pod(p))
    spec = pdb.get("spec", {})
    if "maxUnavailable" in spec:
        desired = max(0, expected - _amount(spec["maxUnavailable"], expected, False))
    else:
        desired = _amount(spec.get("minAvailable", 1), expected, True)
    return {"observedGeneration": pdb["metadata"].get("generation", 1),
            "disruptionsAllowed": max(0, healthy - desired), "currentHealthy": healthy,
            "desiredHealthy": desired, "expectedPods": expected}


def blocking_message(pdbs: list[Obj], pods: list[Obj], pod: Obj) -> str | None:
    """Why evicting pod would violate a budget (None when it may go)."""
    for pdb in pdbs:
        if not covers(pdb, pod):
            continue
        st = status(pdb, pods)
        healthy_pod = node_ready_pod(pod)
        if (healthy_pod and st["disruptionsAllowed"] < 1) or (
                not healthy_pod and st["currentHealthy"] < st["desiredHealthy"]):
            return (f"The disruption budget {pdb['metadata']['name']} needs "
                    f"{st['desiredHealthy']} healthy pods and has {st['currentHealthy']} "
                    "currently")
    return None
