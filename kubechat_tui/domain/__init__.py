"""Plain models shared by every layer: Plan, Step, Scope, ResourceRef, Risk, PlanResult."""

from kubechat_tui.domain.plan import (
    ParamValue,
    Plan,
    PlanEdits,
    PlanResult,
    ResourceRef,
    Scope,
    Step,
)
from kubechat_tui.domain.resources import RESOURCES, ResourceInfo, resolve_resource
from kubechat_tui.domain.risk import Risk
from kubechat_tui.domain.verbs import MUTATING_VERBS, Verb

__all__ = [
    "MUTATING_VERBS",
    "RESOURCES",
    "ParamValue",
    "Plan",
    "PlanEdits",
    "PlanResult",
    "ResourceInfo",
    "ResourceRef",
    "Risk",
    "Scope",
    "Step",
    "Verb",
    "resolve_resource",
]
