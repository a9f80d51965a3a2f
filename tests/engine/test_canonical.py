"""Plans are validated and re-rendered from their intent: an edited kubectl line cannot
mislead, and no name can walk out of its API path."""

from __future__ import annotations

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.domain.resources import RESOURCES
from kubechat_tui.engine.canonical import PlanInputError, canonical
from kubechat_tui.kube.kinds import PODS, collection_path
from kubechat_tui.planner.render import build_step
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
    forged = step.model_copy(update={"kubectl": "kubectl get pods"})
    edited = plan.model_copy(update={"steps": tuple(forged if s.id == step.id else s
                                                    for s in plan.steps)})
    fixed = canonical(edited)
    assert fixed.step(step.id).kubectl == step.kubectl
    assert edited.digest() != plan.digest()


def test_a_plan_file_from_before_request_plans_still_loads() -> None:
    """Saved plans listed `api_calls`; nothing read them, so they are dropped on load."""
    plan = planned("scale payments-api to 5")
    raw = plan.model_dump(mode="json")
    for step in raw["steps"]:
        step["api_calls"] = [{"method": "GET", "path": "/api/v1/pods"}]
    assert canonical(Plan.model_validate(raw)).digest() == plan.digest()


def test_unrenderable_parameters_are_one_line() -> None:
    plan = planned("scale payments-api to 5")
    step = next(s for s in plan.steps if s.mutating)
    bad = plan.model_copy(update={"steps": (step.model_copy(update={"params": {
        "replicas": "many"}}),)})
    with pytest.raises(PlanInputError, match=f"step {step.id}: bad parameters"):
        canonical(bad)


@pytest.mark.parametrize("field, value, message", [
    ("name", "../../kube-system/pods/kube-proxy-kq6gc", "RFC 1123 DNS subdomain"),
    ("name", "x; rm -rf /", "RFC 1123 DNS subdomain"),
    ("name", "", "RFC 1123 DNS subdomain"),
    ("name", "a" * 254, "RFC 1123 DNS subdomain"),
    ("namespace", "payments.prod", "RFC 1123 DNS label"),
    ("namespace", "Payments", "RFC 1123 DNS label"),
    ("namespace", "a" * 64, "RFC 1123 DNS label"),
    ("selector", "app=web\nx", "not a label selector"),
    ("clusters", ("prod eu",), "not a kubeconfig context name"),
    ("clusters", ("prod-eu\x1b[2J",), "not a kubeconfig context name"),
    ("params", {"image": "evil image; rm", "container": "api"}, "not an image reference"),
    ("params", {"image": "registry/app:1", "container": "api/../x"}, "container"),
    ("params", {"image": "registry/app:1", "container": "*"}, "container"),  # never `*=`
])
def test_every_name_is_validated_with_one_line(field: str, value: object,
                                              message: str) -> None:
    plan = planned("set image payments-api api=registry.example/api:2.0")
    step = next(s for s in plan.steps if s.mutating)
    bad = plan.model_copy(update={"steps": (step.model_copy(update={field: value}),)})
    with pytest.raises(PlanInputError, match=message) as caught:
        canonical(bad)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_scope_values_are_validated_too() -> None:
    plan = planned("scale payments-api to 5")
    with pytest.raises(PlanInputError, match="scope: namespace"):
        canonical(plan.model_copy(update={"scope": Scope(clusters=("prod-eu",),
                                                         namespace="../kube-system")}))


@pytest.mark.parametrize("cluster", [
    "prod-eu", "kubernetes-admin@kubernetes", "gke_my-project_us-central1-a_web",
    "arn:aws:eks:eu-west-1:123456789012:cluster/payments",
])
def test_real_world_context_names_are_accepted(cluster: str) -> None:
    plan = planned("scale payments-api to 5")
    step = next(s for s in plan.steps if s.mutating)
    fine = plan.model_copy(update={"steps": (step.model_copy(update={
        "clusters": (cluster,)}),)})
    assert canonical(fine).steps[0].clusters == (cluster,)


def test_a_service_name_is_a_dns_label() -> None:
    step = build_step("s1", Verb.DELETE, "services", namespace="payments", name="a.b",
                      clusters=("prod-eu",))
    plan = Plan(input="delete svc", planner="rules", scope=Scope(clusters=("prod-eu",)),
                steps=(step,))
    with pytest.raises(PlanInputError, match="DNS label"):
        canonical(plan)
    assert canonical(plan.model_copy(update={"steps": (
        step.model_copy(update={"name": "a-b"}),)})).steps[0].name == "a-b"


@pytest.mark.parametrize("name", ["../../kube-system/pods/x", "a/b", "..", ".", ""])
def test_no_value_can_change_an_api_path(name: str) -> None:
    with pytest.raises(ValueError, match="cannot be a name in an API path"):
        RESOURCES["pods"].object_path("payments", name)
    if name:  # an empty namespace means "all namespaces", not a path segment
        with pytest.raises(ValueError, match="cannot be a name in an API path"):
            RESOURCES["pods"].object_path(name, "web")


def test_path_segments_are_quoted() -> None:
    path = RESOURCES["deployments"].object_path("payments", "x; rm -rf ?#%")
    assert path == "/apis/apps/v1/namespaces/payments/deployments/x%3B%20rm%20-rf%20%3F%23%25"
    assert collection_path(PODS, "pay ments") == "/api/v1/namespaces/pay%20ments/pods"
    assert RESOURCES["deployments"].object_path("payments", "payments-api") == (
        "/apis/apps/v1/namespaces/payments/deployments/payments-api")
