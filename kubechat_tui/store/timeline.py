"""The incident timeline: what was executed (and how to undo it), the archived summaries
and the questions answered by read-only diagnostics.

API::

    timeline = Timeline(db)
    entry = timeline.add(TimelineEntry(kind="execution", execution_id=..., author=...,
                                       title=..., body=..., payload={...}))
    timeline.for_execution(execution_id, kind="execution")   # newest first
    timeline.recent(limit=50)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from kubechat_tui.store.database import Database

EntryKind = Literal["execution", "summary", "note", "diagnostics", "insight"]


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


class Timeline:
    """Append and read timeline entries in the shared database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, entry: TimelineEntry) -> TimelineEntry:
        """Append an entry (timestamped now, UTC) and return it with its id."""
        ts = entry.ts or datetime.now(UTC).isoformat(timespec="milliseconds")
        with self.db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO timeline (ts, kind, execution_id, author, title, body, payload) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ts, entry.kind, entry.execution_id, entry.author, entry.title, entry.body,
                 orjson.dumps(entry.payload).decode()),
            )
            return replace(entry, ts=ts, id=cursor.lastrowid)

    def for_execution(self, execution_id: str,
                      kind: EntryKind | None = None) -> list[TimelineEntry]:
        """The entries of one execution, newest first (optionally of one kind)."""
        sql = "SELECT * FROM timeline WHERE execution_id = ?"
        params: list[Any] = [execution_id]
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        return self._select(sql + " ORDER BY id DESC", params)

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
                          ts=r["ts"], id=r["id"])
            for r in rows
        ]
