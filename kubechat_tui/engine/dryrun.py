"""Server-side dry run of every change: the predicted object, its diff and the outcome.

The executor's own code runs with a dry-run mutator behind the RBAC gate: every request of
the request plan goes out, the writes with `dryRun=All` and the same resourceVersion
precondition the real run will use (the target read again just before, as the real run
does: a status update in between is no edit), so a target edited since it was read or a
refused request shows up here, before anything changes. The rollback each change would
need is generated too, so the preview shows it next to the forward step. A throttled
request is retried like in the real run (`kube.retry`), each retry shown as progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubechat_tui.engine.actions import StepInputError
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.diff import unified_diff
from kubechat_tui.engine.execute import Progress, ProgressCallback, perform_fresh, retrying
from kubechat_tui.engine.snapshot import plan_undo
from kubechat_tui.kube.mutations import ApiRequester, MutationError, Mutator
from kubechat_tui.kube.retry import NO_RETRY, ThrottleRetry


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


def dry_run(api: ApiRequester, changes: list[Change], retry: ThrottleRetry = NO_RETRY,
            on_progress: ProgressCallback | None = None) -> DryRunReport:
    """Dry-run every observed change (all of them: the preview lists every refusal);
    `api` is the RBAC gate (`guard.request_gate.ReviewedRequests`)."""
    report = DryRunReport(changes)
    for index, change in enumerate(changes, start=1):
        if change.before is None:
            raise ValueError(f"{change.key}: dry run before the target was observed")

        def show(line: str, i: int = index, c: Change = change) -> None:
            if on_progress is not None:
                on_progress(Progress(i, len(changes), c.step.id, c.target.cluster,
                                     c.target.label(), "running", line))
        mutator = Mutator(api, dry_run=True, retry=retrying(retry, show, "dry run: "))
        try:
            result = perform_fresh(mutator, change, change.before)
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
