"""`kubechat audit ...` end to end through the real entry point, on a temp data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import keyring
import orjson
import pytest
from keyring.backends import null
from moto.server import ThreadedMotoServer

from kubechat_tui.cli.main import main
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer
from tests.store.helpers import attacker, sample_event


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data dir with 12 records (checkpoint every 5, closed), file key, no real keyring."""
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    directory = tmp_path / "data"
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(directory))
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent.yaml"))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    _populate(directory, 12)
    yield directory
    keyring.set_keyring(previous)


def _populate(directory: Path, count: int) -> None:
    db = open_database(directory / "kubechat.db")
    log = AuditLog(db, load_signer(directory), checkpoint_every=5)
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
    code, out, _ = _run(capsys, "audit", "log", "--until", "2020-01-01")
    assert code == 0 and len(out.splitlines()) == 1  # header only
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
    code, out, _ = _run(capsys, "audit", "verify", "--demo")
    assert code == 0 and str(data_dir / "demo" / "kubechat.db") in out
    assert "records:     0" in out


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
    config = tmp_path / "kubechat.yaml"
    config.write_text(f"storage:\n  path: {other}\n")
    code, out, _ = _run(capsys, "audit", "verify", "--config", str(config))
    assert code == 0 and f"audit log:   {other}" in out
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
