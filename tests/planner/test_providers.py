"""Provider config: model strings, locality (decides redaction), key lookup order."""

from __future__ import annotations

from typing import Any

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Scope
from kubechat_tui.planner import providers
from kubechat_tui.planner.service import PlannerService


@pytest.mark.parametrize(("provider", "model", "expected"), [
    ("ollama", "llama3.1", "ollama/llama3.1"),
    ("ollama", "ollama_chat/llama3.1", "ollama_chat/llama3.1"),
    ("openai", "gpt-4o-mini", "openai/gpt-4o-mini"),
    ("anthropic", "claude-3-5-sonnet", "anthropic/claude-3-5-sonnet"),
    ("gemini", "gemini/gemini-1.5-pro", "gemini/gemini-1.5-pro"),
    ("litellm", "bedrock/anthropic.claude-v2", "bedrock/anthropic.claude-v2"),
])
def test_model_strings(provider: Any, model: str, expected: str) -> None:
    assert providers.model_string(AISettings(provider=provider, model=model)) == expected


def test_only_loopback_ollama_counts_as_local() -> None:
    assert providers.is_local(AISettings(provider="ollama"))
    assert providers.is_local(AISettings(provider="ollama", api_base="http://[::1]:11434"))
    assert not providers.is_local(AISettings(provider="ollama", api_base="http://gpu-box:11434"))
    assert not providers.is_local(AISettings(provider="openai", api_base="http://127.0.0.1:4000"))
    assert not providers.is_local(AISettings(provider="anthropic"))


def test_key_lookup_order(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda service, user: f"kr-{service}-{user}")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    ai = AISettings(provider="openai", api_key_env="MY_KEY")
    assert providers.api_key(ai) == "kr-kubechat-openai"
    monkeypatch.setenv("OPENAI_API_KEY", "std")
    assert providers.api_key(ai) == "std"
    monkeypatch.setenv("MY_KEY", "mine")
    assert providers.api_key(ai) == "mine"
    assert providers.api_key(AISettings(provider="ollama")) is None


def test_keyring_failure_means_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    def broken(service: str, user: str) -> str:
        raise RuntimeError("no backend")

    monkeypatch.setattr(keyring, "get_password", broken)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    ai = AISettings(provider="anthropic")
    assert providers.api_key(ai) is None
    health = providers.provider_health(ai)
    assert not health.ok and "no API key" in health.detail


def test_disabled_ai_uses_rules_and_reports_it() -> None:
    service = PlannerService(Settings(ai=AISettings(enabled=False)))
    assert service.plan("show pods", Scope()).planner == "rules"
    assert not service.health().ok and "rule planner" in service.health().detail


def test_forcing_llm_with_ai_disabled_says_so() -> None:
    service = PlannerService(Settings(ai=AISettings(enabled=False)), mode="llm")
    result = service.plan("show pods", Scope())
    assert result.planner == "rules" and "AI is disabled" in result.notes[0]
