"""Incidents: opened, closed once, at most one active; the audit records attached to them;
versioned incident notes.

API::

    incidents = Incidents(db)
    incident = incidents.open(NewIncident(title=..., severity="SEV2", clusters=("prod-eu",),
                                          commander="ana", opened_by="ana"))  # ActiveIncidentError
    incidents.active()                   # the open incident, or None
    incidents.get("inc-3f2a")            # a unique id prefix is enough; UnknownIncidentError
    incidents.close(incident.id, resolution="rolled back", closed_by="ana")
    incidents.recent(limit=50)           # newest first
    incidents.record_seqs(incident.id)   # audit seqs written while it was active
    incidents.save_notes(incident.id, author, body) -> version; incidents.notes(incident.id)

While an incident is active, every audit record appended (``AuditLog.append``) and every
timeline entry added (``Timeline.add``, except imported alerts, deploys and rollouts,
which belong to whatever incident covers their cluster and time) is attached to it inside
the same write transaction (``attach_record``, ``active_id``).
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from kubechat_tui.domain.redaction import redact_text
from kubechat_tui.store.database import Database
from kubechat_tui.store.errors import StoreError

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")


class IncidentError(StoreError):
    """An incident operation that cannot be done (one line)."""


class ActiveIncidentError(IncidentError):
    """Another incident is already active."""


class UnknownIncidentError(IncidentError):
    """No incident (or more than one) matches the id given."""


@dataclass(frozen=True)
class NewIncident:
    """What opening an incident needs."""

    title: str
    severity: str
    clusters: tuple[str, ...]
    commander: str
    opened_by: str


@dataclass(frozen=True)
class Incident:
    """A stored incident; `closed_at` is empty while it is active."""

    id: str
    opened_at: str
    title: str
    severity: str
    clusters: tuple[str, ...]
    commander: str
    opened_by: str
    closed_at: str = ""
    resolution: str = ""
    closed_by: str = ""

    @property
    def active(self) -> bool:
        """Not closed yet."""
        return not self.closed_at


@dataclass(frozen=True)
class NotesVersion:
    """One saved version of an incident's notes."""

    version: int
    at: str
    author: str
    body: str


_SELECT = (
    "SELECT i.id, i.opened_at, i.title, i.severity, i.clusters, i.commander, i.opened_by, "
    "coalesce(c.closed_at, ''), coalesce(c.resolution, ''), coalesce(c.closed_by, '') "
    "FROM incidents i LEFT JOIN incident_closures c ON c.incident_id = i.id"
)
_ACTIVE = ("SELECT i.id FROM incidents i LEFT JOIN incident_closures c "
           "ON c.incident_id = i.id WHERE c.incident_id IS NULL "
           "ORDER BY i.opened_at DESC LIMIT 1")


