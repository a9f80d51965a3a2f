"""The console answers: a submitted plan's diagnostics run at once on the simulated fleet
(real HTTP, the real engine) and stream into the chat as blocks; a mixed plan's change
then opens the preview; a slow cluster, a vanished pod or a skipped step is a clear block
and the console keeps working."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from kubechat_tui.config.settings import AISettings, KubeSettings, Settings
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.wiring import open_fleet_engine
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.tui.app import KubechatApp, initial_scope
from kubechat_tui.tui.engine_slot import EngineSlot
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.plan_view import PlanView
from kubechat_tui.tui.widgets.result_block import ResultBlock
from tests.e2e.conftest import World
from tests.tui.helpers import SIZE, rich_text, wait_for

SETS = {"prod": ["prod-eu", "prod-us"]}


@pytest.fixture
def console(world: World, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., KubechatApp]]:
    """The console on the world's fleet with the rule planner and a fresh engine."""
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    slots: list[EngineSlot] = []

    def build(deadline: float = 6.0) -> KubechatApp:
        settings = Settings(ai=AISettings(enabled=False), cluster_sets=SETS,
                            kube=KubeSettings(read_deadline_seconds=deadline))
        slot = EngineSlot(lambda: open_fleet_engine(settings, world.fleet, tmp_path / "data",
                                                    world.fleet.cluster_names()))
        slots.append(slot)
        planner = PlannerService(settings, FleetView(world.fleet), mode="rules")
        scope = initial_scope(world.fleet, settings, namespace="payments")
        return KubechatApp(settings, world.fleet, replace(scope, kind="deployments"),
                           planner=planner, engine=slot, start_fleet=False)

    yield build
    for slot in slots:
        slot.close()


async def ask(pilot: Pilot[Any], text: str, *keys: str,
              before: Callable[[], object] | None = None) -> PlanView:
    """Type a question, wait for its plan, call `before`, press `keys` on the plan (then
    enter submits)."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
    await pilot.press("i")
    app.screen.query_one(ChatInput).insert_text_at_cursor(text)
    plans = len(thread(app).query(PlanView))
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(thread(app).query(PlanView)) > plans
                   and thread(app).query(PlanView).last().has_focus, what="the plan")
    view = thread(app).query(PlanView).last()
    if before is not None:
        before()
    await pilot.press(*keys, "enter")
    return view


def thread(app: Any) -> Any:
    main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
    return main.query_one(ChatPane).thread


def blocks(app: Any) -> list[ResultBlock]:
    return list(thread(app).query(ResultBlock))


def shown(widget: Any) -> str:
    """The text a chat message or result block shows."""
    return rich_text(widget.content, width=200) if isinstance(widget, Static) else ""


def texts(app: Any) -> list[str]:
    return [shown(b) for b in blocks(app)]


def finished(app: Any, count: int = 1) -> Callable[[], bool]:
    """True once `count` runs have said how they ended in the chat."""
    return lambda: sum("result(s):" in shown(m) for m in thread(app).children
                       if not isinstance(m, ResultBlock)) >= count


async def test_a_question_is_answered_in_the_chat(
        console: Callable[..., KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "crashlooping payment pods in prod")
        await wait_for(pilot, finished(app), what="the diagnostics")
        shown = texts(app)
        assert len(shown) == 4 and not isinstance(app.screen, PreviewScreen)
        pods = next(t for t in shown if "prod-eu" in t and "get pods" in t)
        assert "kubectl --context prod-eu get pods -n payments -o wide" in pods
        assert pods.count("CrashLoopBackOff") == 6  # five rows and the note
        assert " ok " in pods and " ms" in pods
        events = next(t for t in shown if "prod-eu" in t and "events" in t)
        assert events.index("BackOff") < events.index("Unhealthy")
        assert any("none of 5 pods in CrashLoopBackOff" in t for t in shown)
        handle = app.engine.handle if app.engine else None
        assert handle is not None
        actions = [r.event.action for r in handle.audit.records()]
        assert actions.count(stage.READ_STEP) == 4 and stage.READ_SUBMITTED in actions


async def test_a_mixed_plan_runs_its_diagnostics_then_previews_the_change(
        console: Callable[..., KubechatApp], world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "restart payments-api in prod-eu")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="preview")
        assert len(blocks(app)) == 4  # describe, events, history, logs: before the preview
        assert any("rollout history" in t and "ledger v2" in t for t in texts(app))
        assert world.replicas() == 3
        handle = app.engine.handle if app.engine else None
        assert handle is not None
        actions = [r.event.action for r in handle.audit.records()]
        assert actions.index(stage.READ_SUBMITTED) < actions.index(stage.PLAN)


async def test_a_slow_cluster_shows_its_error_while_the_others_answer(
        console: Callable[..., KubechatApp], world: World) -> None:
    app = console(deadline=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "crashlooping payment pods in prod",
                  before=lambda: world.sim.faults("prod-us").set(blackhole=True))
        await wait_for(pilot, lambda: any("prod-eu" in t and "CrashLoopBackOff" in t
                                          for t in texts(app)), what="prod-eu's answer")
        await wait_for(pilot, finished(app), what="the end of the run")
        slow = [b for b in blocks(app) if b.results[0].cluster == "prod-us"]
        assert len(slow) == 2 and all(b.has_class("-failed") for b in slow)
        assert all("timed out" in shown(b) for b in slow)
        world.sim.faults("prod-us").clear()
        await ask(pilot, "top pods in payments")  # the console keeps working
        await wait_for(pilot, finished(app, 2), what="the second run")
        assert any("metrics API not available on prod-eu" in t or "MEMORY(bytes)" in t
                   for t in texts(app))


async def test_a_vanished_pod_is_a_clear_line_in_the_chat(
        console: Callable[..., KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "describe pod payments-api-0000000000-gone0 in prod-eu")
        await wait_for(pilot, finished(app), what="the diagnostics")
        failed = [t for b, t in zip(blocks(app), texts(app), strict=True)
                  if b.has_class("-failed")]
        assert failed and all('pods "payments-api-0000000000-gone0" not found' in t
                              for t in failed)


async def test_skipped_steps_show_as_skipped_and_nothing_runs_when_all_are(
        console: Callable[..., KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "crashlooping payment pods in prod", "space")
        await wait_for(pilot, finished(app), what="the diagnostics")
        skipped = [b for b in blocks(app) if b.has_class("-skipped")]
        assert len(skipped) == 1 and [r.cluster for r in skipped[0].results] == [
            "prod-eu", "prod-us"]  # one block, a badge per cluster
        assert "skipped by the user" in shown(skipped[0])
        count = len(blocks(app))
        await ask(pilot, "show events in payments", "space")
        await wait_for(pilot, lambda: "every step is skipped" in shown(
            thread(app).children[-1]), what="the notice")
        assert len(blocks(app)) == count


async def test_a_plan_naming_an_unknown_kind_is_one_line_and_the_console_goes_on(
        console: Callable[..., KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        view = await ask(pilot, "show events in payments")
        await wait_for(pilot, finished(app), what="the first run")
        step = view.plan.steps[0].model_copy(update={"resource": "frobnicators"})

        def unknown_kind() -> None:
            latest = thread(app).query(PlanView).last()
            latest.plan = latest.plan.model_copy(update={"steps": (step,)})

        await ask(pilot, "show events in payments", before=unknown_kind)
        await wait_for(pilot, lambda: "cannot run the diagnostics: step s1: unknown resource"
                       in shown(thread(app).children[-1]), what="the error line")
        await ask(pilot, "show events in payments")
        await wait_for(pilot, finished(app, 2), what="a run after the error")
