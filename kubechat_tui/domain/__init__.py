"""Plain models shared by every layer: Plan, Step, Scope, ResourceRef, Risk, PlanResult.

The names below load on first use (PEP 562), so importing one light module of the package
(`domain.visible_text`, which every `kubechat` command prints through) does not load
pydantic and the plan models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "ParamValue": "plan", "Plan": "plan", "PlanEdits": "plan",
    "PlanResult": "plan", "ResourceRef": "plan", "Scope": "plan", "Step": "plan",
    "RESOURCES": "resources", "ResourceInfo": "resources", "resolve_resource": "resources",
    "Risk": "risk", "MUTATING_VERBS": "verbs", "Verb": "verbs",
}

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


def __getattr__(name: str) -> Any:
    """Load `name` from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
