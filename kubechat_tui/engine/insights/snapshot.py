"""What the analyzers read about one cluster: the objects gathered for the run (pods,
events, ReplicaSets, nodes, budgets, services and their EndpointSlices, ConfigMaps, Secret
metadata, pod metrics) and the log excerpts the diagnostics showed, with the lookups the
analyzers share. Secrets are held as metadata only: their values are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kubechat_tui.engine.diagnostics.results import LogExcerpt
from kubechat_tui.engine.insights.cards import Evidence
from kubechat_tui.kube.kinds import event_time

Obj = dict[str, Any]
REVISION = "deployment.kubernetes.io/revision"
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
CHANGE_CAUSE = "kubernetes.io/change-cause"
SERVICE_NAME = "kubernetes.io/service-name"  # the label tying an EndpointSlice to its Service


def meta(obj: Obj, key: str) -> str:
    """A metadata field as text ("" when absent)."""
    return str((obj.get("metadata") or {}).get(key) or "")


def when(text: object) -> datetime | None:
    """An RFC 3339 time (None when absent or unreadable)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def minutes(seconds: float) -> str:
    """`45s`, `12m`, `3h`: a span for a sentence."""
    if seconds < 90:
        return f"{int(seconds)}s"
    if seconds < 5400:
        return f"{round(seconds / 60)}m"
    return f"{round(seconds / 3600)}h"


def ref(obj: Obj) -> str:
    """`payments/pod/payments-api-7d9f-x` (`node/ip-10-0-1-12` when cluster-scoped)."""
    kind = str(obj.get("kind") or "").lower()
    ns = meta(obj, "namespace")
    return f"{ns}/{kind}/{meta(obj, 'name')}" if ns else f"{kind}/{meta(obj, 'name')}"


def template_images(rs: Obj) -> dict[str, str]:
    """container name -> image of a ReplicaSet's pod template."""
    spec = ((rs.get("spec") or {}).get("template") or {}).get("spec") or {}
    return {str(c.get("name")): str(c.get("image")) for c in spec.get("containers") or ()}


def containers(pod: Obj) -> list[Obj]:
    """The pod's (app) container specs."""
    return list((pod.get("spec") or {}).get("containers") or ())


def statuses(pod: Obj) -> list[Obj]:
    """The pod's container statuses."""
    return list((pod.get("status") or {}).get("containerStatuses") or ())


def waiting_reason(status: Obj) -> str:
    """The reason a container waits ("" when it does not)."""
    return str(((status.get("state") or {}).get("waiting") or {}).get("reason") or "")


