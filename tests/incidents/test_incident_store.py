"""Incidents in the store: one active, closed once, records and entries attach to it,
append-only annotations, versioned notes."""

from __future__ import annotations

import pytest

from kubechat_tui.engine.incident_desk import Annotation, IncidentDesk
from kubechat_tui.store.audit_model import AuditEvent, AuditScope, Operator
from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.incidents import ActiveIncidentError, IncidentError, UnknownIncidentError
from kubechat_tui.store.opener import Store
from kubechat_tui.store.timeline import TimelineEntry


def _event(action: str = "plan.submitted") -> AuditEvent:
    return AuditEvent(action=action, operator=Operator("ana"),
                      scope=AuditScope(clusters=("prod-eu",)))


def test_open_close_and_only_one_active(desk: IncidentDesk) -> None:
    first = desk.open("payments 5xx", "sev2", ("prod-eu", "prod-us", "prod-eu"))
    assert first.active and first.clusters == ("prod-eu", "prod-us")
    assert first.commander == "ana" and first.severity == "SEV2"
    with pytest.raises(ActiveIncidentError, match=first.id):
        desk.open("another", "SEV3", ("staging",))
    closed = desk.close(first.id[:8], "rolled back to 1.4.2")
    assert not closed.active and closed.resolution == "rolled back to 1.4.2"
    with pytest.raises(IncidentError, match="was closed"):
        desk.close(first.id, "again")
    second = desk.open("another", "SEV3", ("staging",))
    assert desk.incidents.active() == second
    assert [i.id for i in desk.incidents.recent()] == [second.id, first.id]


def test_bad_input_is_one_line(desk: IncidentDesk) -> None:
    with pytest.raises(IncidentError, match="severity"):
        desk.open("x", "P1", ("prod-eu",))
    with pytest.raises(IncidentError, match="title"):
        desk.open("  ", "SEV1", ("prod-eu",))
    with pytest.raises(IncidentError, match="cluster"):
        desk.open("x", "SEV1", ())
    with pytest.raises(UnknownIncidentError):
        desk.incidents.get("inc-nope")
    assert desk.incidents.active() is None


def test_records_and_entries_attach_to_the_active_incident(store: Store,
                                                            desk: IncidentDesk) -> None:
    before = store.audit.append(_event())
    incident = desk.open("payments 5xx", "SEV2", ("prod-eu",))
    during = store.audit.append(_event("execution.succeeded"))
    note = desk.timeline.add(TimelineEntry(kind="insight", author="engine", title="OOMKilled"))
    alert = desk.timeline.add(TimelineEntry(kind="alert", author="alertmanager", title="x",
                                            cluster="prod-eu", source_key="am:1"))
    desk.close(incident.id, "fixed")
    after = store.audit.append(_event())
    seqs = desk.incidents.record_seqs(incident.id)
    assert during.seq in seqs and before.seq not in seqs and after.seq not in seqs
    assert len(seqs) == 3  # opened, the execution, closed
    assert note.incident_id == incident.id
    assert alert.incident_id is None  # imports belong to whatever incident covers them
    assert store.audit.verify().ok


def test_imports_are_stored_once(desk: IncidentDesk) -> None:
    entry = TimelineEntry(kind="alert", author="alertmanager", title="x", source_key="am:1")
    first = desk.timeline.add(entry)
    again = desk.timeline.add(entry)
    assert again.id == first.id
    other = TimelineEntry(kind="deploy", author="argocd", title="y", source_key="argo:1")
    assert desk.timeline.add_imported([entry, other]) == 1
    assert desk.timeline.add_imported([entry, other]) == 0
    assert len(desk.timeline.recent()) == 2
    with pytest.raises(ValueError, match="source key"):
        desk.timeline.add_imported([TimelineEntry(kind="note", author="a", title="z")])


def test_annotations_are_new_entries_pointing_at_the_old(store: Store,
                                                          desk: IncidentDesk) -> None:
    incident = desk.open("payments 5xx", "SEV2", ("prod-eu",))
    note = desk.note(incident, "pool exhausted?")
    ticket = desk.annotate(incident, f"t{note.id}",
                           Annotation(ticket_id="OPS-12", url="https://jira.example/OPS-12"))
    seq = desk.incidents.record_seqs(incident.id)[0]
    runbook = desk.annotate(incident, f"a{seq}", Annotation(runbook="restart-deployment"))
    assert ticket.ref_id == note.id and ticket.payload["annotates"] == f"t{note.id}"
    assert runbook.payload["annotates"] == f"a{seq}" and runbook.ref_id is None
    assert desk.timeline.get(note.id) == note  # the old entry is untouched
    with pytest.raises(IncidentError, match="URL"):
        desk.annotate(incident, f"t{note.id}", Annotation(ticket_id="OPS-1", url="nope"))
    with pytest.raises(IncidentError, match="bad entry"):
        desk.annotate(incident, "12", Annotation(note="x"))
    with pytest.raises(IncidentError, match="not part"):
        desk.annotate(incident, "a9999", Annotation(note="x"))
    with pytest.raises(StoreError, match="append-only"), store.db.write() as conn:
        conn.execute("UPDATE timeline SET title = 'x'")
    with pytest.raises(StoreError, match="append-only"), store.db.write() as conn:
        conn.execute("DELETE FROM incidents")


def test_notes_keep_every_version_with_secrets_masked(desk: IncidentDesk) -> None:
    incident = desk.open("payments 5xx", "SEV2", ("prod-eu",))
    assert desk.save_notes(incident, "draft one") == 1
    assert desk.save_notes(incident, "draft two password=hunter2hunter2") == 2
    versions = desk.incidents.notes(incident.id)
    assert versions[0].body == "draft one"
    assert "hunter2hunter2" not in versions[1].body and versions[1].author == "ana"


def test_the_report_masks_secrets_but_keeps_its_hashes(store: Store, desk: IncidentDesk) -> None:
    from datetime import timedelta

    from kubechat_tui.engine.incident_report import build_report, verify_report
    from kubechat_tui.engine.incident_view import incident_view

    incident = desk.open("db password leak", "SEV1", ("prod-eu",))
    desk.note(incident, "connect with postgres://app:S3cretPassw0rd@db:5432/ledger")
    view = incident_view(incident, store.audit, desk.incidents, desk.timeline,
                         timedelta(hours=1))
    report = build_report(view, None, store.audit)
    note = next(i for i in report["timeline"] if i["kind"] == "note")
    assert "S3cretPassw0rd" not in note["title"] and "[REDACTED:url-password:" in note["title"]
    assert verify_report(report, store.audit) == []
