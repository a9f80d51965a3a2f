"""A model cannot add a change the request did not ask for (issue 11.17, issue 20.6).

The four attacks, verbatim, are played by the scripted model (llm_stub) through the real
litellm path: each plan ends with no change, or only the one the request asks for, and a
visible "dropped: ..." note. Legitimate model plans still pass. The finer rules (verb
family, kind, named object, stated selector, one change, compound requests) are checked
on `vet` directly against the request's intent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Scope, Verb
from kubechat_tui.planner.llm import LLMPlanner
from kubechat_tui.planner.llm_reply import ReplyRejected, StepSpec, validate_steps
from kubechat_tui.planner.llm_vetting import vet
from kubechat_tui.planner.request_intent import read_request
from kubechat_tui.planner.rule_planner import prepare
from kubechat_tui.planner.service import PlannerService
from tests.planner.conftest import CLUSTER_SETS, FIXED_NOW
from tests.planner.fakes import FakeView
from tests.planner.llm_stub import LLMStub, Scripted

STAGING = Scope(clusters=("staging",))
DESCRIBE = {"verb": "describe", "resource": "deployments", "name": "payments-api"}


@pytest.fixture(autouse=True)
def fresh_script(stub: LLMStub) -> None:
    stub.clear()


def settings(stub: LLMStub) -> Settings:
    return Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(
        provider="ollama", model="ollama/llama3.1", api_base=stub.base_url, timeout_seconds=5))


def service(stub: LLMStub) -> PlannerService:
    """The console's planner (model first, rules behind it) on a scripted live view."""
    return PlannerService(settings(stub), FakeView(), clock=lambda: FIXED_NOW)


def model(stub: LLMStub) -> LLMPlanner:
    """The model planner alone (no rule planner to fall back to)."""
    return LLMPlanner(settings(stub), FakeView(), clock=lambda: FIXED_NOW)


def reply(*steps: dict[str, Any]) -> Scripted:
    return Scripted(json.dumps({"steps": list(steps)}))


def changes(result: Any) -> list[str]:
    assert result.plan is not None, result.reason
    return [s.kubectl for s in result.plan.steps if s.mutating]


# -- 11.17: a question gets read-only steps -------------------------------------------------
@pytest.mark.parametrize(("question", "mutation", "dropped", "ask"), [
    ("why did traffic drop for payments-api?",
     {"verb": "delete", "resource": "deployments", "name": "payments-api"},
     "dropped: delete deployments payments-api: the request is a question",
     "delete deployment payments-api"),
    ("how often do payments-api pods restart?",
     {"verb": "rollout restart", "resource": "deployments", "name": "payments-api"},
     "dropped: rollout restart deployments payments-api: the request is a question",
     "restart deployment payments-api"),
])
def test_a_question_gets_no_change_only_a_suggestion(stub: LLMStub, question: str,
                                                     mutation: dict[str, Any], dropped: str,
                                                     ask: str) -> None:
    stub.script(reply(DESCRIBE, mutation))
    result = service(stub).plan(question, STAGING)
    assert result.planner == "llm:ollama/llama3.1" and result.plan is not None, result.notes
    assert changes(result) == [] and not result.plan.requires_approval
    assert [s.verb for s in result.plan.steps] == [Verb.DESCRIBE]
    assert len(result.notes) == 1 and result.notes[0].startswith(dropped)
    assert result.notes[0].endswith(f"to make this change, ask for it: {ask!r}")
    assert result.plan.notes == result.notes  # shown in the plan view's header too
    assert result.suggestions == (ask,)  # text to re-ask, never a step of the plan
    asked = service(stub).plan(ask + " in payments", STAGING)  # re-asked: now it is planned
    assert len(changes(asked)) == 1


def test_the_rule_planner_reads_the_same_question_without_a_change(
        rules: PlannerService) -> None:
    for question in ("why did traffic drop for payments-api?",
                     "how often do payments-api pods restart?",
                     "should I restart deployment payments-api?",
                     "logs of payments-api. why do the pods restart and drop connections"):
        result = rules.plan(question, STAGING)
        assert result.plan is not None and not result.plan.mutating, (question, result.reason)
        assert result.notes == ()
    hedged = rules.plan("restart deployment payments-api?", STAGING)
    assert hedged.plan is not None and not hedged.plan.mutating
    assert hedged.notes == ("read as a question (it ends with '?'), so nothing is changed; "
                            "to restart, ask for it without the question mark",)
    for request in ("can you restart deployment payments-api?",
                    "why is payments-api down? restart deployment payments-api"):
        result = rules.plan(request, STAGING)
        assert result.plan is not None and result.plan.mutating, (request, result.reason)


