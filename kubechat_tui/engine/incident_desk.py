"""Incident actions for the console and the CLI: open, close, annotate, save notes.

API::

    desk = IncidentDesk.on(store, operator)     # store: an open `store.opener.Store`
    incident = desk.open("payments 5xx", "SEV2", ("prod-eu", "prod-us"), commander="ana")
    desk.annotate(incident, "t12", Annotation(note="looked at the pool"))   # or "a34": audit seq
    desk.annotate(incident, "a34", Annotation(ticket_id="OPS-12", url="https://..."))
    desk.annotate(incident, "t12", parse_annotation("ticket OPS-12 https://..."))  # console
    desk.save_notes(incident, body) -> version
    desk.close(incident.id, "rolled back to 1.4.2")

Opening, closing and every notes version are audit records (attached to the incident);
an annotation is a timeline entry pointing at the entry (``t<id>``) or audit record
(``a<seq>``) it annotates. Nothing is ever edited in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from kubechat_tui.engine.identity import acting_as
from kubechat_tui.store.audit_model import AuditEvent, AuditScope, Operator
from kubechat_tui.store.database import Database
from kubechat_tui.store.incidents import Incident, IncidentError, Incidents, NewIncident
from kubechat_tui.store.timeline import Timeline, TimelineEntry

OPENED = "incident.opened"
CLOSED = "incident.closed"
NOTES_SAVED = "incident.notes_saved"
EXPORTED = "incident.exported"
_REF = re.compile(r"^([ta])(\d+)$")
_URL = re.compile(r"^https?://\S+$")


class AuditSink(Protocol):
    """What the desk needs of `store.audit.AuditLog`."""

    def append(self, event: AuditEvent) -> Any: ...


class HasStore(Protocol):
    """An open store (`store.opener.Store`)."""

    @property
    def db(self) -> Database: ...

    @property
    def audit(self) -> AuditSink: ...


@dataclass(frozen=True)
class Annotation:
    """What is added to an entry: a note, a ticket link (id and URL) or a runbook link (a
    recipe name or a URL); at least one of them."""

    note: str = ""
    ticket_id: str = ""
    url: str = ""
    runbook: str = ""

    def check(self) -> None:
        """IncidentError when it says nothing or a link is malformed."""
        if not (self.note.strip() or self.ticket_id.strip() or self.runbook.strip()):
            raise IncidentError("an annotation needs a note, a ticket or a runbook")
        if self.ticket_id and not _URL.match(self.url):
            raise IncidentError("a ticket link needs its id and an http(s) URL (--url)")
        if self.url and not self.ticket_id:
            raise IncidentError("--url goes with --ticket")

    def title(self) -> str:
        """One line for the timeline."""
        parts = [self.note.strip().splitlines()[0][:120]] if self.note.strip() else []
        if self.ticket_id:
            parts.append(f"ticket {self.ticket_id.strip()} {self.url.strip()}")
        if self.runbook:
            parts.append(f"runbook {self.runbook.strip()}")
        return " · ".join(parts)


def parse_annotation(text: str) -> Annotation:
    """What the console's annotate line means: ``ticket KEY URL``, ``runbook NAME|URL``,
    anything else a note."""
    word, _, rest = text.strip().partition(" ")
    if word.lower() == "ticket":
        key, _, url = rest.strip().partition(" ")
        return Annotation(ticket_id=key.strip(), url=url.strip())
    if word.lower() == "runbook":
        return Annotation(runbook=rest.strip())
    return Annotation(note=text.strip())


class IncidentDesk:
    """The incident actions, audited as the operator."""

    def __init__(self, incidents: Incidents, timeline: Timeline, audit: AuditSink,
                 operator: Operator) -> None:
        self.incidents = incidents
        self.timeline = timeline
        self.audit = audit
        self.operator = operator

    @classmethod
    def on(cls, store: HasStore, operator: Operator) -> IncidentDesk:
        """A desk over an open store."""
        return cls(Incidents(store.db), Timeline(store.db), store.audit, operator)

    @property
    def who(self) -> str:
        """The operator's name as entries show it."""
        return acting_as(self.operator) or self.operator.os_user

    def open(self, title: str, severity: str, clusters: tuple[str, ...],
             commander: str = "") -> Incident:
        """Open the incident (IncidentError when one is active) and audit it."""
        incident = self.incidents.open(NewIncident(
            title=title, severity=severity.upper(), clusters=tuple(dict.fromkeys(clusters)),
            commander=commander or self.who, opened_by=self.who))
        self._audit(OPENED, incident, {"title": incident.title, "severity": incident.severity,
                                        "commander": incident.commander}, "opened")
        return incident

    def close(self, incident_id: str, resolution: str) -> Incident:
        """Audit the closing (still attached), then close the incident."""
        incident = self.incidents.get(incident_id)
        if not incident.active:
            raise IncidentError(f"incident {incident.id} was closed at {incident.closed_at}")
        if not resolution.strip():
            raise IncidentError("closing an incident needs a resolution (--resolution)")
        self._audit(CLOSED, incident, {"resolution": resolution.strip()}, "closed")
        return self.incidents.close(incident.id, resolution=resolution, closed_by=self.who)

    def annotate(self, incident: Incident, ref: str, annotation: Annotation) -> TimelineEntry:
        """A new entry pointing at entry `t<id>` or audit record `a<seq>` of the incident."""
        annotation.check()
        match = _REF.match(ref.strip().lower())
        if not match:
            raise IncidentError(f"bad entry {ref!r}: use t<id> for a timeline entry or "
                                "a<seq> for an audit record (see kubechat incident show)")
        kind, number = match.group(1), int(match.group(2))
        cluster = None
        if kind == "t":
            target = self.timeline.get(number)
            if target is None:
                raise IncidentError(f"no timeline entry {ref}")
            cluster = target.cluster
        elif number not in self.incidents.record_seqs(incident.id):
            raise IncidentError(f"audit record {number} is not part of incident {incident.id}")
        return self.timeline.add(TimelineEntry(
            kind="annotation", author=self.who, title=annotation.title(),
            body=annotation.note.strip(), incident_id=incident.id,
            ref_id=number if kind == "t" else None, cluster=cluster,
            payload={"annotates": f"{kind}{number}", "ticket_id": annotation.ticket_id.strip(),
                     "url": annotation.url.strip(), "runbook": annotation.runbook.strip()}))

    def note(self, incident: Incident, text: str) -> TimelineEntry:
        """A free note on the incident's timeline."""
        if not text.strip():
            raise IncidentError("an empty note")
        return self.timeline.add(TimelineEntry(
            kind="note", author=self.who, title=text.strip().splitlines()[0][:120],
            body=text.strip(), incident_id=incident.id))

    def save_notes(self, incident: Incident, body: str) -> int:
        """Keep a new version of the incident notes; audited with its version."""
        version = self.incidents.save_notes(incident.id, self.who, body)
        self._audit(NOTES_SAVED, incident, {"version": version, "chars": len(body)}, "saved")
        return version

    def _audit(self, action: str, incident: Incident, payload: dict[str, Any],
               outcome: str) -> None:
        self.audit.append(AuditEvent(
            action=action, operator=self.operator, outcome=outcome,
            payload={"incident": incident.id, **payload},
            scope=AuditScope(clusters=incident.clusters)))
