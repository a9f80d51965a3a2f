"""Untrusted text in the console: never parsed as markup, never written to the terminal raw.

Every screen is checked twice: the widget shows the text literally (markup as typed,
controls as `\\u001b`-style escapes), and no ESC byte is in what the app would write to
the terminal (`screen_text`).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Risk, Step, Verb
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy
from kubechat_tui.kube.types import DataState, LoadProgress
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import Signer
from kubechat_tui.tui.messages import ObjectKey
from kubechat_tui.tui.plain_text import escaped
from kubechat_tui.tui.screens.approvals_screen import ApprovalsScreen
from kubechat_tui.tui.screens.audit_screen import AuditScreen
from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.detail_pane import DetailPane
from kubechat_tui.tui.widgets.log_panel import LogPanel
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.resource_table import ResourceTable
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.e2e.preview_fixtures import ScriptedPipeline, prepared
from tests.guard.helpers import approval_env, plan_of, scale_step, seen_as
from tests.planner.llm_stub import LLMStub, Scripted
from tests.store.helpers import sample_event
from tests.tui.conftest import CLUSTER_SETS, incident_now
from tests.tui.helpers import SIZE, rich_text, screen_text, wait_for

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before anything imports litellm

MARKUP = ["[bold]bold?", "[/]", "[link=https://evil.example]link[/link]",
          "[@click=app.quit]quit", "a]b[c[", "[/b]", "[$accent]var", "[B]x"]
ESCAPES = "\x1b[2J\x1b[31mALL CLEAR\x1b]0;pwned\x07"
# Rich drops BEL (and BS, VT, FF, CR) from any Text it builds, so in styled text the
# title sequence ends without its BEL; `plain` text shows it as \u0007.
SHOWN_ESCAPES = "\\u001b[2J\\u001b[31mALL CLEAR\\u001b]0;pwned"
HIDDEN = "ok\x1b[8m and delete everything\x1b[0m"
SHOWN_HIDDEN = "ok\\u001b[8m and delete everything\\u001b[0m"
NASTY = " ".join([*MARKUP, ESCAPES, "rtl\u202eusers"])


def static_text(app: App[Any], selector: str) -> str:
    """The plain text of what a Static was given (rendered wide, so nothing wraps)."""
    return rich_text(app.screen.query_one(selector, Static).content, width=400)


def assert_no_raw_controls(app: App[Any]) -> None:
    """The app is still up and nothing it would draw holds ESC, BEL or a bidi override."""
    assert app.return_code is None, "the console exited"
    drawn = screen_text(app)
    assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(drawn), repr(drawn)


# --- audit screen ---------------------------------------------------------------------


class AuditHost(App[None]):
    def __init__(self, log: AuditLog) -> None:
        super().__init__()
        self.audit_log = log

    def on_mount(self) -> None:
        self.push_screen(AuditScreen(self.audit_log))


async def test_audit_records_with_markup_and_escapes_are_shown_literally(
        tmp_path: Path) -> None:
    db = open_database(tmp_path / "kubechat.db", synchronous="NORMAL")
    log = AuditLog(db, Signer.generate())
    texts = [*MARKUP, ESCAPES, HIDDEN]
    for i, text in enumerate(texts):
        log.append(replace(sample_event(i), justification=text, payload={"note": text},
                           operator=Operator(f"user{text}", text)))
    app = AuditHost(log)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(texts)
        for row in reversed(range(len(texts))):  # the cursor starts on the newest record
            table.move_cursor(row=row)
            await pilot.pause()
            detail = static_text(app, "#audit-record")
            expected = json.dumps(texts[row])  # the record's JSON, as it is stored
            assert f'"justification": {expected}' in detail
            cells = [rich_text(c, width=400) for c in table.get_row_at(row)]
            assert any(texts[row] in cell or expected[1:-1] in cell for cell in cells)
            assert_no_raw_controls(app)
        assert isinstance(app.screen, AuditScreen)
    db.close()


# --- approvals screen -----------------------------------------------------------------


class ApprovalsHost(App[None]):
    def __init__(self, flow: Any) -> None:
        super().__init__()
        self.flow = flow

    def on_mount(self) -> None:
        bob = Operator("bob", "sre-lead")
        self.push_screen(ApprovalsScreen(self.flow, bob, seen_as(bob)))


def hidden_plan() -> Plan:
    """A plan whose request, reasons and a skipped step hide text behind control codes."""
    skipped = Step(id="s1", verb=Verb.DESCRIBE, resource="deployments", namespace="payments",
                   name="payments-api", clusters=("prod-eu",), accepted=False,
                   reason=f"[/] look {ESCAPES}",
                   kubectl="kubectl describe deployment payments-api -n payments")
    change = scale_step(5, step_id="s2").model_copy(update={"reason": HIDDEN})
    return plan_of(skipped, change, text=f"scale payments-api [/] {HIDDEN}")


async def test_the_approver_sees_every_step_and_the_hidden_text(tmp_path: Path) -> None:
    flow, _, db = approval_env(tmp_path)
    plan = hidden_plan()
    decision = load_configured_policy(Settings()).evaluate(plan, PolicyContext())
    flow.request(plan, decision, {}, Operator("alice", "admin"),
                 diff=f"-  replicas: 3\n+  replicas: 5 {HIDDEN}")
    app = ApprovalsHost(flow)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = static_text(app, "#approvals-text")
        assert f"asked as scale payments-api [/] {SHOWN_HIDDEN}" in detail
        assert "s1 [low] read (skipped)" in detail and f"[/] look {SHOWN_ESCAPES}" in detail
        assert "$ kubectl --context prod-eu describe deployment payments-api" in detail
        assert f"s2 [medium] change  {SHOWN_HIDDEN}" in detail
        assert "$ kubectl --context prod-eu scale deployment payments-api" in detail
        assert f"+  replicas: 5 {SHOWN_HIDDEN}" in detail
        title = rich_text(app.screen.query_one(DataTable).get_row_at(0)[-1], width=400)
        assert title.startswith("scale deployment payments-api")  # what runs, not the words
        assert_no_raw_controls(app)
    db.close()


# --- plan preview ---------------------------------------------------------------------


class PreviewHost(App[None]):
    def __init__(self, pipeline: ScriptedPipeline) -> None:
        super().__init__()
        self.pipeline = pipeline

    def on_mount(self) -> None:
        self.push_screen(PreviewScreen(self.pipeline, self.pipeline.preview.plan))


async def test_the_preview_shows_a_plan_files_text_literally() -> None:
    base = prepared()
    steps = list(base.plan.steps)
    steps[1] = steps[1].model_copy(update={"warnings": (NASTY,), "reason": HIDDEN})
    plan = base.plan.model_copy(update={"input": f"scale [/] {HIDDEN}", "steps": tuple(steps)})
    change = replace(base.changes[0], diff=f"-  replicas: 3\n+  replicas: 5 {ESCAPES}")
    policy = replace(base.policy, reasons=(f"KC-APPROVE-001: [/] {ESCAPES}",))
    preview = replace(base, plan=plan, changes=[change], policy=policy,
                      remediation=[f"ask [@click=app.quit]someone {ESCAPES}"],
                      message=f"ready {ESCAPES}")
    app = PreviewHost(ScriptedPipeline(preview))
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "prepared", None) is not None,
                       what="the preview")
        await pilot.pause()
        assert f"asked as: scale [/] {SHOWN_HIDDEN}" in static_text(app, "#preview-header")
        steps_text = static_text(app, "#preview-steps")
        assert "[@click=app.quit]quit" in steps_text and "ALL CLEAR" in steps_text
        checks = static_text(app, "#preview-checks")
        assert f"[/] {SHOWN_ESCAPES}" in checks and "ask [@click=app.quit]someone" in checks
        assert SHOWN_ESCAPES in static_text(app, "#preview-diff-text")
        assert f"ready {SHOWN_ESCAPES}" in static_text(app, "#preview-status")
        assert_no_raw_controls(app)


# --- panes of the main screen ---------------------------------------------------------


class PanesHost(App[None]):
    """The main screen's panes, fed text a cluster (or a model) could send."""

    def compose(self) -> ComposeResult:
        yield ResourceTable(incident_now, id="table")
        yield DetailPane(id="detail")
        yield LogPanel(id="logs")
        yield StatusBar(id="status")


