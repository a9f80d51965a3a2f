"""PlannerService: one entry point for the console, the CLI and the engine.

`plan(text, scope)` tries the configured LLM provider (when enabled and not recently
failing) and falls back to the rule planner, saying so in `PlanResult.notes`: when the
provider fails, it does not answer within the planning budget (`ai.planning_budget_seconds`,
all of the model's time), its reply is rejected, it declines what the rules can plan, or its
plan lacks the change the request asks for (dropped, see `llm_vetting`) and the rules' has it.
A model's plan carries a "dropped: ..." note per step it was not allowed. Requests the
rules refuse (secrets, shell syntax, bad input) never reach a model. `recipe NAME key=value
...` plans that runbook from the catalog (`recipes`) instead of interpreting the text;
any other request's result names the best-matching recipes (`PlanResult.recipes`, ranked by
`recipe_match`), and the model's prompt shows them as examples.
Blocking: call it from a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, PlanEdits, PlanResult, Scope
from kubechat_tui.domain.tracing import count, traced
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.planner.assemble import rescore
from kubechat_tui.planner.llm import LLMPlanner
from kubechat_tui.planner.llm_reply import ReplyRejected
from kubechat_tui.planner.model_errors import OutOfTime, ProviderError, ProviderUnreachable
from kubechat_tui.planner.providers import ProviderHealth, provider_health
from kubechat_tui.planner.recipe_shelf import read_shelf
from kubechat_tui.planner.recipes import RecipeBook, example, usage
from kubechat_tui.planner.rule_planner import RulePlanner

Mode = Literal["auto", "rules", "llm"]
RETRY_AFTER_FAILURE = 60.0


class PlannerService:
    """Plans requests and re-scores edited plans."""

    def __init__(self, settings: Settings, view: ClusterView | None = None, *,
                 mode: Mode = "auto",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 contexts: Mapping[str, str] | None = None,
                 data_dir: Path | None = None) -> None:
        self.settings = settings
        self.view = view
        self.mode = mode
        self.contexts = dict(contexts or {})  # cluster -> the context that reaches it
        self.rules = RulePlanner(settings, view, clock)
        folder = data_dir  # the store's published recipes and their ratings, when given
        self.recipes = RecipeBook(settings, view, shelf=(
            (lambda: read_shelf(settings, folder)) if folder is not None else None))
        self.llm = LLMPlanner(settings, view, clock)
        self._failed_at: float | None = None
        self._last_failure = ""

    @property
    def llm_enabled(self) -> bool:
        """True when the LLM path is configured and chosen."""
        return self.mode != "rules" and self.settings.ai.enabled

    @traced("kubechat.plan")
    def plan(self, text: str, scope: Scope | None = None,
             context: Sequence[str] = ()) -> PlanResult:
        """Plan `text` (see `_plan`), its plan naming the context of each of its clusters."""
        result = self._plan(text, scope, context)
        count("kubechat.plans", 1, {"kubechat.planner": result.planner.split(":")[0],
                                      "kubechat.blocked": result.blocked})
        if not result.planner.startswith("recipe"):
            matches = tuple(usage(r) for r in self.recipes.suggest(text))
            result = result.model_copy(update={"recipes": matches})
        if result.plan is None or not self.contexts:
            return result
        return result.model_copy(update={"plan": result.plan.with_contexts(self.contexts)})

    def _plan(self, text: str, scope: Scope | None = None,
              context: Sequence[str] = ()) -> PlanResult:
        """Plan `text` in the current `scope`; never raises for bad input.

        `context` is cluster data (events, log lines) for the model, quoted as untrusted.
        When a model was asked for and the rules answered instead, the result carries a
        note (for the console) and `fallback`: "llm provider M unreachable (...): planned
        with rules".
        """
        current = scope or Scope()
        recipe = self.recipes.plan(text, current)
        if recipe is not None:  # `recipe NAME key=value ...`: the runbook, no guesswork
            return recipe
        model = self.llm.model
        if self.mode == "llm" and not self.settings.ai.enabled:
            note = "the LLM planner was asked for but AI is disabled in config; used rules"
            result = self.rules.plan(text, current, notes=(note,))
            return result.model_copy(update={"fallback": f"llm planner {model} asked for but "
                                             "ai.enabled is false: planned with rules"})
        first = self.rules.plan(text, current)
        if (first.blocked and not first.suggestions) or not self.llm_enabled:
            return first  # refused requests (secrets, shell, bad input) never reach a model
        if self._cooling_down():
            return _fell_back(first, f"AI provider failed recently ({self._last_failure})",
                              f"llm provider {model} failed recently ({self._last_failure})")
        try:
            result = self.llm.plan(text, current, context,
                                   budget=self.settings.ai.planning_budget_seconds,
                                   examples=[example(r) for r in self.recipes.suggest(text)])
        except OutOfTime as exc:
            self._failed_at, self._last_failure = time.monotonic(), str(exc)
            return _fell_back(first, str(exc), f"llm provider {model} {exc.waited}")
        except ProviderUnreachable as exc:
            self._failed_at, self._last_failure = time.monotonic(), str(exc)
            return _fell_back(first, f"AI provider unavailable ({exc})",
                              f"llm provider {model} unreachable ({exc})")
        except ProviderError as exc:
            self._failed_at, self._last_failure = time.monotonic(), str(exc)
            return _fell_back(first, f"AI provider failed ({exc})",
                              f"llm provider {model} failed ({exc})")
        except ReplyRejected as exc:
            return _fell_back(first, f"AI plan rejected ({exc})",
                              f"llm provider {model} reply rejected ({exc})")
        self._failed_at = None
        if result.blocked and first.plan is not None:  # the model declined what rules can do
            return _fell_back(first, f"AI planner: {result.reason}",
                              f"llm provider {model} declined ({result.reason})")
        if first.plan is not None and first.plan.mutating and result.plan is not None \
                and not result.plan.mutating:  # the change asked for was dropped or missing
            why = "; ".join(result.notes) or "no change"
            return _fell_back(first, f"AI plan lacks the change asked for ({why})",
                              f"llm provider {model} planned no change ({why})")
        return result

    def rescore(self, plan: Plan, edits: PlanEdits) -> Plan:
        """The plan with `edits` applied, re-rendered and re-scored (raises EditError)."""
        edited = rescore(plan, edits, self.settings, self.view)
        return edited.with_contexts(self.contexts) if self.contexts else edited

    def health(self) -> ProviderHealth:
        """The configured provider's health (blocking, short timeout); a provider that
        answers the probe but failed the last plan request recently is reported as down."""
        if not self.settings.ai.enabled:
            return ProviderHealth(self.settings.ai.model, False, "AI disabled: rule planner")
        health = provider_health(self.settings.ai)
        if health.ok and self._recently_failed():
            return ProviderHealth(health.model, False, f"last request failed "
                                  f"({self._last_failure}); the rule planner answers")
        return health

    def warm_up(self) -> None:
        """Load the model path ahead of the first request (litellm, for the providers that
        use it; call from a worker thread)."""
        if self.llm_enabled:
            self.llm.warm_up()

    def _recently_failed(self) -> bool:
        return (self._failed_at is not None
                and time.monotonic() - self._failed_at < RETRY_AFTER_FAILURE)

    def _cooling_down(self) -> bool:
        return self.mode == "auto" and self._recently_failed()


def _fell_back(result: PlanResult, why: str, line: str) -> PlanResult:
    """The rule planner's result, saying why the AI planner was not used: a note for the
    console (`...; used the rule planner`) and the `fallback` line for the CLI."""
    return result.model_copy(update={"notes": (*result.notes, f"{why}; used the rule planner"),
                                     "fallback": f"{line}: planned with rules"})
