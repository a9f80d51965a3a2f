"""Policy versions in the store: an append-only history; the newest entry is active.

API::

    history = PolicyHistory(db)
    entry = history.add(content, hash, message, author, action="apply", parent=..., ...)
    history.active()          # the newest PolicyVersion, or None (no version applied yet)
    history.get(3)            # StoreError: unknown policy version 3
    history.versions()        # newest first

Facts only: validation, approval and the audit record live in `engine.policy_versions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import orjson

from kubechat_tui.store.approvals import now_text
from kubechat_tui.store.database import Database
from kubechat_tui.store.errors import StoreError

Action = Literal["apply", "rollback"]


@dataclass(frozen=True)
class PolicyVersion:
    """One activation of a policy text."""

    version: int
    at: str
    action: str
    hash: str
    content: str
    message: str
    author: str  # OS user
    author_identities: Mapping[str, str] = field(default_factory=dict)  # cluster -> who
    parent: int | None = None  # the version active before this one
    restores: int | None = None  # a rollback: the version whose content it re-activates
    request_id: str | None = None  # the approval request that released it

    def author_text(self) -> str:
        """`alice (sre-lead)`, or `alice (prod-eu: a, staging: b)` when the clusters know
        the author by different names: the OS user and the Kubernetes identities."""
        names = set(self.author_identities.values())
        ids = names.pop() if len(names) == 1 else ", ".join(
            f"{c}: {w}" for c, w in sorted(self.author_identities.items()))
        return self.author + (f" ({ids})" if ids else "")


class PolicyHistory:
    """Reads and appends policy versions; thread-safe through the Database's lock."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, content: str, policy_hash: str, message: str, author: str,
            identities: Mapping[str, str], *, action: Action = "apply",
            restores: int | None = None, request_id: str | None = None,
            expected_parent: int | None = None) -> PolicyVersion:
        """Append a version on top of the active one; StoreError when the active version
        is no longer `expected_parent` (someone activated another meanwhile)."""
        with self.db.write() as conn:
            row = conn.execute("SELECT MAX(version) FROM policy_history").fetchone()
            parent = int(row[0]) if row[0] is not None else None
            if parent != expected_parent:
                raise StoreError(f"the active policy version changed meanwhile (now "
                                 f"{_name(parent)}, expected {_name(expected_parent)}); "
                                 "look again and retry")
            version = (parent or 0) + 1
            at = now_text()
            conn.execute(
                "INSERT INTO policy_history (version, at, action, hash, content, message, "
                "author, author_identities, parent, restores, request_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (version, at, action, policy_hash, content, message, author,
                 orjson.dumps(dict(identities), option=orjson.OPT_SORT_KEYS).decode(),
                 parent, restores, request_id))
        return PolicyVersion(version, at, action, policy_hash, content, message, author,
                             dict(identities), parent, restores, request_id)

    def active(self) -> PolicyVersion | None:
        """The newest version, or None before any was applied."""
        rows = self._rows("SELECT * FROM policy_history ORDER BY version DESC LIMIT 1", [])
        return rows[0] if rows else None

    def get(self, version: int) -> PolicyVersion:
        """One version; StoreError naming it when there is none."""
        rows = self._rows("SELECT * FROM policy_history WHERE version = ?", [version])
        if not rows:
            raise StoreError(f"unknown policy version {version}")
        return rows[0]

    def versions(self, limit: int = 100) -> list[PolicyVersion]:
        """The newest `limit` versions, newest first."""
        return self._rows("SELECT * FROM policy_history ORDER BY version DESC LIMIT ?",
                          [limit])

    def _rows(self, sql: str, params: list[object]) -> list[PolicyVersion]:
        with self.db.read() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return [PolicyVersion(
            version=int(r["version"]), at=r["at"], action=r["action"], hash=r["hash"],
            content=r["content"], message=r["message"], author=r["author"],
            author_identities=orjson.loads(r["author_identities"]), parent=r["parent"],
            restores=r["restores"], request_id=r["request_id"]) for r in rows]


def _name(version: int | None) -> str:
    return f"v{version}" if version is not None else "none"