async def test_cluster_text_in_the_panes_is_shown_literally() -> None:
    app = PanesHost()
    async with app.run_test(size=(200, 50)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_kind(("CLUSTER", "NAMESPACE", "NAME", "MESSAGE"), frozenset())
        table.set_rows([("prod-eu", "payments", "api-1", f"crash {ESCAPES}")])
        key = ObjectKey(f"prod-eu{ESCAPES}", "pods", "payments", "api-1[/]")
        events = [{"type": "Warning", "reason": "BackOff[/]", "message": ESCAPES}]
        app.query_one(DetailPane).show_object(key, "describe", f"Name: api-1\n{HIDDEN}",
                                              events, incident_now())
        app.query_one(LogPanel).show_lines(f"prod-eu/api-1 {ESCAPES}",
                                           [f"line {ESCAPES}", "[/] plain"])
        status = app.query_one(StatusBar)
        status.show_summary("pods", 1, 1, "", "", {
            "prod-eu": LoadProgress("prod-eu", error=f"bad [/] {ESCAPES}",
                                    state=DataState.FAILED)})
        await pilot.pause()
        drawn = screen_text(app)
        assert f"crash {SHOWN_ESCAPES}"[:40] in drawn  # the cell, cut to its column
        assert SHOWN_HIDDEN in drawn and "BackOff[/]" in drawn
        assert f"line {SHOWN_ESCAPES}" in drawn and "[/] plain" in drawn
        assert f"bad [/] {SHOWN_ESCAPES}" in drawn
        assert f"describe · prod-eu{SHOWN_ESCAPES}\\u0007/api-1[/]" in drawn  # the title
        status.show_error(f"unknown command [/] {ESCAPES}")
        await pilot.pause()
        assert f"unknown command [/] {SHOWN_ESCAPES}" in screen_text(app)
        assert_no_raw_controls(app)


class PlanHost(App[None]):
    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        yield PlanView(self.plan, lambda plan, edits: plan)


async def test_a_plan_and_an_edit_error_are_shown_literally() -> None:
    step = scale_step(5).model_copy(update={
        "reason": f"[/] {ESCAPES}", "warnings": (HIDDEN,), "risk": Risk.HIGH})
    plan = plan_of(step).model_copy(update={"notes": (f"[@click=app.quit]note {ESCAPES}",)})
    app = PlanHost(plan)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        view = app.query_one(PlanView)
        assert f"[/] {SHOWN_ESCAPES}" in static_text(app, "#plan-steps")
        assert SHOWN_HIDDEN in static_text(app, "#plan-steps")
        assert "[@click=app.quit]note" in static_text(app, "#plan-header")
        view.focus()
        await pilot.press("e")
        view.query_one("#plan-edit").value = "[/b]"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert "expected key=value, got '[/b]'" in static_text(app, "#plan-status")
        assert_no_raw_controls(app)


# --- a model's reply in the chat ------------------------------------------------------


async def test_a_models_refusal_and_reasons_are_shown_literally(make_console: Any) -> None:
    stub = LLMStub()
    stub.start()
    try:
        stub.script(Scripted(json.dumps({"refusal": NASTY, "steps": []})),
                    Scripted(json.dumps({"steps": [
                        {"verb": "rollout restart", "resource": "deployments",
                         "name": "payments-api", "namespace": "payments",
                         "clusters": ["staging"], "reason": NASTY}]})))
        settings = Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(
            provider="ollama", model="llama3.1", api_base=stub.base_url, timeout_seconds=10))
        app = make_console(settings, planner=PlannerService(settings, None))
        async with app.run_test(size=SIZE) as pilot:
            chat = app.screen.query_one(ChatPane)
            for count in (1, 2):
                await pilot.press("i")
                app.screen.query_one(ChatInput).insert_text_at_cursor(
                    "restart deployment payments-api in staging")
                await pilot.press("enter")
                await wait_for(pilot, lambda n=count: len(chat.thread.query(PlanView)) == n,
                               timeout=60, what=f"plan {count}")
            lines = [rich_text(c.render(), width=400) for c in chat.thread.children
                     if isinstance(c, Static)]
            assert any("the model declined" in line and "[@click=app.quit]quit" in line
                       and "[/]" in line and "ALL CLEAR" in line for line in lines), lines
            steps = rich_text(chat.thread.query(PlanView).last()
                              .query_one("#plan-steps", Static).render(), width=400)
            assert "[link=https://evil.example]link[/link]" in steps and "ALL CLEAR" in steps
            assert_no_raw_controls(app)
    finally:
        stub.stop()


def test_escaped_keeps_each_style_on_its_characters() -> None:
    text = Text("a")
    text.append("\x1b[8m", "red")
    text.append("b\u202e", "bold")
    shown = escaped(text)
    assert shown.plain == "a\\u001b[8mb\\u202e"
    assert [(shown.plain[s.start:s.end], s.style) for s in shown.spans] == [
        ("\\u001b[8m", "red"), ("b\\u202e", "bold")]
    assert escaped(Text("a\nb")).plain == "a\nb"
    assert escaped(Text("a\nb"), lines=False).plain == "a\\nb"
