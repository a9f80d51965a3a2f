"""The litellm path, for the providers kubechat does not speak natively (Anthropic, Gemini,
any other litellm route): imported lazily, once (seconds), with its network price-map
fetch switched off. Prompts arrive here already redacted (`model_client`)."""

from __future__ import annotations

import os
import threading
from typing import Any

from kubechat_tui.config.settings import AISettings
from kubechat_tui.planner.model_errors import OutOfTime, ProviderError
from kubechat_tui.planner.providers import api_base, api_key, model_string

_IMPORT_LOCK = threading.Lock()
PROVIDERS_EXTRA_HINT = "pip install 'kubechat-tui[providers]'"


def import_litellm() -> Any:
    """Import litellm once, offline (no network price-map fetch)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with _IMPORT_LOCK:
        try:
            import litellm
        except ImportError:
            raise ProviderError(f"this provider needs litellm: {PROVIDERS_EXTRA_HINT}") from None

        litellm.suppress_debug_info = True
        litellm.telemetry = False
        return litellm


def chat(ai: AISettings, messages: list[dict[str, str]], schema: dict[str, Any] | None,
         timeout: float) -> str:
    """The model's reply text, in JSON mode when a `schema` is wanted (the schema itself is
    in the prompt); raises ProviderError (OutOfTime for a timeout)."""
    litellm = import_litellm()
    try:
        response = litellm.completion(
            model=model_string(ai), messages=messages, api_base=api_base(ai),
            api_key=api_key(ai), timeout=timeout, num_retries=0, temperature=0,
            response_format={"type": "json_object"} if schema is not None else None)
    except Exception as exc:  # litellm maps every provider failure to its own types
        name = type(exc).__name__
        text = " ".join(str(exc).split())
        if "timeout" in name.lower() or "timed out" in text.lower():
            raise OutOfTime() from None
        raise ProviderError(f"{name}: {text[:160]}") from None
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        content = None
    if not isinstance(content, str):
        raise ProviderError("the provider answered without a reply")
    return content
