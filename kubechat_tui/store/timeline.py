"""The incident timeline: what was executed (and how to undo it), archived summaries,
read-only diagnostics, insights and log ranges pinned, imported alerts, deploys and
rollouts, annotations, incident events and webhook deliveries.

API::

    timeline = Timeline(db)
    entry = timeline.add(TimelineEntry(kind="execution", execution_id=..., author=...,
                                       title=..., body=..., payload={...}))
    timeline.add(TimelineEntry(kind="alert", ..., cluster="prod-eu", ts=starts_at,
                               source_key="alertmanager:<fingerprint>:<startsAt>:firing"))
    timeline.add_imported([entry, ...]) -> 3   # one transaction; how many were new
    timeline.for_execution(execution_id, kind="execution")   # newest first
    timeline.for_incident(incident, lookback)                 # in time order
    timeline.get(entry_id)
    timeline.recent(limit=50)

Entries are append-only. An annotation is a new entry (kind ``annotation``) whose
``ref_id`` names the entry it annotates. An entry with a ``source_key`` (an import) is
stored once: adding it again returns the stored one. While an incident is active, an
entry of any kind but the imported ones is attached to it (``incident_id``); imported
entries belong to every incident covering their cluster and time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import orjson

from kubechat_tui.store.database import Database
from kubechat_tui.store.incidents import Incident, active_id

EntryKind = Literal["execution", "summary", "note", "diagnostics", "insight", "log_range",
                    "alert", "deploy", "rollout", "annotation", "incident", "delivery"]
IMPORTED_KINDS: tuple[EntryKind, ...] = ("alert", "deploy", "rollout")
_INSERT = ("INSERT OR IGNORE INTO timeline (ts, kind, execution_id, author, title, body, "
           "payload, incident_id, ref_id, cluster, source_key) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def ts_of(moment: datetime) -> str:
    """The stored timestamp form: UTC, milliseconds, ``+00:00`` (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class TimelineEntry:
    """One timeline row; `payload` is free JSON (an execution stores its rollback plan)."""

    kind: EntryKind
    author: str
    title: str
    body: str = ""
    execution_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    ts: str = ""
    id: int | None = None
    incident_id: str | None = None
    ref_id: int | None = None  # the entry an annotation points at
    cluster: str | None = None
    source_key: str | None = None  # imports: the external identity, stored once


def _row(entry: TimelineEntry, ts: str, incident: str | None) -> tuple[Any, ...]:
    """The stored values of an entry (every write goes through here)."""
    return (ts, entry.kind, entry.execution_id, entry.author, entry.title, entry.body,
            orjson.dumps(entry.payload).decode(), incident, entry.ref_id, entry.cluster,
            entry.source_key)


class Timeline:
    """Append and read timeline entries in the shared database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, entry: TimelineEntry) -> TimelineEntry:
        """Append an entry (timestamped now, UTC, unless it says when), redacted
        (`db.redaction`: the values its rollback plan needs are kept outside), and return it
        with its id; an entry whose source key is stored already returns the stored one."""
        ts = entry.ts or ts_of(datetime.now(UTC))
        entry = self._redacted(entry)
        with self.db.write() as conn:
            incident = entry.incident_id
            if incident is None and entry.kind not in IMPORTED_KINDS:
                incident = active_id(conn)
            cursor = conn.execute(_INSERT, _row(entry, ts, incident))
            if cursor.rowcount:
                return replace(entry, ts=ts, id=cursor.lastrowid, incident_id=incident)
        return self._select("SELECT * FROM timeline WHERE source_key = ?", [entry.source_key])[0]

    def add_imported(self, entries: Sequence[TimelineEntry]) -> int:
        """Store imported entries (each with a source key) in one transaction; returns how
        many were new (the others are stored already and stay as they are)."""
        if any(e.source_key is None or e.kind not in IMPORTED_KINDS for e in entries):
            raise ValueError("only imported entries with a source key are added in bulk")
        now = ts_of(datetime.now(UTC))
        with self.db.write() as conn:
            before = conn.total_changes
            conn.executemany(_INSERT, [_row(self._redacted(e), e.ts or now, e.incident_id)
                                       for e in entries])
            return conn.total_changes - before

    def _redacted(self, entry: TimelineEntry) -> TimelineEntry:
        """The entry with credential shapes taken out of its title, body and payload."""
        redaction = self.db.redaction
        return replace(entry, title=redaction.text(entry.title), body=redaction.text(entry.body),
                       payload=redaction.payload(entry.payload))

    def get(self, entry_id: int) -> TimelineEntry | None:
        """One entry by id, or None."""
        found = self._select("SELECT * FROM timeline WHERE id = ?", [entry_id])
        return found[0] if found else None

    def for_execution(self, execution_id: str,
                      kind: EntryKind | None = None) -> list[TimelineEntry]:
        """The entries of one execution, newest first (optionally of one kind)."""
        sql = "SELECT * FROM timeline WHERE execution_id = ?"
        params: list[Any] = [execution_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        return self._select(sql + " ORDER BY id DESC", params)

    def for_incident(self, incident: Incident, lookback: timedelta) -> list[TimelineEntry]:
        """The incident's entries and the imports on its clusters from `lookback` before it
        opened until it closed (or now), oldest first."""
        start = ts_of(datetime.fromisoformat(incident.opened_at) - lookback)
        end = incident.closed_at or ts_of(datetime.now(UTC) + timedelta(days=1))
        marks = ", ".join("?" for _ in incident.clusters)
        kinds = ", ".join("?" for _ in IMPORTED_KINDS)
        return self._select(
            f"SELECT * FROM timeline WHERE incident_id = ? OR (kind IN ({kinds}) "
            f"AND cluster IN ({marks}) AND ts >= ? AND ts <= ?) ORDER BY ts, id",
            [incident.id, *IMPORTED_KINDS, *incident.clusters, start, end])

    def diagnostics_for(self, submitted_digest: str, limit: int = 10) -> list[TimelineEntry]:
        """The diagnostics runs of the plan submitted with this digest, newest first (the
        result blocks a summary of its execution was written from)."""
        return self._select(
            "SELECT * FROM timeline WHERE kind = 'diagnostics' AND "
            "json_extract(payload, '$.submitted_digest') = ? ORDER BY id DESC LIMIT ?",
            [submitted_digest, limit])

    def recent(self, limit: int = 50) -> list[TimelineEntry]:
        """The newest entries first."""
        return self._select("SELECT * FROM timeline ORDER BY id DESC LIMIT ?", [limit])

    def _select(self, sql: str, params: list[Any]) -> list[TimelineEntry]:
        with self.db.read() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return [
            TimelineEntry(kind=r["kind"], author=r["author"], title=r["title"], body=r["body"],
                          execution_id=r["execution_id"], payload=orjson.loads(r["payload"]),
                          ts=r["ts"], id=r["id"], incident_id=r["incident_id"],
                          ref_id=r["ref_id"], cluster=r["cluster"], source_key=r["source_key"])
            for r in rows
        ]
