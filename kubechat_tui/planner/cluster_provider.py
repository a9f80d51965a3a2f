"""The AI provider settings from an AIProvider custom resource (charts/kubechat/crds).

`ai_from_cluster` (CONTEXT/NAMESPACE/NAME) replaces the `ai` section's provider, model,
apiBase, timeouts and redaction patterns with the resource's, read once when a session
opens. The API key never comes from the resource: its `secretRef` names the Secret the
chart projects into `KUBECHAT_AI_API_KEY` (kubechat's RBAC cannot read Secrets).
The resource's `fallback` has no counterpart in the settings yet and is not used.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kubechat_tui.config.errors import ConfigError
from kubechat_tui.config.settings import AISettings
from kubechat_tui.kube.custom_objects import CustomObjectRef, get_custom_object
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.fleet import Fleet

GROUP, VERSION, PLURAL = "kubechat.io", "v1alpha1", "aiproviders"
API_KEY_ENV = "KUBECHAT_AI_API_KEY"


def ai_provider_ref(text: str) -> CustomObjectRef:
    """`CONTEXT/NAMESPACE/NAME` of an AIProvider; ConfigError when it is not one."""
    parts = text.split("/")
    if len(parts) != 3 or not all(parts):
        raise ConfigError(f"ai_from_cluster: {text!r} is not CONTEXT/NAMESPACE/NAME")
    return CustomObjectRef(parts[0], GROUP, VERSION, PLURAL, parts[1], parts[2])


def ai_from_resource(resource: dict[str, Any], current: AISettings, source: str) -> AISettings:
    """current with the AIProvider's spec applied (ConfigError naming source when invalid)."""
    spec = resource.get("spec") or {}
    update: dict[str, Any] = {"provider": spec.get("provider"), "model": spec.get("model")}
    optional = {
        "apiBase": "api_base",
        "timeoutSeconds": "timeout_seconds",
        "planningBudgetSeconds": "planning_budget_seconds",
    }
    update.update({key: spec[name] for name, key in optional.items() if name in spec})
    if "secretRef" in spec:
        update["api_key_env"] = API_KEY_ENV
    patterns = (spec.get("redaction") or {}).get("patterns")
    if patterns:
        update["redact_patterns"] = list(patterns)
    try:
        return AISettings.model_validate({**current.model_dump(), **update})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise ConfigError(f"{source}: {where}: {error['msg']}") from None


def ai_from_cluster(fleet: Fleet, text: str, current: AISettings) -> AISettings:
    """The `ai` settings with the named AIProvider read now; ConfigError (one line) if not."""
    ref = ai_provider_ref(text)
    try:
        resource = get_custom_object(fleet, ref)
    except (ApiError, KubeconfigError) as exc:
        raise ConfigError(f"ai_from_cluster: {exc}") from None
    return ai_from_resource(resource, current, f"cluster:{ref}")
