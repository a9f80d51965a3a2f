"""The Helm chart rendered and linted by Helm's own library, manifests checked against the
Kubernetes schemas, values.schema.json rejecting a value of the wrong type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

CHART = Path(__file__).parents[2] / "charts" / "kubechat"
KUBE_VERSION = "1.33.0"
POSTGRES = {
    "storage": {
        "backend": "postgres",
        "postgres": {"existingSecret": "kubechat-db", "secretKey": "dsn"},
    },
    "networkPolicy": {
        "enabled": True,
        "egress": {"postgres": {"enabled": True, "cidrs": ["10.0.0.5/32"], "port": 5432}},
    },
}
VALUE_SETS = {"sqlite": {}, "postgres": POSTGRES}


def _render(values: dict[str, Any]) -> list[dict[str, Any]]:
    chart = helm.Chart.load(CHART)
    rendered = chart.render(values, name="kubechat", namespace="kubechat", is_install=True)
    docs = [d for text in rendered.values() for d in yaml.safe_load_all(text) if d]
    return docs


def _by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def test_lint_is_clean() -> None:
    report = helm.lint(str(CHART), strict=True)
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("values", VALUE_SETS.values(), ids=VALUE_SETS.keys())
def test_rendered_manifests_match_kubernetes_schemas(values: dict[str, Any]) -> None:
    docs = _render(values)
    assert {d["kind"] for d in docs} >= {
        "Deployment",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "NetworkPolicy",
        "Service",
    }
    for doc in docs:
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_sqlite_mounts_a_claim_and_postgres_reads_the_secret() -> None:
    sqlite = _render({})
    (claim,) = _by_kind(sqlite, "PersistentVolumeClaim")
    volumes = _by_kind(sqlite, "Deployment")[0]["spec"]["template"]["spec"]["volumes"]
    assert volumes[0]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    postgres = _render(POSTGRES)
    assert _by_kind(postgres, "PersistentVolumeClaim") == []
    env = _by_kind(postgres, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["env"]
    dsn = next(e for e in env if e["name"] == "KUBECHAT_STORAGE__POSTGRES_DSN")
    assert dsn["valueFrom"]["secretKeyRef"] == {"name": "kubechat-db", "key": "dsn"}


def test_the_pod_reaches_its_cluster_and_names_the_custom_resources() -> None:
    values = {
        "clusterConfig": {
            "clusterName": "hub",
            "auditPolicy": "guardrails",
            "aiProvider": "default",
            "aiProviderSecret": {"name": "openai", "key": "api-key"},
        }
    }
    docs = _render(values)
    (config_map,) = _by_kind(docs, "ConfigMap")
    kubeconfig = yaml.safe_load(config_map["data"]["config"])
    user = kubeconfig["users"][0]["user"]
    assert user == {"tokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token"}
    container = _by_kind(docs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["KUBECHAT_POLICY_FROM_CLUSTER"] == "hub/kubechat/guardrails"
    assert env["KUBECHAT_AI_FROM_CLUSTER"] == "hub/kubechat/default"
    assert env["KUBECHAT_AI_API_KEY"] == {"secretKeyRef": {"name": "openai", "key": "api-key"}}
    assert env["KUBECONFIG"] == "/etc/kubechat/kube/config"


def test_default_rbac_reads_only_and_never_secrets() -> None:
    docs = _render({})
    assert [r["metadata"]["name"] for r in _by_kind(docs, "ClusterRole")] == ["kubechat-read"]
    for rule in _by_kind(docs, "ClusterRole")[0]["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}
        assert "secrets" not in rule["resources"]
    write = _render({"rbac": {"write": {"scale": True}}})
    roles = {r["metadata"]["name"]: r for r in _by_kind(write, "ClusterRole")}
    verbs = {v for rule in roles["kubechat-write"]["rules"] for v in rule["verbs"]}
    assert verbs == {"get", "patch", "update"}


def test_egress_defaults_to_dns_and_api_and_toggles_open_more() -> None:
    (policy,) = _by_kind(_render({}), "NetworkPolicy")
    assert policy["spec"]["policyTypes"] == ["Egress"]
    ports = [[p["port"] for p in rule["ports"]] for rule in policy["spec"]["egress"]]
    assert ports == [[53, 53], [443]]
    opened = {
        "networkPolicy": {
            "enabled": True,
            "egress": {
                "aiProvider": {"enabled": True, "cidrs": ["203.0.113.0/24"], "port": 443},
                "redis": {"enabled": True, "cidrs": ["10.0.0.9/32"], "port": 6379},
            },
        }
    }
    (policy,) = _by_kind(_render(opened), "NetworkPolicy")
    blocks = [rule["to"][0].get("ipBlock", {}).get("cidr") for rule in policy["spec"]["egress"]]
    assert blocks == [None, "0.0.0.0/0", "203.0.113.0/24", "10.0.0.9/32"]


@pytest.mark.parametrize(
    "values",
    [
        {"port": "eight thousand"},
        {"storage": {"backend": "mysql"}},
        {"storage": {"backend": "postgres"}},
        {
            "networkPolicy": {
                "enabled": True,
                "egress": {"redis": {"enabled": True, "cidrs": [], "port": 6379}},
            }
        },
        {"rbac": {"write": {"scale": "yes"}}},
        {"consoleToken": {"existingSecret": 7}},
    ],
    ids=[
        "port-type",
        "backend-enum",
        "postgres-without-secret",
        "toggle-without-cidr",
        "write-type",
        "console-token-type",
    ],
)
def test_values_schema_rejects_bad_values(values: dict[str, Any]) -> None:
    chart = helm.Chart.load(CHART)
    with pytest.raises(helm.HelmError, match=r"values don.t meet the specifications|schema"):
        chart.render(values, name="kubechat", namespace="kubechat", is_install=True)


def test_the_browser_console_gets_a_token_and_is_probed_on_healthz() -> None:
    docs = _render({})
    (secret,) = _by_kind(docs, "Secret")
    assert secret["metadata"]["name"] == "kubechat-console-token"
    assert len(secret["data"]["token"]) > 40  # 40 random characters, base64
    container = _by_kind(docs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    ref = {"secretKeyRef": {"name": "kubechat-console-token", "key": "token"}}
    assert env["KUBECHAT_SERVE_TOKEN"] == ref
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    given = _render({"consoleToken": {"existingSecret": "console", "secretKey": "t"}})
    assert _by_kind(given, "Secret") == []
    container = _by_kind(given, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["KUBECHAT_SERVE_TOKEN"] == {"secretKeyRef": {"name": "console", "key": "t"}}
