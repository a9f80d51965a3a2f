"""The optional model-worded summary of insight cards, with the scripted model on
loopback: the model gets the cards redacted and quoted as untrusted data; without AI, or
when the model fails, there is no summary and the cards stand."""

from __future__ import annotations

import json

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.insights.cards import Evidence, InsightCard, NextStep
from kubechat_tui.engine.insights.summary import summarize
from tests.planner.llm_stub import LLMStub, Scripted

SECRET = "postgres://ledger:pR0d-Ledger!pass-7731@ledger-db:5432/ledger"
CARD = InsightCard(
    "crash-after-change", "prod-eu", "payments/deployment/payments-api",
    "Crash loop after a change", "3 pod(s) began crashing 35s after revision 3.", "high",
    (Evidence("log", "prod-eu", f"pod/payments-api-x api: connect {SECRET} failed",
              "2026-12-08T02:55:31Z"),),
    NextStep("recipe", "rollback-deployment", (("namespace", "payments"),)))



def settings(stub: LLMStub, enabled: bool = True) -> Settings:
    return Settings(ai=AISettings(enabled=enabled, provider="ollama", model="llama3.1",
                                  api_base=stub.base_url, timeout_seconds=5))


def test_the_model_words_a_summary_from_the_redacted_cards(stub: LLMStub) -> None:
    stub.script(Scripted("Roll back payments-api on prod-eu: revision 3 broke it.\x1b[2J"))
    summary = summarize(settings(stub), [CARD])
    assert summary is not None and "\x1b" not in summary
    assert summary.startswith("Roll back payments-api on prod-eu: revision 3 broke it.")
    prompt = json.dumps(stub.requests[-1])
    assert "pR0d-Ledger!pass-7731" not in prompt and "[REDACTED]" in prompt
    assert "untrusted" in prompt and "crash-after-change" in prompt


def test_no_model_or_a_failing_one_means_no_summary(stub: LLMStub) -> None:
    assert summarize(settings(stub, enabled=False), [CARD]) is None
    assert summarize(settings(stub), []) is None
    stub.script(Scripted(status=500, message="model overloaded"))
    assert summarize(settings(stub), [CARD]) is None
    assert len(stub.requests) == 1
