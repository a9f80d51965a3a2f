"""What each dangerous act asks before it runs: execute, roll back, approve, reject,
break-glass and exec open a dialog (`screens/confirm_screen.py`) that acts only when the one-time
code it shows is typed and enter pressed.

A code such as `k7m2` mixes letters and digits, so no word, sentence or paste typed by
accident equals it; it is new for every dialog, so no macro can carry it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubechat_tui.domain import Plan

if TYPE_CHECKING:  # the engine is imported when it is first opened (keeps startup fast)
    from kubechat_tui.engine.exec_guard import ExecPrepared
    from kubechat_tui.engine.run_state import Prepared
    from kubechat_tui.store.approvals import ApprovalRequest

CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # no i, l, o: nothing to confuse with 1 and 0
CODE_DIGITS = "23456789"
MAX_LINES = 6  # kubectl lines shown in a dialog; the preview behind it shows them all


def new_code() -> str:
    """A fresh code: letter, digit, letter, digit (`k7m2`)."""
    return "".join(secrets.choice(CODE_LETTERS) + secrets.choice(CODE_DIGITS)
                   for _ in range(2))


@dataclass(frozen=True)
class Confirmation:
    """One dialog: the act (in capitals), what it acts on, details, and the length of the
    written justification it needs (0: none)."""

    act: str
    subject: str
    details: tuple[str, ...] = ()
    justification_min: int = 0


def _kubectl_lines(plan: Plan) -> tuple[str, ...]:
    lines = [line for step in plan.steps if step.accepted and step.mutating
             for line in step.kubectl_lines()]
    extra = len(lines) - MAX_LINES
    return tuple(lines[:MAX_LINES]) + ((f"… and {extra} more",) if extra > 0 else ())


def _clusters(plan: Plan) -> str:
    names = sorted({c for s in plan.steps if s.accepted and s.mutating for c in s.clusters})
    return ", ".join(names) or "the current context"


def execute_confirmation(prep: Prepared) -> Confirmation:
    """Execute a checked plan."""
    plan = prep.plan
    return Confirmation(
        "EXECUTE", f"plan {plan.digest()[:12]}: {plan.input}",
        (f"{len(prep.changes)} change(s) on {_clusters(plan)}, risk {plan.risk.value}",
         *_kubectl_lines(plan)))


def rollback_confirmation(execution_id: str, plan: Plan) -> Confirmation:
    """Open the preview of an execution's rollback (its checks may ask for an approval)."""
    return Confirmation(
        "ROLL BACK", f"execution {execution_id}",
        ("its rollback is checked like any change (RBAC, policy, dry run; production "
         "asks for an approval), then executed only after its own confirmation",
         *_kubectl_lines(plan)))


def break_glass_confirmation(prep: Prepared, minimum: int) -> Confirmation:
    """Release a plan that policy denies or that waits for approvers, as a loudly
    flagged policy exception."""
    plan = prep.plan
    return Confirmation(
        "BREAK GLASS", f"plan {plan.digest()[:12]}: {plan.input}",
        (f"bypasses: {prep.status}: {prep.message}",
         "recorded as a POLICY EXCEPTION under your name, with your justification",
         *_kubectl_lines(plan)), justification_min=minimum)


def decision_confirmation(kind: str, request: ApprovalRequest, comment: str) -> Confirmation:
    """Approve or reject an approval request (`kind`: approve | reject)."""
    return Confirmation(
        kind.upper(), f"request {request.id}: {request.title}",
        (f"risk {request.risk}, requested by {request.requester.os_user}",
         f"comment: {comment}" if comment else "no comment (c types one)"))


def exec_confirmation(found: ExecPrepared) -> Confirmation:
    """Start an exec session: where, in which container, what command."""
    return Confirmation(
        "EXEC", f"session {found.session_id}: {found.command_line}",
        (*(f"{label}: {value}" for label, value in found.confirmation),
         "stdin and output are recorded (redacted) in a transcript linked from the audit"))
