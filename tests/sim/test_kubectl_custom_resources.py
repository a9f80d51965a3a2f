"""kubectl, unchanged, applies the chart's CRDs and example custom resources to the
simulator, reads them back, and shows the server's message for an invalid one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.sim.test_kubectl import kubectl

CHART = Path(__file__).parents[2] / "charts" / "kubechat"
pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")


@pytest.fixture(scope="module")
def applied(kubeconfig: Path) -> Path:
    out = kubectl(kubeconfig, "apply", "-f", str(CHART / "crds")).stdout
    assert "customresourcedefinition.apiextensions.k8s.io/auditpolicies.kubechat.io created" in out
    kubectl(kubeconfig, "apply", "-n", "payments", "-f", str(CHART / "examples"))
    return kubeconfig


def test_custom_resources_round_trip(applied: Path) -> None:
    out = kubectl(applied, "get", "aiproviders,auditpolicies", "-n", "payments").stdout
    assert "aiprovider.kubechat.io/default" in out and "auditpolicy.kubechat.io/default" in out
    got = yaml.safe_load(
        kubectl(applied, "get", "auditpolicy", "default", "-n", "payments", "-o", "yaml").stdout
    )
    sent = yaml.safe_load((CHART / "examples" / "auditpolicy.yaml").read_text())
    assert got["spec"] == sent["spec"]
    assert kubectl(applied, "get", "crds", "-o", "name").stdout.split() == [
        "customresourcedefinition.apiextensions.k8s.io/aiproviders.kubechat.io",
        "customresourcedefinition.apiextensions.k8s.io/auditpolicies.kubechat.io",
    ]


def test_an_invalid_custom_resource_shows_the_servers_message(
    applied: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: kubechat.io/v1alpha1\nkind: AIProvider\n"
        "metadata: {name: hosted}\nspec: {provider: openai, model: gpt-4o}\n"
    )
    result = kubectl(applied, "apply", "-n", "payments", "-f", str(bad), check=False)
    assert result.returncode == 1
    assert (
        'The AIProvider "hosted" is invalid: spec: Invalid value: secretRef is required '
        "for a hosted provider"
    ) in result.stderr
    kubectl(applied, "delete", "aiprovider", "default", "-n", "payments")
    gone = kubectl(applied, "get", "aiprovider", "default", "-n", "payments", check=False)
    assert 'aiproviders.kubechat.io "default" not found' in gone.stderr
