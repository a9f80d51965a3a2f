"""Governance: policy versions, published recipes and their feedback.

`policy_history` is append-only: applying or rolling back a policy adds a version; the
active policy is the highest version. Each entry names its content and sha256, the author
(OS user and Kubernetes identities), the message, the version active before it (`parent`),
the version it re-activates (`restores`, for a rollback) and the approval request that
released it, if any.

`recipe_history` is append-only too: `publish` adds a recipe version (its YAML, sha256 and
author); `deprecate` and `restore` add rows that change its state. `recipe_feedback` keeps
each rating (1-5) and comment on a recipe run.
"""

from __future__ import annotations

import sqlite3

from kubechat_tui.store.migrations import append_only_triggers

STATEMENTS = (
    """CREATE TABLE policy_history (
        version INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        hash TEXT NOT NULL,
        content TEXT NOT NULL,
        message TEXT NOT NULL,
        author TEXT NOT NULL,
        author_identities TEXT NOT NULL,
        parent INTEGER,
        restores INTEGER,
        request_id TEXT
    )""",
    *append_only_triggers("policy_history"),
    """CREATE TABLE recipe_history (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        action TEXT NOT NULL,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        author_identities TEXT NOT NULL,
        digest TEXT NOT NULL,
        content TEXT NOT NULL,
        message TEXT NOT NULL
    )""",
    "CREATE INDEX recipe_history_name ON recipe_history(name, id)",
    *append_only_triggers("recipe_history"),
    """CREATE TABLE recipe_feedback (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment TEXT NOT NULL,
        execution_id TEXT
    )""",
    "CREATE INDEX recipe_feedback_name ON recipe_feedback(name)",
    *append_only_triggers("recipe_feedback"),
)


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the policy, recipe and feedback tables and their append-only triggers."""
    for statement in STATEMENTS:
        conn.execute(statement)