# -- 20.6: the change must be the one the request states ------------------------------------
def test_restart_in_a_namespace_never_deletes_the_namespace(stub: LLMStub) -> None:
    text = "restart payments-api in payments"
    restart = {"verb": "rollout restart", "resource": "deployments", "name": "payments-api"}
    stub.script(reply(DESCRIBE, {"verb": "delete", "resource": "namespaces",
                                 "name": "payments"}, restart))
    result = model(stub).plan(text, STAGING)
    assert changes(result) == [
        "kubectl rollout restart deployments/payments-api -n payments"]
    assert result.notes == ("dropped: delete namespaces payments: only a pod the request "
                            "names as 'pod NAME' restarts by being deleted",)
    stub.script(reply({"verb": "delete", "resource": "namespaces", "name": "payments"}))
    answered = service(stub).plan(text, STAGING)  # nothing kept: the rules answer
    assert answered.planner == "rules"
    assert changes(answered) == ["kubectl rollout restart deployments/payments-api -n payments"]
    assert any("dropped: delete namespaces payments" in n for n in answered.notes)


def test_delete_the_failed_pods_never_takes_an_invented_selector(stub: LLMStub) -> None:
    text = "delete the failed pods"
    get = {"verb": "get", "resource": "pods", "params": {"field_selector": "status.phase=Failed"}}
    invented = {"verb": "delete", "resource": "pods", "selector": "!delete"}
    stub.script(reply(get, invented))
    result = model(stub).plan(text, STAGING)
    assert changes(result) == []
    assert result.notes == ("dropped: delete pods -l '!delete': the request states no "
                            "selector, not the selector '!delete'",)
    stub.script(reply(get, invented))
    answered = service(stub).plan(text, STAGING)  # the rules plan the delete it asks for
    assert answered.planner == "rules"
    assert changes(answered) == ["kubectl delete pods --field-selector status.phase=Failed"]
    assert all(s.selector is None for s in answered.plan.steps)  # type: ignore[union-attr]
    assert any("dropped: delete pods -l '!delete'" in n for n in answered.notes)


# -- legitimate model plans still pass -------------------------------------------------------
@pytest.mark.parametrize(("text", "step", "kubectl"), [
    ("scale payments-api in payments to 5",
     {"verb": "scale", "resource": "deployments", "name": "payments-api",
      "params": {"replicas": 5}},
     "kubectl scale deployments/payments-api -n payments --replicas=5"),
    ("scale the payments api in payments to 5",
     {"verb": "scale", "resource": "statefulsets", "name": "payments-api",
      "params": {"replicas": 5}},
     "kubectl scale statefulsets/payments-api -n payments --replicas=5"),
    ("delete pods -l app=payments-api in payments",
     {"verb": "delete", "resource": "pods", "selector": "app=payments-api"},
     "kubectl delete pods -n payments -l app=payments-api"),
    ("restart pod payments-api-1 in payments",
     {"verb": "delete", "resource": "pods", "name": "payments-api-1"},
     "kubectl delete pods payments-api-1 -n payments"),
    ("can you roll back deploy/payments-api in payments to revision 2?",
     {"verb": "rollout undo", "resource": "deployments", "name": "payments-api",
      "params": {"to_revision": 2}},
     "kubectl rollout undo deployments/payments-api -n payments --to-revision=2"),
    ("drain node ip-10-0-3-7",
     {"verb": "drain", "resource": "nodes", "name": "ip-10-0-3-7"},
     "kubectl drain ip-10-0-3-7 --ignore-daemonsets --delete-emptydir-data"),
])
def test_a_plan_with_the_change_asked_for_passes(stub: LLMStub, text: str,
                                                 step: dict[str, Any], kubectl: str) -> None:
    stub.script(reply(DESCRIBE | {"namespace": "payments"} if "payments" in text else
                      {"verb": "describe", "resource": "nodes", "name": "ip-10-0-3-7"}, step))
    result = service(stub).plan(text, STAGING)
    assert result.planner == "llm:ollama/llama3.1", result.notes
    assert changes(result) == [kubectl] and result.notes == ()


# -- the rules, step by step -----------------------------------------------------------------
def vetted(text: str, *steps: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(kubectl lines of the changes kept, dropped notes) for the model's `steps`."""
    cleaned, scope = prepare(text, settings_without_ai(), STAGING, None)
    drafts = validate_steps([StepSpec.model_validate(s) for s in steps], scope)
    result = vet(drafts, read_request(cleaned, scope, settings_without_ai(), None), scope)
    return [f"{d.verb.value} {d.resource} {d.name or d.selector}" for d in result.drafts
            if d.verb.mutating], result.dropped


def settings_without_ai() -> Settings:
    return Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False))


SCALE_WEB = {"verb": "scale", "resource": "deployments", "name": "payments-api",
             "params": {"replicas": 5}}


