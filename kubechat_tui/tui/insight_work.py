"""The console's insight work, run in thread workers: a read run's cards, and pinning a
card to the incident timeline (an `insight` entry, redacted like everything kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.messages import InsightsReady

if TYPE_CHECKING:
    from kubechat_tui.engine.diagnostics.results import ReadRun
    from kubechat_tui.engine.insights.cards import InsightCard
    from kubechat_tui.engine.wiring import EngineHandle


def insight_cards(handle: EngineHandle, run: ReadRun) -> InsightsReady:
    """The cards of `run` and, with a model configured, its summary of them, unless the
    model investigates this run (its cited answer covers the cards); an error line instead
    when the analysis fails."""
    from kubechat_tui.engine.insights.runner import Insights
    from kubechat_tui.engine.insights.summary import summarize
    from kubechat_tui.engine.investigation.loop import investigates

    try:
        cards = Insights.beside(handle.pipeline).analyze(run)
    except Exception as exc:  # a store failure: one line, the console stays up
        return InsightsReady(error=f"insights not available: {one_line(exc)}")
    settings = handle.pipeline.settings
    if not run.plan.mutating and investigates(settings.ai, run.plan):  # as the console does
        return InsightsReady(cards, None)
    return InsightsReady(cards, summarize(settings, cards))


def pin_card(handle: EngineHandle, card: InsightCard) -> str:
    """Append the card to the timeline as an `insight` entry; the line to show."""
    from kubechat_tui.domain.redaction import redact_data, redact_text
    from kubechat_tui.store.timeline import TimelineEntry

    pipeline = handle.pipeline
    author = pipeline.operator.kube_identity or pipeline.operator.os_user
    entry = pipeline.timeline.add(TimelineEntry(
        kind="insight", author=author, title=redact_text(f"{card.title} [{card.cluster}]").text,
        body=redact_text(card.text()).text, payload=redact_data(card.to_json()).value))
    return f"pinned to the timeline (entry {entry.id}): {card.title} [{card.cluster}]"
