"""PlanView: a plan in the chat pane — steps with kubectl line, scope, risk badge, affected
counts and warnings. Keys: ↑/↓ select a step, e edit its parameters (re-scored at once),
space accept/skip a diagnostic (the plan reorders), c copy the kubectl lines, enter submit.

Re-scoring goes through the injected `rescore(plan, edits)` callable in a thread worker
(a live view may query the fleet on a cache miss), so the UI never blocks.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from kubechat_tui.domain import ParamValue, Plan, PlanEdits, Risk, Step
from kubechat_tui.tui.clipboard import copy_text
from kubechat_tui.tui.plain_text import escaped, plain

Rescore = Callable[[Plan, PlanEdits], Plan]
RISK_STYLE = {Risk.LOW: "black on green", Risk.MEDIUM: "black on yellow",
              Risk.HIGH: "white on dark_orange3", Risk.CRITICAL: "bold white on red"}
EDITABLE_PARAMS = ("replicas", "image", "container", "tail_lines", "to_revision")

PLAN_BINDINGS: list[Binding] = [
    Binding("down,j", "move(1)", "Next step", id="plan.down", show=False),
    Binding("up,k", "move(-1)", "Previous step", id="plan.up", show=False),
    Binding("e", "edit", "Edit step", id="plan.edit"),
    Binding("space", "toggle_accept", "Accept/skip", id="plan.toggle"),
    Binding("c", "copy", "Copy kubectl", id="plan.copy"),
    Binding("enter", "submit", "Submit", id="plan.submit"),
    Binding("escape", "cancel_edit", "Cancel edit", id="plan.cancel_edit", show=False),
]


def risk_badge(risk: Risk) -> Text:
    """` HIGH ` in the risk's colours."""
    return Text(f" {risk.value.upper()} ", style=RISK_STYLE[risk])


def edit_prefill(step: Step) -> str:
    """The step's editable fields as `key=value` words for the edit input."""
    parts = [f"{k}={step.params[k]}" for k in EDITABLE_PARAMS if k in step.params]
    if step.namespace:
        parts.append(f"namespace={step.namespace}")
    if step.selector:
        parts.append(f"selector={step.selector}")
    if step.clusters:
        parts.append(f"clusters={','.join(step.clusters)}")
    return " ".join(shlex.quote(p) for p in parts)


def parse_edit(text: str) -> dict[str, ParamValue]:
    """`replicas=4 clusters=a,b` -> {"replicas": "4", "clusters": ["a", "b"]}; ValueError."""
    changes: dict[str, ParamValue] = {}
    for word in shlex.split(text):
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise ValueError(f"expected key=value, got {word!r}")
        changes[key] = [c for c in value.split(",") if c] if key == "clusters" else value
    return changes


