"""Insight cards in the chat: a snapshot of a card (with each kind of evidence), untrusted
text in a card shown as text, never as markup or control sequences."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from kubechat_tui.engine.insights.cards import Evidence, InsightCard, NextStep
from kubechat_tui.tui.insight_render import card_renderable
from kubechat_tui.tui.widgets.insight_block import InsightBlock
from tests.tui.helpers import rich_text

CRASH = InsightCard(
    "crash-after-change", "prod-eu", "payments/deployment/payments-api",
    "Crash loop after a change",
    "3 pod(s) of deployment payments-api began crashing 35s after revision 3 (deploy "
    "pipeline #4821: payments-api 1.5.0), and configmap payments-api-config changed "
    "shortly before.", "high",
    (Evidence("object", "prod-eu", "payments/replicaset/payments-api-4flvpcchrw: revision 3, "
              "image api: registry.example/payments-api:1.4.2 -> "
              "registry.example/payments-api:1.5.0", "2026-12-08T02:43:36Z"),
     Evidence("object", "prod-eu", "payments/configmap/payments-api-config: last written by "
              "kubectl-edit", "2026-12-08T02:41:36Z"),
     Evidence("event", "prod-eu", "Warning BackOff pod/payments-api-4flvpcchrw-mltrm (x24): "
              "Back-off restarting failed container api", "2026-12-08T02:55:31Z"),
     Evidence("log", "prod-eu", "pod/payments-api-4flvpcchrw-mltrm api: "
              "payments.ledger.LedgerUnavailable: ledger unreachable", "")),
    NextStep("recipe", "rollback-deployment", (("namespace", "payments"),
                                               ("deployment", "payments-api"))))
SERVICE = InsightCard(
    "service-no-endpoints", "staging", "orders/service/orders",
    "Service selector matches no pods",
    "service orders selects app=orders, which no pod carries; 1 pod(s) are labelled "
    "app=orders-api.", "medium",
    (Evidence("object", "staging", "orders/service/orders: selector app=orders"),),
    NextStep("plan", "describe service orders in orders on staging"))


class CardsApp(App[None]):
    """Two cards in a thread, as the chat pane mounts them; the second one pinned."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield InsightBlock(CRASH, production=frozenset({"prod-eu"}))
            pinned = InsightBlock(SERVICE)
            pinned.mark_pinned()
            yield pinned


def test_insight_cards_snapshot(snap_compare: Any) -> None:
    assert snap_compare(CardsApp(), terminal_size=(110, 24))


def test_untrusted_text_in_a_card_is_shown_as_text() -> None:
    hostile = "[bold red]x[/] \x1b[2J\x1b]0;owned\x07 \u202e[@click=app.quit]"
    card = InsightCard("probe-failures", "prod-eu", "p/pod/x", hostile, hostile, "high",
                       (Evidence("event", "prod-eu", hostile, hostile),),
                       NextStep("plan", hostile))
    text = rich_text(card_renderable(card), width=400)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert text.count("[bold red]x[/]") == 5 and "[@click=app.quit]" in text


def test_a_card_as_text_and_json_says_the_same() -> None:
    text = CRASH.text()
    assert text.splitlines()[0] == ("* Crash loop after a change [prod-eu] (high confidence)")
    assert "  next: recipe: rollback-deployment namespace=payments deployment=payments-api" \
        in text
    data = CRASH.to_json()
    assert data["next_step"] == {"kind": "recipe", "text": "rollback-deployment",
                                 "params": {"namespace": "payments",
                                            "deployment": "payments-api"}}
    assert [e["at"] for e in data["evidence"]][-1] is None
    assert CRASH.key == "crash-after-change:prod-eu:payments/deployment/payments-api"
