"""`:exec` in the console on the simulated fleet: the guard's checks, the typed-code dialog,
the terminal, and the transcript seen from the audit screen with no secret on screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Log

from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.messages import ObjectKey
from kubechat_tui.tui.screens.audit_screen import AuditScreen
from kubechat_tui.tui.screens.confirm_screen import ConfirmScreen
from kubechat_tui.tui.screens.exec_screen import ExecScreen
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.transcript_screen import TranscriptScreen
from kubechat_tui.tui.widgets.chat_pane import ChatPane
from tests.e2e.conftest import World
from tests.e2e.test_console_flow import command, console
from tests.tui.helpers import SIZE, confirm, dialog, screen_text, wait_for

__all__ = ["console"]
CANARY = "sk_live_51HzCONSOLEcanaryCANARY00"


def orders_pod(world: World, cluster: str) -> ObjectKey:
    _, doc = world.fleet.request_json(cluster, "GET", "/api/v1/namespaces/orders/pods")
    return ObjectKey(cluster, "pods", "orders", doc["items"][0]["metadata"]["name"])


async def select_pod(pilot: Pilot[Any], key: ObjectKey) -> MainScreen:
    """Make `key` the selected row once the table has chosen its own (a row arriving later
    would otherwise replace it)."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
    main = app.screen
    assert isinstance(main, MainScreen)
    await wait_for(pilot, lambda: main.selected is not None, timeout=30, what="a row")
    main.selected = key
    return main


def chat_text(main: MainScreen) -> str:
    return screen_text(main.app) + " ".join(
        str(getattr(m, "text", "")) for m in main.query_one(ChatPane).thread.children)


async def test_exec_terminal_and_its_redacted_transcript(
        console: Callable[[], KubechatApp], world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        key = orders_pod(world, "staging")
        main = await select_pod(pilot, key)

        await command(pilot, "exec")
        asked = await dialog(pilot)
        shown = screen_text(app)
        for part in ("EXEC", "cluster: staging", "namespace: orders", f"pod: {key.name}",
                     "container: api", "command: sh"):
            assert part in shown
        await pilot.press("escape")  # cancelled: nothing opens
        await wait_for(pilot, lambda: app.screen is main, what="main screen")
        assert asked is not app.screen

        await command(pilot, "exec")
        await confirm(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, ExecScreen), what="the terminal")
        terminal = app.screen
        assert isinstance(terminal, ExecScreen)
        output = terminal.query_one("#exec-output", Log)
        await wait_for(pilot, lambda: "/app $" in "\n".join(output.lines), what="a prompt")
        terminal.query_one(Input).insert_text_at_cursor("hostname")
        await pilot.press("enter")
        await wait_for(pilot, lambda: key.name in "\n".join(output.lines), what="hostname")
        terminal.query_one(Input).insert_text_at_cursor(f"echo api_key={CANARY}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: f"api_key={CANARY}" in "\n".join(output.lines),
                       what="the echo")
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: terminal.end_line.startswith("session ended (closed"),
                       what="the end")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, what="main screen")

        await command(pilot, "audit")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen), what="audit")
        audit = app.screen
        assert isinstance(audit, AuditScreen)
        await wait_for(pilot, lambda: any(r.event.action == "exec.ended"
                                          for r in audit.records.values()), what="exec.ended")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen),
                       what="the transcript")
        await wait_for(pilot, lambda: "sha256 matches" in screen_text(app), what="its text")
        text = screen_text(app)
        assert "stdin  hostname" in text and "stdin  echo api_key=[REDACTED]" in text
        assert CANARY not in text


async def test_exec_in_production_waits_for_approval(
        console: Callable[[], KubechatApp], world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        main = await select_pod(pilot, orders_pod(world, "prod-eu"))
        await command(pilot, "exec -- ls /app")
        await wait_for(pilot, lambda: "approval requested" in chat_text(main),
                       what="the approval request")
        assert not isinstance(app.screen, ConfirmScreen | ExecScreen)
