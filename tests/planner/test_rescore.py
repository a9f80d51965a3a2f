"""Editing parameters re-renders and re-scores the plan; skipping reorders it."""

from __future__ import annotations

import time

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Risk
from kubechat_tui.planner.assemble import EditError
from kubechat_tui.planner.service import PlannerService
from tests.planner.fakes import FakeView


def scale_plan(service: PlannerService) -> Plan:
    plan = service.plan("scale deployment payments-api in payments on staging to 3").plan
    assert plan is not None
    return plan


def test_editing_replicas_to_zero_raises_the_risk(rules: PlannerService) -> None:
    plan = scale_plan(rules)
    change = plan.steps[-1]
    assert change.risk is Risk.MEDIUM and not change.requires_approval
    edited = rules.rescore(plan, {change.id: {"replicas": "0"}}).step(change.id)
    assert edited.risk is Risk.HIGH and edited.requires_approval
    assert edited.kubectl.endswith("--replicas=0") and edited.params["replicas"] == 0


def test_editing_clusters_to_production_adds_warnings(rules: PlannerService) -> None:
    plan = scale_plan(rules)
    edited = rules.rescore(plan, {"*": {"clusters": ["prod-eu", "prod-us"]}})
    change = edited.steps[-1]
    assert change.clusters == ("prod-eu", "prod-us") and change.requires_approval
    assert "spans 2 clusters" in change.warnings
    assert all(s.clusters == ("prod-eu", "prod-us") for s in edited.steps)


def test_editing_namespace_and_selector_rerenders(rules: PlannerService) -> None:
    plan = rules.plan("show pods in payments on staging").plan
    assert plan is not None
    step = plan.steps[0]
    edited = rules.rescore(plan, {step.id: {"namespace": "checkout", "selector": "app=web"}})
    assert edited.steps[0].kubectl == "kubectl get pods -n checkout -l app=web -o wide"


@pytest.mark.parametrize(("edit", "message"), [
    ({"replicas": "lots"}, "whole number"),
    ({"replicas": 5000}, "between"),
    ({"namespace": "Bad Name; rm"}, "not a valid namespace"),
    ({"selector": "app=$(x)"}, "not a valid selector"),
    ({"image": "nginx latest"}, "not an image"),
    ({"clusters": []}, "cluster names"),
    ({"command": "sh"}, "cannot be edited"),
    ({"accepted": False}, "only diagnostics"),
])
def test_bad_edits_are_refused(rules: PlannerService, edit: dict, message: str) -> None:
    plan = scale_plan(rules)
    with pytest.raises(EditError, match=message):
        rules.rescore(plan, {plan.steps[-1].id: edit})


def test_unknown_step_is_refused(rules: PlannerService) -> None:
    with pytest.raises(EditError, match="no step"):
        rules.rescore(scale_plan(rules), {"s99": {"replicas": 2}})


def test_skipping_a_diagnostic_moves_it_after_the_change(rules: PlannerService) -> None:
    plan = scale_plan(rules)
    first = plan.steps[0]
    edited = rules.rescore(plan, {first.id: {"accepted": False}})
    assert edited.steps[-1].id == first.id and not edited.steps[-1].accepted
    assert edited.steps[-2].mutating
    assert edited.digest() != plan.digest()
    back = rules.rescore(edited, {first.id: {"accepted": True}})
    assert [s.id for s in back.steps] == [s.id for s in plan.steps]


def test_rescore_is_fast_with_a_cached_view(settings: Settings) -> None:
    service = PlannerService(settings, FakeView(), mode="rules")
    plan = scale_plan(service)
    change = plan.steps[-1].id
    started = time.perf_counter()
    for replicas in range(1, 21):
        service.rescore(plan, {change: {"replicas": replicas}})
    assert (time.perf_counter() - started) / 20 < 0.05


def test_cluster_edits_accept_kubeconfig_context_names_known_to_the_fleet(
        settings: Settings) -> None:
    view = FakeView(clusters=["prod-eu", "staging", "arn:aws:eks:eu-west-1:123:cluster/prod"])
    service = PlannerService(settings, view, mode="rules")
    plan = scale_plan(service)
    arn = "arn:aws:eks:eu-west-1:123:cluster/prod"
    edited = service.rescore(plan, {"*": {"clusters": [arn]}})
    assert edited.kubectl_lines(edited.steps[-1])[0].startswith(
        "kubectl --context arn:aws:eks:eu-west-1:123:cluster/prod scale")
    assert edited.scope.clusters == (arn,)  # the header follows the edit
    with pytest.raises(EditError, match="unknown cluster 'staging-2'"):
        service.rescore(plan, {"*": {"clusters": ["staging-2"]}})
