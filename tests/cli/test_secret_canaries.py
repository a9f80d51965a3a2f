"""Canaries of every credential shape planted in the simulated fleet, then an incident
through the real CLI: plan, dry run, apply, approvals (announced to a webhook), rollback,
a model's reply and summary, a log read, export and push to S3. The database file and its
WAL, the export, the webhook bodies and the S3 objects hold none of them; the rollback of
the Secret's delete brings its values back from the kept values."""

from __future__ import annotations

import base64
import json
import sqlite3
import ssl
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from kubechat_tui.cli.main import main
from tests.cli.runner import Cli
from tests.guard.receivers import Receiver
from tests.planner.llm_stub import LLMStub, Scripted

A36 = "Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"
AWS_ID = "AKIAZ7Q2VYKX4MN3PL5T"  # in the Secret's data and in the request text
AWS_ID_2 = "AKIAQ4W8ERT2YU6IO0PA"  # in a request text only
AWS_SECRET = "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"
GH_SECRET = f"ghp_{A36}"  # the Secret's stringData
GH_ENV = f"ghp_{A36[::-1]}"  # a literal env value
GH_ANNOTATION = f"github_pat_11AZQ3LM90_{A36}{A36[:20]}"  # an annotation value
GH_MODEL = f"gho_{A36[5:]}{A36[:5]}"  # in the model's reply (plan and summary)
SLACK_LOG = f"xoxb-1234567890-1234567890123-{A36[:24]}"  # printed in a log line
PG_PASSWORD = "pg-Canary-P4ss-w0rd"  # a ConfigMap's connection string
JWT = ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnktc2VydmljZSIsImlhdCI6MTcwMDAwMDAwMH0"
       ".c2lnbmF0dXJlLWNhbmFyeQ")  # in the request text
PEM = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"  # a Secret key file
CANARIES = (AWS_ID, AWS_ID_2, AWS_SECRET, GH_SECRET, GH_ENV, GH_ANNOTATION, GH_MODEL,
            SLACK_LOG, PG_PASSWORD, JWT, PEM)
DEPLOYMENT = "/apis/apps/v1/namespaces/payments/deployments/payments-api"
SECRET = "/api/v1/namespaces/payments/secrets/canary-creds"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def needles() -> list[bytes]:
    """Every canary as text and as base64 (how a Secret's data holds it)."""
    return [form.encode() for c in CANARIES for form in (c, b64(c))]


def send(cli: Cli, cluster: str, method: str, path: str, body: dict[str, Any]) -> Any:
    """A request to the simulator as its admin (planting, not kubechat)."""
    request = urllib.request.Request(
        cli.sim.cluster_url(cluster) + path, method=method, data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {cli.sim.token(cluster, 'admin')}",
                 "Content-Type": "application/json"})
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read())


def plant(cli: Cli, cluster: str) -> None:
    """A Secret, a connection string, a literal credential env value that the service also
    logs at start, and a credential in an annotation."""
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM}\n-----END RSA PRIVATE KEY-----\n"
    send(cli, cluster, "POST", "/api/v1/namespaces/payments/secrets", {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "canary-creds", "namespace": "payments"},
        "data": {"aws_access_key_id": b64(AWS_ID), "aws_secret_access_key": b64(AWS_SECRET),
                 "tls.key": b64(pem)},
        "stringData": {"github_token": GH_SECRET}})
    send(cli, cluster, "POST", "/api/v1/namespaces/payments/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "canary-db", "namespace": "payments"},
        "data": {"DATABASE_URL": f"postgres://app:{PG_PASSWORD}@db.payments:5432/app"}})
    deployment = cli.get(cluster, DEPLOYMENT)
    deployment["metadata"].setdefault("annotations", {})["ci/last-push"] = GH_ANNOTATION
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [*container.get("env", []), {"name": "GH_TOKEN", "value": GH_ENV},
                        {"name": "SLACK_BOT", "value": SLACK_LOG},
                        {"name": "LOG_ENV_AT_START", "value": "true"}]
    send(cli, cluster, "PUT", DEPLOYMENT, deployment)


def configure(cli: Cli, tmp_path: Path, webhook: str, model: str) -> None:
    (tmp_path / "config.yaml").write_text(
        f"ai:\n  enabled: true\n  provider: ollama\n  model: llama3.1\n  api_base: {model}\n"
        "  timeout_seconds: 10\n  planning_budget_seconds: 5\n"
        f"approvals:\n  webhook_url: {webhook}\n")


def approved(cli: Cli, *argv: str) -> tuple[int, str, str]:
    """Run a change; when it waits for approvals, two other people approve (with a comment
    pasting a credential), then it runs again."""
    code, out, err = cli.run(*argv)
    if code != 5:
        return code, out, err
    request_id = [e.payload["request_id"] for e in cli.records()
                  if e.action == "approval.requested"][-1]
    for person, identity in (("bob", "lead"), ("carol", "operator")):
        code, out, err = cli.as_os_user(person, "approvals", "approve", request_id, "--as",
                                        identity, "--comment", f"ok, rotate {GH_SECRET}")
        assert code == 0, out + err
        if "waiting for" not in out:
            break
    return cli.run(*argv)


