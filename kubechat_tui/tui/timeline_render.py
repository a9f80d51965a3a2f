"""How timeline items look: a row per item with cluster badges, kind colours, the title
line of an incident (plain Text throughout: names and alert texts are never markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from kubechat_tui.engine.incident_view import TimelineItem
from kubechat_tui.store.incidents import Incident
from kubechat_tui.tui.plain_text import plain

BADGE_STYLES = ("bold black on cyan", "bold black on magenta", "bold black on green",
                "bold black on yellow", "bold white on blue", "bold white on dark_red")
KIND_STYLES = {
    "alert": "bold red", "deploy": "blue", "rollout": "blue", "plan": "cyan",
    "diagnostic": "cyan", "dryrun": "cyan", "approval": "yellow", "execution": "bold green",
    "rollback": "bold magenta", "summary": "green", "insight": "bold yellow",
    "log_range": "yellow", "note": "italic", "annotation": "dim italic",
    "incident": "bold", "delivery": "dim",
}


def cluster_badges(clusters: Sequence[str], order: Sequence[str]) -> Text:
    """A coloured badge per cluster; a cluster keeps its colour on every row (its place in
    `order`, the incident's clusters then the others seen)."""
    text = Text()
    for cluster in clusters:
        index = order.index(cluster) if cluster in order else len(order)
        text.append_text(plain(f" {cluster} ", BADGE_STYLES[index % len(BADGE_STYLES)],
                               lines=False))
        text.append(" ")
    return text or Text("-", "dim")


def item_row(item: TimelineItem, order: Sequence[str]) -> tuple[Any, ...]:
    """The table cells of one item."""
    title = item.title + (f"  (on {item.annotates})" if item.annotates else "")
    return (item.ts.strftime("%m-%d %H:%M:%S"), item.ref,
            plain(item.kind, KIND_STYLES.get(item.kind, ""), lines=False),
            cluster_badges(item.clusters, order), plain(item.author, lines=False),
            plain(title, lines=False))


def item_detail(item: TimelineItem) -> Text:
    """The selected item in full."""
    text = Text()
    text.append(f"{item.ref}  {item.kind}  {item.ts.isoformat(timespec='seconds')}  ", "bold")
    text.append_text(plain(f"by {item.author}", lines=False))
    if item.seq is not None:
        text.append(f"  audit seq {item.seq}", "dim")
    if item.outcome:
        text.append_text(plain(f"  [{item.outcome}]", lines=False))
    text.append("\n")
    text.append_text(plain(item.title))
    if item.detail:
        text.append("\n\n")
        text.append_text(plain(item.detail))
    return text


def incident_title(incident: Incident) -> Text:
    """`inc-3f2a  SEV2  title  [clusters]  commander ana  active`."""
    text = Text()
    text.append(f" {incident.severity} ", "bold white on red" if incident.severity in
                ("SEV1", "SEV2") else "bold black on yellow")
    text.append(f" {incident.id}  ", "bold")
    text.append_text(plain(incident.title, "bold", lines=False))
    text.append_text(plain(f"  [{', '.join(incident.clusters)}]  commander "
                           f"{incident.commander}  ", lines=False))
    if incident.active:
        text.append("active", "bold yellow")
    else:
        text.append_text(plain(f"closed: {incident.resolution}", "green", lines=False))
    return text


def cluster_order(incident: Incident, items: Sequence[TimelineItem]) -> list[str]:
    """The incident's clusters first, then every other cluster seen, in order."""
    order = list(incident.clusters)
    for item in items:
        order += [c for c in item.clusters if c not in order]
    return order
