"""The tamper suite: every manipulation is caught at the right sequence number."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import orjson
import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubechat_tui.store.audit import default_anchor_path
from kubechat_tui.store.checkpoints import parse_checkpoint
from kubechat_tui.store.signing import Signer
from tests.store.helpers import attacker, build_log, copy_log, flip_in_file, verify

RECORDS = 30
EVERY = 10  # checkpoints at 10, 20, 30 (the last one is the session-end checkpoint)
_case = itertools.count()
SHARED_TMP = [HealthCheck.function_scoped_fixture]  # each example copies into a new subdir


@pytest.fixture(scope="module")
def base_log(tmp_path_factory: pytest.TempPathFactory, signer: Signer) -> Path:
    return build_log(tmp_path_factory.mktemp("base"), signer, RECORDS, EVERY)


@pytest.fixture
def work(base_log: Path, tmp_path: Path):
    """A fresh copy of the base log per call (hypothesis reuses the test's tmp_path)."""
    return lambda: copy_log(base_log, tmp_path / f"case{next(_case)}")


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_clean_log_verifies_without_warnings(base_log: Path, signer: Signer) -> None:
    result = verify(base_log, signer)
    assert result.ok, result.problem
    assert (result.records, result.checkpoints, result.last_signed_seq) == (30, 3, 30)
    assert result.warnings == ()
    assert result.key_fingerprint == signer.fingerprint


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_TMP)
@given(seq=st.integers(1, RECORDS), column=st.sampled_from(["body", "hash", "prev"]),
       position=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_byte_flip_in_a_record_is_edited_at_that_seq(
    work, signer: Signer, seq: int, column: str, position: float, mask: int
) -> None:
    db = work()
    conn = attacker(db)
    value = conn.execute(f"SELECT {column} FROM audit WHERE seq = ?", (seq,)).fetchone()[0]
    offset = int(position * len(value))
    if column == "body":  # edit the file: SQLite itself refuses malformed JSON in an UPDATE
        conn.close()
        flip_in_file(db, value, offset, mask)
    else:
        flipped = bytearray(value)
        flipped[offset] ^= mask
        conn.execute(f"UPDATE audit SET {column} = ? WHERE seq = ?", (bytes(flipped), seq))
        conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (seq, "edited"), problem


@settings(max_examples=30, deadline=None, suppress_health_check=SHARED_TMP)
@given(index=st.integers(0, 2), column=st.sampled_from(["payload", "signature"]),
       position=st.floats(0, 1, exclude_max=True), mask=st.integers(1, 255))
def test_byte_flip_in_a_checkpoint_is_a_bad_signature_at_its_seq(
    work, signer: Signer, index: int, column: str, position: float, mask: int
) -> None:
    db = work()
    conn = attacker(db)
    row_id, cp_seq, value = conn.execute(
        f"SELECT id, seq, {column} FROM audit_checkpoint ORDER BY id LIMIT 1 OFFSET ?", (index,)
    ).fetchone()
    value = bytearray(value)
    value[int(position * len(value))] ^= mask
    conn.execute(f"UPDATE audit_checkpoint SET {column} = ? WHERE id = ?", (bytes(value), row_id))
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (cp_seq, "bad signature"), problem


@pytest.mark.parametrize("seq", range(1, RECORDS + 1))
def test_every_single_row_deletion_is_detected(work, signer: Signer, seq: int) -> None:
    db = work()
    attacker(db).execute("DELETE FROM audit WHERE seq = ?", (seq,))
    problem = verify(db, signer).problem
    expected = "truncated" if seq == RECORDS else "missing"
    assert problem is not None and (problem.seq, problem.kind) == (seq, expected), problem


def test_deletion_with_renumbering_is_missing(work, signer: Signer) -> None:
    db = work()
    conn = attacker(db)
    conn.execute("DELETE FROM audit WHERE seq = 12")
    conn.execute("UPDATE audit SET seq = -(seq - 1) WHERE seq > 12")
    conn.execute("UPDATE audit SET seq = -seq WHERE seq < 0")
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (12, "missing"), problem


def _swap(db: Path, seq: int, columns: str) -> None:
    conn = attacker(db)
    rows = {s: r for s, *r in conn.execute(
        f"SELECT seq, {columns} FROM audit WHERE seq IN (?, ?)", (seq, seq + 1))}
    names = columns.split(", ")
    for target, source in ((seq, seq + 1), (seq + 1, seq)):
        sets = ", ".join(f"{name} = ?" for name in names)
        conn.execute(f"UPDATE audit SET {sets} WHERE seq = ?", (*rows[source], target))
    conn.close()


@pytest.mark.parametrize("columns", ["prev, body, hash", "body"])
@pytest.mark.parametrize("seq", range(1, RECORDS))
def test_every_adjacent_swap_is_reordered(work, signer: Signer, seq: int, columns: str) -> None:
    db = work()
    _swap(db, seq, columns)
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (seq, "reordered"), problem


@pytest.mark.parametrize("keep", [0, 5, 15, 20, 29])
def test_tail_truncation_is_detected(work, signer: Signer, keep: int) -> None:
    db = work()
    attacker(db).execute("DELETE FROM audit WHERE seq > ?", (keep,))
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (keep + 1, "truncated"), problem


def test_tail_truncation_with_checkpoints_removed_is_caught_by_the_anchor(
    work, signer: Signer
) -> None:
    db = work()
    conn = attacker(db)
    conn.execute("DELETE FROM audit WHERE seq > 14")
    conn.execute("DELETE FROM audit_checkpoint WHERE seq > 14")
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (15, "truncated"), problem


def _forge(conn, seq: int) -> None:
    """Rewrite record ``seq`` and recompute its hash from its own prev (a careful forger)."""
    prev, body = conn.execute("SELECT prev, body FROM audit WHERE seq = ?", (seq,)).fetchone()
    doc = orjson.loads(body)
    doc["justification"] = "nothing to see here"
    forged = rfc8785.dumps(doc)
    conn.execute("UPDATE audit SET body = ?, hash = ? WHERE seq = ?",
                 (forged, _sha(prev + _sha(forged)), seq))


@pytest.mark.parametrize("seq", [1, 7, 10, 29, 30])
def test_forged_row_with_recomputed_hash_is_edited_at_that_seq(
    work, signer: Signer, seq: int
) -> None:
    db = work()
    conn = attacker(db)
    _forge(conn, seq)
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (seq, "edited"), problem


@pytest.mark.parametrize(("seq", "caught_at"), [(3, 10), (12, 20), (30, 30)])
def test_rewritten_chain_is_caught_by_the_next_checkpoint(
    work, signer: Signer, seq: int, caught_at: int
) -> None:
    db = work()
    conn = attacker(db)
    _forge(conn, seq)
    prev = conn.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()[0]
    for later, body in conn.execute("SELECT seq, body FROM audit WHERE seq > ?", (seq,)).fetchall():
        digest = _sha(prev + _sha(body))
        conn.execute("UPDATE audit SET prev = ?, hash = ? WHERE seq = ?", (prev, digest, later))
        prev = digest
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (caught_at, "edited"), problem


@pytest.mark.parametrize("claim_other_key", [False, True])
def test_checkpoint_resigned_with_another_key_is_a_bad_signature(
    work, signer: Signer, claim_other_key: bool
) -> None:
    db = work()
    other = Signer.generate()
    conn = attacker(db)
    row_id, payload = conn.execute(
        "SELECT id, payload FROM audit_checkpoint WHERE seq = 20").fetchone()
    doc = orjson.loads(payload)
    if claim_other_key:
        doc["key"] = other.fingerprint
    new_payload = rfc8785.dumps(doc)
    conn.execute("UPDATE audit_checkpoint SET payload = ?, signature = ? WHERE id = ?",
                 (new_payload, other.sign(new_payload), row_id))
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (20, "bad signature"), problem


def test_anchor_damage_is_a_warning_not_a_false_alarm(work, signer: Signer) -> None:
    db = work()
    anchor = default_anchor_path(db)
    lines = anchor.read_bytes().splitlines(keepends=True)
    anchor.write_bytes(lines[0][:40] + b"\n" + b"".join(lines[1:]) + b'{"payload": "torn')
    result = verify(db, signer)
    assert result.ok, result.problem
    assert any("unreadable" in w for w in result.warnings)
    assert any("not in the anchor file" in w for w in result.warnings)


def test_checkpoints_are_stored_in_the_anchor_file(base_log: Path, signer: Signer) -> None:
    lines = default_anchor_path(base_log).read_bytes().splitlines()
    seqs = [parse_checkpoint(orjson.loads(line)["payload"].encode(), b"").seq for line in lines]
    assert seqs == [10, 20, 30]


def test_appending_is_refused_by_the_triggers(base_log: Path, tmp_path: Path) -> None:
    import sqlite3

    db = copy_log(base_log, tmp_path / "triggers")
    conn = sqlite3.connect(db)
    for statement in ("UPDATE audit SET body = body WHERE seq = 1", "DELETE FROM audit",
                      "DELETE FROM audit_checkpoint", "UPDATE audit_checkpoint SET seq = 0"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    conn.close()


def test_byte_flip_in_the_file_itself_is_edited(work, signer: Signer) -> None:
    """A hex-editor attacker: no SQL, triggers and indexes intact."""
    db = work()
    marker = b'"justification":"INC-17"'
    flip_in_file(db, marker, len(marker) - 3, 0x01)  # INC-17 -> INC-07: still valid JSON
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (18, "edited"), problem


def test_emptied_database_names_the_whole_signed_range(work, signer: Signer) -> None:
    db = work()
    conn = attacker(db)
    conn.execute("DELETE FROM audit")
    conn.execute("DELETE FROM audit_checkpoint")
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (1, "truncated")
    assert problem.detail.startswith(f"records 1..{RECORDS} are gone")


def test_renumbered_last_record_is_a_gap_not_intact(work, signer: Signer) -> None:
    """Links still agree; only the seq numbers give it away (the fast pass checks them)."""
    db = work()
    conn = attacker(db)
    conn.execute("DELETE FROM audit_checkpoint WHERE seq = ?", (RECORDS,))
    conn.execute("UPDATE audit SET seq = ? WHERE seq = ?", (RECORDS + 1, RECORDS))
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (RECORDS, "missing"), problem


def test_a_column_stored_as_text_is_edited(work, signer: Signer) -> None:
    db = work()
    conn = attacker(db)
    conn.execute("UPDATE audit SET body = CAST(body AS TEXT) WHERE seq = 17")
    conn.close()
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (17, "edited"), problem
