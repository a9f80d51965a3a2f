"""The incident timeline: executions (with their rollback plans) and archived summaries.

Entries are append-only: a summary is edited before it is archived, never after.
"""

from __future__ import annotations

import sqlite3

from kubechat_tui.store.migrations import append_only_triggers

STATEMENTS = (
    """CREATE TABLE timeline (
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL,
        execution_id TEXT,
        author TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE INDEX timeline_ts ON timeline(ts)",
    "CREATE INDEX timeline_execution ON timeline(execution_id)",
    *append_only_triggers("timeline"),
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the timeline table, its indexes and the append-only triggers."""
    for statement in STATEMENTS:
        conn.execute(statement)
