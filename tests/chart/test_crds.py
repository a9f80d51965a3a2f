"""The chart's CRDs: structural schemas, and the example custom resources validated against
them including the CEL rules (the simulator's validator, the same one the API answers with)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from kubechat_tui.guard.policy.cluster import policy_from_resource
from kubechat_tui.sim.status import ApiError
from kubechat_tui.sim.structural import validated

CHART = Path(__file__).parents[2] / "charts" / "kubechat"


def _load(folder: str, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((CHART / folder / name).read_text())
    return doc


def _schema(crd: str) -> dict[str, Any]:
    version = _load("crds", crd)["spec"]["versions"][0]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


AIP = _schema("aiproviders.kubechat.io.yaml")
AUDIT = _schema("auditpolicies.kubechat.io.yaml")


def _check(schema: dict[str, Any], obj: dict[str, Any]) -> list[str]:
    try:
        validated(schema, obj, obj["kind"], "kubechat.io")
    except ApiError as err:
        assert err.details is not None
        return [f"{c['field']}: {c['message']}" for c in err.details["causes"]]
    return []


@pytest.mark.parametrize("crd", ["aiproviders.kubechat.io.yaml", "auditpolicies.kubechat.io.yaml"])
def test_the_crds_match_the_kubernetes_schema(crd: str) -> None:
    kubernetes_validate.validate(_load("crds", crd), "1.33.0", strict=True)


def test_the_examples_are_valid_and_the_policy_loads() -> None:
    assert _check(AIP, _load("examples", "aiprovider.yaml")) == []
    example = _load("examples", "auditpolicy.yaml")
    assert _check(AUDIT, example) == []
    policy = policy_from_resource(example, "example")
    assert policy.rule_ids == ("KC-NS-001", "KC-APPROVE-001")


def _changed(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is None:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value", "cause"),
    [
        (
            "spec.secretRef",
            None,
            "spec: Invalid value: secretRef is required for a hosted provider",
        ),
        (
            "spec.fallback",
            {"provider": "openai", "model": "openai/gpt-4o"},
            "spec: Invalid value: fallback must differ from the primary provider and model",
        ),
        (
            "spec.planningBudgetSeconds",
            60,
            "spec: Invalid value: planningBudgetSeconds must not exceed timeoutSeconds",
        ),
        (
            "spec.provider",
            "bedrock",
            'spec.provider: Unsupported value: "bedrock": supported values: '
            '"ollama", "openai", "anthropic", "gemini", "litellm"',
        ),
        (
            "spec.timeoutSeconds",
            "30",
            'spec.timeoutSeconds: Invalid value: "string": '
            'spec.timeoutSeconds in body must be of type integer: "string"',
        ),
    ],
)
def test_aiprovider_rules(path: str, value: Any, cause: str) -> None:
    assert cause in _check(AIP, _changed(_load("examples", "aiprovider.yaml"), path, value))


@pytest.mark.parametrize(
    ("path", "value", "cause"),
    [
        (
            "spec.policy.rules.1.approvals",
            0,
            "spec.policy.rules[1]: Invalid value: effect require_approval needs approvals >= 1",
        ),
        (
            "spec.policy.rules.0.effect",
            "require_approval",
            "spec.policy.rules[0]: Invalid value: only a deny rule can be absolute",
        ),
        (
            "spec.policy.rules.1.id",
            "KC-NS-001",
            "spec.policy: Invalid value: rule ids must be unique",
        ),
        (
            "spec.audit.anchor.s3.objectLockDays",
            999,
            "spec.audit: Invalid value: objectLockDays must not exceed retentionDays",
        ),
        (
            "spec.audit.export.1",
            {"type": "webhook"},
            "spec.audit.export[1]: Invalid value: a webhook export needs a url",
        ),
        (
            "spec.policy.rules.0.id",
            "1-bad",
            'spec.policy.rules[0].id: Invalid value: "1-bad": '
            "spec.policy.rules[0].id in body should match '^[A-Za-z][A-Za-z0-9_.-]{1,63}$'",
        ),
    ],
)
def test_auditpolicy_rules(path: str, value: Any, cause: str) -> None:
    assert cause in _check(AUDIT, _changed(_load("examples", "auditpolicy.yaml"), path, value))
