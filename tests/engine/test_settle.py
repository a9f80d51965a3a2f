"""What the engine settles in a step before building its requests: the drain timeout from
the config, set image's container from the live workload (issue 11.10, 11.11)."""

from __future__ import annotations

import pytest

from kubechat_tui.config.settings import KubeSettings, Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.actions import StepInputError, container_to_set
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.settle import settle_config, settle_containers
from kubechat_tui.engine.snapshot import of_object
from kubechat_tui.kube.mutations import target
from kubechat_tui.planner.render import build_step
from tests.engine.fakes import deployment


def drain_plan(**params: int) -> Plan:
    step = build_step("s1", Verb.DRAIN, "nodes", name="ip-10-0-3-7", clusters=("prod-eu",),
                      params=dict(params))
    return Plan(input="drain", planner="rules", scope=Scope(clusters=("prod-eu",)),
                steps=(step,))


def test_a_drain_gets_the_configured_timeout_unless_it_has_one() -> None:
    settings = Settings(kube=KubeSettings(drain_timeout_seconds=7))
    [step] = settle_config(drain_plan(), settings).steps
    assert step.params == {"timeout_seconds": 7} and step.kubectl.endswith("--timeout=7s")
    [own] = settle_config(drain_plan(timeout_seconds=60), settings).steps
    assert own.kubectl.endswith("--timeout=60s")


def set_image(cluster: str) -> Change:
    step = build_step("s1", Verb.SET_IMAGE, "deployments", namespace="payments",
                      name="payments-api", clusters=("prod-eu", "staging"),
                      params={"image": "x:2"})
    t = target(cluster, "deployments", "payments", "payments-api")
    return Change(step, t, before=of_object(t, deployment()))


def test_several_containers_and_none_named_is_a_question_at_execution_too() -> None:
    change = set_image("prod-eu")
    with pytest.raises(StepInputError) as asked:
        container_to_set(change.step, change.before.object if change.before else None)
    assert str(asked.value) == ("payments-api has containers api, sidecar: say which, e.g. "
                                "'set image of container api to x:2'")


def test_a_single_container_is_settled_into_the_step_and_its_kubectl_line() -> None:
    changes = [set_image("prod-eu"), set_image("staging")]
    for change, name in zip(changes, ("web", "web"), strict=True):
        assert change.before is not None and change.before.object is not None
        change.before.object["spec"]["template"]["spec"]["containers"] = [
            {"name": name, "image": "x:1"}]
    plan = Plan(input="set image", planner="rules", scope=Scope(), steps=(changes[0].step,))
    [step] = settle_containers(plan, changes).steps
    assert step.params["container"] == "web" and "web=x:2" in step.kubectl
    assert all(c.step is step for c in changes)
    assert changes[1].before is not None and changes[1].before.object is not None
    changes[1].before.object["spec"]["template"]["spec"]["containers"][0]["name"] = "app"
    for change in changes:
        change.step = plan.steps[0]
    with pytest.raises(StepInputError, match="differs between the targets"):
        settle_containers(plan, changes)
