"""The model behind LLM-written summaries: the planner's configured provider, through a
small function that fails fast (health probe first) so the template takes over offline."""

from __future__ import annotations

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.summary import SummaryWriter
from kubechat_tui.planner.model_client import ModelClient
from kubechat_tui.planner.model_errors import ProviderError
from kubechat_tui.planner.providers import model_string, provider_health

HEALTH_TIMEOUT = 1.0


def model_summary_writer(settings: Settings) -> tuple[SummaryWriter | None, str]:
    """(writer, model string); (None, "") when AI is disabled in config."""
    ai = settings.ai
    if not ai.enabled:
        return None, ""
    client = ModelClient(ai)

    def write(prompt: str) -> str | None:
        health = provider_health(ai, timeout=HEALTH_TIMEOUT)
        if not health.ok:
            raise ProviderError(health.detail)
        return client.complete([{"role": "user", "content": prompt}]) or None

    return write, model_string(ai)
