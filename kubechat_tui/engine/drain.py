"""`kubectl drain` as kubechat runs it: cordon, evict, then wait until the pods are gone.

Like kubectl (staging/src/k8s.io/kubectl/pkg/drain/drain.go): an eviction answered 429
(a PodDisruptionBudget forbids it now) is retried every 5 s, a 404 means the pod is
already gone, and the drain is done only when every evicted pod is deleted or replaced by
a pod with another UID, polling once a second, all within one timeout. kubechat polls the
node's pod list (the request the drain already made) rather than one GET per pod. At the
timeout the drain fails and names the pods still there. A dry run or a request plan
evicts nothing, so it neither retries nor waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from kubechat_tui.kube.mutations import MutationError, Mutator, Target, drainable

POLL_SECONDS = 1.0  # kubectl's waitForDelete interval
EVICTION_RETRY_SECONDS = 5.0  # kubectl's wait after a 429 before evicting again
SHOWN = 5  # pods named in a progress line

Report = Callable[[str], None]


@dataclass(frozen=True)
class PodRef:
    """One pod the drain evicts: where it is and which incarnation."""

    namespace: str
    name: str
    uid: str

    def label(self) -> str:
        """`payments/payments-api-7d9c-x2x5z`."""
        return f"{self.namespace}/{self.name}"


class DrainIncomplete(MutationError):
    """The timeout passed with pods still on the node (cordoned, partly evicted)."""

    def __init__(self, node: Target, timeout: float, left: Sequence[str]) -> None:
        super().__init__(node.cluster, 504, f"drain of node {node.name} timed out after "
                         f"{timeout:g}s with {len(left)} pod(s) still on it: {shown(left)}",
                         "Timeout")
        self.left = list(left)


def shown(labels: Sequence[str]) -> str:
    """The first few names, then how many more."""
    more = len(labels) - SHOWN
    return ", ".join(labels[:SHOWN]) + (f" (+{more} more)" if more > 0 else "")


def _ref(pod: dict[str, Any]) -> PodRef:
    meta = pod.get("metadata") or {}
    return PodRef(str(meta.get("namespace") or "default"), str(meta.get("name") or ""),
                  str(meta.get("uid") or ""))


def drain(m: Mutator, node: Target, resource_version: str | None, timeout: float,
          report: Report) -> list[PodRef]:
    """Cordon the node, evict its pods (not DaemonSet or mirror pods), wait until they
    are gone; the evicted pods. DrainIncomplete at the timeout."""
    m.cordon(node, True, resource_version)
    pods = [_ref(p) for p in drainable(m.pods_on_node(node.cluster, node.name))]
    deadline = time.monotonic() + timeout
    for index, pod in enumerate(pods):
        _evict(m, node, pod, deadline, timeout, report, partial(_left, m, node, pods, index))
    if m.effective:
        _wait_gone(m, node, pods, deadline, timeout, report)
    return pods


def _evict(m: Mutator, node: Target, pod: PodRef, deadline: float, timeout: float,
           report: Report, left: Callable[[], list[str]]) -> None:
    """Evict one pod, retrying while a disruption budget says 429 (real runs only)."""
    while True:
        try:
            m.evict(node.cluster, pod.namespace, pod.name, pod.uid)
            return
        except MutationError as exc:
            if exc.status == 404:
                return  # already gone
            if exc.status != 429 or not m.effective:
                raise
            if time.monotonic() + EVICTION_RETRY_SECONDS > deadline:
                raise DrainIncomplete(node, timeout, left()) from None
            report(f"{pod.label()}: {exc.message} (retrying in {EVICTION_RETRY_SECONDS:g}s)")
            time.sleep(EVICTION_RETRY_SECONDS)


def _present(m: Mutator, node: Target, pods: Sequence[PodRef]) -> list[PodRef]:
    """The pods still on the node as the same incarnation."""
    now = {(p.namespace, p.name): p.uid for p in map(_ref, m.pods_on_node(node.cluster,
                                                                           node.name))}
    return [p for p in pods if now.get((p.namespace, p.name)) == p.uid]


def _left(m: Mutator, node: Target, pods: Sequence[PodRef], refused: int) -> list[str]:
    """At an eviction timeout: evicted pods still terminating, then those not evicted."""
    terminating = [f"{p.label()} (terminating)" for p in _present(m, node, pods[:refused])]
    return terminating + [f"{p.label()} (not evicted)" for p in pods[refused:]]


def _wait_gone(m: Mutator, node: Target, pods: Sequence[PodRef], deadline: float,
               timeout: float, report: Report) -> None:
    pending = list(pods)
    while True:
        pending = _present(m, node, pending)
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise DrainIncomplete(node, timeout, [f"{p.label()} (terminating)"
                                                  for p in pending])
        report(f"waiting for {len(pending)} evicted pod(s) to terminate: "
               f"{shown([p.label() for p in pending])}")
        time.sleep(max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))
