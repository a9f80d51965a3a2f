"""Evidence packages: written with proof material, checked offline, tampering caught."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import rfc8785

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter
from kubechat_tui.store.database import open_database
from kubechat_tui.store.errors import EvidenceError
from kubechat_tui.store.evidence_export import export_evidence
from kubechat_tui.store.evidence_verify import verify_evidence
from kubechat_tui.store.signing import Signer
from tests.store.helpers import sample_event


@pytest.fixture
def log(tmp_path: Path, signer: Signer) -> Iterator[AuditLog]:
    db = open_database(tmp_path / "kubechat.db", synchronous="NORMAL")
    audit = AuditLog(db, signer, checkpoint_every=10)
    for i in range(25):
        audit.append(sample_event(i))
    yield audit
    db.close()


def _rehash(directory: Path, name: str) -> None:
    """A forger who also fixes the manifest's sha256 (but cannot re-sign it)."""
    manifest = orjson.loads((directory / "manifest.json").read_bytes())
    manifest["files"][name] = hashlib.sha256((directory / name).read_bytes()).hexdigest()
    (directory / "manifest.json").write_bytes(orjson.dumps(manifest))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_of_a_selection_verifies_offline(
    log: AuditLog, tmp_path: Path, signer: Signer, fmt: str
) -> None:
    out = tmp_path / "evidence"
    manifest = export_evidence(log, out, AuditFilter(actions=("execution.succeeded",)), fmt)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", "chain.jsonl", "checkpoint.json", f"records.{fmt}"])
    assert manifest["records"] == 8 and manifest["chain_range"] == {"first": 3, "last": 25}
    assert manifest["public_key_fingerprint"] == signer.fingerprint
    check = verify_evidence(out, expect_fingerprint=signer.fingerprint)
    assert check.ok, check.problems
    assert (check.records, check.chain_range) == (8, (3, 25))
    assert log.verify().checkpoints == 3  # 10, 20 and the export checkpoint at 25


def test_edited_record_is_caught_even_with_a_fixed_manifest(log: AuditLog, tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    export_evidence(log, out, AuditFilter(), "csv")
    rows = list(csv.DictReader(io.StringIO((out / "records.csv").read_text())))
    rows[6]["body"] = rows[6]["body"].replace("INC-6", "INC-9")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / "records.csv").write_text(buffer.getvalue())
    assert "sha256 does not match" in " ".join(verify_evidence(out).problems)
    _rehash(out, "records.csv")
    assert "manifest signature does not verify" in " ".join(verify_evidence(out).problems)


def test_readable_column_disagreeing_with_the_body_is_caught(
    log: AuditLog, tmp_path: Path, signer: Signer
) -> None:
    out = tmp_path / "evidence"
    export_evidence(log, out, AuditFilter(), "json")
    items = orjson.loads((out / "records.json").read_bytes())
    items[4]["record"]["justification"] = "looks innocent"
    (out / "records.json").write_bytes(orjson.dumps(items))
    _rehash(out, "records.json")
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    del manifest["signature"]

    manifest["signature"] = base64.b64encode(signer.sign(rfc8785.dumps(manifest))).decode()
    (out / "manifest.json").write_bytes(orjson.dumps(manifest))  # even a key holder's forgery
    problems = verify_evidence(out).problems
    assert problems == ["seq 5: edited: readable columns disagree with the record bytes"]


def test_wrong_expected_fingerprint_fails(log: AuditLog, tmp_path: Path) -> None:
    export_evidence(log, tmp_path / "e", AuditFilter(), "json")
    check = verify_evidence(tmp_path / "e", expect_fingerprint="sha256:" + "0" * 64)
    assert not check.ok and "expected sha256:000" in check.problems[0]


def test_missing_file_and_missing_manifest(log: AuditLog, tmp_path: Path) -> None:
    out = tmp_path / "e"
    export_evidence(log, out, AuditFilter(), "json")
    (out / "chain.jsonl").unlink()
    assert "chain.jsonl is missing" in verify_evidence(out).problems
    (out / "manifest.json").unlink()
    assert verify_evidence(out).problems == ["manifest.json is missing"]


def test_export_refuses_a_non_empty_directory(log: AuditLog, tmp_path: Path) -> None:
    out = tmp_path / "e"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(EvidenceError, match="not empty"):
        export_evidence(log, out, AuditFilter(), "json")
    assert (out / "keep.txt").read_text() == "mine"


def test_export_refuses_a_broken_chain_and_writes_nothing(log: AuditLog, tmp_path: Path) -> None:
    from kubechat_tui.store.errors import ChainBrokenError
    from tests.store.helpers import attacker

    attacker(log.db.path).execute("DELETE FROM audit WHERE seq = 7")
    checkpoints = log.verify().checkpoints
    out = tmp_path / "new" / "evidence"
    with pytest.raises(ChainBrokenError, match="seq 7: missing") as caught:
        export_evidence(log, out, AuditFilter(), "json")
    assert "nothing exported" in str(caught.value)
    assert not (tmp_path / "new").exists()
    assert log.verify().checkpoints == checkpoints


def test_export_with_nothing_matching_writes_nothing(log: AuditLog, tmp_path: Path) -> None:
    from kubechat_tui.store.evidence_export import NothingMatchedError

    checkpoints = log.verify().checkpoints
    with pytest.raises(NothingMatchedError, match="no records match the filters"):
        export_evidence(log, tmp_path / "e", AuditFilter(clusters=("nosuch",)), "json")
    assert not (tmp_path / "e").exists()
    assert log.verify().checkpoints == checkpoints


def test_failed_write_removes_files_and_created_dirs(
    log: AuditLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubechat_tui.store import evidence_export

    real_open = open
    opened: list[str] = []

    def failing_open(path, mode="r", *args, **kwargs):
        opened.append(Path(path).name)
        if len(opened) == 3:
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(evidence_export, "open", failing_open, raising=False)
    out = tmp_path / "a" / "b"
    with pytest.raises(EvidenceError, match="no space left on the device"):
        export_evidence(log, out, AuditFilter(), "json")
    assert len(opened) == 3 and not (tmp_path / "a").exists()


def test_export_creates_missing_parent_directories(log: AuditLog, tmp_path: Path) -> None:
    out = tmp_path / "x" / "y" / "z"
    export_evidence(log, out, AuditFilter(), "csv")
    assert verify_evidence(out).ok
