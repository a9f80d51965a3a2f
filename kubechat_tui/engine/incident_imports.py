"""Imports onto the timeline: Alertmanager alerts, Argo CD deploys and Kubernetes rollouts
(ReplicaSet revisions), each stored once however often it is imported.

API::

    importer = Importer(settings, timeline, fleet)        # fleet: None skips rollouts
    report = importer.run(("alertmanager", "argocd", "rollouts"))
    report.lines()      # one per source: "alertmanager: 3 new, 2 already imported" or its error
    report.failed       # True when some source failed (the others still imported)

A source that is not configured is left out; a failing source (down, auth refused, not
JSON) is reported in one line and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.integrations import alertmanager, argocd
from kubechat_tui.integrations.bearer import bearer_token
from kubechat_tui.integrations.imported import ImportedEvent, SourceError, parse_time
from kubechat_tui.kube.lookup import JsonRequester
from kubechat_tui.store.timeline import EntryKind, Timeline, TimelineEntry, ts_of

SOURCES = ("alertmanager", "argocd", "rollouts")
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"


ClusterReader = JsonRequester  # what rollouts need of `kube.fleet.Fleet`


@dataclass(frozen=True)
class SourceResult:
    """One source's import: counts, or the error that stopped it."""

    source: str
    new: int = 0
    seen: int = 0
    skipped: int = 0
    error: str = ""

    def line(self) -> str:
        """One line for the operator."""
        if self.error:
            return f"{self.source}: FAILED: {self.error}"
        extra = f", {self.skipped} not understood (skipped)" if self.skipped else ""
        return f"{self.source}: {self.new} new, {self.seen} already imported{extra}"


@dataclass
class ImportReport:
    """Every source's result."""

    results: list[SourceResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Some source failed."""
        return any(r.error for r in self.results)

    @property
    def new(self) -> int:
        """Entries added in all."""
        return sum(r.new for r in self.results)

    def lines(self) -> list[str]:
        """One line per source."""
        return [r.line() for r in self.results]


class Importer:
    """Runs the configured imports and stores what is new."""

    def __init__(self, settings: Settings, timeline: Timeline,
                 fleet: ClusterReader | None = None) -> None:
        self.settings = settings
        self.config = settings.incidents
        self.timeline = timeline
        self.fleet = fleet

    def configured(self) -> list[str]:
        """The sources this config can import from."""
        found = []
        if self.config.alertmanager_url:
            found.append("alertmanager")
        if self.config.argocd_url:
            found.append("argocd")
        if self.fleet is not None:
            found.append("rollouts")
        return found

    def run(self, sources: Iterable[str] = SOURCES) -> ImportReport:
        """Import from each configured source asked for."""
        report = ImportReport()
        for source in sources:
            if source not in self.configured():
                continue
            try:
                events, skipped = self._fetch(source)
            except SourceError as exc:
                report.results.append(SourceResult(source, error=str(exc)))
                continue
            unique = list({e.key: e for e in events}.values())
            new = self.timeline.add_imported([_entry(e) for e in unique])
            report.results.append(SourceResult(source, new, len(unique) - new, skipped))
        return report

    def _fetch(self, source: str) -> tuple[list[ImportedEvent], int]:
        timeout = self.config.import_timeout_seconds
        if source == "alertmanager":
            assert self.config.alertmanager_url is not None
            raw = alertmanager.fetch_alerts(
                self.config.alertmanager_url,
                bearer_token(self.config.alertmanager_token_env, "alertmanager"), timeout)
            labels = alertmanager.LabelMap(self.config.cluster_label,
                                           self.config.namespace_label,
                                           tuple(self.config.workload_labels))
            return alertmanager.alert_events(raw, labels, datetime.now(UTC))
        if source == "argocd":
            assert self.config.argocd_url is not None
            apps = argocd.fetch_applications(
                self.config.argocd_url, bearer_token(self.config.argocd_token_env, "argocd"),
                timeout)
            return argocd.deploy_events(apps, self.argo_cluster)
        return self._rollouts()

    def argo_cluster(self, server: str, name: str) -> str | None:
        """The cluster an Argo CD destination means: the configured mapping, a cluster
        whose `server` is this one, else the destination's name."""
        mapping = self.config.argocd_destinations
        if server and server in mapping:
            return mapping[server]
        if name and name in mapping:
            return mapping[name]
        for cluster, extra in self.settings.clusters.items():
            if server and extra.server and extra.server.rstrip("/") == server.rstrip("/"):
                return cluster
        return name or None

    def _rollouts(self) -> tuple[list[ImportedEvent], int]:
        assert self.fleet is not None
        events: list[ImportedEvent] = []
        failures: list[str] = []
        for cluster in self.fleet.cluster_names():
            status, body = self.fleet.request_json(
                cluster, "GET", "/apis/apps/v1/replicasets",
                timeout=self.config.import_timeout_seconds)
            if status != 200:
                failures.append(f"{cluster}: HTTP {status or 'unreachable'}")
                continue
            events += [e for item in body.get("items") or []
                       if (e := _rollout(cluster, item)) is not None]
        if failures and not events:
            raise SourceError("rollouts: " + "; ".join(failures))
        return events, 0


def _rollout(cluster: str, item: Any) -> ImportedEvent | None:
    """A ReplicaSet revision of a Deployment as a rollout event."""
    if not isinstance(item, dict):
        return None
    meta = item.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    revision = annotations.get(REVISION)
    owner = next((o.get("name") for o in meta.get("ownerReferences") or []
                  if o.get("kind") == "Deployment"), None)
    created = parse_time(meta.get("creationTimestamp"))
    if not revision or not owner or created is None:
        return None
    namespace = str(meta.get("namespace") or "")
    images = [c.get("image", "") for c in
              (((item.get("spec") or {}).get("template") or {}).get("spec") or {})
              .get("containers") or []]
    cause = str(annotations.get(CHANGE_CAUSE) or "")
    return ImportedEvent(
        kind="rollout", key=f"rollout:{cluster}:{meta.get('uid') or meta.get('name')}:{revision}",
        ts=created, cluster=cluster, author="kubernetes",
        title=f"rollout {namespace}/{owner} revision {revision} ({', '.join(images)})",
        body=cause,
        payload={"namespace": namespace, "deployment": owner, "revision": revision,
                 "replicaset": meta.get("name"), "images": images, "change_cause": cause})


def _entry(event: ImportedEvent) -> TimelineEntry:
    kind: EntryKind = "alert" if event.kind == "alert" else (
        "deploy" if event.kind == "deploy" else "rollout")
    return TimelineEntry(kind=kind, author=event.author, title=event.title, body=event.body,
                         payload=event.payload, ts=ts_of(event.ts), cluster=event.cluster,
                         source_key=event.key)
