"""Shared fixtures: settings with the demo cluster sets, a fixed clock, a rule-only service,
a scripted model on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.planner.service import PlannerService
from tests.planner.llm_stub import LLMStub

CLUSTER_SETS = {"prod": ["prod-eu", "prod-us"], "staging": ["staging"], "canary": ["canary"]}
FIXED_NOW = datetime(2026, 11, 25, 20, 0, 0, tzinfo=UTC)


@pytest.fixture
def settings() -> Settings:
    """Demo cluster sets, AI disabled."""
    return Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False))


@pytest.fixture
def rules(settings: Settings) -> PlannerService:
    """A rule-only planner without a live view."""
    return PlannerService(settings, None, mode="rules", clock=lambda: FIXED_NOW)


@pytest.fixture(scope="module")
def stub() -> Iterator[LLMStub]:
    """The scripted model (Ollama and OpenAI APIs), one per test module."""
    server = LLMStub()
    server.start()
    yield server
    server.stop()
