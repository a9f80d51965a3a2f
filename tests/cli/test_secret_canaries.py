"""Canaries of every credential shape planted in the simulated fleet, then an incident
through the real CLI: plan, dry run, apply, approvals (announced to a webhook), rollback,
a model's reply and summary, a log read, export and push to S3. The database file and its
WAL, the export, the webhook bodies and the S3 objects hold none of them; the rollback of
the Secret's delete brings its values back from the kept values."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.cli.canaries import (
    AWS_ID,
    AWS_ID_2,
    AWS_SECRET,
    CONFIGMAP,
    DATABASE_URL,
    DEPLOYMENT,
    GH_ANNOTATION,
    GH_MODEL,
    GH_SECRET,
    JWT,
    SECRET,
    SLACK_LOG,
    approved,
    audit,
    b64,
    configure,
    execution_id,
    needles,
    plant,
)
from tests.cli.runner import Cli
from tests.guard.receivers import Receiver
from tests.planner.llm_stub import LLMStub, Scripted


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
    plant(cli.sim, "prod-eu")
    plant(cli.sim, "staging")
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
        # a ConfigMap holding a connection string: deleted (a note and a justification
        # pasting credentials), then recreated from the kept values
        plan = str(tmp_path / "configmap.json")
        code, _, err = cli.run("plan", "delete configmap canary-db in namespace payments in "
                               "staging", "--planner", "rules", "--save", plan)
        assert code == 0, err
        code, out, err = approved(cli, "apply", plan, "-y", "--note", f"key was {AWS_ID_2}",
                                  "--justification", f"INC-7: rotate {GH_SECRET}")
        assert code == 0, out + err
        code, out, err = approved(cli, "rollback", execution_id(out), "-y")
        assert code == 0, out + err
        assert cli.get("staging", CONFIGMAP)["data"] == {"DATABASE_URL": DATABASE_URL}
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


def _dump(path: Path) -> bytes:
    """Every value of every table, as text (what a reader of the database sees)."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(str(row) for t in tables
                         for row in conn.execute(f"SELECT * FROM {t}")).encode()
    finally:
        conn.close()

