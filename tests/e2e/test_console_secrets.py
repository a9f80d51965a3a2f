"""The console path of issue 19: a Secret holding canaries is deleted from the chat (the
request pasting a key) and rolled back with the rollback key; the preview's diff shows
markers, the Secret comes back whole, and the database (with its WAL) holds no canary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.preview_screen import PreviewScreen
from tests.cli.canaries import AWS_ID, SECRET, b64, needles, plant, send
from tests.e2e.conftest import World
from tests.e2e.test_console_flow import approve_and_run, checked, engine, submit
from tests.e2e.test_console_flow import console as console  # the fixture
from tests.e2e.test_preview_screen import execute, text_of
from tests.tui.helpers import SIZE, confirm, wait_for

DELETE = f"delete secret canary-creds in namespace payments in staging (leaked {AWS_ID})"


async def run(pilot: Pilot[Any], screen: PreviewScreen) -> None:
    """Execute the preview: approved first when it waits for an approver."""
    if screen.prepared is not None and screen.prepared.status == "awaiting_approval":
        await approve_and_run(pilot, screen)
        return
    await execute(pilot)
    await wait_for(pilot, lambda: screen.result is not None, what="the execution")


async def test_a_secret_deleted_and_rolled_back_from_the_console_leaves_no_canary(
        console: Callable[[], KubechatApp], world: World, tmp_path: Path) -> None:
    plant(world.sim, "staging")
    app = console()
    async with app.run_test(size=SIZE) as pilot:
        screen = await submit(pilot, DELETE)
        diff = text_of(app, "#preview-diff-text")
        assert "aws_secret_access_key: '[REDACTED:kubernetes-secret:" in diff
        await run(pilot, screen)
        assert screen.result is not None and screen.result.status == "done"
        await pilot.press("ctrl+o")  # the rollback recreates it from the kept values
        await confirm(pilot)
        undo = await checked(pilot, after=screen)
        await run(pilot, undo)
        assert undo.result is not None and undo.result.status == "done", undo.result.message
        stored = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("kubechat.db*"))
    assert engine(app).audit.verify().ok
    restored = send(world.sim, "staging", "GET", SECRET)
    assert restored["data"]["aws_access_key_id"] == b64(AWS_ID)
    assert [n for n in needles() if n in stored] == []
