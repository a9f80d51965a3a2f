"""`kubechat exec` against the simulated fleet: one-shot commands through the same guard as
changes (RBAC, policy, approval, confirmation), redacted transcripts in the audit chain and
the evidence export, and a clear line for bad input."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.request
from pathlib import Path

import orjson

from kubechat_tui.cli.main import main
from kubechat_tui.store.transcripts import check_transcript
from tests.cli.runner import Cli

CANARY = "Canary-pw-5e1f9d7c3b"  # the staging DB password for these tests


def admin_post(cli: Cli, cluster: str, path: str, body: dict) -> None:
    request = urllib.request.Request(
        cli.sim.cluster_url(cluster) + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {cli.sim.token(cluster, 'admin')}",
                 "Content-Type": "application/json"})
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    with opener.open(request, timeout=10):
        pass


def pod(cli: Cli, cluster: str, namespace: str, app: str) -> str:
    found = cli.get(cluster, f"/api/v1/namespaces/{namespace}/pods?labelSelector=app%3D{app}")
    return str(found["items"][0]["metadata"]["name"])


def with_canary(cli: Cli) -> str:
    """The staging payments-api pod, its DB_PASSWORD coming from a Secret holding CANARY."""
    admin_post(cli, "staging", "/api/v1/namespaces/payments/secrets", {
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "payments-db-credentials", "namespace": "payments"},
        "data": {"password": base64.b64encode(CANARY.encode()).decode()}})
    return pod(cli, "staging", "payments", "payments-api")


def exec_in(cli: Cli, cluster: str, namespace: str, *argv: str) -> tuple[int, str, str]:
    """`kubechat exec` (the kubeconfig flag before the command's `--`)."""
    code = main(["--kubeconfig", cli.kubeconfig, "--context", cluster, "-n", namespace,
                 "exec", *argv])
    captured = cli.capsys.readouterr()
    return code, captured.out, captured.err


def exec_json(cli: Cli, cluster: str, namespace: str, *argv: str) -> tuple[int, dict]:
    code, out, err = exec_in(cli, cluster, namespace, "--json", *argv)
    assert out.strip(), err
    return code, orjson.loads(out)


def transcripts(cli: Cli) -> list[Path]:
    return sorted((cli.data / "transcripts").glob("*.jsonl"))


def test_one_shot_streams_output_and_stores_only_a_redacted_transcript(
        cli: Cli, tmp_path: Path) -> None:
    name = with_canary(cli)
    code, out, err = exec_in(cli, "staging", "payments", name, "-c", "api", "-y", "--", "env")
    assert code == 0, err
    assert f"DB_PASSWORD={CANARY}\n" in out  # the user sees the real output
    assert "container: api" in err and "cluster: staging" in err
    code, out, err = exec_in(cli, "staging", "payments", name, "-y", "--", "sh", "-c",
                             "printenv DB_PASSWORD; echo token=$DB_PASSWORD")
    assert code == 0 and out == f"{CANARY}\ntoken={CANARY}\n", err

    files = transcripts(cli)
    texts = {f.stem: f.read_text() for f in files}
    assert not any(CANARY in text for text in texts.values())
    assert any("DB_PASSWORD=[REDACTED]" in text for text in texts.values())
    assert any("[REDACTED] (output of a command reading DB_PASSWORD)" in text
               for text in texts.values())
    records = cli.records()
    assert CANARY not in json.dumps([r.payload for r in records])
    for file in files:
        actions = [r.action for r in records if r.links.execution_id == file.stem]
        assert actions == ["exec.submitted", "rbac.checked", "policy.evaluated",
                           "exec.started", "exec.ended"]
        started, ended = (r for r in records if r.links.execution_id == file.stem
                          and r.action in ("exec.started", "exec.ended"))
        assert started.payload["transcript"]["file"] == file.name
        assert ended.payload["reason"] == "exited" and ended.payload["exit_code"] == 0
        assert ended.payload["started_record"] is not None
        assert check_transcript(file, ended.payload["transcript"]["sha256"]) is None

    assert main(["audit", "export", "--out", str(tmp_path / "evidence")]) == 0
    for file in files:
        exported = tmp_path / "evidence" / f"transcript-{file.name}"
        assert exported.read_bytes() == file.read_bytes()
    assert not any(CANARY in p.read_text() for p in (tmp_path / "evidence").rglob("*")
                   if p.is_file())
    assert main(["audit", "verify-export", str(tmp_path / "evidence")]) == 0


def test_a_failing_command_gives_its_exit_code(cli: Cli) -> None:
    name = pod(cli, "staging", "orders", "orders-api")
    code, doc = exec_json(cli, "staging", "orders", name, "-y", "--", "sh", "-c",
                          "cat /app/nope")
    assert code == 1 and doc["exit_code"] == 1
    assert "can't open '/app/nope'" in doc["stderr"]


def test_exec_needs_a_confirmation(cli: Cli) -> None:
    name = pod(cli, "staging", "orders", "orders-api")
    code, _, err = exec_in(cli, "staging", "orders", name, "--", "ls")
    assert code == 2 and "explicit confirmation" in err
    assert cli.records()[-1].action == "exec.not_confirmed"
    assert not transcripts(cli)


def test_exec_in_production_waits_for_approval(cli: Cli) -> None:
    name = pod(cli, "prod-eu", "orders", "orders-api")
    code, doc = exec_json(cli, "prod-eu", "orders", name, "-y", "--", "ls", "/app")
    assert code == 5 and doc["status"] == "awaiting_approval", doc
    request_id = doc["message"].split("approval requested: ")[1].split()[0]
    code, _, err = cli.as_os_user("bob", "approvals", "approve", request_id, "--as", "lead")
    assert code == 0, err
    code, out, err = exec_in(cli, "prod-eu", "orders", name, "-y", "--", "ls", "/app")
    assert code == 0, err
    assert out == "config.yaml\nserver\n" and "approved by: bob (sre-lead)" in err
    code, _, err = exec_in(cli, "prod-eu", "orders", name, "-y", "--", "ls", "/app")
    assert code == 5, err  # one approval, one session


def test_break_glass_runs_in_production_and_is_flagged(cli: Cli) -> None:
    name = pod(cli, "prod-eu", "orders", "orders-api")
    code, _, err = exec_in(cli, "prod-eu", "orders", name, "-y", "--break-glass",
                           "INC-4711 orders down, approver unreachable", "--", "hostname")
    assert code == 0, err
    assert "BREAK-GLASS" in err
    assert any(r.action == "approval.break_glass" for r in cli.records())


def test_a_viewer_is_denied_with_remediation(cli: Cli) -> None:
    name = pod(cli, "staging", "orders", "orders-api")
    code, _, err = exec_in(cli, "staging", "orders", name, "--as", "viewer", "-y", "--", "ls")
    assert code == 4
    assert f"RBAC denied: viewer@staging cannot create pods/exec '{name}' in namespace orders" \
        in err
    assert "kind: RoleBinding" in err and "- pods/exec" in err


def test_a_denied_one_shot_command(cli: Cli) -> None:
    name = pod(cli, "staging", "orders", "orders-api")
    code, _, err = exec_in(cli, "staging", "orders", name, "-y", "--", "rm", "-rf", "/app")
    assert code == 4 and "matches denied pattern 'rm -rf*'" in err


def test_bad_input_is_one_clear_line(cli: Cli) -> None:
    name = pod(cli, "staging", "orders", "orders-api")
    code, _, err = exec_in(cli, "staging", "orders", name, "-c", "nope", "-y", "--", "ls")
    assert code == 2
    assert err.strip().splitlines()[-1] == (f"kubechat: failed: container 'nope' is not in "
                                            f"pod {name} (containers: api)")
    assert cli.records()[-1].action == "exec.submitted"
    code, _, err = exec_in(cli, "staging", "orders", "no-such-pod", "-y", "--", "ls")
    assert code == 2 and "pod no-such-pod not found in staging/orders" in err
    code, _, err = exec_in(cli, "staging", "orders", name, "-y")
    assert code == 2 and "no command given" in err
    code, _, err = exec_in(cli, "staging", "orders", f"deploy/{name}", "-y", "--", "ls")
    assert code == 2 and "exec takes a pod" in err


def test_a_cluster_refusing_websocket_upgrades(cli: Cli) -> None:
    name = pod(cli, "staging", "orders", "orders-api")
    cli.sim.faults("staging").set(refuse_upgrades=True)
    code, _, err = exec_in(cli, "staging", "orders", name, "-y", "--", "ls")
    assert code == 3
    assert err.strip().splitlines()[-1] == (
        "kubechat: staging: the API server refused the WebSocket upgrade for exec (HTTP "
        "400); a proxy or load balancer in front of it may not pass WebSockets")
    ended = cli.records()[-1]
    assert ended.action == "exec.ended" and ended.payload["reason"] == "not_opened"
    cli.sim.faults("staging").set(refuse_upgrades=False, unreachable=True)
    code, _, err = exec_in(cli, "staging", "orders", name, "-y", "--", "ls")
    assert code == 3 and "cannot read pod" in err and len(err.strip().splitlines()) == 1


def test_a_secret_on_the_command_line_reaches_no_record(cli: Cli) -> None:
    name = pod(cli, "prod-eu", "orders", "orders-api")
    secret = "ghp_" + "CmdLineCanary1" * 3
    code, _, err = exec_in(cli, "prod-eu", "orders", name, "-y", "--", "sh", "-c",
                           f"echo {secret} > /dev/null")
    assert code == 5, err  # production: an approval request was opened
    assert secret not in err
    code, _, err = exec_in(cli, "staging", "orders", pod(cli, "staging", "orders",
                                                         "orders-api"),
                           "-y", "--", "rm", "-rf", f"/tmp/{secret}")
    assert code == 4 and secret not in err
    assert secret not in json.dumps([r.payload for r in cli.records()])
    assert secret not in json.dumps([(r.payload, r.approvals) for r in cli.records()])
    for stored in cli.data.glob("kubechat.db*"):  # the database, its WAL
        assert secret.encode() not in stored.read_bytes()
