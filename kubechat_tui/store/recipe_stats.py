"""Recipe usage from the audit chain: runs, outcomes, median duration, last use.

    stats = recipe_stats(audit)      # name -> RecipeStats
    stats["scale-deployment"].runs, .done, .failed, .rolled_back, .median_seconds

A run is a plan a recipe made (planner `recipe:NAME`) that was submitted: a change
(`plan.submitted`) or, for a read-only recipe, its diagnostics (`read.submitted`). A
change is done or failed by its `execution.succeeded` / `execution.failed` record, and
rolled back when a later execution names it in `rollback_of`; its duration runs from the
submission to that outcome. Runs that stopped before executing (denied, waiting for
approval) count as runs only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter

SUBMITTED, READ = "plan.submitted", "read.submitted"
SUCCEEDED, FAILED = "execution.succeeded", "execution.failed"


@dataclass
class RecipeStats:
    """One recipe's usage."""

    name: str
    runs: int = 0
    done: int = 0
    failed: int = 0
    rolled_back: int = 0
    durations: list[float] = field(default_factory=list)
    last_used: str = ""
    last_by: str = ""

    @property
    def median_seconds(self) -> float | None:
        """The median time from submission to outcome of its executed runs."""
        return statistics.median(self.durations) if self.durations else None

    def to_dict(self) -> dict[str, object]:
        """The JSON form (`kubechat recipes stats --json`)."""
        return {"name": self.name, "runs": self.runs, "done": self.done,
                "failed": self.failed, "rolled_back": self.rolled_back,
                "median_seconds": self.median_seconds, "last_used": self.last_used,
                "last_by": self.last_by}


def recipe_stats(audit: AuditLog) -> dict[str, RecipeStats]:
    """Every recipe that ran, by name."""
    stats: dict[str, RecipeStats] = {}
    started: dict[str, tuple[RecipeStats, datetime]] = {}
    outcome: dict[str, str] = {}
    for record in audit.records(AuditFilter(actions=(SUBMITTED, READ, SUCCEEDED, FAILED))):
        event, run = record.event, record.event.links.execution_id or ""
        if event.action in (SUBMITTED, READ):
            plan = event.payload.get("plan") or {}
            planner = str(plan.get("planner", ""))
            mutating = any(s.get("mutating") for s in plan.get("steps", ()))
            if not planner.startswith("recipe:") or (event.action == READ and mutating) \
                    or event.outcome != "submitted":
                continue
            name = planner.removeprefix("recipe:")
            entry = stats.setdefault(name, RecipeStats(name))
            entry.runs += 1
            entry.last_used = record.ts.isoformat(timespec="seconds")
            entry.last_by = event.operator.os_user + (
                f" ({event.operator.kube_identity})" if event.operator.kube_identity else "")
            if event.action == READ:
                entry.done += 1
            else:
                started[run] = (entry, record.ts)
            continue
        undone = event.payload.get("rollback_of")
        if event.action == SUCCEEDED and undone in started and outcome.get(undone) == "done":
            started[undone][0].rolled_back += 1
            started[undone][0].done -= 1
            outcome[undone] = "rolled_back"
        if run in started and run not in outcome:
            entry, since = started[run]
            outcome[run] = "done" if event.action == SUCCEEDED else "failed"
            entry.done += event.action == SUCCEEDED
            entry.failed += event.action == FAILED
            entry.durations.append((record.ts - since).total_seconds())
    return stats
