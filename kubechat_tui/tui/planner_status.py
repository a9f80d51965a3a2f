"""What the chat header says about the planner: rules only, a healthy model, or a model
that is down (the rule planner answers meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kubechat_tui.domain import PlanResult
from kubechat_tui.planner.providers import ProviderHealth

# How PlannerService words a fallback ("llm provider M unreachable (...): planned with
# rules"); anything else is shown as "failed".
FALLBACK_WORDS = ("unreachable", "reply rejected", "declined")


@runtime_checkable
class PlannerHealthLike(Protocol):
    """The provider side of planner.service.PlannerService (blocking calls)."""

    @property
    def llm_enabled(self) -> bool: ...
    def warm_up(self) -> None: ...
    def health(self) -> ProviderHealth: ...


@dataclass(frozen=True)
class PlannerStatus:
    """One short label and whether it is good news."""

    text: str
    healthy: bool = True


RULES = PlannerStatus("planner: rules")


def checking(model: str) -> PlannerStatus:
    """Before the first probe answers (litellm imports for seconds)."""
    return PlannerStatus(f"llm:{model} checking…")


def from_health(llm_enabled: bool, health: ProviderHealth) -> PlannerStatus:
    """The label after a health probe."""
    if not llm_enabled:
        return RULES
    if health.ok:
        return PlannerStatus(f"llm:{health.model} ok")
    return PlannerStatus(f"llm:{health.model} unreachable → rules", healthy=False)


def from_result(llm_enabled: bool, model: str, result: PlanResult,
                current: PlannerStatus) -> PlannerStatus:
    """The label after a plan: the model answered, or the rule planner stood in
    (`result.fallback` says why)."""
    if not llm_enabled:
        return RULES
    if result.planner.startswith("llm:"):
        return PlannerStatus(f"{result.planner} ok")
    if result.fallback is None:
        return current  # the rules refused before any model was asked
    head = result.fallback.split(" (", 1)[0]  # the detail in parentheses is the provider's
    why = next((word for word in FALLBACK_WORDS if word in head), "failed")
    return PlannerStatus(f"llm:{model} {why} → rules", healthy=False)
