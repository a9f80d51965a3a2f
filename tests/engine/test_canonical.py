"""Plans are re-rendered from their intent: edited kubectl/API fields cannot mislead."""

from __future__ import annotations

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import ApiCall, Plan, Scope
from kubechat_tui.engine.canonical import PlanInputError, canonical
from kubechat_tui.planner.rule_planner import RulePlanner


def planned(text: str) -> Plan:
    result = RulePlanner(Settings()).plan(text, Scope(clusters=("prod-eu",),
                                                      namespace="payments"))
    assert result.plan is not None, result.reason
    return result.plan


@pytest.mark.parametrize("text", [
    "scale payments-api to 5", "restart deployment payments-api",
    "roll back payments-api", "set image payments-api api=registry.example/api:2.0",
    "cordon node ip-10-0-3-7", "delete pod payments-api-7788fcd8fc-6gf77",
])
def test_planner_output_is_already_canonical(text: str) -> None:
    plan = planned(text)
    assert canonical(plan).digest() == plan.digest()


def test_an_edited_kubectl_line_is_replaced_and_changes_the_digest() -> None:
    plan = planned("scale payments-api to 5")
    step = next(s for s in plan.steps if s.mutating)
    forged = step.model_copy(update={
        "kubectl": "kubectl get pods",
        "api_calls": (ApiCall(method="GET", path="/api/v1/pods"),)})
    edited = plan.model_copy(update={"steps": tuple(forged if s.id == step.id else s
                                                    for s in plan.steps)})
    fixed = canonical(edited)
    assert fixed.step(step.id).kubectl == step.kubectl
    assert fixed.step(step.id).api_calls == step.api_calls
    assert edited.digest() != plan.digest()


def test_unrenderable_parameters_are_one_line() -> None:
    plan = planned("scale payments-api to 5")
    step = next(s for s in plan.steps if s.mutating)
    bad = plan.model_copy(update={"steps": (step.model_copy(update={"params": {
        "replicas": "many"}}),)})
    with pytest.raises(PlanInputError, match=f"step {step.id}: bad parameters"):
        canonical(bad)
