"""An insight card as a Rich renderable for the chat thread: cluster badge, title and
confidence, the one-sentence claim, the evidence (object refs, event and log lines with
their times) and the suggested next step. All card text came from clusters: it goes
through `plain`, never markup."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from kubechat_tui.engine.insights.cards import InsightCard
from kubechat_tui.tui.plain_text import plain
from kubechat_tui.tui.result_render import CLUSTER_BADGE, PRODUCTION_BADGE

CONFIDENCE_BADGES = {"high": ("high confidence", "bold black on yellow"),
                     "medium": ("medium confidence", "bold black on grey70")}
EVIDENCE_MARKS = {"object": "◆", "event": "⚑", "log": "≡"}
SHOWN_EVIDENCE = 6


def card_renderable(card: InsightCard, production: frozenset[str] = frozenset(),
                    pinned: bool = False) -> RenderableType:
    """The block of one card."""
    header = Text()
    badge = PRODUCTION_BADGE if card.cluster in production else CLUSTER_BADGE
    header.append_text(plain(f" {card.cluster} ", badge, lines=False))
    header.append(" insight ", "bold magenta")
    header.append_text(plain(card.title, "bold", lines=False))
    word, style = CONFIDENCE_BADGES[card.confidence]
    header.append("  ")
    header.append(f" {word} ", style)
    if pinned:
        header.append("  pinned to the timeline", "italic green")
    parts: list[RenderableType] = [header, plain(card.claim)]
    for evidence in card.evidence[:SHOWN_EVIDENCE]:
        line = Text(f"  {EVIDENCE_MARKS[evidence.kind]} ", "dim")
        if evidence.at:
            line.append_text(plain(evidence.at + " ", "dim", lines=False))
        line.append_text(plain(evidence.text, "", lines=False))
        parts.append(line)
    if len(card.evidence) > SHOWN_EVIDENCE:
        parts.append(Text(f"  … {len(card.evidence) - SHOWN_EVIDENCE} more", "italic dim"))
    step = Text("  next → ", "bold cyan")
    step.append_text(plain(card.next_step.line(), "cyan", lines=False))
    parts.append(step)
    if not pinned:
        parts.append(Text("  p: pin to the incident timeline", "italic dim"))
    return Group(*parts)
