"""Kept values: the old values of Secret and credential changes, outside the audit chain.

Each row is one value, encrypted (Fernet) with a key derived from the audit signing key,
which is never in the database; rows are deleted after ``audit.kept_value_retention_days``.
"""

from __future__ import annotations

import sqlite3

STATEMENTS = (
    """CREATE TABLE kept_value (
        digest TEXT PRIMARY KEY,
        kept_at TEXT NOT NULL,
        ciphertext BLOB NOT NULL
    )""",
    "CREATE INDEX kept_value_kept_at ON kept_value(kept_at)",
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the kept-value table and its age index."""
    for statement in STATEMENTS:
        conn.execute(statement)
