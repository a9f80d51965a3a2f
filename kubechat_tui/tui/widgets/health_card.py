"""The fleet health card in the chat: per cluster, pods failing by reason, nodes not ready
and recent Warning events, one line per group; focused, j/k pick a group and enter shows it
in the table (that cluster, that kind, filtered to it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Static

from kubechat_tui.kube.fleet_health import WARNING_WINDOW, ClusterHealth
from kubechat_tui.tui.bindings import HEALTH_BINDINGS, effective_keys
from kubechat_tui.tui.plain_text import plain


@dataclass(frozen=True)
class HealthGroup:
    """One line of trouble and where the table shows it (`filter` in the `/` language)."""

    cluster: str
    label: str
    kind: str
    filter: str


def health_groups(healths: Sequence[ClusterHealth]) -> list[HealthGroup]:
    """The card's groups: failing pods by reason, nodes not ready, recent warnings."""
    groups = []
    minutes = WARNING_WINDOW // 60
    for health in healths:
        for reason, count in health.failing.items():
            groups.append(HealthGroup(health.cluster, f"{count} pod(s) {reason}", "pods",
                                      f"status:{reason}"))
        if health.nodes_not_ready:
            groups.append(HealthGroup(
                health.cluster, f"{health.nodes_not_ready} of {health.nodes} node(s) not ready",
                "nodes", "status:notready"))
        if health.warnings:
            groups.append(HealthGroup(
                health.cluster, f"{health.warnings} warning event(s) in {minutes}m "
                f"({health.warnings / minutes:.1f}/min)", "events", "status:warning"))
    return groups


class HealthCard(Static, can_focus=True):
    """Posts JumpRequested(group) on enter, RefreshRequested on r."""

    BINDINGS: ClassVar[list[BindingType]] = list(HEALTH_BINDINGS)
    DEFAULT_CSS = """
    HealthCard { height: auto; width: 1fr; padding: 0 0 0 1; margin: 0 0 1 0;
                 border-left: outer $warning; }
    HealthCard.-healthy { border-left: outer $success; }
    HealthCard:focus { background: $boost; }
    """

    class JumpRequested(Message):
        """Show a group in the table."""

        def __init__(self, group: HealthGroup) -> None:
            super().__init__()
            self.group = group

    class RefreshRequested(Message):
        """Read the fleet's health again."""

    def __init__(self, healths: Sequence[ClusterHealth], checked_at: str,
                 keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap
        self.healths = list(healths)
        self.groups = health_groups(healths)
        self.checked_at = checked_at
        self.cursor = 0
        self.set_class(not self.groups and not any(h.error for h in healths), "-healthy")
        self.update(self.render_card())

    def render_card(self) -> Text:
        """The card as text: cluster badges, groups (the picked one marked), failures."""
        out = Text()
        out.append(f"fleet health · {len(self.healths)} cluster(s) · {self.checked_at}\n",
                   "bold")
        for index, group in enumerate(self.groups):
            picked = index == self.cursor and self.has_focus
            out.append("› " if picked else "  ")
            out.append_text(plain(f"[{group.cluster}]", "bold reverse" if picked else "bold"))
            out.append(" ")
            out.append_text(plain(group.label, "bold red" if group.kind == "pods" else "yellow"))
            out.append("\n")
        for health in self.healths:
            if health.error:
                out.append_text(plain(f"  [{health.cluster}] not answering: {health.error}",
                                      "red"))
                out.append("\n")
        fine = [h for h in self.healths if h.healthy]
        if fine:
            out.append_text(plain("  ok: " + ", ".join(
                f"{h.cluster} ({h.pods} pods, {h.nodes} nodes)" for h in fine), "green"))
            out.append("\n")
        keys = {b.id: effective_keys(b, self.keymap) for b in HEALTH_BINDINGS}
        out.append(f"{keys['health.jump']}: show in the table · {keys['health.down']}: next · "
                   f"{keys['health.refresh']}: check again", "dim")
        return out

    def on_focus(self) -> None:
        self.update(self.render_card())

    def on_blur(self) -> None:
        self.update(self.render_card())

    def action_move(self, step: int) -> None:
        if self.groups:
            self.cursor = (self.cursor + step) % len(self.groups)
            self.update(self.render_card())

    def action_jump(self) -> None:
        if self.groups:
            self.post_message(self.JumpRequested(self.groups[self.cursor]))

    def action_refresh(self) -> None:
        self.post_message(self.RefreshRequested())

