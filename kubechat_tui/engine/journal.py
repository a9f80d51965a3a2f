"""An execution as the audit chain tells it: an intent before each change, its outcome after.

    intent_payload(index, total, change, snapshot_seq)   # the pipeline appends it, then sends
    run = ExecutionRun.read(log, execution_id)           # one execution's records
    run.interrupted                                       # intents, but no final outcome
    interrupted_executions(log)                           # every such execution
    verify_with_interrupted(log)      # `log.verify()` plus a warning per interrupted one

The pipeline appends `execution.intent` (what is about to be sent, the target, the
snapshot it is compared with, the rollback the dry run predicted) before the first request
of a change that may change a cluster, `execution.step` after it, and
`execution.succeeded`/`execution.failed` (with the rollback plan) at the end. An execution
with intents and no final record was interrupted (the process was killed, the machine
lost): its changes may have reached the clusters without any other trace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.changes import Change
from kubechat_tui.store.audit_model import AuditFilter, AuditRecord
from kubechat_tui.store.audit_verify import VerifyResult

FINAL = (stage.SUCCEEDED, stage.FAILED)


class AuditReader(Protocol):
    """What reading an execution back needs of `store.audit.AuditLog`."""

    def records(self, filters: AuditFilter | None = None) -> Iterator[AuditRecord]: ...


class VerifiableLog(AuditReader, Protocol):
    """An audit log that checks its chain (`store.audit.AuditLog`)."""

    def verify(self) -> VerifyResult: ...


def intent_payload(index: int, total: int, change: Change,
                   snapshot_seq: int | None) -> dict[str, Any]:
    """The `execution.intent` record of a change about to be sent. Request bodies are not
    repeated: they are in this execution's `targets.read` record."""
    t = change.target
    before = change.before
    return {
        "index": index, "total": total, "step": change.step.model_dump(mode="json"),
        "kubectl": change.step.kubectl,
        "target": {"cluster": t.cluster, "resource": t.info.plural, "namespace": t.namespace,
                   "name": t.name, "label": t.label()},
        "requests": [r.line() for r in change.requests if r.mutating],
        "snapshot": {"record": snapshot_seq,
                     "state_version": before.state_version if before else None,
                     "resource_version": before.resource_version if before else None},
        "rollback": change.rollback.kubectl if change.rollback else None,
        "rollback_note": change.rollback_note,
    }


@dataclass
class ExecutionRun:
    """The records of one execution that say what it sent and what came of it."""

    execution_id: str
    plan: Mapping[str, Any] | None = None  # the plan.submitted payload
    snapshot: Mapping[str, Any] | None = None  # the snapshot.captured payload
    intents: list[Mapping[str, Any]] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)  # change index -> step outcome
    final: AuditRecord | None = None
    started: datetime | None = None  # when the first intent was written

    @classmethod
    def read(cls, log: AuditReader, execution_id: str) -> ExecutionRun:
        """Every record of the execution (one query on its id)."""
        run = cls(execution_id)
        for record in log.records(AuditFilter(execution_ids=(execution_id,))):
            run.add(record)
        return run

    def add(self, record: AuditRecord) -> None:
        """Take in one record of this execution."""
        action, payload = record.event.action, record.event.payload
        if action == stage.PLAN:
            self.plan = payload
        elif action == stage.SNAPSHOT and record.event.outcome == "captured":
            self.snapshot = payload
        elif action == stage.INTENT:
            self.intents.append(payload)
            self.started = self.started or record.ts
        elif action == stage.STEP and isinstance(payload.get("index"), int):
            self.outcomes[payload["index"]] = record.event.outcome
        elif action in FINAL:
            self.final = record

    @property
    def interrupted(self) -> bool:
        """Changes were announced, and the execution never recorded how it ended."""
        return bool(self.intents) and self.final is None

    def unanswered(self) -> list[str]:
        """The targets of intents with no step outcome: sent, result unknown."""
        return [str((i.get("target") or {}).get("label")) for i in self.intents
                if i.get("index") not in self.outcomes]

    def snapshot_object(self, label: str) -> tuple[bool, Any]:
        """(found, object) of a target in the snapshot record (object None: absent)."""
        for item in (self.snapshot or {}).get("snapshots") or []:
            if isinstance(item, Mapping) and item.get("target") == label:
                return True, item.get("object")
        return False, None


@dataclass(frozen=True)
class Interrupted:
    """An execution with intents and no final record, and what became of it since."""

    execution_id: str
    started: datetime | None
    announced: int
    unanswered: tuple[str, ...]
    rolled_back_by: str | None = None

    def line(self) -> str:
        """The warning `audit verify` prints."""
        when = f" at {self.started.isoformat(timespec='seconds')}" if self.started else ""
        sent = (f"{len(self.unanswered)} of {self.announced} change(s) sent with no recorded "
                f"outcome ({', '.join(self.unanswered[:3])}"
                + (" …" if len(self.unanswered) > 3 else "") + ")"
                if self.unanswered else
                f"its {self.announced} change(s) recorded, its end never")
        then = (f"rolled back by {self.rolled_back_by}" if self.rolled_back_by else
                f"`kubechat rollback {self.execution_id}` reads the targets again and "
                "restores those it changed")
        return f"interrupted execution {self.execution_id}{when}: {sent}; {then}"


def interrupted_executions(log: AuditReader) -> list[Interrupted]:
    """Every interrupted execution of the log, oldest first."""
    runs: dict[str, ExecutionRun] = {}
    undone: dict[str, str] = {}  # execution id -> the succeeded rollback of it
    for record in log.records(AuditFilter(actions=(stage.INTENT, stage.STEP, *FINAL))):
        execution_id = record.event.links.execution_id
        if not execution_id:
            continue
        payload = record.event.payload
        if record.event.action == stage.SUCCEEDED and payload.get("rollback_of"):
            undone[str(payload["rollback_of"])] = execution_id
        if record.event.action == stage.INTENT or execution_id in runs:
            runs.setdefault(execution_id, ExecutionRun(execution_id)).add(record)
    return [Interrupted(run.execution_id, run.started, len(run.intents),
                        tuple(run.unanswered()), undone.get(run.execution_id))
            for run in runs.values() if run.interrupted]


def verify_with_interrupted(log: VerifiableLog) -> VerifyResult:
    """The chain's verification with one warning line per interrupted execution (not a
    break: the chain is intact, an execution's end is missing). A broken chain's records
    are not read back."""
    result = log.verify()
    if not result.ok:
        return result
    lines = tuple(found.line() for found in interrupted_executions(log))
    return replace(result, warnings=(*result.warnings, *lines))
