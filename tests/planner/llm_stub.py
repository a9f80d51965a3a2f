"""A loopback HTTP stub speaking the Ollama and OpenAI chat APIs with scripted replies."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Scripted:
    """One scripted answer: the content to return, or a delay/HTTP status to misbehave."""

    content: str = ""
    delay: float = 0.0
    status: int = 200


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
        app.router.add_post("/api/generate", self._ollama_generate)
        app.router.add_post("/api/chat", self._ollama_chat)
        app.router.add_post("/api/show", self._ollama_show)
        app.router.add_get("/api/tags", self._ok)
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_get("/v1/models", self._ok)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        self._loop.run_forever()

    async def _next(self, request: web.Request) -> Scripted:
        body = await request.json()
        self.requests.append({"path": request.path, "body": body,
                              "auth": request.headers.get("Authorization")})
        answer = self._queue.popleft() if self._queue else Scripted('{"steps": []}')
        if answer.delay:
            await asyncio.sleep(answer.delay)
        return answer

    async def _ok(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [], "data": []})

    async def _ollama_show(self, request: web.Request) -> web.Response:
        return web.json_response({"model_info": {}, "details": {}, "template": ""})

    async def _ollama_generate(self, request: web.Request) -> web.Response:
        answer = await self._next(request)
        if answer.status != 200:
            return web.json_response({"error": "scripted failure"}, status=answer.status)
        return web.json_response({
            "model": "llama3.1", "created_at": _now(), "response": answer.content, "done": True,
            "prompt_eval_count": 10, "eval_count": 10})

    async def _ollama_chat(self, request: web.Request) -> web.Response:
        answer = await self._next(request)
        if answer.status != 200:
            return web.json_response({"error": "scripted failure"}, status=answer.status)
        return web.json_response({
            "model": "llama3.1", "created_at": _now(), "done": True,
            "message": {"role": "assistant", "content": answer.content},
            "prompt_eval_count": 10, "eval_count": 10})

    async def _openai(self, request: web.Request) -> web.Response:
        answer = await self._next(request)
        if answer.status != 200:
            return web.json_response({"error": {"message": "scripted failure",
                                                "type": "server_error"}}, status=answer.status)
        return web.json_response({
            "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": "gpt-stub",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": answer.content}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
