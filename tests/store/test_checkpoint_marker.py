"""The checkpoint marker beside the key: monotonic, private, and the witness of a lost log."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_missing import LostDatabaseError, missing_database
from kubechat_tui.store.checkpoint_marker import FILE_NAME, CheckpointMarker
from kubechat_tui.store.checkpoints import sign_checkpoint
from kubechat_tui.store.database import open_database
from kubechat_tui.store.errors import MissingDatabaseError, StoreError
from kubechat_tui.store.signing import Signer, load_signer
from tests.store.helpers import build_log, sample_event


def test_marker_only_moves_forward_and_is_private(tmp_path: Path, signer: Signer) -> None:
    marker = CheckpointMarker(tmp_path)
    db_a, db_b = tmp_path / "a.db", tmp_path / "b.db"
    marker.record(db_a, sign_checkpoint(7, bytes(32), "interval", signer, ""))
    marker.record(db_a, sign_checkpoint(3, bytes(32), "interval", signer, ""))  # a slower writer
    marker.record(db_b, sign_checkpoint(2, bytes(32), "interval", signer, ""))
    last_a, last_b = marker.last(db_a), marker.last(db_b)
    assert last_a is not None and last_a.seq == 7 and last_a.signed_by(signer.trusted)
    assert last_b is not None and last_b.seq == 2
    assert (tmp_path / FILE_NAME).stat().st_mode & 0o777 == 0o600
    assert marker.last(tmp_path / "other.db") is None


def test_unreadable_marker_is_no_evidence_and_is_rewritten(tmp_path: Path, signer: Signer) -> None:
    (tmp_path / FILE_NAME).write_text("{torn")
    marker = CheckpointMarker(tmp_path)
    assert marker.last(tmp_path / "a.db") is None
    marker.record(tmp_path / "a.db", sign_checkpoint(1, bytes(32), "manual", signer, ""))
    last = marker.last(tmp_path / "a.db")
    assert last is not None and last.seq == 1


def test_only_keys_from_a_data_dir_keep_a_marker(tmp_path: Path) -> None:
    assert CheckpointMarker.for_signer(Signer.generate()) is None
    assert CheckpointMarker.for_signer(None) is None
    found = CheckpointMarker.for_signer(load_signer(tmp_path, backend="file"))
    assert found is not None and found.path == tmp_path / FILE_NAME


def _missing(path: Path, anchor: Path, directory: Path, signer: Signer | None) -> StoreError:
    try:
        open_database(path, create=False)
    except MissingDatabaseError as exc:
        return missing_database(exc, path, anchor, CheckpointMarker(directory), signer)
    raise AssertionError("the database should be missing")


def test_a_deleted_database_is_reported_from_the_marker(tmp_path: Path) -> None:
    signer = load_signer(tmp_path, backend="file")
    assert signer is not None
    db = open_database(tmp_path / "kubechat.db")
    log = AuditLog(db, signer, checkpoint_every=4)
    for i in range(9):
        log.append(sample_event(i))
    log.close()
    db.close()
    anchor = log.anchor.path
    for path in tmp_path.glob("kubechat.db*"):
        path.unlink()
    error = _missing(tmp_path / "kubechat.db", anchor, tmp_path, signer)
    assert isinstance(error, LostDatabaseError)
    assert error.result.problem is not None and error.result.problem.kind == "truncated"
    assert "records 1..9 are gone" in str(error) and "checkpoint marker" in str(error)
    unverified = _missing(tmp_path / "kubechat.db", anchor, tmp_path, None)
    assert "not verified: no signing key found" in str(unverified)
    stranger = _missing(tmp_path / "kubechat.db", anchor, tmp_path, Signer.generate())
    assert not isinstance(stranger, LostDatabaseError)  # another key's marker proves nothing
    assert not (tmp_path / "kubechat.db").exists()


def test_an_emptied_file_counts_as_missing(tmp_path: Path, signer: Signer) -> None:
    path = build_log(tmp_path, signer, 3)
    (tmp_path / "kubechat.db-wal").unlink(missing_ok=True)
    path.write_bytes(b"")
    with pytest.raises(MissingDatabaseError, match="the database file is empty"):
        open_database(path, create=False)
    assert path.read_bytes() == b""



def test_a_recreated_database_refuses_to_start_a_new_chain(tmp_path: Path) -> None:
    """The console creates its database; after `rm kubechat.db*` record 1 is refused."""
    signer = load_signer(tmp_path, backend="file")
    path = tmp_path / "kubechat.db"
    db = open_database(path)
    log = AuditLog(db, signer, checkpoint_every=4)
    for i in range(6):
        log.append(sample_event(i))
    log.close()
    db.close()
    for stale in tmp_path.glob("kubechat.db*"):
        stale.unlink()
    db = open_database(path)  # the console's first step: a new empty file
    try:
        log = AuditLog(db, load_signer(tmp_path, backend="file"))
        with pytest.raises(StoreError, match=r"the audit log kept here is gone \(records 1\.\.6"):
            log.append(sample_event(0))
        assert log.head() == (0, "")
        problem = log.verify().problem
        assert problem is not None and (problem.seq, problem.kind) == (1, "truncated")
        assert "records 1..6 are gone" in problem.detail
    finally:
        db.close()
