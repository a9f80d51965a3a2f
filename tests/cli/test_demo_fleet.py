"""`--demo` commands share one simulated fleet while a `--demo` process runs, so a change
and its rollback can be made from separate commands; without one, rollback says why not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from kubechat_tui.cli.demo_server import RECORD, DemoServer, read_record, write_record
from kubechat_tui.cli.main import build_parser, main
from kubechat_tui.cli.session import Session, open_session
from kubechat_tui.sim.proof import new_fleet_key

DEPLOYMENT = "/apis/apps/v1/namespaces/payments/deployments/payments-api"


def _demo() -> Session:
    return open_session(build_parser().parse_args(["--demo"]))


def _replicas(session: Session, cluster: str = "staging") -> int:
    status, doc = session.fleet.request_json(cluster, "GET", DEPLOYMENT)
    assert status == 200, doc
    return int(doc["spec"]["replicas"])


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--demo", "--json"])
    out = capsys.readouterr().out
    return code, orjson.loads(out)


def test_a_second_demo_session_attaches_and_the_owner_cleans_up(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    owner = _demo()
    try:
        assert owner.demo_fleet is not None and owner.demo_fleet.owned
        record = read_record(demo_dir)
        assert record == owner.demo_fleet.record and record is not None
        assert record.pid == os.getpid()
        assert "kubeconfig" not in orjson.loads((demo_dir / RECORD).read_bytes())
        assert (demo_dir / RECORD).stat().st_mode & 0o077 == 0
        with _demo() as guest:
            assert guest.demo_fleet is not None and not guest.demo_fleet.owned  # attached
            assert guest.demo_fleet.record == record and guest.demo_rules
            copy = guest.demo_fleet.kubeconfig  # its own private copy of the proven one
            assert copy != owner.demo_fleet.kubeconfig and copy.stat().st_mode & 0o077 == 0
            status, _ = guest.fleet.request_json(
                "staging", "PATCH", DEPLOYMENT, body={"spec": {"replicas": 4}},
                content_type="application/merge-patch+json")
            assert status == 200
            assert _replicas(owner) == 4  # one fleet
        assert not copy.exists()
        assert read_record(demo_dir) == record and _replicas(owner) == 4  # guest left it
    finally:
        owner.close()
    assert not (demo_dir / RECORD).exists()
    assert capsys.readouterr().err == ""  # nothing refused


def test_a_dead_record_is_replaced(demo_dir: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    key = new_fleet_key()
    write_record(demo_dir, DemoServer(int(gone.stdout), "http://127.0.0.1:1", key.fleet_id,
                                      key.secret.hex(), "2020-01-01T00:00:00+00:00"))
    with _demo() as session:
        assert session.demo_fleet is not None and session.demo_fleet.owned  # its own
        assert read_record(demo_dir) == session.demo_fleet.record
        assert session.demo_fleet.record.pid == os.getpid()
    assert not (demo_dir / RECORD).exists()


def test_apply_and_rollback_share_the_fleet_while_a_demo_runs(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "scale payments-api in staging to 2", "--demo", "--save",
                 "p.json"]) == 0
    capsys.readouterr()
    with _demo() as console:
        before = _replicas(console)
        code, doc = _json(capsys, "apply", "p.json", "--yes")
        assert code == 0, doc["message"]
        assert _replicas(console) == 2 != before
        code, undo = _json(capsys, "rollback", doc["execution_id"], "--yes")
        assert code == 0, undo["message"]
        assert _replicas(console) == before


def test_a_one_shot_rollback_says_the_demo_fleet_restarted(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "scale payments-api in staging to 2", "--demo", "--save",
                 "p.json"]) == 0
    capsys.readouterr()
    assert main(["apply", "p.json", "--demo", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "the demo fleet of this command stops when it exits" in out
    execution_id = out.split("kubechat --demo rollback ")[-1].split()[0]
    assert main(["rollback", execution_id, "--demo", "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ran on an earlier demo fleet" in err
    assert "keep `kubechat --demo` open" in err.lower()
    assert not (demo_dir / RECORD).exists()


def test_the_demo_never_writes_to_a_configured_database(demo_dir: Path,
                                                        tmp_path: Path) -> None:
    from kubechat_tui.cli.session import session_settings

    (tmp_path / "config.yaml").write_text(
        f"ai:\n  enabled: false\nstorage:\n  path: {tmp_path / 'shared.db'}\n")
    args = build_parser().parse_args(["--demo"])
    assert session_settings(args, demo=True).storage.path is None
    assert session_settings(args, demo=False).storage.path == tmp_path / "shared.db"