class PlanView(Vertical, can_focus=True):
    """Shows a Plan; posts Changed after edits and SubmitRequested on enter."""

    BINDINGS: ClassVar[list[BindingType]] = list(PLAN_BINDINGS)
    DEFAULT_CSS = """
    PlanView { height: auto; border: round $primary-darken-2; padding: 0 1; }
    PlanView:focus-within { border: round $accent; }
    PlanView #plan-header, PlanView #plan-steps, PlanView #plan-status { height: auto; }
    PlanView #plan-edit { display: none; border: none; height: 1; }
    PlanView.editing #plan-edit { display: block; }
    PlanView #plan-status { color: $text-muted; }
    """

    class Changed(Message):
        """The plan was edited, or a diagnostic accepted/skipped."""

        def __init__(self, plan: Plan) -> None:
            super().__init__()
            self.plan = plan

    class SubmitRequested(Message):
        """The user wants to run the plan (the engine takes it from here)."""

        def __init__(self, plan: Plan) -> None:
            super().__init__()
            self.plan = plan

    def __init__(self, plan: Plan, rescore: Rescore, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan
        self.rescore = rescore
        self.selected = 0
        self.status = "↑↓ step · e edit · space accept/skip · c copy · enter submit"

    def compose(self) -> ComposeResult:
        yield Static(id="plan-header")
        yield Static(id="plan-steps")
        yield Input(id="plan-edit", placeholder="key=value … (enter apply, esc cancel)")
        yield Static(id="plan-status")

    def on_mount(self) -> None:
        self.refresh_plan()

    @property
    def current(self) -> Step | None:
        """The selected step."""
        return self.plan.steps[self.selected] if self.plan.steps else None

    def refresh_plan(self) -> None:
        """Re-render header, steps and status from `self.plan` (a model's or a plan file's
        text: its controls are shown as escapes)."""
        plan = self.plan
        header = Text.assemble(risk_badge(plan.risk), " ", (plan.planner, "bold"), "  ",
                               f"clusters: {', '.join(plan.scope.clusters) or 'current context'}"
                               f"  namespace: {plan.scope.namespace or 'all/default'}",
                               f"  approval: {'required' if plan.requires_approval else 'no'}")
        for note in plan.notes:
            header.append(f"\nnote: {note}", style="italic")
        self.query_one("#plan-header", Static).update(escaped(header))
        self.query_one("#plan-steps", Static).update(escaped(self._steps_text()))
        self.query_one("#plan-status", Static).update(plain(self.status, lines=False))

    def _steps_text(self) -> Text:
        text = Text()
        for index, step in enumerate(self.plan.steps):
            selected = index == self.selected
            marker = "▶ " if selected else "  "
            mark = "✓" if step.accepted else "·"
            line = Text(marker, style="bold" if selected else "")
            line.append(f"{mark} {step.id} ")
            line.append_text(risk_badge(step.risk))
            kind = "change" if step.mutating else "read"
            line.append(f" {kind} {step.verb.value} {step.resource}"
                        f"{'/' + step.name if step.name else ''}")
            if step.mutating:
                line.append(f"  affected={'?' if step.affected is None else step.affected}")
            if step.requires_approval:
                line.append("  APPROVAL", style="bold red")
            line.append(f"  {','.join(step.clusters) or 'current context'}", style="dim")
            if step.reason:
                line.append(f"  — {step.reason}", style="italic")
            line.stylize("reverse" if selected else "", 0, len(line))
            text.append_text(line)
            style = "dim strike" if not step.accepted else "cyan"
            text.append(f"\n     $ {step.kubectl}", style=style)
            extra = [f"{k}={v}" for k, v in step.params.items() if k != "restarted_at"]
            if extra:
                text.append(f"\n     params: {' · '.join(extra)}", style="dim")
            for warning in step.warnings:
                text.append(f"\n     ! {warning}", style="yellow")
            for dependency in step.dependencies:
                text.append(f"\n     - {dependency}", style="dim")
            text.append("\n")
        if not self.plan.steps:
            text.append("(no steps)")
        return text

    def action_move(self, delta: int) -> None:
        if self.plan.steps:
            self.selected = max(0, min(self.selected + delta, len(self.plan.steps) - 1))
            self.refresh_plan()

    def action_edit(self) -> None:
        step = self.current
        if step is None:
            return
        self.add_class("editing")
        edit = self.query_one("#plan-edit", Input)
        edit.value = edit_prefill(step)
        edit.focus()

    def action_toggle_accept(self) -> None:
        step = self.current
        if step is None or step.mutating:
            self._set_status("changes cannot be skipped; only diagnostics can")
            return
        self._rescore({step.id: {"accepted": not step.accepted}}, step.id)

    def action_copy(self) -> None:
        lines = [line for s in self.plan.steps if s.accepted for line in self.plan.kubectl_lines(s)]
        _, said = copy_text(self.app, "\n".join(lines), f"{len(lines)} kubectl line(s)")
        self._set_status(said)

    def action_submit(self) -> None:
        self.post_message(self.SubmitRequested(self.plan))

    @on(Input.Submitted, "#plan-edit")
    def _edit_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        step = self.current
        self._close_edit()
        if step is None:
            return
        try:
            changes = parse_edit(event.value)
        except ValueError as exc:
            self._set_status(f"edit: {exc}")
            return
        if changes:
            self._rescore({step.id: changes}, step.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """escape belongs to the screen unless an edit is open."""
        if action == "cancel_edit":
            return self.has_class("editing")
        return True

    def action_cancel_edit(self) -> None:
        self._close_edit()
        self._set_status("edit cancelled")

    def _close_edit(self) -> None:
        self.remove_class("editing")
        self.focus()

    @work(thread=True, exclusive=True, group="plan-rescore")
    def _rescore(self, edits: PlanEdits, step_id: str) -> None:
        try:
            plan = self.rescore(self.plan, edits)
        except ValueError as exc:
            self.app.call_from_thread(self._set_status, f"edit: {exc}")
            return
        if not get_current_worker().is_cancelled:  # a newer edit superseded this one
            self.app.call_from_thread(self._apply, plan, step_id)

    def _apply(self, plan: Plan, step_id: str) -> None:
        self.plan = plan
        ids = [s.id for s in plan.steps]
        self.selected = ids.index(step_id) if step_id in ids else 0
        self.status = f"re-scored: plan risk {plan.risk.value}"
        self.refresh_plan()
        self.post_message(self.Changed(plan))

    def _set_status(self, message: str) -> None:
        self.status = message
        self.query_one("#plan-status", Static).update(plain(message, lines=False))
