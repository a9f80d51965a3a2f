"""No stray key or typed sentence executes, rolls back or breaks glass: each act's chord
only opens a dialog whose one-time code must be typed; after a run typed text is summary
text. The real confirmation still works, on the simulated fleet too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.widgets import TextArea

from kubechat_tui.engine import trail as stage
from kubechat_tui.guard.policy import load_policy
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.e2e.conftest import REQUESTER, World
from tests.e2e.preview_fixtures import ScriptedPipeline, prepared
from tests.e2e.test_console_flow import STAGING, command, console, submit
from tests.e2e.test_guards import FREEZE
from tests.e2e.test_preview_outcomes import Host
from tests.e2e.test_preview_screen import SIZE, PreviewApp, execute, ready, text_of
from tests.tui.helpers import burst, confirm, dialog, wait_for

__all__ = ["console"]  # the fixture, shared with the console flow tests
SENTENCE = "yes, approve it and roll back: y rollback execute"
# What a person might type, paste or fire from a macro where it does not belong.
STRAY = ["y", "enter", *"yes", "enter", *"approve", "enter", *"execute", "enter",
         *"rollback", "enter", *SENTENCE, "enter"]


async def test_stray_keys_and_words_never_execute() -> None:
    pipeline = ScriptedPipeline(prepared())
    app = PreviewApp(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        burst(app, *STRAY)  # `y` was the execute key
        await pilot.pause(0.2)
        assert app.screen is screen and pipeline.executed == []

        await pilot.press("ctrl+e")
        asked = await dialog(pilot)
        assert "EXECUTE" in str(asked.query_one("#confirm-text").render())
        burst(app, *STRAY)  # typed on into the dialog: never the code
        await wait_for(pilot, lambda: "not the code" in str(
            asked.query_one("#confirm-message").render()), what="the refusal")
        await pilot.pause(0.2)
        assert app.screen is asked and pipeline.executed == []
        await pilot.press("escape")
        assert app.screen is screen and pipeline.executed == []
        assert "confirmation was cancelled" in text_of(app, "#preview-status")

        await execute(pilot)  # the real confirmation
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
    assert pipeline.executed == [True]


async def test_after_a_run_typed_text_never_opens_a_rollback() -> None:
    pipeline = ScriptedPipeline(prepared())
    app = PreviewApp(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        editor = screen.query_one("#preview-summary", TextArea)
        await wait_for(pilot, lambda: editor.has_focus, what="the summary editor")
        burst(app, *"rollback yes y approve")
        await wait_for(pilot, lambda: editor.text.endswith("rollback yes y approve"),
                       what="summary text")
        burst(app, "tab", *STRAY, "tab", *STRAY, "shift+tab", *"rollback")
        await pilot.pause(0.3)
        assert app.screen is screen and not editor.has_focus
        assert [p.planner for p in pipeline.prepared_plans] == ["rules"]  # no rollback
        assert pipeline.executed == [True]

        screen.set_focus(editor)
        await pilot.press("ctrl+o")  # the chord reaches the screen from the editor
        asked = await dialog(pilot)
        burst(app, *"rollback", "enter")
        await pilot.pause(0.2)
        assert app.screen is asked
        await pilot.press("escape")
        assert "rollback not opened" in text_of(app, "#preview-status")
        assert [p.planner for p in pipeline.prepared_plans] == ["rules"]

        await pilot.press("ctrl+o")
        await confirm(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen)
                       and app.screen is not screen, what="the rollback preview")
        assert app.screen.options.rollback_of == "ex-0123456789"


async def test_break_glass_needs_a_justification_and_the_code(world: World,
                                                              tmp_path: Path) -> None:
    policy_file = tmp_path / "freeze.yaml"
    policy_file.write_text(FREEZE)
    pipeline = world.pipeline(REQUESTER, policy=load_policy(policy_file))
    app = Host(pipeline, world.plan("scale payments-api in prod-eu to 5"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert screen.prepared is not None and screen.prepared.status == "denied"
        assert "ctrl+g breaks glass" in text_of(app, "#preview-status")
        await pilot.press("ctrl+g")
        asked = await dialog(pilot)
        assert app.focused is asked.query_one("#confirm-justification")
        burst(app, *"yes", "enter", *asked.code, "enter")  # too short: refused
        await wait_for(pilot, lambda: "at least 15 characters" in str(
            asked.query_one("#confirm-message").render()), what="the refusal")
        assert app.screen is asked and "approval.break_glass" not in world.actions()
        await pilot.press("escape")
        assert "no break-glass" in text_of(app, "#preview-status")

        await pilot.press("ctrl+g")
        await confirm(pilot, justification="checkout down INC-4711, freeze exception agreed")
        await wait_for(pilot, lambda: screen.prepared is not None and not screen.busy,
                       timeout=30, what="the check as an exception")
        assert screen.prepared is not None
        assert screen.prepared.status == "needs_confirmation", screen.prepared.message
        assert world.actions().count("approval.break_glass") == 1
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, timeout=30,
                       what="the execution")
        assert screen.result is not None and screen.result.status == "done"
    assert world.replicas() == 5
    assert world.actions().count("approval.break_glass") == 1
    assert world.actions().count(stage.SUCCEEDED) == 1


async def test_p_after_break_glass_checks_without_the_exception(world: World,
                                                                tmp_path: Path) -> None:
    policy_file = tmp_path / "freeze.yaml"
    policy_file.write_text(FREEZE)
    pipeline = world.pipeline(REQUESTER, policy=load_policy(policy_file))
    app = Host(pipeline, world.plan("scale payments-api in prod-eu to 5"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+g")
        await confirm(pilot, justification="checkout down INC-4711, freeze exception agreed")
        await wait_for(pilot, lambda: screen.prepared is not None and not screen.busy
                       and screen.prepared.status == "needs_confirmation", timeout=30,
                       what="the exception")
        await pilot.press("p")  # one stray key: a plain check, no second exception
        await wait_for(pilot, lambda: screen.prepared is not None and not screen.busy,
                       timeout=30, what="the plain check")
        assert screen.prepared is not None and screen.prepared.status == "denied"
    assert world.actions().count("approval.break_glass") == 1
    assert world.replicas() == 3


async def test_break_glass_is_refused_for_a_ready_plan() -> None:
    pipeline = ScriptedPipeline(prepared())
    app: App[None] = PreviewApp(pipeline)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("ctrl+g")
        assert app.screen is screen and not isinstance(app.screen, ConfirmScreen)
        assert "break-glass only releases" in text_of(app, "#preview-status")
    assert len(pipeline.options) == 1


async def test_colon_rollback_asks_before_its_preview_opens(
        console: Callable[[], KubechatApp], world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await submit(pilot, STAGING)
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        assert screen.result is not None and screen.result.status == "done"
        executed = screen.result.execution_id
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        main = app.screen

        await command(pilot, "rollback")
        asked = await dialog(pilot)
        burst(app, *"rollback", "enter", *"yes", "enter")
        await pilot.pause(0.2)
        assert app.screen is asked
        await pilot.press("escape")
        assert app.screen is main
        assert "rollback not opened" in main.query_one(StatusBar).message

        await command(pilot, "rollback")
        await confirm(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen),
                       what="the rollback preview")
        assert app.screen.options.rollback_of == executed  # type: ignore[attr-defined]
    assert world.replicas("staging") == 2  # the rollback was only opened, never executed
