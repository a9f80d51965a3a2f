"""The two ways an investigation talks with the model, behind one interface:

- `ToolConversation`: the provider's own tool calling (`tools` of Ollama's and the OpenAI
  API, through the native adapter): the model calls the read tools and, at the end, the
  `answer` function with its citations (a plain-text answer is taken too, its `c1@x` ids
  read as citations);
- `JsonConversation`: every reply is one strict JSON object (`calls.REPLY_SCHEMA`), for
  the litellm providers and for a server or model that does not take tools.

Either way a turn comes back as data (`Turn`); results go back quoted as untrusted data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubechat_tui.config.settings import AISettings
from kubechat_tui.domain import Plan
from kubechat_tui.engine.diagnostics.results import StepResult
from kubechat_tui.engine.investigation.calls import (
    ANSWER_TOOL,
    REPLY_SCHEMA,
    TOOLS,
    ToolCall,
    parse_reply,
    tool_call,
)
from kubechat_tui.engine.investigation.prompt import calls_left, first_messages, tool_message
from kubechat_tui.planner.llm_reply import ReplyRejected
from kubechat_tui.planner.model_client import ModelClient
from kubechat_tui.planner.native_tools import ToolUse, tool_result
from kubechat_tui.planner.text import quote_untrusted

CITED = re.compile(r"\b[sc]\d{1,3}@[A-Za-z0-9][A-Za-z0-9_.:-]{0,252}")
Output = dict[str, Any]


@dataclass
class Turn:
    """The model's turn: calls (each with "" or why its arguments are refused), or the
    answer and the ids it cites."""

    calls: list[tuple[ToolCall, str]] = field(default_factory=list)
    answer: str | None = None
    citations: list[str] = field(default_factory=list)


class Conversation(Protocol):
    """One investigation's exchange with the model."""

    def ask(self, client: ModelClient, budget: float) -> Turn:
        """The model's next turn (raises ProviderError, ReplyRejected)."""
        ...

    def tell(self, outputs: list[Output], left: int) -> None:
        """The last turn's calls answered (`outputs` in their order), `left` calls left."""
        ...


class JsonConversation:
    """Replies in strict JSON."""

    def __init__(self, plan: Plan, evidence: Sequence[StepResult], limit: int) -> None:
        self.messages: list[dict[str, Any]] = list(first_messages(plan, evidence, limit))

    def ask(self, client: ModelClient, budget: float) -> Turn:
        reply = parse_reply(client.complete(self.messages, REPLY_SCHEMA, budget))
        if not reply.calls:
            return Turn(answer=reply.answer, citations=reply.citations)
        self.messages.append({"role": "assistant",
                              "content": reply.model_dump_json(exclude_defaults=True)})
        return Turn(calls=[(call, "") for call in reply.calls])

    def tell(self, outputs: list[Output], left: int) -> None:
        self.messages.append(tool_message(outputs, left))


class ToolConversation:
    """The provider's tool calling."""

    def __init__(self, ai: AISettings, plan: Plan, evidence: Sequence[StepResult],
                 limit: int) -> None:
        self.ai = ai
        self.messages: list[dict[str, Any]] = list(first_messages(plan, evidence, limit,
                                                                  tools=True))
        self.uses: tuple[ToolUse, ...] = ()

    def ask(self, client: ModelClient, budget: float) -> Turn:
        turn = client.complete_tools(self.messages, TOOLS, budget)
        calls = [use for use in turn.uses if use.name != ANSWER_TOOL]
        if calls:
            self.messages.append(turn.message)
            self.uses = turn.uses
            return Turn(calls=[tool_call(use.name, use.arguments) for use in calls])
        answers = [use.arguments for use in turn.uses if isinstance(use.arguments, dict)]
        if answers:
            cited = answers[0].get("citations")
            return Turn(answer=str(answers[0].get("answer") or ""), citations=[
                str(c) for c in cited] if isinstance(cited, list) else [])
        if not turn.content.strip():
            raise ReplyRejected("the model neither called a tool nor answered")
        return Turn(answer=turn.content, citations=CITED.findall(turn.content))

    def tell(self, outputs: list[Output], left: int) -> None:
        answered = iter(outputs)
        for use in self.uses:  # every call of the turn gets its result, in order
            output = ({"ignored": "answer once the results are in"}
                      if use.name == ANSWER_TOOL else next(answered))
            self.messages.append(tool_result(self.ai, use, quote_untrusted(output)))
        self.messages.append({"role": "user", "content": calls_left(left)})
