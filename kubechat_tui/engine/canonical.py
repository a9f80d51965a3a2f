"""Re-render a plan's steps from their intent (verb, target, params) before running it.

A plan file is user input: its kubectl lines and API calls could have been edited to say
something other than what the verb and parameters mean. The engine executes from the
intent, so it re-renders the display and RBAC fields from it too; a plan edited that way
gets a different digest, which also voids any approval given to the original.
"""

from __future__ import annotations

from kubechat_tui.domain import Plan, Step
from kubechat_tui.planner.render import build_step


class PlanInputError(ValueError):
    """A step whose parameters cannot be rendered (unknown resource, bad replicas...)."""


def canonical(plan: Plan) -> Plan:
    """The plan with every step rendered by the planner's renderer."""
    return plan.model_copy(update={"steps": tuple(_render(s) for s in plan.steps)})


def _render(step: Step) -> Step:
    try:
        fresh = build_step(step.id, step.verb, step.resource, namespace=step.namespace,
                           name=step.name, selector=step.selector, clusters=step.clusters,
                           params=dict(step.params), reason=step.reason,
                           accepted=step.accepted)
    except KeyError as exc:
        raise PlanInputError(f"step {step.id}: unknown resource or missing parameter "
                             f"{exc}") from None
    except (TypeError, ValueError) as exc:
        raise PlanInputError(f"step {step.id}: bad parameters ({exc})".splitlines()[0]) from None
    return fresh
