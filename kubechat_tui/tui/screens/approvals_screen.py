"""The approvals screen: pending and recent requests, their plan, diff and risk, and
approve/reject with a comment. Every database call runs in a thread worker.

    app.push_screen(ApprovalsScreen(workflow, operator, api))  # api: the console's fleet

Keys: enter/arrows select, `ctrl+y` approve, `ctrl+x` reject (both take the comment box's
text, and act only once their confirmation dialog is confirmed), `c` focus the comment box,
`r` refresh, escape close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from kubechat_tui.domain import Plan
from kubechat_tui.engine.approval_status import ApprovalStatus
from kubechat_tui.engine.approvals import ApprovalError, ApprovalWorkflow, who
from kubechat_tui.guard.rbac import JsonRequester
from kubechat_tui.store.approvals import ApprovalRequest, Decision
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.tui.bindings import APPROVALS_BINDINGS
from kubechat_tui.tui.confirmations import decision_confirmation
from kubechat_tui.tui.plain_text import escaped, plain
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen

RISK_STYLE = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "bold red"}
DONE = {"approve": "approved", "reject": "rejected"}
STATE_STYLE = {"pending": "yellow", "approved": "green", "rejected": "red", "void": "dim",
               "executed": "dim", "break_glass": "bold red"}


@dataclass(frozen=True)
class RequestView:
    """One request with its derived state and decisions, read in a worker."""

    request: ApprovalRequest
    status: ApprovalStatus
    decisions: tuple[Decision, ...]


def load_views(flow: ApprovalWorkflow, limit: int = 100) -> list[RequestView]:
    """Every recent request with its state (blocking: call from a worker)."""
    return [RequestView(r, flow.describe(r.id), tuple(flow.store.decisions(r.id)))
            for r in flow.store.requests(limit=limit)]


def detail_text(view: RequestView) -> Text:
    """The plan (the request, then every step, skipped ones too, with its reason and full
    kubectl lines), risk, requester, reasons, diff and decisions of one request; controls
    in any of it (text hidden by `ESC[8m`, say) are shown as escapes."""
    req, status = view.request, view.status
    text = Text()
    text.append(f"{req.id}  ", "bold")
    text.append(status.state.upper(), STATE_STYLE.get(status.state, ""))
    text.append(f"  {status.reason}\n")
    text.append(f"{req.title}\n", "bold")
    text.append("risk ")
    text.append(req.risk.upper(), RISK_STYLE.get(req.risk, ""))
    text.append(f"   approvals {len(status.approvers)}/{req.required_approvals}"
                f"   requested by {who(req.requester)} at {req.created_at[:19]}\n")
    text.append(f"policy {req.policy_hash[:12]}  rules {', '.join(req.rule_ids) or '-'}\n\n")
    plan = Plan.model_validate_json(req.plan_json)
    text.append(f"asked as {plan.input}\n")
    text.append("steps\n", "underline")
    for step in plan.steps:
        text.append(f"  {step.id} ")
        text.append(f"[{step.risk.value}]", RISK_STYLE.get(step.risk.value, ""))
        text.append(f" {'change' if step.mutating else 'read'}")
        text.append("" if step.accepted else " (skipped)", "dim")
        text.append(f"  {step.reason}\n" if step.reason else "\n", "italic")
        for line in plan.kubectl_lines(step):
            text.append(f"    $ {line}\n", "" if step.accepted else "dim strike")
    if req.reasons:
        text.append("\nwhy\n", "underline")
        text.append("".join(f"  {r}\n" for r in req.reasons))
    if req.diff:
        text.append("\ndiff\n", "underline")
        for line in req.diff.splitlines():
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            text.append(f"  {line}\n", style)
    if view.decisions:
        text.append("\ndecisions\n", "underline")
        for d in view.decisions:
            text.append(f"  {d.at[:19]} {d.kind:<11} {who(d.actor)}"
                        + (f": {d.comment}" if d.comment else "") + "\n")
    return escaped(text)


class ApprovalsScreen(Screen[None]):
    """List on the left, the selected request on the right, a comment box below."""

    BINDINGS: ClassVar[list[BindingType]] = list(APPROVALS_BINDINGS)
    DEFAULT_CSS = """
    ApprovalsScreen #approvals-body { height: 1fr; }
    ApprovalsScreen #approvals-list { width: 60%; }
    ApprovalsScreen #approvals-detail { width: 40%; border-left: solid $accent; padding: 0 1; }
    ApprovalsScreen #approvals-comment { dock: bottom; }
    ApprovalsScreen #approvals-message { height: 1; padding: 0 1; }
    """

    def __init__(self, workflow: ApprovalWorkflow, operator: Operator,
                 api: JsonRequester) -> None:
        super().__init__()
        self.workflow = workflow
        self.operator = operator
        self.api = api  # the clusters, through this console's contexts (who approves)
        self.views: list[RequestView] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="approvals-body"):
                yield DataTable(id="approvals-list", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="approvals-detail"):
                    yield Static("loading approval requests...", id="approvals-text")
            yield Static("", id="approvals-message")
            yield Input(placeholder="comment for approve/reject (enter to go back to the list)",
                        id="approvals-comment")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "STATE", "RISK", "OK", "REQUESTER", "PLAN")
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        """Reload the list in a worker."""
        self.load()

    def action_comment(self) -> None:
        """Type a comment for the next decision."""
        self.query_one(Input).focus()

    def action_close(self) -> None:
        """Back to the previous screen."""
        self.app.pop_screen()

    def action_decide(self, kind: str) -> None:
        """Approve or reject the selected request with the comment box's text, once the
        confirmation dialog is confirmed."""
        view = self.selected()
        if view is None:
            self.show_message("no request selected", error=True)
            return
        request, comment = view.request, self.query_one(Input).value.strip()

        def answered(answer: str | None) -> None:
            if answer is None:
                self.show_message(f"not {DONE[kind]}: the confirmation was cancelled",
                                  error=True)
            else:
                self.decide(kind, request.id, comment)

        self.app.push_screen(ConfirmScreen(decision_confirmation(kind, request, comment)),
                             answered)

    def selected(self) -> RequestView | None:
        """The request under the cursor."""
        table = self.query_one(DataTable)
        if not self.views or table.cursor_row < 0 or table.cursor_row >= len(self.views):
            return None
        return self.views[table.cursor_row]

    @work(thread=True, exclusive=True, group="approvals-load")
    def load(self) -> None:
        """Read requests off the UI thread."""
        try:
            views = load_views(self.workflow)
        except Exception as exc:  # a locked or corrupt store must not crash the console
            self.app.call_from_thread(self.show_message, f"cannot read approvals: {exc}", True)
            return
        self.app.call_from_thread(self.show_views, views)

    @work(thread=True, exclusive=True, group="approvals-decide")
    def decide(self, kind: str, request_id: str, comment: str) -> None:
        """Record the decision off the UI thread, then reload."""
        try:
            if kind == "approve":
                status = self.workflow.approve(request_id, self.operator, comment,
                                               api=self.api)
            else:
                status = self.workflow.reject(request_id, self.operator, comment)
        except ApprovalError as exc:
            self.app.call_from_thread(self.show_message, f"refused: {exc}", True)
            return
        except Exception as exc:  # store errors: one line, the screen stays usable
            self.app.call_from_thread(self.show_message, f"error: {exc}", True)
            return
        self.app.call_from_thread(self.decided, f"{DONE[kind]} {request_id}: {status.reason}")

    def decided(self, message: str) -> None:
        """After a decision: clear the comment, say what happened, reload."""
        self.query_one(Input).value = ""
        self.show_message(message)
        self.load()

    def show_views(self, views: list[RequestView]) -> None:
        """Fill the table (keeping the cursor) and the detail pane."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.views = views
        table.clear()
        for view in views:
            req, status = view.request, view.status
            table.add_row(plain(req.id, lines=False),
                          Text(status.state, STATE_STYLE.get(status.state, "")),
                          plain(req.risk, RISK_STYLE.get(req.risk, ""), lines=False),
                          f"{len(status.approvers)}/{req.required_approvals}",
                          plain(req.requester.os_user, lines=False),
                          plain(req.title, lines=False)[:50], key=req.id)
        if views:
            table.move_cursor(row=min(max(row, 0), len(views) - 1))
        self.show_detail()

    def show_detail(self) -> None:
        """Render the selected request."""
        view = self.selected()
        body = self.query_one("#approvals-text", Static)
        body.update(detail_text(view) if view else "no approval requests")

    def show_message(self, message: str, error: bool = False) -> None:
        """One line under the list."""
        self.query_one("#approvals-message", Static).update(
            plain(message, "bold red" if error else "green", lines=False))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    @on(Input.Submitted)
    def _comment_done(self, _: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        """Letters typed into the comment box are text, not actions."""
        typing = isinstance(self.focused, Input)
        return not (typing and action in ("decide", "comment", "refresh"))
