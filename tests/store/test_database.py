"""The database: WAL, versioned migrations, one-line errors for unusable files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kubechat_tui.store import migrations
from kubechat_tui.store.database import open_database
from kubechat_tui.store.errors import StoreError


def test_new_database_is_wal_and_fully_migrated(tmp_path: Path) -> None:
    db = open_database(tmp_path / "sub" / "k.db")
    try:
        assert db.schema_version == len(migrations.discover())
        with db.read() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert {"audit", "audit_checkpoint", "audit_signing_key"} <= set(db.sqlite.table_names())
    finally:
        db.close()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    open_database(tmp_path / "k.db").close()
    db = open_database(tmp_path / "k.db")
    assert db.schema_version == len(migrations.discover())
    db.close()


def test_migrations_are_numbered_from_one() -> None:
    found = migrations.discover()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert found[0].name == "m0001_audit_chain"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="schema version 999 is newer"):
        open_database(path)


def test_corrupt_file_is_one_line_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    garbage = b"this is not sqlite at all " * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        open_database(path)
    assert "not a kubechat database" in str(caught.value) and "\n" not in str(caught.value)
    assert path.read_bytes() == garbage


def test_unwritable_data_dir_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create data directory"):
        open_database(blocker / "sub" / "k.db")


def test_failed_write_rolls_back(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.db")
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute("INSERT INTO audit_signing_key VALUES ('f', x'00', 'now')")
        raise RuntimeError("boom")
    with db.read() as conn:
        assert conn.execute("SELECT count(*) FROM audit_signing_key").fetchone()[0] == 0
    db.close()


def test_readers_never_create_a_database(tmp_path: Path) -> None:
    from kubechat_tui.store.errors import MissingDatabaseError

    path = tmp_path / "sub" / "k.db"
    with pytest.raises(MissingDatabaseError, match="no audit database"):
        open_database(path, create=False)
    assert not path.parent.exists()
    open_database(path).close()
    db = open_database(path, create=False)  # an existing one opens normally
    assert db.schema_version == len(migrations.discover())
    db.close()


def test_a_snapshot_of_a_deleted_database_does_not_recreate_it(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.db")
    try:
        for path in tmp_path.glob("k.db*"):
            path.unlink()
        with pytest.raises(StoreError, match="unable to open"), db.snapshot():
            pass
        assert not (tmp_path / "k.db").exists()
    finally:
        db.close()
