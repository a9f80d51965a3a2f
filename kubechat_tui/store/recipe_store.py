"""Published recipes and their feedback in the store (append-only rows).

API::

    store = RecipeStore(db)
    entry = store.publish(name, content, digest, author, identities, message)  # version N+1
    store.set_state(name, "deprecate" | "restore", author, identities, message)
    store.published()            # name -> the newest version and whether it is deprecated
    store.history(name)          # every row for one recipe, oldest first
    store.add_feedback(name, author, rating, comment, execution_id)
    store.ratings()              # name -> (mean rating, count)
    store.feedback(name)         # newest first

Facts only: validation against the active policy and the audit records live in
`engine.recipe_publishing`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import orjson

from kubechat_tui.store.approvals import now_text
from kubechat_tui.store.database import Database
from kubechat_tui.store.errors import StoreError

Action = Literal["publish", "deprecate", "restore"]


@dataclass(frozen=True)
class RecipeVersion:
    """A row of a recipe's history: a published version, or a change of its state."""

    name: str
    version: int
    action: str
    at: str
    author: str
    digest: str
    content: str
    message: str
    author_identities: Mapping[str, str] = field(default_factory=dict)
    deprecated: bool = False  # the recipe's state after this row


@dataclass(frozen=True)
class Feedback:
    """One rating of a recipe run."""

    name: str
    at: str
    author: str
    rating: int
    comment: str
    execution_id: str | None = None


class RecipeStore:
    """Reads and appends recipe versions and feedback."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def publish(self, name: str, content: str, digest: str, author: str,
                identities: Mapping[str, str], message: str) -> RecipeVersion:
        """Store a new version of `name` (published, not deprecated)."""
        with self.db.write() as conn:
            row = conn.execute("SELECT MAX(version) FROM recipe_history WHERE name = ?",
                               (name,)).fetchone()
            version = int(row[0] or 0) + 1
            return self._insert(conn, name, version, "publish", author, identities, digest,
                                content, message)

    def set_state(self, name: str, action: Action, author: str,
                  identities: Mapping[str, str], message: str) -> RecipeVersion:
        """Deprecate or restore the newest version; StoreError for an unknown recipe or
        one already in that state."""
        with self.db.write() as conn:
            rows = self._select(conn, "SELECT * FROM recipe_history WHERE name = ? "
                                "ORDER BY id DESC LIMIT 1", [name])
            if not rows:
                raise StoreError(f"no published recipe {name!r}")
            last = rows[0]
            if last.deprecated == (action == "deprecate"):
                state = "deprecated" if last.deprecated else "in use"
                raise StoreError(f"recipe {name} is already {state}")
            return self._insert(conn, name, last.version, action, author, identities,
                                last.digest, last.content, message)

    def published(self) -> dict[str, RecipeVersion]:
        """Each published recipe's newest row (its newest version and its state)."""
        with self.db.read() as conn:
            rows = self._select(conn, "SELECT * FROM recipe_history WHERE id IN "
                                "(SELECT MAX(id) FROM recipe_history GROUP BY name)", [])
        return {row.name: row for row in rows}

    def history(self, name: str) -> list[RecipeVersion]:
        """Every row for `name`, oldest first."""
        with self.db.read() as conn:
            return self._select(conn, "SELECT * FROM recipe_history WHERE name = ? "
                                "ORDER BY id", [name])

    def add_feedback(self, name: str, author: str, rating: int, comment: str,
                     execution_id: str | None = None) -> Feedback:
        """Keep one rating (1-5) and comment."""
        if not 1 <= rating <= 5:
            raise StoreError(f"rating {rating}: use 1 to 5")
        entry = Feedback(name, now_text(), author, rating, comment, execution_id)
        with self.db.write() as conn:
            conn.execute("INSERT INTO recipe_feedback (name, at, author, rating, comment, "
                         "execution_id) VALUES (?, ?, ?, ?, ?, ?)",
                         (name, entry.at, author, rating, comment, execution_id))
        return entry

    def ratings(self) -> dict[str, tuple[float, int]]:
        """name -> (mean rating, number of ratings)."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT name, AVG(rating), COUNT(*) FROM recipe_feedback "
                                "GROUP BY name").fetchall()
        return {str(n): (float(mean), int(count)) for n, mean, count in rows}

    def feedback(self, name: str, limit: int = 20) -> list[Feedback]:
        """The newest ratings of `name`."""
        with self.db.read() as conn:
            rows = conn.execute("SELECT name, at, author, rating, comment, execution_id FROM "
                                "recipe_feedback WHERE name = ? ORDER BY id DESC LIMIT ?",
                                (name, limit)).fetchall()
        return [Feedback(*row) for row in rows]

    def _insert(self, conn: sqlite3.Connection, name: str, version: int, action: Action,
                author: str, identities: Mapping[str, str], digest: str, content: str,
                message: str) -> RecipeVersion:
        at = now_text()
        ids = orjson.dumps(dict(identities), option=orjson.OPT_SORT_KEYS).decode()
        conn.execute("INSERT INTO recipe_history (name, version, action, at, author, "
                     "author_identities, digest, content, message) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (name, version, action, at, author, ids, digest, content, message))
        return RecipeVersion(name, version, action, at, author, digest, content, message,
                             dict(identities), action == "deprecate")

    @staticmethod
    def _select(conn: sqlite3.Connection, sql: str, params: list[object]) -> list[RecipeVersion]:
        cursor = conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        return [RecipeVersion(
            name=r["name"], version=int(r["version"]), action=r["action"], at=r["at"],
            author=r["author"], digest=r["digest"], content=r["content"], message=r["message"],
            author_identities=orjson.loads(r["author_identities"]),
            deprecated=r["action"] == "deprecate") for r in rows]
