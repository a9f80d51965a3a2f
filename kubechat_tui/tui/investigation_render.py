"""An investigation in the chat as Rich renderables: a refused tool call (the clusters it
asked for, the call, why it was refused) and the answer with the evidence it cites (a
cluster badge and the kubectl line per citation). Model and cluster text goes through
`plain` (never markup)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from kubechat_tui.engine.investigation.record import CallRecord, Investigation
from kubechat_tui.tui.plain_text import plain
from kubechat_tui.tui.result_render import CLUSTER_BADGE, PRODUCTION_BADGE, STATUS_BADGES

REFUSED_BADGE = STATUS_BADGES["denied"][1]


def _badges(clusters: Sequence[str], production: frozenset[str]) -> Text:
    header = Text()
    for cluster in clusters:
        style = PRODUCTION_BADGE if cluster in production else CLUSTER_BADGE
        header.append_text(plain(f" {cluster} ", style, lines=False))
        header.append(" ")
    return header


def call_line(record: CallRecord) -> str:
    """`c1 model asks: logs pods/web-1 — why` (a chat line before the call's results)."""
    return f"{record.id} asks: {record.shown}" + (f" — {record.reason}" if record.reason else "")


def refused_renderable(record: CallRecord, production: frozenset[str]) -> RenderableType:
    """A refused call: badges of the clusters it asked for, REFUSED, the call, the reason."""
    header = _badges(record.clusters, production)
    header.append(f"{record.id} ", "bold")
    header.append(" REFUSED ", REFUSED_BADGE)
    header.append_text(plain(f"  {record.refusal}", "dim", lines=False))
    parts: list[RenderableType] = [header, plain(record.shown, "dim")]
    if record.reason:
        parts.append(plain(f"asked because: {record.reason}", "dim italic"))
    parts.append(plain(record.refused))
    return Group(*parts)


def answer_renderable(found: Investigation, production: frozenset[str]) -> RenderableType:
    """The answer (or why there is none) and each cited piece of evidence."""
    ran = sum(1 for c in found.calls if not c.refused)
    head = Text()
    head.append(" answer " if found.answer is not None else " no answer ",
                "bold black on green" if found.answer is not None else "bold white on red")
    head.append_text(plain(f"  {found.model}: {ran} call(s) run, {len(found.calls) - ran} "
                           f"refused  {found.id}", "dim", lines=False))
    parts: list[RenderableType] = [head]
    if found.answer is None:
        parts.append(plain(found.stopped, "red"))
        return Group(*parts)
    parts.append(plain(found.answer))
    parts.append(Text("evidence:" if found.citations else "evidence: none cited", "bold"))
    for citation in found.citations:
        line = _badges([citation.cluster], production)
        line.append_text(plain(f"{citation.id}  {citation.kubectl}", "dim", lines=False))
        parts.append(line)
    parts += [plain(note, "italic dim") for note in found.notes]
    return Group(*parts)
