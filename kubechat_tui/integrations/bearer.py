"""Bearer tokens for the integrations: from the configured environment variable, else the
OS keyring (service "kubechat", user = the integration), else none.

API::

    token = bearer_token("ALERTMANAGER_TOKEN", "alertmanager")   # str | None
    headers = auth_headers(token)                                 # {"Authorization": ...} or {}
"""

from __future__ import annotations

import os

import keyring
import keyring.errors

KEYRING_SERVICE = "kubechat"


def bearer_token(env_name: str | None, keyring_user: str) -> str | None:
    """The token, or None when neither the variable nor the keyring holds one."""
    if env_name:
        value = os.environ.get(env_name, "").strip()
        if value:
            return value
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_user) or None
    except keyring.errors.KeyringError:
        return None


def auth_headers(token: str | None) -> dict[str, str]:
    """The Authorization header for a bearer token (none without one)."""
    return {"Authorization": f"Bearer {token}"} if token else {}
