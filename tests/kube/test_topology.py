"""The kubeconfig as kubectl models it: clusters by server, contexts serving them, users."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubechat_tui.config.settings import ClusterSettings, Settings
from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.kubeconfig import load_kubeconfig
from kubechat_tui.kube.topology import Topology, server_key
from kubechat_tui.sim import SimServer
from tests.shapes import Ctx, kubeconfig

ARN = "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod"


def write(path: Path, clusters: dict[str, str], contexts: list[tuple[str, str, str | None]],
          current: str | None = None) -> Path:
    """clusters: entry -> server; contexts: (name, cluster entry, namespace)."""
    doc = {"clusters": [{"name": n, "cluster": {"server": s}} for n, s in clusters.items()],
           "users": [{"name": "u", "user": {"token": "t"}}],
           "contexts": [{"name": n, "context": {"cluster": c, "user": "u",
                                                 **({"namespace": ns} if ns else {})}}
                        for n, c, ns in contexts]}
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def topology(path: Path) -> Topology:
    return Topology(load_kubeconfig(str(path)))


def test_a_server_is_one_cluster_whatever_its_entries_are_called(tmp_path: Path) -> None:
    path = write(tmp_path / "kc", {"prod": "https://10.0.0.1:6443",
                                   ARN: "https://10.0.0.1:6443/",
                                   "staging": "https://staging.example:443"},
                 [("sre@prod", "prod", None), ("prod-view", ARN, None),
                  ("kind-staging", "staging", "payments")], current="prod-view")
    found = topology(path)
    assert list(found.clusters) == ["prod", "staging"]
    assert found.clusters["prod"].aliases == (ARN,)
    assert [c.name for c in found.contexts_of("prod")] == ["sre@prod", "prod-view"]
    assert found.contexts["kind-staging"].namespace == "payments"
    # the current context serves its cluster; every other cluster its first context
    assert found.serving_contexts() == {"prod": "prod-view", "staging": "kind-staging"}
    assert found.serving_contexts(["sre@prod"]) == {"prod": "sre@prod"}
    assert found.serving_contexts(preferred={ARN: "sre@prod"})["prod"] == "sre@prod"


def test_two_contexts_for_one_cluster_is_a_choice_to_make(tmp_path: Path) -> None:
    path = write(tmp_path / "kc", {"prod": "https://10.0.0.1:6443"},
                 [("prod", "prod", None), ("prod-view", "prod", None)])
    with pytest.raises(KubeconfigError, match="--context prod and --context prod-view both "
                       "reach cluster 'prod'"):
        topology(path).serving_contexts(["prod", "prod-view"])
    with pytest.raises(KubeconfigError, match=r"clusters\.prod\.context: context 'nope' not found"):
        topology(path).serving_contexts(preferred={"prod": "nope"})


def test_broken_contexts_are_left_out_and_named_when_asked_for(tmp_path: Path) -> None:
    path = write(tmp_path / "kc", {"prod": "https://10.0.0.1:6443"},
                 [("prod", "prod", None), ("ghost", "missing", None)])
    found = topology(path)
    assert list(found.contexts) == ["prod"] and list(found.clusters) == ["prod"]
    with pytest.raises(KubeconfigError, match="cluster 'missing' not found"):
        found.serving_contexts(["ghost"])
    broken_current = write(tmp_path / "kc2", {"prod": "https://10.0.0.1:6443"},
                           [("prod", "prod", None), ("ghost", "missing", None)],
                           current="ghost")
    with pytest.raises(KubeconfigError, match="context 'ghost': cluster 'missing' not found"):
        topology(broken_current).serving_contexts()


@pytest.mark.parametrize("a, b", [
    ("https://API.example:443", "https://api.example"),
    ("https://api.example:6443/", "https://api.example:6443"),
])
def test_server_spellings(a: str, b: str) -> None:
    assert server_key(a) == server_key(b)


def test_production_follows_the_cluster_not_the_context(sim_server: SimServer,
                                                        tmp_path: Path) -> None:
    path = kubeconfig(sim_server, tmp_path / "kc", [
        Ctx("sre@prod", "prod-eu", entry="prod"), Ctx("alice-sandbox", "staging")])
    fleet = Fleet.from_kubeconfig(Settings(), str(path))
    try:
        assert fleet.cluster_names() == ["prod", "staging"]
        assert fleet.is_production("prod") and not fleet.is_production("staging")
        assert fleet.routes() == {"prod": "sre@prod", "staging": "alice-sandbox"}
        tagged = Settings(production_clusters=[],
                          clusters={"staging": ClusterSettings(tags=["production"])})
        assert Fleet(tagged, fleet.topology, fleet.routes()).is_production("staging")
    finally:
        fleet.close()


def test_aliases_of_a_production_cluster_keep_it_production(sim_server: SimServer,
                                                           tmp_path: Path) -> None:
    path = kubeconfig(sim_server, tmp_path / "kc", [
        Ctx("ops", "prod-eu", entry="eu-1"), Ctx("eks", "prod-eu", entry=ARN)])
    settings = Settings(production_clusters=["*payments-prod"])
    fleet = Fleet.from_kubeconfig(settings, str(path))
    try:
        assert fleet.cluster_names() == ["eu-1"] and fleet.is_production("eu-1")
    finally:
        fleet.close()


def test_the_sim_kubeconfig_has_the_shapes_real_users_have(sim_kubeconfig: Path) -> None:
    found = topology(sim_kubeconfig)
    assert list(found.clusters) == ["prod-eu", "prod-us", "staging", "canary"]
    eu = [c.name for c in found.contexts_of("prod-eu")]
    assert eu == ["prod-eu", "viewer@prod-eu", "operator@prod-eu", "lead@prod-eu",
                  "dev@prod-eu", "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu",
                  "file@prod-eu", "sso@prod-eu", "cert@prod-eu"]
    assert found.contexts["dev@prod-eu"].namespace == "payments"
    assert found.clusters["prod-eu"].aliases == (
        "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu",)
    assert found.contexts_for_user("dev", ["staging"]) == {"staging": "dev@staging"}


@pytest.mark.parametrize("context, identity", [
    ("file@staging", "operator"),  # a token file with a trailing newline
    ("sso@staging", "viewer"),  # an exec credential plugin
    ("cert@staging", "dev"),  # a client certificate (CN=dev)
    ("dev@staging", "dev"),
])
def test_every_credential_shape_of_the_sim_kubeconfig_works(sim_kubeconfig: Path,
                                                            context: str, identity: str) -> None:
    fleet = Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig), [context])
    try:
        status = fleet.check("staging")
        assert status.identity == identity and status.context == context, status
    finally:
        fleet.close()
