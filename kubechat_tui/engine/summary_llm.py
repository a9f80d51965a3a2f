"""The model behind LLM-written summaries: the planner's configured provider, through a
small function that fails fast (health probe first) so the template takes over offline."""

from __future__ import annotations

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.summary import SummaryWriter
from kubechat_tui.guard.redaction import Redactor
from kubechat_tui.planner.llm import ProviderError, import_litellm
from kubechat_tui.planner.providers import (
    api_base,
    api_key,
    is_local,
    model_string,
    provider_health,
)

HEALTH_TIMEOUT = 1.0


def model_summary_writer(settings: Settings) -> tuple[SummaryWriter | None, str]:
    """(writer, model string); (None, "") when AI is disabled in config."""
    ai = settings.ai
    if not ai.enabled:
        return None, ""
    model = model_string(ai)

    def write(prompt: str) -> str | None:
        health = provider_health(ai, timeout=HEALTH_TIMEOUT)
        if not health.ok:
            raise ProviderError(health.detail)
        if not is_local(ai):
            prompt = Redactor(ai.redact_patterns).redact(prompt)
        litellm = import_litellm()
        response = litellm.completion(
            model=model, messages=[{"role": "user", "content": prompt}],
            api_base=api_base(ai), api_key=api_key(ai), timeout=ai.timeout_seconds,
            num_retries=0, temperature=0)
        content = response.choices[0].message.content
        return str(content) if content else None

    return write, model
