"""Incidents and what attaches to them.

An incident is opened once and closed once (both append-only rows); the audit records
written while it is active are linked to it (``incident_records``); timeline entries gain
the incident they belong to, the entry an annotation points at, the cluster they concern
and a source key that keeps re-imported alerts and deploys from duplicating; incident
notes keep every version.
"""

from __future__ import annotations

import sqlite3

from kubechat_tui.store.migrations import append_only_triggers

STATEMENTS = (
    """CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        opened_at TEXT NOT NULL,
        title TEXT NOT NULL,
        severity TEXT NOT NULL,
        clusters TEXT NOT NULL,
        commander TEXT NOT NULL,
        opened_by TEXT NOT NULL
    )""",
    """CREATE TABLE incident_closures (
        incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
        closed_at TEXT NOT NULL,
        resolution TEXT NOT NULL,
        closed_by TEXT NOT NULL
    )""",
    """CREATE TABLE incident_records (
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        seq INTEGER NOT NULL,
        PRIMARY KEY (incident_id, seq)
    )""",
    """CREATE TABLE incident_notes (
        incident_id TEXT NOT NULL REFERENCES incidents(id),
        version INTEGER NOT NULL,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (incident_id, version)
    )""",
    "ALTER TABLE timeline ADD COLUMN incident_id TEXT",
    "ALTER TABLE timeline ADD COLUMN ref_id INTEGER",
    "ALTER TABLE timeline ADD COLUMN cluster TEXT",
    "ALTER TABLE timeline ADD COLUMN source_key TEXT",
    "CREATE INDEX timeline_incident ON timeline(incident_id)",
    "CREATE UNIQUE INDEX timeline_source_key ON timeline(source_key) "
    "WHERE source_key IS NOT NULL",
    *append_only_triggers("incidents"),
    *append_only_triggers("incident_closures"),
    *append_only_triggers("incident_records"),
    *append_only_triggers("incident_notes"),
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the incident tables and extend the timeline."""
    for statement in STATEMENTS:
        conn.execute(statement)
