"""The rule planner as a whole: clean input -> scope -> drafts -> scored Plan."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import PlanResult, Scope
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.planner.assemble import assemble
from kubechat_tui.planner.drafts import NotPlanned, Unplannable
from kubechat_tui.planner.refusals import SUGGESTIONS
from kubechat_tui.planner.request_intent import read_request
from kubechat_tui.planner.rules import RuleDrafter
from kubechat_tui.planner.scope import ResolvedScope, ScopeError, resolve_scope
from kubechat_tui.planner.text import InputError, clean_request, printable, shell_syntax

RULES = "rules"


def refused(text: str, planner: str, reason: str, suggest: bool = False,
            notes: Sequence[str] = (), suggestions: Sequence[str] = ()) -> PlanResult:
    """A blocked / not-understood result (exit 3 in the CLI)."""
    shown = tuple(suggestions) or (SUGGESTIONS if suggest else ())
    return PlanResult(input=text, planner=planner, blocked=True, reason=reason,
                      suggestions=shown, notes=tuple(notes))


def prepare(text: str, settings: Settings, current: Scope,
            view: ClusterView | None) -> tuple[str, ResolvedScope]:
    """Clean the request and resolve its scope; raises InputError/ScopeError/NotPlanned."""
    cleaned = clean_request(text)
    operator = shell_syntax(cleaned)
    if operator:
        raise NotPlanned(f"refused: the request contains shell syntax ({operator!r}); "
                         "kubechat runs no shell commands, ask for one thing in words",
                         blocked=True)
    known = view.cluster_names() if view is not None else ()
    return cleaned, resolve_scope(cleaned, settings, current, known)


class RulePlanner:
    """Deterministic offline planner (see planner.rules)."""

    def __init__(self, settings: Settings, view: ClusterView | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.view = view
        self.drafter = RuleDrafter(settings, view, clock)

    def plan(self, text: str, current: Scope, notes: Sequence[str] = ()) -> PlanResult:
        """Plan `text`; never raises for bad input (returns a blocked result instead)."""
        flat = " ".join(printable(text[:400]).split())
        shown = flat if len(flat) <= 200 else flat[:200] + "…"
        try:
            cleaned, scope = prepare(text, self.settings, current, self.view)
            request = read_request(cleaned, scope, self.settings, self.view)
            drafts = self.drafter.drafts(cleaned, scope, request)
            notes = (*notes, *request.notes())
            plan = assemble(cleaned, RULES, scope, drafts, self.settings, self.view, notes)
        except (InputError, ScopeError, Unplannable) as exc:
            return refused(shown, RULES, str(exc), notes=notes)
        except NotPlanned as exc:
            reason = exc.reason if exc.blocked else f"not understood: {exc.reason}"
            return refused(shown, RULES, reason, suggest=not exc.blocked, notes=notes,
                           suggestions=exc.suggestions)
        return PlanResult(input=cleaned, planner=RULES, plan=plan, notes=tuple(notes))
