"""`kubechat audit ...` end to end through the real entry point, on a temp data dir."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import boto3
import keyring
import orjson
import pytest
import rfc8785
from keyring.backends import null
from moto.server import ThreadedMotoServer

from kubechat_tui.cli.main import main
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.checkpoint_marker import FILE_NAME as MARKER_FILE
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer
from tests.store.helpers import attacker, sample_event


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data dir that does not exist yet: file key, no config, no real keyring."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    directory = tmp_path / "data"
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(directory))
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent.yaml"))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    yield directory
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(empty_dir: Path) -> Path:
    """A data dir with 12 records (checkpoint every 5, closed)."""
    _populate(empty_dir, 12)
    return empty_dir


def _populate(directory: Path, count: int, db_path: Path | None = None,
              anchor_path: Path | None = None) -> None:
    """Append ``count`` records the way the console does (checkpoint every 5, closed)."""
    db = open_database(db_path or directory / "kubechat.db")
    log = AuditLog(db, load_signer(directory), checkpoint_every=5, anchor_path=anchor_path)
    for i in range(count):
        log.append(sample_event(i))
    log.close()
    db.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_intact_shows_the_key_choice(data_dir: Path, capsys) -> None:
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0
    assert "OK: chain intact" in out and "records:     12" in out
    assert f"signing key: file {data_dir / 'audit-signing.key'}" in out


def test_verify_names_the_first_bad_seq(data_dir: Path, capsys) -> None:
    attacker(data_dir / "kubechat.db").execute("DELETE FROM audit WHERE seq = 7")
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 1
    assert "FAILED: seq 7: missing: record 7 was deleted" in out
    code, out, _ = _run(capsys, "audit", "verify", "--json")
    doc = orjson.loads(out)
    assert code == 1 and doc["problem"]["seq"] == 7 and doc["problem"]["kind"] == "missing"


def test_log_filters_table_and_json(data_dir: Path, capsys) -> None:
    code, out, _ = _run(capsys, "audit", "log", "--cluster", "staging")
    rows = out.splitlines()[1:]
    assert code == 0 and [int(r.split()[0]) for r in rows] == [3, 6, 9, 12]
    code, out, _ = _run(capsys, "audit", "log", "--json", "--user", "bob",
                        "--action", "plan.submitted", "--since", "1h")
    docs = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and [d["seq"] for d in docs] == [4, 10]
    assert all(len(d["hash"]) == 64 for d in docs)
    code, out, err = _run(capsys, "audit", "log", "--until", "2020-01-01")
    assert (code, out, err) == (0, "", "no records match the filters\n")
    code, out, _ = _run(capsys, "audit", "log", "--limit", "2")
    assert [int(r.split()[0]) for r in out.splitlines()[1:]] == [11, 12]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--action", "plan.deleted"], "unknown action type 'plan.deleted'"),
        (["--since", "yesterday"], "bad time 'yesterday'"),
        (["--since", "1h", "--until", "2h"], "is after --until"),
        (["--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_bad_log_input_is_one_line_exit_2(data_dir: Path, capsys, argv, message) -> None:
    code, out, err = _run(capsys, "audit", "log", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_unknown_filter_option_exits_2(data_dir: Path, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["audit", "log", "--namespace-ish", "x"])
    assert caught.value.code == 2
    assert "unrecognized arguments: --namespace-ish" in capsys.readouterr().err


def test_export_and_verify_export(data_dir: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "evidence"
    code, out, _ = _run(capsys, "audit", "export", "--since", "1h", "--actions",
                        "execution.succeeded", "dryrun.completed", "--format", "csv",
                        "--out", str(out_dir))
    assert code == 0 and "exported 8 record(s), chain seq 2..12" in out
    code, out, _ = _run(capsys, "audit", "verify-export", str(out_dir))
    assert code == 0 and out.startswith("OK: 8 record(s), chain seq 2..12")
    (out_dir / "chain.jsonl").write_text("")
    code, out, _ = _run(capsys, "audit", "verify-export", str(out_dir))
    assert code == 1 and "FAILED: chain.jsonl: sha256 does not match" in out


def test_unwritable_export_dir_loses_nothing(data_dir: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    code, out, err = _run(capsys, "audit", "export", "--out", str(blocker / "evidence"))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "cannot write export" in err
    assert blocker.read_text() == "mine"
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0 and "records:     12" in out


def test_corrupt_database_is_one_line_and_untouched(data_dir: Path, capsys) -> None:
    db_path = data_dir / "kubechat.db"
    (data_dir / "kubechat.db-wal").unlink(missing_ok=True)
    corrupt = b"\x00garbage" * 4096
    db_path.write_bytes(corrupt)
    for command in (["verify"], ["log"], ["export", "--out", str(data_dir / "x")]):
        code, _, err = _run(capsys, "audit", *command)
        assert code == 1 and err.count("\n") == 1, (command, err)
        assert "not a kubechat database" in err
    assert db_path.read_bytes() == corrupt


def test_verify_export_of_a_missing_dir_is_usage(data_dir: Path, tmp_path: Path, capsys) -> None:
    code, _, err = _run(capsys, "audit", "verify-export", str(tmp_path / "nope"))
    assert code == 2 and "not a directory" in err


def test_demo_uses_its_own_data_dir(data_dir: Path, capsys) -> None:
    code, out, err = _run(capsys, "audit", "verify", "--demo")
    demo_db = data_dir / "demo" / "kubechat.db"
    assert code == 1 and out == "" and err.count("\n") == 1
    assert f"{demo_db}: no audit database" in err
    assert not demo_db.exists()


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in (("AWS_ENDPOINT_URL", endpoint), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(Bucket="evidence")
    yield endpoint
    server.stop()


def test_export_push_to_s3(data_dir: Path, tmp_path: Path, s3: str, capsys) -> None:
    out_dir = tmp_path / "pkg"
    code, out, _ = _run(capsys, "audit", "export", "--out", str(out_dir),
                        "--push", "s3://evidence/audits")
    assert code == 0 and "pushed 4 file(s) to s3://evidence/audits" in out
    keys = {o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="evidence")["Contents"]}
    assert keys == {f"audits/pkg/{name}" for name in
                    ("manifest.json", "chain.jsonl", "checkpoint.json", "records.json")}


def test_failed_push_keeps_the_package(data_dir: Path, tmp_path: Path, s3: str, capsys) -> None:
    out_dir = tmp_path / "pkg"
    code, _, err = _run(capsys, "audit", "export", "--out", str(out_dir),
                        "--push", "s3://missing-bucket")
    assert code == 1 and err.count("\n") == 1
    assert f"the package is kept at {out_dir}" in err
    assert (out_dir / "manifest.json").exists()


def test_bad_push_url_is_usage(data_dir: Path, tmp_path: Path, capsys) -> None:
    code, _, err = _run(capsys, "audit", "export", "--out", str(tmp_path / "p"),
                        "--push", "ftp://x")
    assert code == 2 and "use s3://bucket/prefix" in err
    assert not (tmp_path / "p").exists()


def test_config_file_and_bad_config(data_dir: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "elsewhere.db"
    _populate(data_dir, 3, db_path=other)
    config = tmp_path / "kubechat.yaml"
    config.write_text(f"storage:\n  path: {other}\n")
    code, out, _ = _run(capsys, "audit", "verify", "--config", str(config))
    assert code == 0 and f"audit log:   {other}" in out and "records:     3" in out
    config.write_text("audit:\n  checkpoint_every: 0\n")
    code, _, err = _run(capsys, "audit", "log", "--config", str(config))
    assert code == 2 and "checkpoint_every" in err and err.count("\n") == 1


def test_damaged_record_page_names_where_reading_stopped(data_dir: Path, capsys) -> None:
    _populate(data_dir, 60)  # 72 records: several table pages
    db_path = data_dir / "kubechat.db"
    raw = bytearray(db_path.read_bytes())
    page = raw.index(b'"justification":"INC-33"') // 4096 * 4096
    raw[page:page + 4096] = bytes(b ^ 0x5A for b in raw[page:page + 4096])
    db_path.write_bytes(bytes(raw))
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 1
    assert "edited: records from here on are unreadable" in out
    code, _, err = _run(capsys, "audit", "log")
    assert code == 1 and "database file is corrupt" in err and err.count("\n") == 1


def _forge_from(db_path: Path, seq: int) -> None:
    """Rewrite record ``seq`` and recompute every later hash (a careful forger)."""
    conn = attacker(db_path)
    prev, body = conn.execute("SELECT prev, body FROM audit WHERE seq = ?", (seq,)).fetchone()
    doc = orjson.loads(body)
    doc["justification"] = "nothing to see here"
    forged = rfc8785.dumps(doc)
    digest = _sha(prev + _sha(forged))
    conn.execute("UPDATE audit SET body = ?, hash = ? WHERE seq = ?", (forged, digest, seq))
    for later, later_body in conn.execute(
            "SELECT seq, body FROM audit WHERE seq > ? ORDER BY seq", (seq,)).fetchall():
        nxt = _sha(digest + _sha(later_body))
        conn.execute("UPDATE audit SET prev = ?, hash = ? WHERE seq = ?", (digest, nxt, later))
        digest = nxt
    conn.close()


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _signed_state(data_dir: Path) -> tuple[int, bytes, bytes]:
    """Checkpoint rows, anchor file and marker: all three must stay as they were."""
    conn = sqlite3.connect(data_dir / "kubechat.db")
    count = conn.execute("SELECT count(*) FROM audit_checkpoint").fetchone()[0]
    conn.close()
    return (count, (data_dir / "kubechat.db.anchor.jsonl").read_bytes(),
            (data_dir / MARKER_FILE).read_bytes())


@pytest.mark.parametrize(("damage", "message"), [
    (lambda db: _forge_from(db, 8), "seq 10: edited: chain hash at seq 10 differs"),
    (lambda db: attacker(db).execute("DELETE FROM audit WHERE seq = 7"),
     "seq 7: missing: record 7 was deleted"),
], ids=["rewritten-and-rehashed", "row-deleted"])
def test_export_refuses_a_broken_chain(data_dir: Path, tmp_path: Path, capsys,
                                       damage, message) -> None:
    damage(data_dir / "kubechat.db")
    before = _signed_state(data_dir)
    out_dir = tmp_path / "evidence"
    code, out, err = _run(capsys, "audit", "export", "--user", "alice", "--out", str(out_dir))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert message in err and "nothing exported" in err
    assert not out_dir.exists()
    assert _signed_state(data_dir) == before  # no checkpoint signed over the damage
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 1 and message in out


def test_deleted_database_and_anchor_are_reported_not_recreated(data_dir: Path, capsys) -> None:
    for path in data_dir.glob("kubechat.db*"):  # `rm kubechat.db*`: the anchor goes too
        path.unlink()
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 1
    assert "FAILED: seq 1: truncated: records 1..12 are gone" in out
    assert "no audit database" in out and "checkpoint marker" in out
    code, out, _ = _run(capsys, "audit", "verify", "--json")
    doc = orjson.loads(out)
    assert code == 1 and not doc["ok"] and doc["problem"]["kind"] == "truncated"
    for command in (["log"], ["export", "--out", str(data_dir / "x")]):
        code, out, err = _run(capsys, "audit", *command)
        assert code == 1 and out == "" and err.count("\n") == 1, (command, err)
        assert "records 1..12 are gone" in err
    assert not list(data_dir.glob("kubechat.db*")) and not (data_dir / "x").exists()


def test_missing_database_without_history_is_one_line(empty_dir: Path, capsys) -> None:
    fresh = empty_dir
    for command in (["verify"], ["verify", "--json"], ["log"]):
        code, out, err = _run(capsys, "audit", *command)
        assert code == 1 and out == "" and err.count("\n") == 1, command
        assert f"{fresh / 'kubechat.db'}: no audit database" in err
    assert not fresh.exists()


def test_emptied_database_names_the_whole_lost_range(data_dir: Path, capsys) -> None:
    conn = attacker(data_dir / "kubechat.db")
    conn.execute("DELETE FROM audit")
    conn.execute("DELETE FROM audit_checkpoint")
    conn.close()
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 1 and "FAILED: seq 1: truncated: records 1..12 are gone" in out


def test_anchor_path_setting_survives_deleting_the_database(
        empty_dir: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    directory, remote = empty_dir, tmp_path / "remote" / "audit.anchor.jsonl"
    remote.parent.mkdir()
    config = tmp_path / "kubechat.yaml"
    config.write_text(f"audit:\n  anchor_path: {remote}\n")
    monkeypatch.setenv("KUBECHAT_CONFIG", str(config))
    _populate(directory, 7, anchor_path=remote)
    assert not (directory / "kubechat.db.anchor.jsonl").exists()
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0 and "warning" not in out
    for path in [*directory.glob("kubechat.db*"), directory / MARKER_FILE]:
        path.unlink()  # even without the marker, the anchor elsewhere tells
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 1 and "records 1..7 are gone" in out and "in the anchor file" in out
    config.write_text("audit:\n  anchor_path: relative/anchor.jsonl\n")
    code, _, err = _run(capsys, "audit", "verify")
    assert code == 2 and "needs an absolute path" in err


def test_export_messages_in_words(data_dir: Path, tmp_path: Path, capsys) -> None:
    before = _signed_state(data_dir)
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    code, out, err = _run(capsys, "audit", "export", "--out", str(a_file))
    assert code == 1 and out == "" and "exists and is not a directory" in err
    assert "File exists" not in err and a_file.read_text() == "mine"
    empty = tmp_path / "none"
    code, out, err = _run(capsys, "audit", "export", "--until", "2020-01-01", "--out", str(empty))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "no records match the filters; nothing exported" in err
    assert not empty.exists()
    assert _signed_state(data_dir) == before


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["table", "json"])
@pytest.mark.parametrize("flt", [["--cluster", "nosuch"], ["--user", "nosuch"],
                                 ["--action", "execution.failed"]],
                         ids=["cluster", "user", "known-but-unrecorded-action"])
def test_filters_matching_nothing_are_an_empty_result(data_dir: Path, capsys,
                                                      json_flag, flt) -> None:
    code, out, err = _run(capsys, "audit", "log", *flt, *json_flag)
    assert (code, out, err) == (0, "", "no records match the filters\n")
