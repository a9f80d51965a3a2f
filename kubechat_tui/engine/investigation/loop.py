"""The investigation loop: the model calls read-only tools (its provider's tool calling, or
strict JSON replies: `conversation`), each checked (`calls`) and run through the read
path, until it answers; bounded by `ai.investigate_max_calls` (refused calls count too)
and `ai.investigate_seconds` (model turns and reads alike).

Every call that runs is audited by the read path (`read.submitted`, `read.step` per
cluster, a timeline entry); a refused call is audited here (`investigation.refused`), and
so is the end (`investigation.answered`: the sha256 of the answer, its citations, the
calls). The model's text is never executed: a call is data, rendered into a step by code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import time
from collections.abc import Callable, Sequence

from kubechat_tui.config.settings import AISettings
from kubechat_tui.domain import Plan, Step
from kubechat_tui.engine.diagnostics.path import ReadPath, ReadPlanError, ResultCallback
from kubechat_tui.engine.diagnostics.results import StepResult
from kubechat_tui.engine.investigation.calls import CallRefused, ToolCall, checked
from kubechat_tui.engine.investigation.conversation import (
    Conversation,
    JsonConversation,
    ToolConversation,
    Turn,
)
from kubechat_tui.engine.investigation.prompt import result_data
from kubechat_tui.engine.investigation.record import (
    CallRecord,
    Citation,
    Investigation,
    evidence_id,
)
from kubechat_tui.engine.trail import Trail
from kubechat_tui.planner.llm_reply import ReplyRejected
from kubechat_tui.planner.model_client import ModelClient
from kubechat_tui.planner.model_errors import OutOfTime, ProviderError
from kubechat_tui.planner.native_tools import ToolsUnsupported
from kubechat_tui.planner.providers import model_string
from kubechat_tui.planner.text import printable

REFUSED = "investigation.refused"
ANSWERED = "investigation.answered"
MAX_ANSWER_CHARS = 4000
CallCallback = Callable[[CallRecord], None]


def investigates(ai: AISettings, plan: Plan) -> bool:
    """True when a model planned `plan` and may call tools (a model is configured, it
    answered, and `ai.investigate_max_calls` allows calls)."""
    return ai.enabled and ai.investigate_max_calls > 0 and plan.planner.startswith("llm:")


class Investigator:
    """Runs investigations on the read path `reads` with the model of `ai`."""

    def __init__(self, reads: ReadPath, client: ModelClient, ai: AISettings) -> None:
        self.reads = reads
        self.client = client
        self.ai = ai
        self.model = model_string(ai)

    def run(self, plan: Plan, evidence: Sequence[StepResult],
            on_call: CallCallback | None = None,
            on_result: ResultCallback | None = None) -> Investigation:
        """Investigate `plan`'s question, the plan's results (`evidence`) in hand. Blocking;
        `on_call(record)` as each call is run or refused, `on_result(result)` as each of
        its results arrives. Never raises for the model's failures (`stopped` says)."""
        found = Investigation("iv-" + secrets.token_hex(5), self.model)
        trail = Trail(self.reads.audit, self.reads.operator, plan, found.id)
        known = {evidence_id(r): r for r in evidence}
        deadline = time.monotonic() + self.ai.investigate_seconds
        limit = self.ai.investigate_max_calls
        talk: Conversation = (ToolConversation(self.ai, plan, evidence, limit)
                              if self.client.native else JsonConversation(plan, evidence, limit))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                found.stopped = (f"the investigation's {self.ai.investigate_seconds:g} s "
                                 "ran out")
                break
            try:
                turn = talk.ask(self.client, left)
            except ToolsUnsupported as exc:
                if found.calls or isinstance(talk, JsonConversation):
                    found.stopped = f"the model failed: {exc}"
                    break
                found.notes.append(f"no tool calling ({exc}); asked for JSON replies")
                talk = JsonConversation(plan, evidence, limit)
                continue
            except OutOfTime as exc:
                found.stopped = (str(exc) if left > self.ai.timeout_seconds else "the model "
                                 "did not answer within the investigation's "
                                 f"{self.ai.investigate_seconds:g} s")
                break
            except (ProviderError, ReplyRejected) as exc:
                found.stopped = f"the model failed: {exc}"
                break
            if not turn.calls:
                if not (turn.answer or "").strip():
                    found.stopped = "the model failed: it neither called a tool nor answered"
                else:
                    self._answer(found, turn, known)
                break
            if len(found.calls) >= limit:
                found.stopped = f"the model asked for more than {limit} tool calls"
                break
            outputs = [self._call(plan, call, refused, found, trail, known, deadline,
                                  on_call, on_result) for call, refused in turn.calls]
            talk.tell(outputs, max(0, limit - len(found.calls)))
        trail.record(ANSWERED, {
            "model": self.model, "answer_sha256": _sha256(found.answer),
            "citations": [c.id for c in found.citations],
            "calls": [{"id": c.id, "status": c.status, "call": c.shown} for c in found.calls],
            "stopped": found.stopped}, "answered" if found.answer else "unanswered")
        return found

    def _call(self, plan: Plan, call: ToolCall, refused: str, found: Investigation,
              trail: Trail, known: dict[str, StepResult], deadline: float,
              on_call: CallCallback | None,
              on_result: ResultCallback | None) -> dict[str, object]:
        """Check one call (`refused`: why its arguments already are); run it or refuse it
        (audited, shown); what the model is told."""
        call_id = f"c{len(found.calls) + 1}"
        record = CallRecord(call_id, call.shown(), " ".join(printable(call.reason).split())[:200],
                            clusters=tuple(call.clusters[:5]) or plan.scope.clusters)
        found.calls.append(record)
        step: Step | CallRefused
        if len(found.calls) > self.ai.investigate_max_calls:
            step = CallRefused("budget", f"no tool calls left (at most "
                               f"{self.ai.investigate_max_calls})")
        elif refused:
            step = CallRefused("invalid", refused)
        else:
            step = checked(call, call_id, plan.scope)
        if isinstance(step, Step):
            record.kubectl, record.clusters = step.kubectl, step.clusters
            if on_call is not None:
                on_call(record)
            try:
                record.results = self._read(plan, step, deadline, on_result)
            except ReadPlanError as exc:
                step = CallRefused("invalid", str(exc))
            else:
                known.update((evidence_id(r), r) for r in record.results)
                return {"call": call_id, "results": [result_data(r) for r in record.results]}
        record.refused, record.refusal = step.reason, step.kind
        trail.record(REFUSED, {"call": call_id, "asked": record.shown, "kind": step.kind,
                               "reason": step.reason, "model": self.model}, "refused",
                     clusters=[c for c in call.clusters if c in plan.scope.clusters])
        if on_call is not None:
            on_call(record)
        return {"call": call_id, "refused": step.reason}

    def _read(self, plan: Plan, step: Step, deadline: float,
              on_result: ResultCallback | None) -> list[StepResult]:
        """The step on the read path, its clusters' deadline within what is left."""
        settings = self.reads.settings
        seconds = max(0.1, min(settings.kube.read_deadline_seconds,
                               deadline - time.monotonic()))
        kube = settings.kube.model_copy(update={"read_deadline_seconds": seconds})
        reads = dataclasses.replace(self.reads,
                                    settings=settings.model_copy(update={"kube": kube}))
        call_plan = Plan(input=plan.input, planner=f"investigation:{self.model}",
                         scope=plan.scope, steps=(step,))
        return reads.run(call_plan, on_result=on_result).results

    def _answer(self, found: Investigation, turn: Turn,
                known: dict[str, StepResult]) -> None:
        """The answer (printable, cut) and the citations that name evidence it was given."""
        found.answer = printable(turn.answer or "").strip()[:MAX_ANSWER_CHARS]
        for cited in dict.fromkeys(turn.citations[:50]):
            matches = [r for key, r in known.items() if cited in (key, key.split("@")[0])]
            if not matches:
                found.notes.append(f"cited {printable(cited)[:60]!r}: no such evidence; "
                                   "dropped")
            found.citations += [Citation(evidence_id(r), r.cluster, r.kubectl)
                                for r in matches]
        found.citations = list(dict.fromkeys(found.citations))


def _sha256(text: str | None) -> str | None:
    return hashlib.sha256(text.encode()).hexdigest() if text is not None else None
