"""The SQLite database behind the store: WAL, versioned schema, serialized writers.

API::

    db = open_database(path)                # creates the file and applies pending migrations
    db = open_database(path, create=False)  # MissingDatabaseError unless it exists (readers)
    with db.write() as conn: ...            # BEGIN IMMEDIATE: one writer across processes
    with db.read() as conn: ...             # short reads on the shared connection
    with db.snapshot() as conn: ...         # a consistent read-only view on its own connection
    db.sqlite                               # the same connection as a sqlite_utils.Database
    db.redaction                            # RecordRedaction: what every record write uses
    db.close()

Writers take the database's write lock up front (``BEGIN IMMEDIATE``), so two kubechat
processes appending at once queue behind each other instead of forking anything. Every
sqlite error surfaces as a one-line ``StoreError`` naming the file.

Only the console's first run creates a database. Commands that read or verify one
(``kubechat audit ...``) open it with ``create=False``: a missing or empty file is then a
``MissingDatabaseError``, never a fresh empty database that would verify as "intact".
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

import sqlite_utils

from kubechat_tui.store import migrations
from kubechat_tui.store.errors import MissingDatabaseError, StoreError
from kubechat_tui.store.record_redaction import RecordRedaction

Synchronous = Literal["FULL", "NORMAL"]
BUSY_TIMEOUT_SECONDS = 15.0
SNAPSHOT_MMAP_BYTES = 1 << 30  # long scans (verify, export) read pages through mmap


class Database:
    """An open kubechat database; thread-safe through one lock around the shared connection."""

    def __init__(self, path: Path, conn: sqlite3.Connection, synchronous: Synchronous) -> None:
        self.path = path
        self.conn = conn
        self.synchronous = synchronous
        self.sqlite = sqlite_utils.Database(conn, execute_plugins=False)
        self.lock = threading.RLock()
        # what every writer of a record redacts with (the opener gives it a key and a vault)
        self.redaction = RecordRedaction()

    @property
    def schema_version(self) -> int:
        """The applied schema version (``PRAGMA user_version``)."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the database write lock; commits or rolls back."""
        with self.lock, self._errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The shared connection for short autocommit reads."""
        with self.lock, self._errors():
            yield self.conn

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on a private connection: a stable view while writers go on."""
        with self._errors():
            conn = _connect(self.path, create=False)
            try:
                conn.execute(f"PRAGMA mmap_size={SNAPSHOT_MMAP_BYTES}")
                conn.execute("BEGIN")
                yield conn
            finally:
                conn.close()

    def close(self) -> None:
        """Fold the WAL back into the main file and close the connection."""
        with self.lock:
            # another process may hold the WAL open; it will checkpoint later
            with suppress(sqlite3.Error):
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.conn.close()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {_describe(exc)}") from exc


def open_database(
    path: Path, *, synchronous: Synchronous = "FULL", create: bool = True
) -> Database:
    """Open the database at ``path`` and apply pending migrations.

    ``create=True`` makes the file (and its directory) when missing; with ``create=False`` a
    missing file, or one without a kubechat schema (e.g. truncated to 0 bytes), raises
    ``MissingDatabaseError`` and nothing is written. ``synchronous=FULL`` (default) makes
    every commit durable across power loss; NORMAL keeps the file consistent but may lose
    the last commits on power loss.
    """
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"{path.parent}: cannot create data directory ({exc.strerror})"
            ) from exc
    try:
        conn = _connect(path, create=create)
    except sqlite3.Error as exc:
        if not create and not path.exists():
            raise MissingDatabaseError(path, "no audit database") from None
        raise StoreError(f"{path}: {_describe(exc)}") from exc
    db = Database(path, conn, synchronous)
    try:
        if not create and db.schema_version == 0:
            raise MissingDatabaseError(path, "the database file is empty (no kubechat schema)")
        with db.read():
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={synchronous}")
        _migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def _connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    target = str(path) if create else f"{path.resolve().as_uri()}?mode=rw"
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False,
        uri=not create,
    )
    conn.execute("PRAGMA user_version").fetchone()  # fails fast on a file that is not SQLite
    return conn


def _migrate(db: Database) -> None:
    known = migrations.discover()
    if db.schema_version == len(known):
        return
    with db.write() as conn:
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > len(known):
            raise StoreError(
                f"{db.path}: schema version {current} is newer than this kubechat "
                f"understands ({len(known)}); upgrade kubechat"
            )
        for migration in known[current:]:
            migration.upgrade(conn)
            conn.execute(f"PRAGMA user_version={migration.version}")


def _describe(exc: sqlite3.Error) -> str:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return "not a kubechat database (file is corrupt or not SQLite)"
    if "malformed" in text:
        return "database file is corrupt (disk image is malformed)"
    if "locked" in text or "busy" in text:
        return f"database is busy ({text}); another kubechat process holds the write lock"
    return text
