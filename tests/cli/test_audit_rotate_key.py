"""`kubechat audit rotate-key`: the old key hands over to a new one; `verify` follows the
chain of keys; a key swapped without a hand-over is detected."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, Operator
from kubechat_tui.store.checkpoints import link_of, parse_checkpoint, sign_checkpoint
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import KEY_FILE_NAME, Signer, load_signer
from tests.cli.test_audit_cli import _populate, _run, data_dir, empty_dir

__all__ = ["data_dir", "empty_dir"]  # fixtures shared with test_audit_cli


def test_rotate_then_verify_old_and_new_records(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = load_signer(data_dir, create=False)
    assert old is not None
    code, out, err = _run(capsys, "audit", "rotate-key")
    assert code == 0, err
    new = load_signer(data_dir, create=False)
    assert new is not None and new.fingerprint != old.fingerprint
    assert out.startswith(f"audit key rotated: {old.fingerprint} -> {new.fingerprint}\n")
    _populate(data_dir, 7)  # records signed under the new key
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0 and "OK: chain intact" in out
    assert "warning" not in out and new.fingerprint in out
    db = open_database(data_dir / "kubechat.db")
    try:
        rows = db.conn.execute("SELECT payload, signature FROM audit_checkpoint "
                               "ORDER BY id").fetchall()
        rotated = [r for r in AuditLog(db, new).records() if r.event.action ==
                   "audit.key_rotated"]
    finally:
        db.close()
    checkpoints = [parse_checkpoint(bytes(p), bytes(s)) for p, s in rows]
    handover = next(cp for cp in checkpoints if cp.next_key)
    assert handover.key_fingerprint == old.fingerprint
    assert handover.next_fingerprint == new.fingerprint
    assert {cp.key_fingerprint for cp in checkpoints} == {old.fingerprint, new.fingerprint}
    assert [r.event.payload["new_fingerprint"] for r in rotated] == [new.fingerprint]
    assert _run(capsys, "audit", "rotate-key")[0] == 0  # and again: a chain of three keys
    _populate(data_dir, 3)
    assert _run(capsys, "audit", "verify")[0] == 0


def test_a_key_swapped_without_hand_over_is_refused(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = data_dir / KEY_FILE_NAME
    key.unlink()
    load_signer(data_dir)  # a fresh key where the old one was
    code, out, err = _run(capsys, "audit", "verify")
    assert code == 1 and "a key replaced without a hand-over" in out + err


def test_checkpoints_by_a_swapped_key_registered_in_the_database_are_detected(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An intruder with the database registers a key of their own and signs a checkpoint
    linked to the last one, then swaps the key file: the chain of keys has no hand-over."""
    intruder = Signer.generate()
    db = open_database(data_dir / "kubechat.db")
    try:
        log = AuditLog(db, load_signer(data_dir), checkpoint_every=1000)
        log.append(AuditEvent(action="plan.submitted", operator=Operator("mallory")))
        seq, head = log.head()
        payload, signature = db.conn.execute(
            "SELECT payload, signature FROM audit_checkpoint ORDER BY id DESC LIMIT 1").fetchone()
        forged = sign_checkpoint(seq, bytes.fromhex(head), "forged", intruder,
                                 link_of(bytes(payload), bytes(signature)))
        db.conn.execute("INSERT INTO audit_signing_key (fingerprint, public_key, created_at) "
                        "VALUES (?, ?, '2030-01-01')",
                        (intruder.fingerprint, intruder.trusted.public_key))
        db.conn.execute("INSERT INTO audit_checkpoint (seq, payload, signature) VALUES (?, ?, ?)",
                        (forged.seq, forged.payload, forged.signature))
        result = AuditLog(db, None).verify()  # checked against the intruder's recorded key
    finally:
        db.close()
    assert not result.ok and result.problem is not None
    assert result.problem.kind == "bad signature" and result.problem.seq == seq
    assert "no hand-over (a swapped signing key)" in result.problem.detail


def test_a_rotation_interrupted_after_the_hand_over_is_finished_by_running_it_again(
        data_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kubechat_tui.store import signing
    from kubechat_tui.store.errors import SigningKeyError

    def crash(current: Signer) -> None:
        raise SigningKeyError("power cut")

    with monkeypatch.context() as patched:
        patched.setattr(signing, "promote_next_key", crash)
        code, _, err = _run(capsys, "audit", "rotate-key")
    assert code == 1 and "power cut" in err
    assert _run(capsys, "audit", "verify")[0] == 1  # the stored key is no longer in force
    code, out, err = _run(capsys, "audit", "rotate-key")
    assert code == 0 and out.startswith("audit key rotation finished: "), err
    _populate(data_dir, 3)
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0 and "warning" not in out
