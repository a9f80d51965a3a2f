"""A loopback HTTP stub speaking the Ollama and OpenAI chat APIs with scripted replies, and
misbehaving on request: slow, dripping its answer a byte at a time, HTTP errors with the
server's message, answers that are not JSON."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Scripted:
    """One scripted answer: the content to return (and the `tool_calls` a model offered
    tools makes), or how to misbehave: a delay before answering, a body sent one byte per
    `drip` seconds, an HTTP status with the API's error `message`, or a `raw` body sent as
    it is (text/html)."""

    content: str = ""
    delay: float = 0.0
    status: int = 200
    message: str = "scripted failure"
    drip: float = 0.0
    raw: str | None = None
    tool_calls: list[tuple[str, Any]] = field(default_factory=list)  # (function, arguments)


@dataclass
class LLMStub:
    """Start with `start()`; queue answers with `script(...)`; inspect `requests`."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    _queue: deque[Scripted] = field(default_factory=deque)

    def clear(self) -> None:
        """Drop answers a previous test left unconsumed."""
        self._queue.clear()

    def script(self, *answers: Scripted) -> None:
        """Queue answers, consumed one per completion request."""
        self._queue.extend(answers)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Run the server in a background thread; returns when it listens."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        """Shut the server down."""
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/api/chat", self._ollama_chat)
        app.router.add_get("/api/tags", self._ok)
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_get("/v1/models", self._ok)
        # a client that gave up cancels its handler; stop() does not wait for slow ones
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        self._loop.run_forever()

    async def _next(self, request: web.Request) -> Scripted:
        body = await request.json()
        self.requests.append({"path": request.path, "body": body, "host": request.host,
                              "auth": request.headers.get("Authorization")})
        answer = self._queue.popleft() if self._queue else Scripted('{"steps": []}')
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return answer

    async def _ok(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [], "data": []})

    async def _ollama_chat(self, request: web.Request) -> web.StreamResponse:
        answer = await self._next(request)
        if answer.status != 200:
            return await _answer(request, answer, {"error": answer.message})
        return await _answer(request, answer, {
            "model": "llama3.1", "created_at": _now(), "done": True,
            "message": {"role": "assistant", "content": answer.content, **({"tool_calls": [
                {"function": {"name": name, "arguments": arguments}}
                for name, arguments in answer.tool_calls]} if answer.tool_calls else {})},
            "prompt_eval_count": 10, "eval_count": 10})

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        answer = await self._next(request)
        if answer.status != 200:
            return await _answer(request, answer, {"error": {
                "message": answer.message, "type": "invalid_request_error"}})
        return await _answer(request, answer, {
            "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": "gpt-stub",
            "choices": [{"index": 0, "finish_reason": "tool_calls" if answer.tool_calls
                         else "stop", "message": {
                             "role": "assistant",
                             "content": (answer.content or None) if answer.tool_calls
                             else answer.content,
                             **({"tool_calls": [
                                 {"id": f"call_{i}", "type": "function", "function": {
                                     "name": name, "arguments": json.dumps(arguments)}}
                                 for i, (name, arguments) in enumerate(answer.tool_calls)]}
                                if answer.tool_calls else {})}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})


async def _answer(request: web.Request, answer: Scripted,
                  document: dict[str, Any]) -> web.StreamResponse:
    """`document` as JSON (or the scripted raw body), all at once or dripped."""
    if answer.raw is not None:
        body, kind = answer.raw.encode(), "text/html"
    else:
        body, kind = json.dumps(document).encode(), "application/json"
    if not answer.drip:
        return web.Response(body=body, status=answer.status, content_type=kind)
    response = web.StreamResponse(status=answer.status, headers={"Content-Type": kind})
    response.content_length = len(body)
    await response.prepare(request)
    try:
        for byte in body:
            await response.write(bytes([byte]))
            await asyncio.sleep(answer.drip)
    except (ConnectionError, RuntimeError):  # the client gave up
        pass
    return response


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
