"""One incident's story in time order: the audit records attached to it (operator actions)
and its timeline entries (alerts, deploys, rollouts, insights, log ranges, notes,
annotations, deliveries), each as a `TimelineItem` with its clusters and author.

API::

    view = incident_view(incident, log, incidents, timeline, lookback=timedelta(hours=2))
    view.items                    # oldest first; item.ref is "a<seq>" or "t<id>"
    view.records                  # the attached audit records (seq, hash) the export lists
    view.filtered(kind="alert", cluster="prod-eu", author="ana")

Execution, summary and diagnostics entries repeat what their audit records say, so the
records stand for them; the stages between a plan and its outcome (targets, RBAC, policy,
snapshot, intents) are in `records` but not shown as items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from kubechat_tui.store.audit_model import AuditFilter, AuditRecord
from kubechat_tui.store.incidents import Incident, Incidents
from kubechat_tui.store.timeline import Timeline, TimelineEntry

MIRRORED_KINDS = frozenset({"execution", "summary", "diagnostics"})
_HIDDEN_ACTIONS = frozenset({"targets.read", "rbac.checked", "policy.evaluated",
                             "snapshot.captured", "execution.intent", "execution.step",
                             "request.retried", "read.submitted", "policy.loaded"})
ITEM_KINDS = ("alert", "deploy", "rollout", "plan", "diagnostic", "dryrun", "approval",
              "execution", "rollback", "summary", "insight", "log_range", "note",
              "annotation", "incident", "delivery", "action")


class RecordReader(Protocol):
    """What the view needs of `store.audit.AuditLog`."""

    def records(self, filters: Any = ...) -> Iterable[AuditRecord]: ...


@dataclass(frozen=True)
class TimelineItem:
    """One line of the story."""

    ref: str  # a<seq> (audit record) or t<id> (timeline entry)
    ts: datetime
    kind: str
    clusters: tuple[str, ...]
    author: str
    title: str
    detail: str = ""
    annotates: str = ""  # the ref an annotation points at
    seq: int | None = None
    outcome: str = ""


@dataclass
class IncidentView:
    """The incident, its items in time order and the audit records they come from."""

    incident: Incident
    items: list[TimelineItem] = field(default_factory=list)
    records: list[AuditRecord] = field(default_factory=list)

    def filtered(self, kind: str = "", cluster: str = "", author: str = "") -> list[TimelineItem]:
        """Items of one kind, on one cluster, by one author (empty: any)."""
        return [i for i in self.items
                if (not kind or i.kind == kind) and (not cluster or cluster in i.clusters)
                and (not author or i.author == author)]

    def kinds(self) -> list[str]:
        """The kinds present, in the canonical order."""
        present = {i.kind for i in self.items}
        return [k for k in ITEM_KINDS if k in present]

    def authors(self) -> list[str]:
        """Everyone who appears, sorted."""
        return sorted({i.author for i in self.items})


def incident_view(incident: Incident, log: RecordReader, incidents: Incidents,
                  timeline: Timeline, lookback: timedelta) -> IncidentView:
    """Read the incident's records and entries and merge them in time order."""
    seqs = incidents.record_seqs(incident.id)
    records: list[AuditRecord] = []
    if seqs:
        wanted = set(seqs)
        records = [r for r in log.records(AuditFilter(after_seq=seqs[0] - 1))
                   if r.seq in wanted]
    items = [item for r in records if (item := record_item(r)) is not None]
    items += [entry_item(e) for e in timeline.for_incident(incident, lookback)
              if e.kind not in MIRRORED_KINDS]
    items.sort(key=lambda i: (i.ts, i.ref))
    return IncidentView(incident, items, records)


def record_item(record: AuditRecord) -> TimelineItem | None:
    """The item an audit record shows as, or None for an intermediate stage."""
    event = record.event
    action = event.action
    if action in _HIDDEN_ACTIONS:
        return None
    payload = dict(event.payload)
    kind, title = _record_kind(action, payload)
    if payload.get("acting_as"):
        title += f" (as {payload['acting_as']})"
    return TimelineItem(
        ref=f"a{record.seq}", ts=record.ts, kind=kind, clusters=event.scope.clusters,
        author=event.operator.os_user, title=title,
        detail=event.justification, seq=record.seq, outcome=event.outcome)


def _record_kind(action: str, payload: dict[str, Any]) -> tuple[str, str]:
    plan = payload.get("plan") if isinstance(payload.get("plan"), dict) else {}
    request = str((plan or {}).get("input", ""))[:120]
    rollback = bool(payload.get("rollback_of"))
    if action == "plan.submitted":
        return ("rollback" if rollback else "plan"), f"plan submitted: {request}"
    if action == "read.step":
        return "diagnostic", f"read: {payload.get('kubectl', '')}"[:160]
    if action.startswith("dryrun."):
        return "dryrun", action.replace("dryrun.", "dry run ")
    if action.startswith("approval."):
        return "approval", action.replace("approval.", "approval ")
    if action in ("execution.succeeded", "execution.failed"):
        verb = "rolled back" if rollback else "executed"
        changes = payload.get("changes") or []
        return ("rollback" if rollback else "execution"), (
            f"{verb}: {len(changes)} change(s)" if action.endswith("succeeded")
            else f"FAILED: {payload.get('failure', '')}"[:160])
    if action.startswith("summary."):
        text = str(payload.get("text", "")).strip()
        evidence = [str(run) for run in payload.get("evidence") or []]
        cites = f" (from diagnostics {', '.join(evidence)})" if evidence else ""
        return "summary", (text.splitlines()[0][:160] if text else action) + cites
    if action.startswith("incident."):
        detail = payload.get("title") or payload.get("resolution") or ""
        return "incident", f"{action.replace('incident.', 'incident ')} {detail}".strip()
    return "action", action


def entry_item(entry: TimelineEntry) -> TimelineItem:
    """The item a timeline entry shows as."""
    kind = str(entry.kind)
    annotates = str(entry.payload.get("annotates", "")) if kind == "annotation" else ""
    return TimelineItem(
        ref=f"t{entry.id}", ts=datetime.fromisoformat(entry.ts), kind=kind,
        clusters=(entry.cluster,) if entry.cluster else (), author=entry.author,
        title=entry.title, detail=entry.body, annotates=annotates)
