"""Ask about this on a selected row, on the simulated fleet (real HTTP, the real planner and
engine): the question plans for that pod only and its results stream into the chat;
selecting the row again brings its result into view; a result block promotes to a plan
whose change goes to the preview; `e` runs the row's events; logs of a pod that vanished
are one line in the chat and the console keeps working. Each test has its own fleet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.choice_screen import ChoiceScreen
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.e2e.conftest import World
from tests.e2e.test_diagnostics_console import blocks, console, finished, shown, texts, thread
from tests.tui.helpers import SIZE, wait_for

__all__ = ["console"]  # the fixture


def listed(screen: MainScreen) -> bool:
    """Every cluster listed and the rows in the table (the fleet is not probed here)."""
    progress = screen.feed.progress().values()
    return all(p.done for p in progress) and screen.table.model.total > 0


async def select_pod(pilot: Any, prefix: str) -> MainScreen:
    """Show payments pods in prod-eu and put the cursor on the first `prefix` pod."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
    screen = app.screen
    await pilot.press("colon", *"pods", "enter")
    await wait_for(pilot, lambda: screen.scope.kind == "pods" and listed(screen), what="pods")
    await pilot.press("slash", *f"cluster:prod-eu {prefix}", "enter", "g")
    await wait_for(pilot, lambda: screen.selected is not None and
                   screen.selected.name.startswith(prefix), what=f"a {prefix} pod")
    return screen


async def test_ask_about_this_plans_for_the_selected_pod_only(
        console: Callable[..., KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await select_pod(pilot, "payments-api")
        pod = screen.selected
        assert pod is not None
        await pilot.press("A")
        assert screen.focused is screen.query_one(ChatInput)
        assert "about pod/" in str(screen.query_one(ChatPane).border_subtitle)
        screen.query_one(ChatInput).insert_text_at_cursor("why is this crashing?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(thread(app).query(PlanView)), what="the plan")
        plan = thread(app).query(PlanView).last().plan
        assert plan.clusters() == ("prod-eu",)
        assert plan.steps and all(s.clusters == ("prod-eu",) and s.namespace == "payments"
                                  for s in plan.steps)
        assert all(pod.name in s.kubectl for s in plan.steps)  # that pod, nothing wider
        await pilot.press("enter")
        await wait_for(pilot, finished(app), what="the diagnostics")
        assert any(pod.name in t and "CrashLoopBackOff" in t for t in texts(app))
        # moving away and back to the row brings its latest result into view
        await pilot.press("escape", "j")
        await wait_for(pilot, lambda: screen.selected != pod, what="another row")
        assert not any(b.has_class("-focused") for b in blocks(app))
        await pilot.press("k")
        await wait_for(pilot, lambda: any(b.has_class("-focused") for b in blocks(app)),
                       what="the row's result in view")


async def test_a_result_block_promotes_to_a_previewed_plan(
        console: Callable[..., KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        screen = app.screen
        await pilot.press("slash", *"cluster:prod-eu payments-api", "enter")
        await wait_for(pilot, lambda: screen.selected is not None and
                       screen.selected.name == "payments-api", what="the deployment")
        await pilot.press("e")  # the row's events, run at once
        await wait_for(pilot, finished(app), what="the events")
        block = blocks(app)[-1]
        assert "events" in texts(app)[-1] and "prod-eu" in texts(app)[-1]
        block.focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the choices")
        assert [v for v, _ in app.screen.choices][:2] == [
            "restart deployment payments-api", "roll back deployment payments-api"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: thread(app).query(PlanView).last().plan.mutating,
                       what="the restart plan")
        plan = thread(app).query(PlanView).last().plan
        assert plan.clusters() == ("prod-eu",)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), timeout=20,
                       what="the preview")


async def test_logs_of_a_vanished_pod_are_one_line_in_the_chat(
        console: Callable[..., KubechatApp], world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await select_pod(pilot, "payments-worker")
        key = screen.selected
        assert key is not None
        status, _ = world.fleet.request(key.cluster, "DELETE",
                                        f"/api/v1/namespaces/payments/pods/{key.name}",
                                        query={"gracePeriodSeconds": 0})
        assert status == 200
        await pilot.press("l")
        await wait_for(pilot, lambda: any(f'pods "{key.name}" not found' in shown(m)
                                          for m in thread(app).children), what="the line")
        assert screen.query_one(StatusBar).has_class("-error")
        await pilot.press("colon", *"svc", "enter")  # the console keeps working
        await wait_for(pilot, lambda: screen.scope.kind == "services" and listed(screen),
                       what=":svc")
