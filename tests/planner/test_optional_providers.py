"""Hosted providers beyond the native adapter need the `providers` extra; without it the
model path says what to install instead of failing on an import."""

from __future__ import annotations

import sys

import pytest

from kubechat_tui.config.settings import AISettings
from kubechat_tui.planner.model_client import ModelClient
from kubechat_tui.planner.model_errors import ProviderError


def test_a_litellm_provider_without_the_extra_names_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)  # as on an install without [providers]
    client = ModelClient(AISettings(provider="anthropic", model="claude-x"))
    with pytest.raises(ProviderError, match=r"pip install 'kubechat-tui\[providers\]'"):
        client.warm_up()


def test_the_native_providers_never_import_litellm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)
    ModelClient(AISettings(provider="ollama", model="llama3.1")).warm_up()
