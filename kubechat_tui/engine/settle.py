"""Values a step may leave open, settled before its requests are built and checked.

- a drain without `timeout_seconds` gets `kube.drain_timeout_seconds` from the config;
- a set image without `container` gets the workload's only container, and is refused
  (listing the containers) when the workload has several.

The settled step is re-rendered, so its kubectl line, the preview, the approval request
and the audit all name the value that will be used.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import ParamValue, Plan, Step, Verb
from kubechat_tui.engine.actions import StepInputError, container_to_set
from kubechat_tui.engine.changes import Change
from kubechat_tui.planner.render import build_step

TIMEOUT = "timeout_seconds"
CONTAINER = "container"


def with_param(step: Step, key: str, value: ParamValue) -> Step:
    """The step re-rendered with one more parameter."""
    fresh = build_step(step.id, step.verb, step.resource, namespace=step.namespace,
                       name=step.name, selector=step.selector, clusters=step.clusters,
                       params={**step.params, key: value}, reason=step.reason,
                       accepted=step.accepted)
    return step.model_copy(update={"params": fresh.params, "kubectl": fresh.kubectl})


def settle_config(plan: Plan, settings: Settings) -> Plan:
    """Every drain step with a timeout (the config's unless the step gives one)."""
    timeout = settings.kube.drain_timeout_seconds
    return plan.model_copy(update={"steps": tuple(
        with_param(s, TIMEOUT, timeout) if s.verb is Verb.DRAIN and not s.params.get(TIMEOUT)
        else s for s in plan.steps)})


def settle_containers(plan: Plan, changes: Sequence[Change]) -> Plan:
    """Every set image step naming its container, read from the observed targets.

    StepInputError when a workload has several containers and the step names none, or
    when the only container is named differently in different targets.
    """
    steps = list(plan.steps)
    for i, step in enumerate(steps):
        if step.verb is not Verb.SET_IMAGE or step.params.get(CONTAINER):
            continue
        mine = [c for c in changes if c.step.id == step.id]
        found = {c.target.label(): container_to_set(step, c.before.object if c.before
                                                    else None) for c in mine}
        if len(set(found.values())) > 1:
            which = ", ".join(f"{name} in {where}" for where, name in found.items())
            raise StepInputError(f"step {step.id}: the only container differs between the "
                                 f"targets ({which}): say which container to set")
        if found:
            steps[i] = with_param(step, CONTAINER, next(iter(found.values())))
            for change in mine:
                change.step = steps[i]
    return plan.model_copy(update={"steps": tuple(steps)})
