"""The console's governance pieces on the real engine: a recipe's change ran → the chat
asks for a rating → `:feedback` stores it (audited); `:policy` opens the history screen."""

from __future__ import annotations

from collections.abc import Callable

from kubechat_tui.store.recipe_store import RecipeStore
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.main_screen import MainScreen
from kubechat_tui.tui.screens.policy_screen import PolicyScreen
from kubechat_tui.tui.widgets.chat_pane import ChatInput, ChatPane
from kubechat_tui.tui.widgets.status_bar import StatusBar
from tests.e2e.conftest import World
from tests.e2e.test_console_flow import command, console, engine, submit
from tests.e2e.test_preview_screen import execute
from tests.tui.helpers import SIZE, rich_text, wait_for

__all__ = ["console"]  # the fixture, shared with test_console_flow

RECIPE = ("recipe scale-deployment namespace=payments deployment=payments-api replicas=2")


async def test_a_recipe_run_asks_for_feedback_and_stores_it(
        console: Callable[[], KubechatApp], world: World) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "ctx staging")
        screen = await submit(pilot, RECIPE)
        assert screen.prepared is not None
        assert screen.prepared.status == "needs_confirmation", screen.prepared.message
        await execute(pilot)
        await wait_for(pilot, lambda: screen.result is not None, what="the execution")
        assert screen.result is not None and screen.result.status == "done"
        execution = screen.result.execution_id
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        last = rich_text(app.screen.query_one(ChatPane).thread.children[-1].render())
        assert "rate it: :feedback scale-deployment RATING [COMMENT]" in last
        await command(pilot, "feedback scale-deployment 5 spot on")
        bar = app.screen.query_one(StatusBar)
        await wait_for(pilot, lambda: "thanks: scale-deployment rated 5/5" in bar.message,
                       what="the thanks")
        await command(pilot, "feedback scale-deployment 9")
        assert bar.message.startswith(":feedback NAME RATING [COMMENT]")
        await command(pilot, "policy")
        await wait_for(pilot, lambda: isinstance(app.screen, PolicyScreen), what=":policy")
    store = RecipeStore(engine(app).db)
    [entry] = store.feedback("scale-deployment")
    assert (entry.rating, entry.comment, entry.execution_id) == (5, "spot on", execution)
    assert store.ratings()["scale-deployment"] == (5.0, 1)
    assert "recipe.feedback" in [r.event.action for r in engine(app).audit.records()]


async def test_the_best_recipe_is_one_key_away(console: Callable[[], KubechatApp]) -> None:
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "ctx staging")
        await submit(pilot, "scale payments-api in staging to 2")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="main screen")
        chat = app.screen.query_one(ChatPane)
        shown = [rich_text(m.render()) for m in chat.thread.children]
        assert any("recipe match: recipe scale-deployment namespace= deployment= replicas= "
                   "(↑ in the chat input to use it)" in line for line in shown)
        await pilot.press("i", "up")
        assert chat.query_one(ChatInput).value == ("recipe scale-deployment namespace= "
                                                   "deployment= replicas=")
