"""Pure parts of the console's engine wiring: planner labels, the engine slot, the new
commands, help and keymap entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import PlanResult
from kubechat_tui.planner.providers import ProviderHealth
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.tui import planner_status
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.bindings import binding_ids, unknown_keymap_ids
from kubechat_tui.tui.commands import Command, CommandError, parse_command
from kubechat_tui.tui.engine_slot import EngineClosed, EngineSlot
from kubechat_tui.tui.screens.approvals_screen import ApprovalsScreen
from kubechat_tui.tui.screens.audit_screen import AuditScreen
from kubechat_tui.tui.screens.help_screen import help_table
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.guard.helpers import approval_env, seen_as
from tests.tui.helpers import SIZE, rich_text, wait_for

MODEL = "ollama/llama3.1"


def result(planner: str, fallback: str | None = None) -> PlanResult:
    return PlanResult(input="x", planner=planner, fallback=fallback)


def test_planner_labels() -> None:
    assert planner_status.from_health(False, ProviderHealth(MODEL, False, "off")).text == \
        "planner: rules"
    ok = planner_status.from_health(True, ProviderHealth(MODEL, True, "answered 200"))
    assert (ok.text, ok.healthy) == (f"llm:{MODEL} ok", True)
    down = planner_status.from_health(True, ProviderHealth(MODEL, False, "refused"))
    assert (down.text, down.healthy) == (f"llm:{MODEL} unreachable → rules", False)
    assert planner_status.checking(MODEL).text == f"llm:{MODEL} checking…"


@pytest.mark.parametrize(("fallback", "label"), [
    (f"llm provider {MODEL} unreachable (refused): planned with rules", "unreachable"),
    (f"llm provider {MODEL} failed (Timeout: timed out): planned with rules", "failed"),
    (f"llm provider {MODEL} failed recently (x unreachable): planned with rules", "failed"),
    (f"llm provider {MODEL} reply rejected (verb 'exec'): planned with rules",
     "reply rejected"),
    (f"llm provider {MODEL} declined (unsafe): planned with rules", "declined"),
])
def test_a_fallback_names_why(fallback: str, label: str) -> None:
    ok = planner_status.PlannerStatus(f"llm:{MODEL} ok")
    after = planner_status.from_result(True, MODEL, result("rules", fallback), ok)
    assert after.text == f"llm:{MODEL} {label} → rules" and not after.healthy


def test_a_model_answer_is_ok_and_a_rules_refusal_changes_nothing() -> None:
    down = planner_status.PlannerStatus(f"llm:{MODEL} unreachable → rules", healthy=False)
    assert planner_status.from_result(True, MODEL, result(f"llm:{MODEL}"), down).healthy
    assert planner_status.from_result(True, MODEL, result("rules"), down) is down
    assert planner_status.from_result(False, MODEL, result("rules"), down) is \
        planner_status.RULES


class FakeHandle:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_engine_slot_opens_once_retries_failures_and_closes_once() -> None:
    handles: list[FakeHandle] = []
    attempts: list[int] = []

    def opener() -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk full")
        handles.append(FakeHandle())
        return handles[-1]

    slot = EngineSlot(opener)
    assert slot.handle is None
    with pytest.raises(OSError):
        slot.get()
    first = slot.get()
    assert slot.get() is first and slot.handle is first and len(attempts) == 2
    slot.close()
    slot.close()
    assert handles[0].closed == 1 and slot.handle is None
    with pytest.raises(EngineClosed):
        slot.get()


def test_new_commands_parse() -> None:
    assert parse_command(":approvals") == Command("approvals")
    assert parse_command("audit") == Command("audit")
    assert parse_command(":rollback ex-1a2b3c4d5e") == Command("rollback", "ex-1a2b3c4d5e")
    assert parse_command(":rollback") == Command("rollback", "")
    for bad in (":audit now", ":rollback a b"):
        with pytest.raises(CommandError):
            parse_command(bad)


def test_help_lists_the_engine_keys_and_commands() -> None:
    text = rich_text(help_table({"main.approvals": "f2"}), width=140)
    for expected in ("Approvals", "Audit log", "Plan preview", "Check again", "Execute",
                     "Archive summary", "Approvals screen", "Audit screen", ":approvals",
                     ":audit", ":rollback [EXECUTION_ID]", "f2"):
        assert expected in text, expected
    assert {"main.approvals", "main.audit", "preview.recheck", "approvals.approve",
            "audit.verify"} <= binding_ids()
    assert unknown_keymap_ids({"preview.nope": "x", "preview.confirm": "Y"}) == ["preview.nope"]


async def test_approvals_and_audit_keys_are_rebindable(
        make_console: Callable[..., KubechatApp], tmp_path: Path) -> None:
    audit_logs: list[Any] = []

    class Handle:  # what the screens need of an open engine
        def __init__(self) -> None:
            flow, audit, self.db = approval_env(tmp_path)
            self.audit = audit
            self.pipeline = SimpleNamespace(approvals=flow, operator=Operator("alice"),
                                            fleet=seen_as(Operator("alice")))
            audit_logs.append(audit)

        def close(self) -> None:
            self.db.close()

    slot = EngineSlot(Handle)  # type: ignore[arg-type]
    app = make_console(Settings(keymap={"main.approvals": "f2"}), engine=slot)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # rebound: no longer the approvals key
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalsScreen), what="f2")
        await pilot.press("escape")
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen), what="L")
        assert app.screen.audit is audit_logs[0]
    slot.close()


async def test_without_an_engine_the_keys_say_so(
        make_console: Callable[..., KubechatApp]) -> None:
    app = make_console()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        bar = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: "not available in this console" in bar.message,
                       what="the audit action")


async def test_a_read_only_plan_without_an_engine_says_it_cannot_run(
        make_console: Callable[..., KubechatApp]) -> None:
    settings = Settings(ai=AISettings(enabled=False))
    app = make_console(settings, planner=PlannerService(settings, None))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        app.screen.query_one(ChatInput).insert_text_at_cursor("show events in payments")
        await pilot.press("enter")
        thread = app.screen.query_one(ChatPane).thread
        await wait_for(pilot, lambda: bool(thread.query(PlanView))
                       and thread.query_one(PlanView).has_focus, what="the plan")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "cannot run the diagnostics: guarded execution is not "
                       "available" in rich_text(thread.children[-1].content), what="the notice")
