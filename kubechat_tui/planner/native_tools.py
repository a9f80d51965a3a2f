"""Tool calling through the native adapter: Ollama's `/api/chat` and the OpenAI-compatible
`/chat/completions` with `tools`, for a model that investigates with read-only tools.

    turn = chat_tools(ai, messages, tools, deadline)   # ToolTurn: content, uses, message
    messages += [turn.message, *(tool_result(ai, use, text) for use in turn.uses)]

The tools are the caller's JSON-schema function definitions; what the model asks for comes
back as data (`ToolUse`: name and arguments), never as anything run. A server or model
without tool support answers HTTP 400 (`ToolsUnsupported`), so the caller can ask for
strict JSON replies instead. Prompts arrive here already redacted (`model_client`).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from kubechat_tui.config.settings import AISettings
from kubechat_tui.planner.model_errors import ProviderError
from kubechat_tui.planner.native_chat import ServerRefused, post_json
from kubechat_tui.planner.providers import api_base, api_key, native_model

Message = dict[str, Any]


class ToolsUnsupported(ProviderError):
    """The server or model does not take `tools` (the message says which)."""


@dataclass(frozen=True)
class ToolUse:
    """One function call the model asked for: `arguments` as it sent them (an object, or
    the text OpenAI's API carries when it is not JSON)."""

    id: str  # OpenAI's tool_call_id ("" for Ollama)
    name: str
    arguments: Any


@dataclass(frozen=True)
class ToolTurn:
    """The model's turn: its text, the calls it asked for, and the assistant message to
    send back with the results."""

    content: str
    uses: tuple[ToolUse, ...]
    message: Message


def chat_tools(ai: AISettings, messages: list[Message], tools: list[dict[str, Any]],
               deadline: float) -> ToolTurn:
    """One model turn with `tools` offered (raises ProviderError, ToolsUnsupported)."""
    base = api_base(ai) or ""
    ollama = ai.provider == "ollama"
    url = f"{base}/api/chat" if ollama else f"{base}/chat/completions"
    body: dict[str, Any] = {"model": native_model(ai), "messages": messages, "tools": tools}
    if ollama:
        body.update(stream=False, options={"temperature": 0})
    else:
        body["temperature"] = 0
    try:
        answer = post_json(url, body, api_key(ai), deadline)
    except ServerRefused as exc:
        if exc.status == 400 and "tool" in exc.message.lower():
            raise ToolsUnsupported(str(exc)) from None
        raise
    message = _at(answer, ("message",) if ollama else ("choices", 0, "message"))
    if not isinstance(message, dict):
        raise ProviderError(f"{url} answered without a message (is it the chat API?)")
    content = message.get("content")
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        raise ProviderError("the model's tool_calls is not a list")
    uses = tuple(_use(call, index) for index, call in enumerate(calls))
    echoed: Message = {"role": "assistant", "content": content if isinstance(content, str)
                       else ("" if ollama else None)}
    if calls:
        echoed["tool_calls"] = calls
    return ToolTurn(content if isinstance(content, str) else "", uses, echoed)


def tool_result(ai: AISettings, use: ToolUse, content: str) -> Message:
    """The message carrying a call's result back to the model."""
    if ai.provider == "ollama":
        return {"role": "tool", "content": content, "tool_name": use.name}
    return {"role": "tool", "tool_call_id": use.id, "content": content}


def _use(call: Any, index: int) -> ToolUse:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise ProviderError(f"the model's tool call {index + 1} names no function")
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        with contextlib.suppress(ValueError):  # not JSON: kept as text, the caller refuses it
            arguments = json.loads(arguments or "{}")
    ident = call.get("id")
    return ToolUse(ident if isinstance(ident, str) else "", function["name"], arguments)


def _at(answer: Any, path: tuple[str | int, ...]) -> Any:
    node = answer
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node
