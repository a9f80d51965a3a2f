"""AI providers: which path speaks to them, their model names, API key lookup, locality and
health.

Ollama and OpenAI-compatible servers (`provider: ollama | openai`) are spoken to natively
(`native_chat`); Anthropic, Gemini and any other litellm route go through litellm
(`litellm_chat`). Keys come from the env var named in config (`ai.api_key_env`), the
provider's standard env var, or the OS keyring (service "kubechat", user = provider);
never from the config file, and they are never logged or shown.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from kubechat_tui.config.settings import AISettings

KEYRING_SERVICE = "kubechat"
OLLAMA_DEFAULT_BASE = "http://localhost:11434"
OPENAI_DEFAULT_BASE = "https://api.openai.com/v1"
NATIVE_PROVIDERS = frozenset({"ollama", "openai"})
_KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY",
            "gemini": "GEMINI_API_KEY"}
_PREFIX = {"ollama": "ollama/", "openai": "openai/", "anthropic": "anthropic/",
           "gemini": "gemini/"}
_ROUTES = ("ollama", "ollama_chat", "openai", "anthropic", "gemini")


@dataclass(frozen=True)
class ProviderHealth:
    """Whether the provider answers; `detail` is one line for the status bar."""

    model: str
    ok: bool
    detail: str


def model_string(ai: AISettings) -> str:
    """The model's full name (a litellm model string): the configured model, prefixed by
    its provider if needed. Plans name their planner `llm:<this>`."""
    prefix = _PREFIX.get(ai.provider)
    if prefix is None or ("/" in ai.model and ai.model.split("/", 1)[0] in _ROUTES):
        return ai.model
    return prefix + ai.model


def speaks_natively(ai: AISettings) -> bool:
    """True when kubechat talks to the provider itself (no litellm import)."""
    return ai.provider in NATIVE_PROVIDERS


def native_model(ai: AISettings) -> str:
    """The model name the server expects: `ollama/llama3.1` -> `llama3.1`."""
    route, _, name = ai.model.partition("/")
    return name if name and route in ("ollama", "ollama_chat", "openai") else ai.model


def api_base(ai: AISettings) -> str | None:
    """The configured API base, else the provider's own (Ollama on localhost:11434, OpenAI's
    API); None for the providers litellm locates itself."""
    if ai.api_base:
        return ai.api_base.rstrip("/")
    return {"ollama": OLLAMA_DEFAULT_BASE, "openai": OPENAI_DEFAULT_BASE}.get(ai.provider)


def is_local(ai: AISettings) -> bool:
    """True for Ollama on a loopback address: prompts stay on this machine. Everything else
    (including OpenAI-style servers on localhost, often proxies to a cloud) is redacted."""
    base = api_base(ai)
    if base is None or ai.provider != "ollama":
        return False
    host = urlparse(base).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_key(ai: AISettings) -> str | None:
    """The provider's key from env or keyring; None when there is none (Ollama needs none)."""
    for var in (ai.api_key_env, _KEY_ENV.get(ai.provider)):
        if var and os.environ.get(var):
            return os.environ[var]
    if ai.provider == "ollama":
        return None
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, ai.provider)
    except Exception:  # no keyring backend on a headless bastion
        return None


def missing_key(ai: AISettings) -> str | None:
    """Why a hosted provider cannot be asked (no key anywhere), else None. A configured
    `api_base` (vLLM, LM Studio, a proxy) may need no key; litellm routes find their own."""
    hosted = ai.provider in ("anthropic", "gemini") or (ai.provider == "openai"
                                                         and not ai.api_base)
    if not hosted or api_key(ai):
        return None
    return f"no API key (set {_KEY_ENV[ai.provider]} or the keyring entry)"


def unavailable(ai: AISettings, timeout: float = 0.5) -> str | None:
    """Why the provider certainly cannot answer (no key, nothing listening), else None.

    Cheap (one short probe), so a dead provider costs no litellm import (seconds).
    """
    health = provider_health(ai, timeout)
    if health.ok or " answered " in health.detail:  # an HTTP answer means someone listens
        return None
    return health.detail


def provider_health(ai: AISettings, timeout: float = 2.0) -> ProviderHealth:
    """Probe the provider cheaply: Ollama /api/tags, OpenAI-style /models, else the key."""
    model = model_string(ai)
    missing = missing_key(ai)
    if missing is not None:
        return ProviderHealth(model, False, missing)
    base = api_base(ai)
    if base is None:
        return ProviderHealth(model, True, "API key configured" if api_key(ai)
                              else "litellm route (not probed)")
    url = f"{base}/api/tags" if ai.provider == "ollama" else f"{base}/models"
    request = urllib.request.Request(url)
    key = api_key(ai)
    if key:
        request.add_unredirected_header("Authorization", f"Bearer {key}")  # not elsewhere
    try:
        with urllib.request.build_opener().open(request, timeout=timeout) as response:
            return ProviderHealth(model, True, f"{urlparse(base).netloc} answered "
                                  f"{response.status}")
    except urllib.error.HTTPError as exc:
        return ProviderHealth(model, False, f"{urlparse(base).netloc} answered {exc.code}")
    except (OSError, ValueError) as exc:
        return ProviderHealth(model, False, f"{urlparse(base).netloc} unreachable: "
                              f"{type(exc).__name__}")