@dataclass
class ClusterSnapshot:
    """Everything gathered in one cluster for one run."""

    cluster: str
    now: datetime
    pods: list[Obj] = field(default_factory=list)
    events: list[Obj] = field(default_factory=list)
    replicasets: list[Obj] = field(default_factory=list)
    deployments: list[Obj] = field(default_factory=list)
    nodes: list[Obj] = field(default_factory=list)
    budgets: list[Obj] = field(default_factory=list)
    services: list[Obj] = field(default_factory=list)
    endpoint_slices: list[Obj] = field(default_factory=list)
    configmaps: list[Obj] = field(default_factory=list)
    secrets: list[Obj] = field(default_factory=list)  # PartialObjectMetadata: no values
    pod_metrics: list[Obj] | None = None  # None: metrics.k8s.io not served (or refused)
    logs: list[LogExcerpt] = field(default_factory=list)
    _events: dict[tuple[str, str, str], list[Obj]] | None = field(default=None, repr=False)
    _owners: dict[str, Obj] | None = field(default=None, repr=False)

    def age(self, text: object) -> float | None:
        """Seconds since an RFC 3339 time (None when unreadable)."""
        at = when(text)
        return None if at is None else (self.now - at).total_seconds()

    def events_about(self, obj: Obj) -> list[Obj]:
        """Events whose involvedObject is `obj` (namespace, kind and name), newest first."""
        if self._events is None:
            self._events = {}
            for event in sorted(self.events, key=event_time, reverse=True):
                involved = event.get("involvedObject") or {}
                key = (meta(event, "namespace"), str(involved.get("kind") or ""),
                       str(involved.get("name") or ""))
                self._events.setdefault(key, []).append(event)
        return self._events.get((meta(obj, "namespace"), str(obj.get("kind") or ""),
                                 meta(obj, "name")), [])

    def owner(self, obj: Obj, kind: str, candidates: list[Obj]) -> Obj | None:
        """The controller of `obj` of `kind` among `candidates`."""
        for reference in (obj.get("metadata") or {}).get("ownerReferences") or ():
            if reference.get("kind") == kind and reference.get("controller"):
                for candidate in candidates:
                    if meta(candidate, "uid") == reference.get("uid"):
                        return candidate
        return None

    def deployment_of(self, pod: Obj) -> Obj | None:
        """The Deployment owning the pod's ReplicaSet."""
        if self._owners is None:
            by_uid = {meta(d, "uid"): d for d in self.deployments}
            self._owners = {}
            for rs in self.replicasets:
                for reference in (rs.get("metadata") or {}).get("ownerReferences") or ():
                    if reference.get("controller") and reference.get("uid") in by_uid:
                        self._owners[meta(rs, "uid")] = by_uid[reference["uid"]]
        for reference in (pod.get("metadata") or {}).get("ownerReferences") or ():
            if reference.get("kind") == "ReplicaSet" and reference.get("controller"):
                return self._owners.get(str(reference.get("uid")))
        return None

    def revisions(self, deployment: Obj) -> list[Obj]:
        """The deployment's ReplicaSets, oldest revision first."""
        owned = [rs for rs in self.replicasets
                 if self.owner(rs, "Deployment", [deployment]) is not None]
        return sorted(owned, key=lambda rs: int(
            ((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION, "0") or 0))

    def pods_of(self, deployment: Obj) -> list[Obj]:
        """Pods whose ReplicaSet the deployment owns."""
        ns = meta(deployment, "namespace")
        return [p for p in self.pods if meta(p, "namespace") == ns
                and self.deployment_of(p) is deployment]

    def metrics_of(self, pod: Obj) -> Obj | None:
        """The pod's PodMetrics, when metrics were read."""
        for item in self.pod_metrics or ():
            if meta(item, "name") == meta(pod, "name") and \
                    meta(item, "namespace") == meta(pod, "namespace"):
                return item
        return None

    def log_lines(self, pod: Obj) -> Iterator[tuple[str, str]]:
        """(container, error line) of the log excerpts shown for the pod."""
        for excerpt in self.logs:
            if excerpt.pod == meta(pod, "name"):
                for i in excerpt.errors:
                    yield excerpt.container, excerpt.lines[i]

    # --- evidence --------------------------------------------------------------------

    def object_evidence(self, obj: Obj, detail: str = "", at: str = "") -> Evidence:
        """An object reference, with what about it matters (and when, if that matters)."""
        return Evidence("object", self.cluster, ref(obj) + (f": {detail}" if detail else ""),
                        at)

    def event_evidence(self, event: Obj) -> Evidence:
        """`Warning BackOff pod/x (x12): Back-off restarting …` at its last time."""
        involved = event.get("involvedObject") or {}
        count = int(event.get("count") or 1)
        text = (f"{event.get('type') or ''} {event.get('reason') or ''} "
                f"{str(involved.get('kind') or '').lower()}/{involved.get('name') or ''}"
                + (f" (x{count})" if count > 1 else "")
                + f": {' '.join(str(event.get('message') or '').split())[:240]}")
        return Evidence("event", self.cluster, text, event_time(event))

    def log_evidence(self, pod: Obj, limit: int = 2) -> list[Evidence]:
        """The first error lines of the pod's logs, each with the time written in it (JSON
        `ts`, logfmt `time=`, `[...]` prefixes: the first RFC 3339 time in the line)."""
        found = []
        for container, line in self.log_lines(pod):
            stamp = STAMP.search(line)
            found.append(Evidence("log", self.cluster,
                                  f"pod/{meta(pod, 'name')} {container}: {line[:240]}",
                                  stamp.group(0) if stamp else ""))
            if len(found) >= limit:
                break
        return found
