"""Kept values: old Secret and credential values a rollback needs, outside the audit chain.

API::

    vault = KeptValues(db, key, retention_days=30)   # key: 32 bytes, never in the database
    vault.keep({digest: value, ...})                 # encrypted (Fernet), stamped now
    vault.get(digest) -> str | None                  # None: never kept, expired or deleted
    vault.purge() -> int                             # rows older than the retention, deleted

Values are looked up by the digest their marker carries in the audit record and the
timeline (`domain.redaction_markers`). A retention of 0 keeps nothing.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

from kubechat_tui.store.database import Database


class KeptValues:
    """The `kept_value` table: digest -> encrypted value, deleted after the retention."""

    def __init__(self, db: Database, key: bytes, retention_days: int) -> None:
        self.db = db
        self.retention_days = retention_days
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def keep(self, values: Mapping[str, str]) -> None:
        """Store each value (encrypted) under its digest; a digest kept already is renewed."""
        if not values or self.retention_days <= 0:
            return
        now = _stamp(datetime.now(UTC))
        rows = [(digest, now, self._fernet.encrypt(value.encode()))
                for digest, value in values.items()]
        with self.db.write() as conn:
            conn.executemany("INSERT INTO kept_value (digest, kept_at, ciphertext) "
                             "VALUES (?, ?, ?) ON CONFLICT(digest) DO UPDATE SET "
                             "kept_at = excluded.kept_at, ciphertext = excluded.ciphertext",
                             rows)

    def get(self, digest: str) -> str | None:
        """The kept value, or None (never kept, past its retention, or not readable)."""
        with self.db.read() as conn:
            row = conn.execute("SELECT kept_at, ciphertext FROM kept_value WHERE digest = ?",
                               (digest,)).fetchone()
        if row is None or str(row[0]) < self._oldest():
            return None
        try:
            return self._fernet.decrypt(bytes(row[1])).decode()
        except InvalidToken:  # another key (a different data dir): not ours to read
            return None

    def purge(self) -> int:
        """Delete the values past their retention; the number deleted."""
        with self.db.write() as conn:
            conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left
            return conn.execute("DELETE FROM kept_value WHERE kept_at < ?",
                                (self._oldest(),)).rowcount

    def _oldest(self) -> str:
        return _stamp(datetime.now(UTC) - timedelta(days=self.retention_days))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")