@pytest.mark.parametrize(("text", "step", "why"), [
    ("scale payments-api to 5", {"verb": "delete", "resource": "deployments",
                                 "name": "payments-api"},
     "delete is not the change the request asks for (scale)"),
    ("scale deployment payments-api to 5", SCALE_WEB | {"resource": "statefulsets"},
     "the request asks to scale deployments, not statefulsets"),
    ("scale payments-api to 5", SCALE_WEB | {"name": "checkout"},
     "the request does not name checkout"),
    ("scale payments-api to 5", {"verb": "scale", "resource": "deployments",
                                 "name": "payments", "params": {"replicas": 5}},
     "the request does not name payments"),
    ("delete payments-api", {"verb": "delete", "resource": "deployments",
                             "name": "payments-api"},
     "the request does not say which kind of object to delete"),
    ("delete pods -l app=web", {"verb": "delete", "resource": "pods", "selector": "app"},
     "the request states 'app=web', not the selector 'app'"),
    ("delete pods -l app=web", {"verb": "delete", "resource": "pods",
                                "selector": "app=web,tier!=db"},
     "not the selector 'app=web,tier!=db'"),
    ("restart payments-api in payments", {"verb": "delete", "resource": "pods",
                                          "name": "payments-api"},
     "only a pod the request names as 'pod NAME' restarts by being deleted"),
    ("restart payments-api", {"verb": "cordon", "resource": "nodes", "name": "payments-api"},
     "cordon is not the change the request asks for (restart)"),
    ("drain node ip-10-0-3-7", {"verb": "cordon", "resource": "nodes", "name": "ip-10-0-3-7"},
     "cordon is not the change the request asks for (drain)"),
    ("scale web to 3 and restart payments-api", SCALE_WEB,
     "the request asks for several changes (scale and restart); one at a time"),
    ("logs of deployment payments-api. restart it",
     {"verb": "rollout restart", "resource": "deployments", "name": "payments-api"},
     "'restart it' does not say which object to restart"),
    ("scale deployment payments-api and deployment checkout to 3", SCALE_WEB,
     "the request names several objects to scale"),
    ("show pods in payments", SCALE_WEB, "the request asks for no change"),
])
def test_a_change_the_request_does_not_state_is_dropped(text: str, step: dict[str, Any],
                                                        why: str) -> None:
    kept, dropped = vetted(text, step)
    assert kept == [] and len(dropped) == 1 and dropped[0].startswith("dropped: ")
    assert why in dropped[0]


def test_one_change_per_plan() -> None:
    kept, dropped = vetted("scale payments-api to 5", SCALE_WEB, SCALE_WEB | {
        "params": {"replicas": 50}})
    assert kept == ["scale deployments payments-api"]
    assert dropped == ["dropped: scale deployments payments-api: a second change; kubechat "
                       "plans one change at a time"]


def test_a_stated_selector_and_a_stated_kind_pass() -> None:
    kept, dropped = vetted("delete pods matching app=web in payments",
                           {"verb": "delete", "resource": "pods", "selector": "app=web"})
    assert kept == ["delete pods app=web"] and dropped == []
    kept, _ = vetted("delete namespace old-team",
                     {"verb": "delete", "resource": "namespaces", "name": "old-team"})
    assert kept == ["delete namespaces old-team"]


# -- options cannot be smuggled into the kubectl line ---------------------------------------
SET_IMAGE = {"verb": "set image", "resource": "deployments", "name": "payments-api",
             "params": {"image": "nginx:1.25", "container": "api"}}


@pytest.mark.parametrize(("step", "why"), [
    (SET_IMAGE | {"params": {"image": "nginx:1.25", "container": "--all=nginx:1.25"}},
     "container '--all=nginx:1.25' is not a valid Kubernetes name"),
    (SET_IMAGE | {"params": {"image": "--all=nginx:1.25"}}, "is not an image reference"),
    (SET_IMAGE | {"name": "--all"}, "is not a valid Kubernetes name"),
    (SET_IMAGE | {"namespace": "-n=kube-system"}, "is not a valid Kubernetes name"),
    ({"verb": "get", "resource": "pods", "selector": "--all"}, "is not a label selector"),
    ({"verb": "get", "resource": "pods", "selector": "a=b --all"}, "is not a label selector"),
    ({"verb": "logs", "resource": "pods", "name": "x", "params": {"grep": "--all"}},
     "parameter grep has an unexpected value"),
    ({"verb": "events", "resource": "events",
      "params": {"for_kind": "pod", "for_name": "x=--all"}}, "is not a valid Kubernetes name"),
])
def test_a_value_that_could_be_an_option_rejects_the_reply(stub: LLMStub, step: dict[str, Any],
                                                           why: str) -> None:
    stub.script(reply(step))
    with pytest.raises(ReplyRejected, match=why):
        model(stub).plan("set image of payments-api in payments to nginx:1.25", STAGING)
