"""One way to ask the configured model, for the planner and the summary writer alike.

Ollama and OpenAI-compatible servers go through the native adapter (`native_chat`, no
litellm import); Anthropic, Gemini and other litellm routes through `litellm_chat`, after a
cheap probe so a dead provider costs no import; a turn with tools offered (an investigation)
goes through `native_tools`, natively only. Here, for every caller:
- everything sent to a model that is not a local Ollama is redacted first (built-in rules
  plus `ai.redact_patterns`; a bad pattern fails closed: nothing is sent);
- the call runs in a daemon thread and is waited for at most its time limit (the caller's
  budget, never more than `ai.timeout_seconds`), so the limit holds whatever the server
  does (a slow drip, a stalled handshake);
- error lines never carry the key or a secret.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kubechat_tui.config.settings import AISettings
from kubechat_tui.domain.redaction import Redactor
from kubechat_tui.planner import litellm_chat, native_chat, native_tools
from kubechat_tui.planner.model_errors import OutOfTime, ProviderError, ProviderUnreachable
from kubechat_tui.planner.native_tools import ToolTurn
from kubechat_tui.planner.providers import (
    api_key,
    is_local,
    missing_key,
    speaks_natively,
    unavailable,
)
from kubechat_tui.planner.text import printable

PROBE_TIMEOUT = 2.0  # the litellm path's probe: a refused connection answers at once
Messages = list[dict[str, str]]
T = TypeVar("T")


class ModelClient:
    """Asks the model of `ai` for a reply (blocking; call from a worker thread)."""

    def __init__(self, ai: AISettings) -> None:
        self.ai = ai
        self.native = speaks_natively(ai)
        self.problem = ""
        try:
            self.redactor: Redactor | None = Redactor(ai.redact_patterns)
        except re.error as exc:  # fail closed: never send an unredacted prompt
            self.redactor = None
            self.problem = f"ai.redact_patterns: bad regular expression ({exc})"

    def warm_up(self) -> None:
        """Import litellm now if this provider needs it (seconds; from a worker thread)."""
        if not self.native:
            litellm_chat.import_litellm()

    def complete(self, messages: Messages, schema: dict[str, Any] | None = None,
                 budget: float | None = None) -> str:
        """The model's reply to `messages`, constrained to the JSON `schema` where the API
        can. `budget` bounds the whole attempt (probe and request) in seconds, as does
        `ai.timeout_seconds`; raises ProviderError, OutOfTime when the time ran out."""
        return self._within(budget, messages,
                            lambda sent, deadline: self._request(sent, schema, deadline))

    def complete_tools(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                       budget: float | None = None) -> ToolTurn:
        """One turn of a model offered `tools` (native providers only; see `native_tools`),
        bounded like `complete`; raises ProviderError (ToolsUnsupported: ask for JSON)."""
        if not self.native:
            raise native_tools.ToolsUnsupported(
                f"{self.ai.provider}: tool calling goes through the native adapter only")
        return self._within(budget, messages, lambda sent, deadline: self._tools_request(
            sent, tools, deadline))

    def _within(self, budget: float | None, messages: list[dict[str, Any]],
                ask: Callable[[list[dict[str, Any]], float], T]) -> T:
        """`ask(redacted messages, deadline)` in a daemon thread, waited for at most the
        budget (never more than `ai.timeout_seconds`); its errors scrubbed."""
        if self.redactor is None:
            raise ProviderError(self.problem)
        limit = self.ai.timeout_seconds if budget is None else min(budget, self.ai.timeout_seconds)
        deadline = time.monotonic() + limit
        sent = self._outgoing(messages, self.redactor)
        outcome: list[T | BaseException] = []

        def run() -> None:
            try:
                outcome.append(ask(sent, deadline))
            except BaseException as exc:  # handed to the waiting caller
                outcome.append(exc)

        worker = threading.Thread(target=run, name="kubechat-model", daemon=True)
        worker.start()
        worker.join(limit)
        if not outcome or isinstance(outcome[0], OutOfTime):
            raise OutOfTime(limit)  # the worker gives up on its own soon after
        result = outcome[0]
        if isinstance(result, ProviderError):
            result.args = (self._scrubbed(str(result)),)
        if isinstance(result, BaseException):
            raise result
        return result

    def _outgoing(self, messages: list[dict[str, Any]],
                  redactor: Redactor) -> list[dict[str, Any]]:
        if is_local(self.ai):
            return messages
        return [{**m, "content": redactor.redact(m["content"])}
                if isinstance(m.get("content"), str) else m for m in messages]

    def _request(self, messages: list[dict[str, Any]], schema: dict[str, Any] | None,
                 deadline: float) -> str:
        if self.native:
            missing = missing_key(self.ai)
            if missing is not None:
                raise ProviderUnreachable(missing)
            return native_chat.chat(self.ai, messages, schema, deadline)
        down = unavailable(self.ai, timeout=min(PROBE_TIMEOUT, _left(deadline)))
        if down is not None:
            raise ProviderUnreachable(down)
        return litellm_chat.chat(self.ai, messages, schema, _left(deadline))

    def _tools_request(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                       deadline: float) -> ToolTurn:
        missing = missing_key(self.ai)
        if missing is not None:
            raise ProviderUnreachable(missing)
        return native_tools.chat_tools(self.ai, messages, tools, deadline)

    def _scrubbed(self, message: str) -> str:
        key = api_key(self.ai)
        if key:
            message = message.replace(key, "[REDACTED]")
        return Redactor().redact(printable(message))


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutOfTime()
    return left
