"""Server-side dry run of every change: the predicted object, its diff and the outcome.

The executor's own code runs with a dry-run mutator behind the RBAC gate: every request of
the request plan goes out, the writes with `dryRun=All` and the same resourceVersion
precondition the real run will use, so a stale target or a refused request shows up
here, before anything changes. The rollback each change would need is generated too,
so the preview shows it next to the forward step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubechat_tui.engine.actions import StepInputError, perform
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.diff import unified_diff
from kubechat_tui.engine.snapshot import plan_undo
from kubechat_tui.kube.mutations import ApiRequester, MutationError, Mutator


@dataclass
class DryRunReport:
    """The dry run of a plan: `ok` when every change would succeed."""

    changes: list[Change]
    skipped: bool = False
    justification: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was refused (a skipped dry run is ok only with a justification)."""
        return not self.errors and (not self.skipped or bool(self.justification.strip()))

    def to_json(self) -> dict[str, Any]:
        """The audit payload: outcome and diff per change."""
        return {
            "skipped": self.skipped,
            "errors": self.errors,
            "changes": [{**c.to_json(), "diff": c.diff} for c in self.changes],
        }


def dry_run(api: ApiRequester, changes: list[Change]) -> DryRunReport:
    """Dry-run every observed change (all of them: the preview lists every refusal);
    `api` is the RBAC gate (`guard.request_gate.ReviewedRequests`)."""
    mutator = Mutator(api, dry_run=True)
    report = DryRunReport(changes)
    for index, change in enumerate(changes, start=1):
        if change.before is None:
            raise ValueError(f"{change.key}: dry run before the target was observed")
        try:
            result = perform(mutator, change.step, change.before)
        except (MutationError, StepInputError) as exc:
            change.error = str(exc)
            report.errors.append(f"{change.key}: {exc}")
            continue
        change.after = result.after
        change.outcome = result.outcome
        change.diff = unified_diff(change.before.object, result.after, change.target.label())
        undo = plan_undo(change.step, change.before, result.after, index)
        change.rollback, change.rollback_note = undo.step, undo.note
    return report
