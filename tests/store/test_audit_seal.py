"""No checkpoint is signed over a broken chain; the check before signing stays incremental."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import rfc8785

from kubechat_tui.store.audit import AuditLog, default_anchor_path
from kubechat_tui.store.checkpoint_marker import CheckpointMarker
from kubechat_tui.store.checkpoints import sign_checkpoint
from kubechat_tui.store.database import Database, open_database
from kubechat_tui.store.errors import ChainBrokenError
from kubechat_tui.store.signing import Signer, load_signer
from tests.store.helpers import attacker, sample_event

EVERY = 5


@pytest.fixture
def log(tmp_path: Path) -> Iterator[AuditLog]:
    """12 records, checkpoints at 5, 10 and 12 (session end), a file key with its marker."""
    db = open_database(tmp_path / "kubechat.db", synchronous="NORMAL")
    audit = AuditLog(db, load_signer(tmp_path, backend="file"), checkpoint_every=EVERY)
    for i in range(12):
        audit.append(sample_event(i))
    audit.close()
    yield audit
    db.close()


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _forge_from(db: Database, seq: int) -> None:
    """Rewrite record ``seq``, recompute every later hash (triggers dropped)."""
    conn = attacker(db.path)
    prev, body = conn.execute("SELECT prev, body FROM audit WHERE seq = ?", (seq,)).fetchone()
    doc = orjson.loads(body)
    doc["outcome"] = "failed"
    forged = rfc8785.dumps(doc)
    digest = _sha(prev + _sha(forged))
    conn.execute("UPDATE audit SET body = ?, hash = ? WHERE seq = ?", (forged, digest, seq))
    for later, body in conn.execute(
            "SELECT seq, body FROM audit WHERE seq > ? ORDER BY seq", (seq,)).fetchall():
        nxt = _sha(digest + _sha(body))
        conn.execute("UPDATE audit SET prev = ?, hash = ? WHERE seq = ?", (digest, nxt, later))
        digest = nxt
    conn.close()


def _checkpoint_seqs(db: Database) -> list[int]:
    with db.read() as conn:
        return [int(r[0]) for r in conn.execute("SELECT seq FROM audit_checkpoint ORDER BY id")]


def _drop_checkpoints_above(log: AuditLog, seq: int, *, anchor: bool, marker: bool) -> None:
    attacker(log.db.path).execute("DELETE FROM audit_checkpoint WHERE seq > ?", (seq,))
    if anchor:
        lines = log.anchor.path.read_bytes().splitlines(keepends=True)
        kept = [line for cp, line in zip(log.anchor.read()[0], lines, strict=True) if cp.seq <= seq]
        log.anchor.path.write_bytes(b"".join(kept))
    if marker:
        assert log.marker is not None
        log.marker.path.unlink()


def test_periodic_checkpoint_is_refused_and_the_append_kept(log: AuditLog, caplog) -> None:
    _forge_from(log.db, 8)
    anchor = log.anchor.path.read_bytes()
    for i in range(12, 20):  # crosses the next checkpoint interval
        record = log.append(sample_event(i))
    assert record.seq == 20  # every append went through
    assert _checkpoint_seqs(log.db) == [5, 10, 12]  # nothing signed over the rewrite
    assert log.anchor.path.read_bytes() == anchor
    assert log.problem is not None and (log.problem.seq, log.problem.kind) == (10, "edited")
    assert "refusing to sign" in caplog.text
    with pytest.raises(ChainBrokenError, match="seq 10: edited") as caught:
        log.close()  # the session end says it again, in one line
    assert "\n" not in str(caught.value)
    assert _checkpoint_seqs(log.db) == [5, 10, 12]


@pytest.mark.parametrize(("anchor", "marker", "caught_at"),
                         [(False, False, 10), (True, False, 12), (False, True, 10)],
                         ids=["anchor-and-marker-left", "marker-left", "anchor-left"])
def test_deleted_database_checkpoints_do_not_hide_a_rewrite(
        log: AuditLog, anchor: bool, marker: bool, caught_at: int) -> None:
    """The attacker also deletes the checkpoints the rewrite would contradict."""
    _forge_from(log.db, 8)
    _drop_checkpoints_above(log, 5, anchor=anchor, marker=marker)
    with pytest.raises(ChainBrokenError, match=f"seq {caught_at}: edited"):
        log.checkpoint("manual")
    assert _checkpoint_seqs(log.db) == [5]
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (caught_at, "edited")


def test_rewrite_with_every_witness_gone_is_beyond_detection(log: AuditLog) -> None:
    """The documented limit: without checkpoints, anchor and marker, a rehash is a valid chain."""
    _forge_from(log.db, 8)
    _drop_checkpoints_above(log, 5, anchor=True, marker=True)
    assert log.checkpoint("manual") is not None


def test_truncated_tail_is_refused(log: AuditLog) -> None:
    attacker(log.db.path).execute("DELETE FROM audit WHERE seq > 9")
    with pytest.raises(ChainBrokenError, match=r"seq 10: truncated: records 10\.\.12 are gone"):
        log.checkpoint("manual")


def test_newest_checkpoint_resigned_with_another_key_is_refused(log: AuditLog) -> None:
    other = Signer.generate()
    conn = attacker(log.db.path)
    row_id, payload = conn.execute(
        "SELECT id, payload FROM audit_checkpoint ORDER BY id DESC LIMIT 1").fetchone()
    conn.execute("UPDATE audit_checkpoint SET signature = ? WHERE id = ?",
                 (other.sign(payload), row_id))
    conn.close()
    log.append(sample_event(12))
    with pytest.raises(ChainBrokenError, match="seq 12: bad signature"):
        log.checkpoint("manual")


def test_damage_below_the_newest_checkpoint_is_left_to_the_full_verify(log: AuditLog) -> None:
    """Incremental by design: an edit under an existing checkpoint does not stop signing
    (the signed statements stay true), but verify and export find it."""
    conn = attacker(log.db.path)
    conn.execute("UPDATE audit SET hash = zeroblob(32) WHERE seq = 3")
    conn.close()
    calls: list[str] = []
    with log.db.read() as shared:
        shared.set_trace_callback(calls.append)
        try:
            for i in range(12, 17):
                log.append(sample_event(i))
        finally:
            shared.set_trace_callback(None)
    assert _checkpoint_seqs(log.db)[-1] == 17 and log.problem is None
    walks = [c for c in calls if c.startswith("SELECT prev, body, hash FROM audit WHERE seq >")]
    assert walks == ["SELECT prev, body, hash FROM audit WHERE seq > 12 AND seq <= 17 ORDER BY seq"]
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (3, "edited")


def test_crash_after_the_anchor_line_is_no_false_alarm(log: AuditLog) -> None:
    """Killed between writing the anchor line and storing the checkpoint row."""
    assert log.signer is not None
    with log.db.read() as conn:
        seq, digest = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC").fetchone()
    log.anchor.append(sign_checkpoint(seq, bytes(digest), "interval", log.signer, ""))
    log.append(sample_event(12))
    assert log.checkpoint("manual") is not None
    assert log.verify().ok


def test_clean_checkpoints_record_the_marker(log: AuditLog, tmp_path: Path) -> None:
    marker = CheckpointMarker(tmp_path)
    marked = marker.last(log.db.path)
    assert marked is not None and marked.seq == 12
    log.append(sample_event(12))
    log.checkpoint("manual")
    marked = marker.last(log.db.path)
    assert marked is not None and marked.seq == 13
    assert default_anchor_path(log.db.path).exists()


def test_failing_chain_is_named_by_the_first_bad_seq(log: AuditLog) -> None:
    """The incremental check sees the symptom; the error names the cause."""
    for i in range(12, 15):
        log.append(sample_event(i))
    attacker(log.db.path).execute("DELETE FROM audit WHERE seq = 13")
    with pytest.raises(ChainBrokenError) as caught:
        log.checkpoint("manual")
    assert str(caught.value).startswith("audit chain is broken at seq 13: missing: record 13")


def test_wrong_column_type_in_the_tail_is_refused(log: AuditLog) -> None:
    log.append(sample_event(12))
    conn = attacker(log.db.path)
    conn.execute("UPDATE audit SET body = CAST(body AS TEXT) WHERE seq = 13")
    conn.close()
    with pytest.raises(ChainBrokenError, match="seq 13: edited"):
        log.checkpoint("manual")



def test_another_keys_lines_in_a_shared_anchor_are_ignored(log: AuditLog) -> None:
    """E.g. `--demo` (its own key) configured with the same `audit.anchor_path`."""
    other = Signer.generate()
    for seq in (50, 60, 70):
        log.anchor.append(sign_checkpoint(seq, bytes(32), "interval", other, ""))
    log.append(sample_event(12))
    assert log.checkpoint("manual") is not None  # no false "truncated" from foreign lines
    result = log.verify()
    assert result.ok, result.problem
    foreign = [w for w in result.warnings if "not signed by the trusted key" in w]
    assert len(foreign) == 1 and "3 checkpoint(s)" in foreign[0]
