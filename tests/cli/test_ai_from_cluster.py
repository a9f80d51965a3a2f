"""`ai_from_cluster`: the AI provider settings from an AIProvider resource in the simulator,
read through the kubeconfig's context when a session opens."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubechat_tui.config.errors import ConfigError
from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.planner.cluster_provider import API_KEY_ENV, ai_from_cluster
from tests.cli.runner import Cli
from tests.sim.conftest import Api

CHART = Path(__file__).parents[2] / "charts" / "kubechat"


def _install(cli: Cli) -> None:
    api = Api(cli.sim)
    crd = yaml.safe_load((CHART / "crds" / "aiproviders.kubechat.io.yaml").read_text())
    assert (
        api.json("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body=crd)[0]
        == 201
    )
    example = yaml.safe_load((CHART / "examples" / "aiprovider.yaml").read_text())
    assert (
        api.json(
            "POST", "/apis/kubechat.io/v1alpha1/namespaces/payments/aiproviders", body=example
        )[0]
        == 201
    )


def test_the_ai_settings_follow_the_aiprovider(cli: Cli) -> None:
    _install(cli)
    fleet = Fleet.from_kubeconfig(Settings(), cli.kubeconfig)
    try:
        ai = ai_from_cluster(fleet, "prod-eu/payments/default", AISettings(enabled=False))
        with pytest.raises(ConfigError, match=r'aiproviders\.kubechat\.io "gone" not found'):
            ai_from_cluster(fleet, "prod-eu/payments/gone", AISettings())
    finally:
        fleet.close()
    assert (ai.enabled, ai.provider, ai.model) == (False, "openai", "openai/gpt-4o")
    assert str(ai.api_base).startswith("https://api.openai.com/v1")
    assert (ai.timeout_seconds, ai.planning_budget_seconds) == (30, 5)
    assert ai.redact_patterns == ["acct-[0-9]{8}"] and ai.api_key_env == API_KEY_ENV


def test_a_session_naming_a_missing_aiprovider_is_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECHAT_AI_FROM_CLUSTER", "prod-eu/payments/default")
    code, out, err = cli.run("plan", "scale payments-api in prod-eu to 5")
    assert code == 2 and out == ""
    assert "ai_from_cluster: prod-eu: cannot read" in err and err.count("\n") == 1
