"""The planner on the simulated fleet over real HTTP: live namespace lookup, blast radius."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Risk, Scope, Verb
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.sim import SimServer
from tests.planner.conftest import CLUSTER_SETS


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlannerService]:
    with SimServer(scenario="incident", port=0) as server:
        kubeconfig = server.write_kubeconfig(tmp_path_factory.mktemp("kc") / "config",
                                             current="prod-eu")
        settings = Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False))
        fleet = Fleet.from_kubeconfig(settings, str(Path(kubeconfig)))
        try:
            yield PlannerService(settings, FleetView(fleet), mode="rules")
        finally:
            fleet.close()


def test_scale_resolves_namespace_and_affected_live(service: PlannerService) -> None:
    plan = service.plan("scale payments-api in prod-eu to 5", Scope()).plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.verb is Verb.SCALE and change.namespace == "payments"
    assert change.affected == 2  # 3 -> 5 replicas
    assert any("payments-api in payments -> 3 pods" in d for d in change.dependencies)
    assert any("Service payments-api" in d for d in change.dependencies)
    assert change.risk is Risk.HIGH and change.requires_approval


def test_scale_by_percent_reads_live_replicas(service: PlannerService) -> None:
    plan = service.plan("scale deployment payments-api in prod-eu up by 50%", Scope()).plan
    assert plan is not None
    assert plan.steps[-1].params["replicas"] == 5  # ceil(3 * 1.5)


def test_restart_counts_pods_across_prod(service: PlannerService) -> None:
    plan = service.plan("restart payments-api in prod", Scope()).plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.clusters == ("prod-eu", "prod-us")
    assert change.affected is not None and change.affected >= 3
    assert "spans 2 clusters" in change.warnings


def test_a_change_on_a_missing_object_is_refused(service: PlannerService) -> None:
    result = service.plan("restart deployment no-such-app in payments on prod-eu", Scope())
    assert result.blocked and "deployments/no-such-app does not exist" in (result.reason or "")
    wrong_kind = service.plan("delete pod payments-api in payments on prod-eu", Scope())
    assert wrong_kind.blocked
    assert "payments-api is a deployment" in (wrong_kind.reason or "")


def test_a_selector_delete_counts_what_it_matches(service: PlannerService) -> None:
    plan = service.plan("delete pods -l app=payments-api in payments in prod-eu", Scope()).plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.selector == "app=payments-api" and change.name is None
    assert change.affected is not None and change.affected > 0


def test_drain_counts_pods_on_a_real_node(service: PlannerService) -> None:
    fleet_view = service.view
    assert isinstance(fleet_view, FleetView)
    _, nodes = fleet_view.fleet.request_json("prod-eu", "GET", "/api/v1/nodes")
    node = nodes["items"][0]["metadata"]["name"]
    plan = service.plan(f"drain node {node} in prod-eu", Scope()).plan
    assert plan is not None
    assert plan.steps[-1].affected is not None and plan.steps[-1].affected > 0


def test_top_is_skipped_without_a_metrics_api(service: PlannerService) -> None:
    result = service.plan("top pods in payments on prod-eu", Scope())
    assert result.blocked and "no metrics API" in (result.reason or "")
    oom = service.plan("pods running out of memory in payments on prod-eu", Scope()).plan
    assert oom is not None and oom.steps and not any(s.verb is Verb.TOP for s in oom.steps)
    assert any("no metrics API" in n for n in oom.notes)
