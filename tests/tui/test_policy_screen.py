"""The policy history screen: the active version, every version, the highlighted one's diff
(policy text with markup and escapes shown literally)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import DataTable

from kubechat_tui.guard.policy.active import version_policy
from kubechat_tui.store.database import open_database
from kubechat_tui.store.policy_history import PolicyHistory
from kubechat_tui.tui.commands import Command, parse_command
from kubechat_tui.tui.screens.policy_screen import PolicyScreen
from tests.tui.test_untrusted_text import assert_no_raw_controls, static_text

V1 = "version: 1\nrules: []\n"
V2 = ("version: 1\ndescription: '[bold]x[/] \\e[8m'\nrules:\n  - id: NS-001\n"
      "    kind: protected_namespaces\n    namespaces: [payments]\n")


class PolicyHost(App[None]):
    def __init__(self, screen: PolicyScreen) -> None:
        super().__init__()
        self.policy_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.policy_screen)


async def test_versions_and_diffs(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kubechat.db")
    history = PolicyHistory(db)
    history.add(V1, "h1", "start", "alice", {"prod-eu": "admin"})
    history.add(V2, "h2", "protect [red]payments[/]", "bob", {}, expected_parent=1)
    active = version_policy(history.get(2))
    app: Any = PolicyHost(PolicyScreen(history, active))
    async with app.run_test(size=(160, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "active policy: v2  sha256" in static_text(app, "#policy-active")
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        diff = static_text(app, "#policy-diff")
        assert "v2 apply by bob" in diff and "protect [red]payments[/]" in diff
        assert "+  - id: NS-001" in diff and "--- v1" in diff
        table.move_cursor(row=1)
        await pilot.pause()
        assert "+rules: []" in static_text(app, "#policy-diff")
        assert_no_raw_controls(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PolicyScreen)
    db.close()


def test_the_policy_command() -> None:
    assert parse_command(":policy") == Command("policy")
