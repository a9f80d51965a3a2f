"""Errors the kube layer raises; every message is one line."""

from __future__ import annotations


class KubeconfigError(Exception):
    """The kubeconfig cannot be used (missing, unparsable, unknown context): exit code 2."""


class CredentialError(KubeconfigError):
    """A context's credentials cannot be obtained (plugin failed or timed out, token file
    unreadable or too large). Raised while a client is built (exit code 2 for a context
    asked for by name) and on requests when a refresh fails (the one line users see)."""


class ApiError(Exception):
    """A request the cluster refused or never answered; `status` is 0 when unreachable."""

    def __init__(self, cluster: str, status: int, message: str, reason: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(f"{cluster}: {message}")
        self.cluster = cluster
        self.status = status
        self.reason = reason
        self.message = message
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503)
