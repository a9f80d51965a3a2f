"""The policy history screen: the active policy version and every version with its diff.

    app.push_screen(PolicyScreen(PolicyHistory(db), active_policy))

The versions load in a thread worker; the highlighted version's diff against the version
it replaced shows below the table (plain text: a policy's comments are not markup).
Keys: `r` reload, escape close.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from kubechat_tui.engine.policy_versions import policy_diff
from kubechat_tui.guard.policy import Policy
from kubechat_tui.store.policy_history import PolicyHistory, PolicyVersion
from kubechat_tui.tui.bindings import POLICY_BINDINGS
from kubechat_tui.tui.plain_text import plain

DIFF_STYLE = {"+": "green", "-": "red", "@": "cyan"}


def active_text(policy: Policy) -> Text:
    """`active policy: v3 (sha256 ab12…) from …`: what decisions use now."""
    version = f"v{policy.version}" if policy.version is not None else "the configured file"
    return plain(f"active policy: {version}  sha256 {policy.hash[:12]}  ({policy.path})",
                 "bold", lines=False)


def diff_text(entry: PolicyVersion, parent: PolicyVersion | None) -> Text:
    """The version's diff against the one it replaced, coloured per line."""
    before = parent.content if parent is not None else ""
    old = f"v{parent.version}" if parent is not None else "(none)"
    body = policy_diff(before, entry.content, old, f"v{entry.version}")
    text = plain(f"v{entry.version} {entry.action}"
                 + (f" of v{entry.restores}" if entry.restores else "")
                 + f" by {entry.author_text()} at {entry.at[:19]}: {entry.message}\n",
                 "bold")
    for line in (body or "(the same text)\n").splitlines():
        text.append_text(plain(line + "\n", DIFF_STYLE.get(line[:1], "")))
    return text


class PolicyScreen(Screen[None]):
    """Policy versions, newest first, and the highlighted one's diff."""

    BINDINGS: ClassVar[list[BindingType]] = list(POLICY_BINDINGS)

    def __init__(self, history: PolicyHistory, active: Policy) -> None:
        super().__init__()
        self.history = history
        self.active = active
        self.versions: list[PolicyVersion] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(active_text(self.active), id="policy-active")
            yield DataTable(id="policy-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="policy-diff-scroll"):
                yield Static("", id="policy-diff")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("VERSION", "ACTION", "AUTHOR", "AT", "MESSAGE")
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="policy-load")
    def load(self) -> None:
        try:
            versions = self.history.versions()
        except Exception as exc:  # a store error: one line
            self.app.call_from_thread(self.show_diff, plain(f"cannot read the policy "
                                                            f"history: {exc}", "red"))
            return
        self.app.call_from_thread(self.show_versions, versions)

    def show_versions(self, versions: list[PolicyVersion]) -> None:
        self.versions = versions
        table = self.query_one(DataTable)
        table.clear()
        for entry in versions:
            table.add_row(f"v{entry.version}", entry.action,
                          plain(entry.author_text(), lines=False), entry.at[:19],
                          plain(entry.message, lines=False))
        if not versions:
            self.show_diff(Text("no policy versions in the store: the configured file is "
                                "active (kubechat policy apply FILE adds one)", "dim"))
        else:
            table.focus()
            self._show(0)

    def show_diff(self, text: Text) -> None:
        self.query_one("#policy-diff", Static).update(text)

    @on(DataTable.RowHighlighted, "#policy-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.versions):
            return
        entry = self.versions[row]
        parent = next((v for v in self.versions if v.version == entry.parent), None)
        self.show_diff(diff_text(entry, parent))
