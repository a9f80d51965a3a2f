"""The plan preview: steps with their rollback, RBAC and policy verdicts, dry-run diffs,
approval state; `ctrl+e` executes, `ctrl+o` previews the rollback of what ran and `ctrl+g`
breaks glass, each only after its confirmation dialog (`confirm_screen.py`); `p` checks
again (after an approval, say), `ctrl+s` archives the (edited) summary on the incident
timeline, escape leaves: a preview left without executing is audited as cancelled, and a
summary not archived yet is archived as edited. After a run the summary editor has focus,
so text typed then is summary text.

The screen never touches a cluster or the database itself: thread workers call the
engine pipeline and hand the results back with `call_from_thread`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar, Protocol

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from kubechat_tui.domain import Plan, Risk
from kubechat_tui.domain.visible_text import visible
from kubechat_tui.engine.approvals import MIN_JUSTIFICATION
from kubechat_tui.engine.diff import masked_text
from kubechat_tui.engine.execute import Progress
from kubechat_tui.engine.preview_text import progress_line, request_lines
from kubechat_tui.engine.run_state import Prepared, RunOptions, RunResult
from kubechat_tui.tui.bindings import PREVIEW_BINDINGS
from kubechat_tui.tui.confirmations import (
    break_glass_confirmation,
    execute_confirmation,
    rollback_confirmation,
)
from kubechat_tui.tui.plain_text import escaped, plain
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen

RISK_STYLE = {Risk.LOW: "green", Risk.MEDIUM: "yellow", Risk.HIGH: "bold red",
              Risk.CRITICAL: "bold white on red"}
STATUS_STYLE = {"done": "green", "previewed": "cyan", "needs_confirmation": "yellow",
                "awaiting_approval": "yellow", "denied": "bold red", "failed": "bold red"}


class PipelineLike(Protocol):
    """The slice of `engine.pipeline.Pipeline` the screen drives."""

    def prepare(self, plan: Plan, options: RunOptions | None = None) -> Prepared: ...
    def execute(self, prep: Prepared, confirmed: bool) -> RunResult: ...
    def archive_summary(self, result: RunResult, text: str, annotation: str = "") -> None: ...
    def cancel(self, prep: Prepared, reason: str = "closed without executing") -> None: ...


def steps_table(prep: Prepared) -> Table:
    """Every accepted step: risk, the kubectl line, and the rollback beside each change
    (the plan's text with its controls shown as escapes)."""
    table = Table(expand=True, box=None, header_style="bold", padding=(0, 1))
    table.add_column("STEP", no_wrap=True)
    table.add_column("RISK", no_wrap=True)
    table.add_column("FORWARD")
    table.add_column("ROLLBACK")
    undo: dict[str, list[str]] = {}
    for change in prep.changes:
        if change.rollback is not None:
            undo.setdefault(change.step.id, []).append(masked_text(change.rollback.kubectl))
    for step in prep.plan.steps:
        if not step.accepted:
            continue
        forward = Text("\n".join(prep.plan.kubectl_lines(step)))
        for warning in step.warnings:
            forward.append(f"\n⚠ {warning}", style="yellow")
        table.add_row(plain(step.id, lines=False), Text(step.risk.value, RISK_STYLE[step.risk]),
                      escaped(forward),
                      plain("\n".join(undo.get(step.id, [])) or ("-" if step.mutating else ""),
                            "dim"))
    return table


def checks_text(prep: Prepared) -> Text:
    """RBAC, policy (rule IDs, reasons, remediation) and approval state."""
    text = Text()
    for note in prep.plan.notes:
        text.append(f"Note: {note}\n", "yellow")
    if prep.rbac is not None:
        text.append(prep.rbac.summary() + "\n", "green" if prep.rbac.allowed else "bold red")
    if prep.policy is not None:
        p = prep.policy
        verdict = ("denied" if not p.allowed else
                   f"{p.required_approvals} approval(s) required" if p.required_approvals
                   else "allowed")
        version = f"v{p.policy_version} " if p.policy_version is not None else ""
        text.append(f"Policy {version}{p.policy_hash[:12]}: {verdict}", "bold red"
                    if not p.allowed
                    else "yellow" if p.required_approvals else "green")
        text.append(f"  {' '.join(p.rule_ids)}\n" if p.rule_ids else "\n")
        for reason in p.reasons:
            text.append(f"  {reason}\n")
    if prep.approval is not None:
        style = "green" if prep.approval.satisfied else "yellow"
        text.append(f"Approval: {prep.approval.state}: {prep.approval.reason}\n", style)
    for line in prep.remediation:
        text.append(f"Remediation: {line}\n", "cyan")
    if prep.dry_run is not None and prep.dry_run.skipped:
        text.append(f"Dry run SKIPPED: {prep.dry_run.justification}\n", "bold yellow")
    return text


def diff_renderable(prep: Prepared) -> RenderableType:
    """The dry-run diff of every object, coloured, with the expected outcome."""
    parts: list[Text] = []
    for change in prep.changes:
        head = Text(f"{change.key}\n", "bold")
        head.append(f"→ {change.outcome or change.error or 'not dry-run'}\n",
                    "red" if change.error else "cyan")
        for line in request_lines(change):
            head.append(f"  {line}\n", "dim")
        if change.rollback_note:
            head.append(f"rollback: {change.rollback_note}\n", "yellow")
        body = Text()
        for line in change.diff.splitlines():
            style = ("green" if line.startswith("+") else "red" if line.startswith("-")
                     else "magenta" if line.startswith("@@") else "")
            body.append(line + "\n", style)
        parts += [head, body]
    return Group(*map(escaped, parts)) if parts else Text("no object changes", "dim")


def glass_can_release(prep: Prepared) -> bool:
    """Policy denies the plan, or it waits for approvers: what a break-glass releases."""
    policy_denied = prep.policy is not None and not prep.policy.allowed
    return prep.status == "awaiting_approval" or (prep.status == "denied" and policy_denied)


class PreviewScreen(Screen[RunResult | None]):
    """Preview a plan, confirm, watch it run, edit the summary, roll it back."""

    BINDINGS: ClassVar[list[BindingType]] = list(PREVIEW_BINDINGS)
    DEFAULT_CSS = """
    PreviewScreen #preview-header { height: auto; padding: 0 1; background: $boost; }
    PreviewScreen #preview-body { height: 1fr; }
    PreviewScreen #preview-left { width: 1fr; padding: 0 1; }
    PreviewScreen #preview-diff { width: 1fr; padding: 0 1; border-left: vkey $accent; }
    PreviewScreen #preview-status { height: auto; padding: 0 1; }
    PreviewScreen #preview-summary { height: 12; display: none; }
    PreviewScreen #preview-summary.shown { display: block; }
    """

    def __init__(self, pipeline: PipelineLike, plan: Plan,
                 options: RunOptions | None = None) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.plan = plan  # as submitted: every check starts from it, so approvals match
        self.options = options or RunOptions()
        self.prepared: Prepared | None = None
        self.result: RunResult | None = None
        self.archived = False
        self.progress: list[str] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Static(plain(f"Plan: {self.plan.headline()}", "bold", lines=False),
                     id="preview-header")
        with Horizontal(id="preview-body"):
            with VerticalScroll(id="preview-left"):
                yield Static("", id="preview-steps")
                yield Static("", id="preview-checks")
                yield Static("", id="preview-progress")
            with VerticalScroll(id="preview-diff"):
                yield Static("", id="preview-diff-text")
        yield TextArea("", id="preview-summary")
        yield Static(Text("checking: RBAC, policy, dry run…", "yellow"), id="preview-status")
        yield Footer()

    def on_mount(self) -> None:
        self.busy = True
        self._prepare(None)

    # -- workers (threads) -----------------------------------------------------------
    @work(thread=True, exclusive=True, group="engine")
    def _prepare(self, superseded: Prepared | None, break_glass: str = "") -> None:
        options = replace(self.options, on_stage=self._stage_from_thread)
        if break_glass:  # this check only: a later `p` checks without the exception
            options = replace(options, break_glass=break_glass)
        try:
            if superseded is not None:
                self.pipeline.cancel(superseded, "superseded: checked again")
            prep = self.pipeline.prepare(self.plan, options)
        except Exception as exc:  # shown on the status line, never a traceback
            self.app.call_from_thread(self._show_error, exc)
            return
        self.app.call_from_thread(self.show_prepared, prep)

    @work(thread=True, exclusive=True, group="engine")
    def _execute(self, prep: Prepared) -> None:
        try:
            result = self.pipeline.execute(prep, confirmed=True)
        except Exception as exc:  # shown on the status line, never a traceback
            self.app.call_from_thread(self._show_error, exc)
            return
        self.app.call_from_thread(self.show_result, result)

    @work(thread=True, exclusive=True, group="engine")
    def _archive(self, result: RunResult, text: str) -> None:
        try:
            self.pipeline.archive_summary(result, text)
        except Exception as exc:  # shown on the status line, never a traceback
            self.app.call_from_thread(self._show_error, exc)
            return
        self.app.call_from_thread(self._archived)

    @work(thread=True, exclusive=True, group="engine")
    def _leave(self, prep: Prepared | None, summary: str | None) -> None:
        """Audit the cancellation or archive the summary, then close (whatever happens)."""
        try:
            if prep is not None:
                why = ("closed while waiting for approval; the request stays open"
                       if prep.status == "awaiting_approval" else "closed without executing")
                self.pipeline.cancel(prep, why)
            if summary is not None and self.result is not None:
                self.pipeline.archive_summary(self.result, summary)
        except Exception as exc:  # the user still leaves; the toast says what was lost
            line = visible(f"not recorded: {exc}".splitlines()[0], lines=False)
            self.app.call_from_thread(self.app.notify, line, severity="error", markup=False)
        self.app.call_from_thread(self.dismiss, self.result)

    def _stage_from_thread(self, what: str) -> None:
        self.app.call_from_thread(self._status, f"checking: {what}…", "yellow")

    # -- rendering (UI thread) -------------------------------------------------------
    def show_prepared(self, prep: Prepared) -> None:
        """Render the preview of a prepared plan."""
        self.busy = False
        self.prepared = prep
        header = Text(f"Plan {prep.plan.digest()[:12]}: {prep.plan.headline()}", "bold")
        header.append("   risk ")
        header.append(prep.plan.risk.value, RISK_STYLE[prep.plan.risk])
        header.append(f"   execution {prep.execution_id}", "dim")
        if prep.plan.input != prep.plan.headline():
            header.append(f"\nasked as: {prep.plan.input}", "italic")
        self.query_one("#preview-header", Static).update(escaped(header))
        self.query_one("#preview-steps", Static).update(steps_table(prep))
        self.query_one("#preview-checks", Static).update(escaped(checks_text(prep)))
        self.query_one("#preview-diff-text", Static).update(diff_renderable(prep))
        hint = {"needs_confirmation": "ctrl+e to execute these changes (asks to confirm), "
                                      "escape to cancel",
                "awaiting_approval": "ask another person to approve it (:approvals in their "
                                     "kubechat, or `kubechat approvals approve ID`), then "
                                     "press p to check again",
                "denied": "see the remediation above; escape to close",
                "failed": "press p to check again, escape to close"}
        message = prep.message + (f" — {hint[prep.status]}" if prep.status in hint else "")
        if glass_can_release(prep):
            message += " (in an emergency: ctrl+g breaks glass, a recorded policy exception)"
        self._status(f"{prep.status}: {message}", STATUS_STYLE.get(prep.status, ""))

    def on_progress(self, event: Progress) -> None:
        """Append one progress line (called on the UI thread)."""
        self.progress.append(progress_line(event))
        self.query_one("#preview-progress", Static).update(plain("\n".join(self.progress)))

    def show_result(self, result: RunResult) -> None:
        """Render the outcome and open the summary for editing."""
        self.busy = False
        self.result = result
        self.query_one("#preview-checks", Static).update(escaped(checks_text(result.prepared)))
        extra = "; ctrl+o: preview the rollback" if result.rollback is not None else ""
        self._status(f"{result.status}: {result.message}{extra}",
                     STATUS_STYLE.get(result.status, ""))
        if result.summary is not None:
            editor = self.query_one("#preview-summary", TextArea)
            editor.text = visible(result.summary.text)  # a model may have written it
            editor.add_class("shown")
            editor.border_title = ("summary — type to edit, ctrl+s (or escape) archives it "
                                   "on the incident timeline")
            editor.move_cursor(editor.document.end)
            self.set_focus(editor)  # what is typed now is summary text, never a key

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#preview-status", Static).update(plain(text, style))

    def _show_error(self, exc: Exception) -> None:
        self.busy = False
        self._status(f"error: {exc}".splitlines()[0], "bold red")

    def _archived(self) -> None:
        self.archived = True
        self._status("summary archived on the incident timeline", "green")

    # -- actions ---------------------------------------------------------------------
    def action_confirm(self) -> None:
        """Ask for the confirmation of a ready, unexecuted plan (then execute it)."""
        prep = self.prepared
        if self.busy or prep is None or self.result is not None:
            return
        if prep.status != "needs_confirmation":
            self._status(f"cannot execute: {prep.status}: {prep.message}", "bold red")
            return
        self.app.push_screen(ConfirmScreen(execute_confirmation(prep)),
                             lambda answer: self._execute_confirmed(prep, answer))

    def _execute_confirmed(self, prep: Prepared, answer: str | None) -> None:
        if answer is None:
            self._status("not executed: the confirmation was cancelled", "yellow")
            return
        self.busy = True
        self._status("executing…", "yellow")
        prep.options = replace(prep.options, on_progress=self._progress_from_thread)
        self._execute(prep)

    def _progress_from_thread(self, event: Progress) -> None:
        self.app.call_from_thread(self.on_progress, event)

    def action_recheck(self) -> None:
        """Run every check again (after an approval, a fix, or drift); this preview's
        execution id is audited as superseded."""
        self._check_again()

    def _check_again(self, break_glass: str = "") -> None:
        if self.busy or self.result is not None:
            return
        self.busy = True
        self._status("checking again: RBAC, policy, dry run…", "yellow")
        superseded, self.prepared = self.prepared, None
        self._prepare(superseded, break_glass)

    def action_rollback(self) -> None:
        """Once confirmed, preview the generated rollback of what just ran (through the same
        pipeline, whose checks may request an approval)."""
        result = self.result
        if self.busy or result is None or result.rollback is None:
            self._status("nothing to roll back yet", "yellow")
            return
        plan, execution_id = result.rollback, result.execution_id
        self.app.push_screen(ConfirmScreen(rollback_confirmation(execution_id, plan)),
                             lambda answer: self._rollback_confirmed(plan, execution_id, answer))

    def _rollback_confirmed(self, plan: Plan, execution_id: str, answer: str | None) -> None:
        if answer is None:
            self._status("rollback not opened: the confirmation was cancelled", "yellow")
            return
        self.app.push_screen(PreviewScreen(self.pipeline, plan,
                                           RunOptions(rollback_of=execution_id)),
                             self._rollback_closed)

    def _rollback_closed(self, result: RunResult | None) -> None:
        if result is None:
            self._status("rollback not executed", "yellow")
        else:
            self._status(f"rollback {result.execution_id}: {result.status}: {result.message}",
                         STATUS_STYLE.get(result.status, ""))

    def action_break_glass(self) -> None:
        """Once confirmed with a written justification, check the plan again as a policy
        exception (recorded loudly); executing it still needs its own confirmation."""
        prep = self.prepared
        if self.busy or prep is None or self.result is not None:
            return
        if not glass_can_release(prep):
            self._status("break-glass only releases a plan that policy denies or that waits "
                         "for approval", "yellow")
            return
        self.app.push_screen(ConfirmScreen(break_glass_confirmation(prep, MIN_JUSTIFICATION)),
                             self._break_glass_confirmed)

    def _break_glass_confirmed(self, justification: str | None) -> None:
        if justification is None:
            self._status("no break-glass: the confirmation was cancelled", "yellow")
            return
        self._check_again(break_glass=justification)

    def action_archive(self) -> None:
        """Archive the summary as edited."""
        if self.busy or self.result is None or self.result.summary is None:
            return
        self._archive(self.result, self.query_one("#preview-summary", TextArea).text)

    def action_close(self) -> None:
        """Leave the preview (the run's result goes back to whoever opened it)."""
        if self.busy:
            self._status("still working: wait for this step to finish", "yellow")
            return
        unexecuted = self.prepared if self.result is None else None
        summary = None
        if self.result is not None and self.result.summary is not None and not self.archived:
            summary = self.query_one("#preview-summary", TextArea).text
        if unexecuted is None and summary is None:
            self.dismiss(self.result)
            return
        self.busy = True
        self._leave(unexecuted, summary)
