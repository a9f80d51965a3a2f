"""What the console's timeline and notes screens ask of the engine, in one place (every
call blocks on the database or the network: call it from a worker).

API::

    desk = IncidentConsole.on(handle, settings)   # handle: engine.wiring.EngineHandle
    incident = desk.incident("")          # the active incident, else the newest, else None
    view = desk.view(incident)            # engine.incident_view.IncidentView
    desk.import_now() -> ImportReport     # Alertmanager, Argo CD, rollouts (stored once)
    desk.annotate(incident, "t12", "ticket OPS-12 https://jira/OPS-12")
    desk.notes(incident), desk.draft(view), desk.save_notes(incident, body) -> version
    desk.polish(text) -> PolishedNotes    # the configured model's rewrite, else the text
    desk.banner() -> "inc-3f2a SEV2 payments-api crashlooping" or ""
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.incident_desk import HasStore, IncidentDesk, parse_annotation
from kubechat_tui.engine.incident_imports import ClusterReader, Importer, ImportReport
from kubechat_tui.engine.incident_notes import draft_notes
from kubechat_tui.engine.incident_view import IncidentView, RecordReader, incident_view
from kubechat_tui.engine.notes_polish import PolishedNotes, polish_notes
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.incidents import Incident, NotesVersion
from kubechat_tui.store.timeline import TimelineEntry


class IncidentConsole:
    """The incident actions and reads of a console session."""

    def __init__(self, desk: IncidentDesk, log: RecordReader, settings: Settings,
                 fleet: ClusterReader | None) -> None:
        self.desk = desk
        self.log = log
        self.settings = settings
        self.importer = Importer(settings, desk.timeline, fleet)

    @classmethod
    def on(cls, handle: Any, settings: Settings) -> IncidentConsole:
        """Over an open engine handle: its store, operator and fleet (rollouts)."""
        store: HasStore = handle.store
        operator: Operator = handle.pipeline.operator
        fleet = handle.pipeline.fleet
        return cls(IncidentDesk.on(store, operator), handle.store.audit, settings,
                   fleet if isinstance(fleet, ClusterReader) else None)

    def incident(self, incident_id: str = "") -> Incident | None:
        """The incident asked for, else the active one, else the newest."""
        if incident_id:
            return self.desk.incidents.get(incident_id)
        return self.desk.incidents.active() or next(iter(self.desk.incidents.recent(1)), None)

    def view(self, incident: Incident) -> IncidentView:
        """The incident's merged timeline."""
        lookback = timedelta(minutes=self.settings.incidents.lookback_minutes)
        return incident_view(incident, self.log, self.desk.incidents, self.desk.timeline,
                             lookback)

    def import_now(self) -> ImportReport:
        """Import from every configured source."""
        return self.importer.run()

    def annotate(self, incident: Incident, ref: str, text: str) -> TimelineEntry:
        """Annotate entry `ref` (empty: a note on the incident) with the console's syntax."""
        if not ref:
            return self.desk.note(incident, text)
        return self.desk.annotate(incident, ref, parse_annotation(text))

    def notes(self, incident: Incident) -> list[NotesVersion]:
        """Every saved version, oldest first."""
        return self.desk.incidents.notes(incident.id)

    def draft(self, view: IncidentView) -> str:
        """A fresh template draft from the timeline."""
        return draft_notes(view, datetime.now(UTC))

    def polish(self, text: str) -> PolishedNotes:
        """The configured model's rewrite of the (redacted) notes, else them unchanged."""
        from kubechat_tui.engine.summary_llm import model_summary_writer

        writer, _ = model_summary_writer(self.settings)
        return polish_notes(text, writer)

    def save_notes(self, incident: Incident, body: str) -> int:
        """Keep a new version; returns its number."""
        return self.desk.save_notes(incident, body)

    def banner(self) -> str:
        """The active incident for the context banner ("" when none is active)."""
        active = self.desk.incidents.active()
        return "" if active is None else banner_label(active)


def banner_label(incident: Incident) -> str:
    """`inc-3f2a SEV2 payments-api crashlooping` (the title cut to 60 characters)."""
    title = incident.title if len(incident.title) <= 60 else incident.title[:59] + "…"
    return f"{incident.id} {incident.severity} {title}"