def execution_id(out: str) -> str:
    return out.split("kubechat rollback ")[-1].split()[0]


@pytest.fixture
def stub() -> Iterator[LLMStub]:
    server = LLMStub()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in (("AWS_ENDPOINT_URL", f"http://{host}:{port}"),
                        ("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(Bucket="evidence")
    yield "evidence"
    server.stop()


def hits(blob: bytes) -> list[str]:
    return [n.decode() for n in needles() if n in blob]


def test_no_canary_reaches_the_store_the_webhook_the_export_or_s3(
        cli: Cli, tmp_path: Path, stub: LLMStub, s3: str) -> None:
    plant(cli, "prod-eu")
    plant(cli, "staging")
    wal: list[bytes] = []
    with Receiver() as receiver:
        configure(cli, tmp_path, receiver.url, stub.base_url)
        # plan, dry run, apply with two approvals, rollback with two approvals: a Secret
        plan = str(tmp_path / "delete.json")
        code, _, err = cli.run("plan", f"delete secret canary-creds in namespace payments in "
                               f"prod-eu (it leaked {AWS_ID}, token {JWT})", "--planner",
                               "rules", "--save", plan)
        assert code == 0, err
        code, out, err = cli.run("apply", plan, "--dry-run")
        assert code == 0 and "[REDACTED:kubernetes-secret:" in out, out + err
        code, out, err = approved(cli, "apply", plan, "-y")
        assert code == 0, out + err
        deleted = execution_id(out)
        code, out, err = approved(cli, "rollback", deleted, "-y")
        assert code == 0, out + err
        restored = cli.get("prod-eu", SECRET)
        assert restored["data"]["aws_secret_access_key"] == b64(AWS_SECRET)
        assert restored["stringData"] == {"github_token": GH_SECRET}
        # the model plans an annotation change and writes the summary, both with a canary
        patch = {"metadata": {"annotations": {"ci/last-push": f"rotated from {GH_MODEL}"}}}
        stub.script(Scripted(json.dumps({"steps": [{
            "verb": "patch", "resource": "deployments", "name": "payments-api",
            "namespace": "payments", "params": {"patch": json.dumps(patch)},
            "reason": f"replace the leaked token with {GH_MODEL}"}]})),
            Scripted(f"Summary: annotation rotated; the old token was {GH_MODEL}."))
        plan = str(tmp_path / "patch.json")
        code, _, err = cli.run("plan", "patch the ci/last-push annotation of deployment "
                               "payments-api in namespace payments in staging", "--planner",
                               "llm", "--save", plan)
        assert code == 0, err
        code, out, err = approved(cli, "apply", plan, "-y")
        assert code == 0, out + err
        code, out, err = approved(cli, "rollback", execution_id(out), "-y")
        assert code == 0, out + err
        annotations = cli.get("staging", DEPLOYMENT)["metadata"]["annotations"]
        assert annotations["ci/last-push"] == GH_ANNOTATION
        # a log line and a question carrying credentials
        code, out, err = cli.run("ask", f"logs of deployment payments-api in namespace "
                                 f"payments in staging, key {AWS_ID_2}")
        assert code == 0 and SLACK_LOG in out, err  # read (and shown as the cluster has it)
        for path in (cli.data / "kubechat.db", cli.data / "kubechat.db-wal"):
            if path.exists():
                wal.append(path.read_bytes())
        bodies = json.dumps(receiver.received).encode()
    assert receiver.received, "the approval requests were announced"
    code, out, err = audit(cli, "export", "--out", str(tmp_path / "pkg"),
                           "--push", f"s3://{s3}/audits")
    assert code == 0, out + err
    code, out, err = audit(cli, "verify")
    assert code == 0 and "credential shape" not in out, out + err
    client = boto3.client("s3")
    objects = b"".join(client.get_object(Bucket=s3, Key=o["Key"])["Body"].read()
                       for o in client.list_objects_v2(Bucket=s3)["Contents"])
    exported = b"".join(p.read_bytes() for p in (tmp_path / "pkg").iterdir())
    database = b"".join(p.read_bytes() for p in cli.data.glob("kubechat.db*"))
    assert hits(b"".join(wal)) == []
    assert hits(database) == []
    assert hits(bodies) == []
    assert hits(exported) == []
    assert hits(objects) == []
    assert hits(_dump(cli.data / "kubechat.db")) == []


def audit(cli: Cli, *argv: str) -> tuple[int, str, str]:
    """`kubechat audit ...` (no cluster involved, so no kubeconfig)."""
    code = main(["audit", *argv])
    captured = cli.capsys.readouterr()
    return code, captured.out, captured.err


def _dump(path: Path) -> bytes:
    """Every value of every table, as text (what a reader of the database sees)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(str(row) for t in tables
                         for row in conn.execute(f"SELECT * FROM {t}")).encode()
    finally:
        conn.close()