def now_text() -> str:
    """The stored timestamp form of now (UTC, milliseconds), as the timeline writes it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def active_id(conn: sqlite3.Connection) -> str | None:
    """The active incident's id, read inside the caller's transaction."""
    row = conn.execute(_ACTIVE).fetchone()
    return None if row is None else str(row[0])


def attach_record(conn: sqlite3.Connection, seq: int) -> None:
    """Link audit record `seq` to the active incident, if any (caller's transaction)."""
    incident = active_id(conn)
    if incident is not None:
        conn.execute("INSERT INTO incident_records (incident_id, seq) VALUES (?, ?)",
                     (incident, seq))


class Incidents:
    """Open, close, find and annotate incidents in the shared database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open(self, new: NewIncident) -> Incident:
        """Store a new active incident; ActiveIncidentError when one is active already."""
        title = " ".join(new.title.split())
        if not title:
            raise IncidentError("an incident needs a title")
        if new.severity not in SEVERITIES:
            raise IncidentError(f"unknown severity {new.severity!r} "
                                f"(use {', '.join(SEVERITIES)})")
        if not new.clusters:
            raise IncidentError("an incident needs at least one cluster")
        incident_id = "inc-" + secrets.token_hex(4)
        with self.db.write() as conn:
            current = active_id(conn)
            if current is not None:
                raise ActiveIncidentError(
                    f"incident {current} is still active: close it first "
                    f"(kubechat incident close {current})")
            conn.execute(
                "INSERT INTO incidents (id, opened_at, title, severity, clusters, commander, "
                "opened_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (incident_id, now_text(), title, new.severity,
                 orjson.dumps(list(new.clusters)).decode(), new.commander, new.opened_by))
        return self.get(incident_id)

    def close(self, incident_id: str, *, resolution: str, closed_by: str) -> Incident:
        """Close an active incident with its resolution (once)."""
        incident = self.get(incident_id)
        if not incident.active:
            raise IncidentError(f"incident {incident.id} was closed at {incident.closed_at}")
        if not resolution.strip():
            raise IncidentError("closing an incident needs a resolution")
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO incident_closures (incident_id, closed_at, resolution, closed_by) "
                "VALUES (?, ?, ?, ?)", (incident.id, now_text(), resolution.strip(), closed_by))
        return self.get(incident.id)

    def active(self) -> Incident | None:
        """The active incident, or None."""
        with self.db.read() as conn:
            found = active_id(conn)
        return None if found is None else self.get(found)

    def get(self, incident_id: str) -> Incident:
        """The incident with this id or unique id prefix."""
        wanted = incident_id.strip()
        if not wanted:
            raise UnknownIncidentError("no incident id given")
        with self.db.read() as conn:
            rows = conn.execute(_SELECT + " WHERE i.id LIKE ? ESCAPE '\\' LIMIT 2",
                                (_like_prefix(wanted),)).fetchall()
        if not rows:
            raise UnknownIncidentError(f"no incident {wanted!r} (see kubechat incident list)")
        if len(rows) > 1:
            raise UnknownIncidentError(f"incident id {wanted!r} is ambiguous: give more of it")
        return _incident(rows[0])

    def recent(self, limit: int = 50) -> list[Incident]:
        """The newest incidents first."""
        with self.db.read() as conn:
            rows = conn.execute(_SELECT + " ORDER BY i.opened_at DESC LIMIT ?",
                                (limit,)).fetchall()
        return [_incident(row) for row in rows]

    def record_seqs(self, incident_id: str) -> list[int]:
        """The audit seqs attached to the incident, in chain order."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT seq FROM incident_records WHERE incident_id = ? "
                                "ORDER BY seq", (incident_id,)).fetchall()
        return [int(row[0]) for row in rows]

    def save_notes(self, incident_id: str, author: str, body: str) -> int:
        """Keep a new version of the incident's notes (secrets masked); returns its
        version number."""
        incident = self.get(incident_id)
        body = redact_text(body).text
        with self.db.write() as conn:
            latest = conn.execute("SELECT coalesce(max(version), 0) FROM incident_notes "
                                  "WHERE incident_id = ?", (incident.id,)).fetchone()[0]
            version = int(latest) + 1
            conn.execute("INSERT INTO incident_notes (incident_id, version, at, author, body) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (incident.id, version, now_text(), author, body))
        return version

    def notes(self, incident_id: str) -> list[NotesVersion]:
        """Every saved version of the notes, oldest first."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT version, at, author, body FROM incident_notes "
                                "WHERE incident_id = ? ORDER BY version",
                                (incident_id,)).fetchall()
        return [NotesVersion(int(r[0]), r[1], r[2], r[3]) for r in rows]


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _incident(row: tuple[object, ...]) -> Incident:
    return Incident(
        id=str(row[0]), opened_at=str(row[1]), title=str(row[2]), severity=str(row[3]),
        clusters=tuple(orjson.loads(str(row[4]))), commander=str(row[5]),
        opened_by=str(row[6]), closed_at=str(row[7]), resolution=str(row[8]),
        closed_by=str(row[9]))
