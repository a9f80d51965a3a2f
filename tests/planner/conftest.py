"""Shared fixtures: settings with the demo cluster sets, a fixed clock, a rule-only service."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.planner.service import PlannerService

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
