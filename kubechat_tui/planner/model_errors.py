"""Why a model did not answer, one line each, never holding a key or a secret."""

from __future__ import annotations


class ProviderError(RuntimeError):
    """The provider failed (timeout, HTTP error, an answer that is not its API's)."""


class ProviderUnreachable(ProviderError):
    """Nothing can be asked: no key, the connection refused, an unknown host."""


class OutOfTime(ProviderError):
    """The model did not answer in the time it was given (the planning budget,
    `ai.planning_budget_seconds`, or one request's `ai.timeout_seconds`)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.waited = ("did not answer in time" if seconds is None
                       else f"did not answer within {seconds:g} s")
        super().__init__(f"the model {self.waited}")
