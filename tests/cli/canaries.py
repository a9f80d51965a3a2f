"""Credential canaries planted in the simulated fleet, and the CLI moves of an incident
(changes released by two approvers), for the tests that no canary is ever stored."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.request
from pathlib import Path
from typing import Any

from kubechat_tui.cli.main import main
from kubechat_tui.sim.server import SimServer
from tests.cli.runner import Cli

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
CONFIGMAP = "/api/v1/namespaces/payments/configmaps/canary-db"
DATABASE_URL = f"postgres://app:{PG_PASSWORD}@db.payments:5432/app"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def needles() -> list[bytes]:
    """Every canary as text and as base64 (how a Secret's data holds it)."""
    return [form.encode() for c in CANARIES for form in (c, b64(c))]


def send(sim: SimServer, cluster: str, method: str, path: str,
         body: dict[str, Any] | None = None) -> Any:
    """A request to the simulator as its admin (planting, not kubechat)."""
    request = urllib.request.Request(
        sim.cluster_url(cluster) + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {sim.token(cluster, 'admin')}",
                 "Content-Type": "application/json"})
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read())


def plant(sim: SimServer, cluster: str) -> None:
    """A Secret, a connection string, a literal credential env value that the service also
    logs at start, and a credential in an annotation."""
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM}\n-----END RSA PRIVATE KEY-----\n"
    send(sim, cluster, "POST", "/api/v1/namespaces/payments/secrets", {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "canary-creds", "namespace": "payments"},
        "data": {"aws_access_key_id": b64(AWS_ID), "aws_secret_access_key": b64(AWS_SECRET),
                 "tls.key": b64(pem)},
        "stringData": {"github_token": GH_SECRET}})
    send(sim, cluster, "POST", "/api/v1/namespaces/payments/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "canary-db", "namespace": "payments"},
        "data": {"DATABASE_URL": DATABASE_URL}})
    deployment = send(sim, cluster, "GET", DEPLOYMENT)
    deployment["metadata"].setdefault("annotations", {})["ci/last-push"] = GH_ANNOTATION
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [*container.get("env", []), {"name": "GH_TOKEN", "value": GH_ENV},
                        {"name": "SLACK_BOT", "value": SLACK_LOG},
                        {"name": "LOG_ENV_AT_START", "value": "true"}]
    send(sim, cluster, "PUT", DEPLOYMENT, deployment)


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


def audit(cli: Cli, *argv: str) -> tuple[int, str, str]:
    """`kubechat audit ...` (no cluster involved, so no kubeconfig)."""
    code = main(["audit", *argv])
    captured = cli.capsys.readouterr()
    return code, captured.out, captured.err
