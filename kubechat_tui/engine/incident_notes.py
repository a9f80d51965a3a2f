"""Incident notes drafted offline from the timeline, and the action items in them.

API::

    text = draft_notes(view, now)      # markdown: summary, impact, timeline, commands run
                                       # (outcome, audit seq), insights, follow-ups, action items
    commands_run(view.records)         # [CommandRun(seq, cluster, kubectl, outcome)]
    action_items(text)                 # [ActionItem(owner, text, due)]

An action item is a line naming an owner with ``@name`` (optionally ``due YYYY-MM-DD``);
notes and annotations on the timeline that name one become action items of the draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kubechat_tui.engine.incident_view import IncidentView, TimelineItem
from kubechat_tui.store.audit_model import AuditRecord

_OWNER = re.compile(r"(?<![\w.])@([A-Za-z0-9][A-Za-z0-9._-]*)")
_DUE = re.compile(r"\bdue:?\s*(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_ITEM_PREFIX = re.compile(r"^\s*[-*]\s*(\[[ xX]\]\s*)?")
REVIEW_DAYS = 5  # the default post-incident review is due this long after the draft


@dataclass(frozen=True)
class ActionItem:
    """Something someone owns, maybe by a date."""

    owner: str
    text: str
    due: date | None = None


@dataclass(frozen=True)
class CommandRun:
    """A command kubechat ran for the incident, where, its outcome and audit seq."""

    seq: int
    cluster: str
    kubectl: str
    outcome: str


def action_items(text: str) -> list[ActionItem]:
    """Every line naming an @owner, in order."""
    found: list[ActionItem] = []
    for line in text.splitlines():
        owner = _OWNER.search(line)
        if owner is None:
            continue
        due = _DUE.search(line)
        try:
            when = date.fromisoformat(due.group(1)) if due else None
        except ValueError:
            when = None
        body = _ITEM_PREFIX.sub("", line).strip()
        found.append(ActionItem(owner.group(1), body, when))
    return found


def commands_run(records: Iterable[AuditRecord]) -> list[CommandRun]:
    """The kubectl lines of executed plans (with their outcome) and of diagnostic reads."""
    runs: list[CommandRun] = []
    planned: dict[str, list[str]] = {}
    for record in records:
        event, payload = record.event, dict(record.event.payload)
        execution = event.links.execution_id or ""
        clusters = ",".join(event.scope.clusters)
        if event.action == "plan.submitted":
            planned[execution] = [str(line) for line in payload.get("kubectl") or []]
        elif event.action in ("execution.succeeded", "execution.failed"):
            runs += [CommandRun(record.seq, clusters, line, event.outcome)
                     for line in planned.pop(execution, [])]
        elif event.action == "read.step" and payload.get("kubectl"):
            runs.append(CommandRun(record.seq, clusters, str(payload["kubectl"]), event.outcome))
    return runs


def draft_notes(view: IncidentView, now: datetime) -> str:
    """The template draft of the incident notes (no model involved)."""
    incident = view.incident
    items = view.items
    alerts = [i for i in items if i.kind == "alert"]
    end = incident.closed_at or now.isoformat(timespec="seconds")
    status = (f"Resolved at {incident.closed_at}: {incident.resolution}" if incident.closed_at
              else "Still active.")
    lines = [
        f"# Incident notes: {incident.title} ({incident.id})", "",
        "## Summary", "",
        f"{incident.severity} on {', '.join(incident.clusters)}, opened {incident.opened_at} "
        f"by {incident.opened_by}; commander {incident.commander}. {status}", "",
        "## Impact", "",
        f"- Window: {incident.opened_at} to {end}",
        f"- Alerts: {len(alerts)} ({_names(alerts)})",
        f"- Clusters: {', '.join(incident.clusters)}", "",
        "## Timeline", "",
        *[_timeline_line(i) for i in items if i.kind != "annotation"], "",
        "## Commands run", "",
        *([f"- `{c.kubectl}` on {c.cluster or '-'}: {c.outcome} (audit seq {c.seq})"
           for c in commands_run(view.records)] or ["- none"]), "",
        "## Insights", "",
        *([f"- {i.title}" for i in items if i.kind == "insight"] or ["- none"]), "",
        "## Follow-ups", "",
        *([f"- {i.title}" for i in items if i.kind in ("annotation", "log_range")]
          or ["- none"]), "",
        "## Action items", "",
        *_action_lines(items, incident.commander, now), "",
    ]
    return "\n".join(lines)


def _names(alerts: list[TimelineItem]) -> str:
    names = sorted({a.title.split(" ", 1)[0] for a in alerts})
    return ", ".join(names) or "none imported"


def _timeline_line(item: TimelineItem) -> str:
    where = f" [{','.join(item.clusters)}]" if item.clusters else ""
    seq = f" (audit seq {item.seq})" if item.seq is not None else ""
    return (f"- {item.ts.strftime('%Y-%m-%d %H:%M:%S')}{where} {item.kind}: {item.title} "
            f"({item.author}){seq}")


def _action_lines(items: list[TimelineItem], commander: str, now: datetime) -> list[str]:
    found = [a for i in items if i.kind in ("note", "annotation")
             for a in action_items(f"{i.title}\n{i.detail}")]
    unique = list(dict.fromkeys(found))
    if not unique:
        due = (now + timedelta(days=REVIEW_DAYS)).date()
        unique = [ActionItem(commander, f"@{commander} write the post-incident review", due)]
    return [f"- [ ] {a.text}" + (f" (due {a.due})" if a.due and "due" not in a.text else "")
            for a in unique]
