"""The plan model: risk order, digest stability, JSON round trip, headless shape."""

from __future__ import annotations

from kubechat_tui.domain import Plan, PlanResult, Risk, Scope
from kubechat_tui.planner.service import PlannerService


def test_risk_orders_by_severity_not_alphabet() -> None:
    assert Risk.LOW < Risk.MEDIUM < Risk.HIGH < Risk.CRITICAL
    assert max([Risk.HIGH, Risk.CRITICAL, Risk.LOW]) is Risk.CRITICAL
    assert Risk.HIGH.raised() is Risk.CRITICAL and Risk.CRITICAL.raised() is Risk.CRITICAL


def test_plan_round_trips_through_json_with_the_same_digest(rules: PlannerService) -> None:
    plan = rules.plan("scale deployment payments-api in prod-eu to 5").plan
    assert plan is not None
    loaded = Plan.model_validate_json(plan.to_json())
    assert loaded == plan
    assert loaded.digest() == plan.digest()
    assert len(plan.digest()) == 64


def test_digest_covers_intent_not_assessment(rules: PlannerService) -> None:
    plan = rules.plan("scale deployment payments-api in prod-eu to 5").plan
    assert plan is not None
    last = plan.steps[-1]
    assessed = plan.model_copy(update={"steps": (*plan.steps[:-1], last.model_copy(
        update={"affected": 9, "warnings": ("x",)}))})
    assert assessed.digest() == plan.digest()
    edited = rules.rescore(plan, {last.id: {"replicas": 6}})
    assert edited.digest() != plan.digest()


def test_digest_is_stable_across_runs(rules: PlannerService) -> None:
    first = rules.plan("restart deployment payments-api in staging").plan
    second = rules.plan("restart deployment payments-api in staging").plan
    assert first is not None and second is not None
    assert first.digest() == second.digest()


def test_headless_object_has_exactly_the_contract_keys(rules: PlannerService) -> None:
    doc = rules.plan("drain node ip-10-0-3-7 in prod", Scope()).headless()
    assert set(doc) == {"input", "planner", "blocked", "reason", "steps"}
    assert doc["planner"] == "rules" and doc["blocked"] is False
    assert set(doc["steps"][0]) == {"verb", "resource", "namespace", "name", "selector",
                                    "clusters", "mutating", "risk", "requires_approval",
                                    "affected", "warnings", "kubectl"}
    assert doc["steps"][-1]["verb"] == "drain"
    assert doc["steps"][-1]["clusters"] == ["prod-eu", "prod-us"]


def test_blocked_result_has_no_steps() -> None:
    result = PlanResult(input="x", planner="rules", blocked=True, reason="no")
    assert result.headless()["steps"] == []
