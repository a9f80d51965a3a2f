"""The native model adapter: Ollama's `/api/chat` and the OpenAI-compatible
`/chat/completions` (OpenAI, vLLM, LM Studio, llama.cpp server, Ollama's `/v1`).

One non-streaming JSON request over the standard library's HTTP (never redirected: that
would carry the key elsewhere), with proxies from the environment (`HTTP_PROXY`,
`HTTPS_PROXY`, `NO_PROXY`, read per request) as litellm honours them. The reply is
constrained to the caller's JSON schema where the API can: Ollama's `format`, OpenAI's
`response_format: json_schema`; a server that refuses json_schema (older OpenAI models) is
asked once more in JSON mode. Every failure is one ProviderError line naming the server
and what went wrong. Prompts arrive here already redacted (`model_client`).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from kubechat_tui.config.settings import AISettings
from kubechat_tui.planner.model_errors import OutOfTime, ProviderError, ProviderUnreachable
from kubechat_tui.planner.providers import api_base, api_key, native_model
from kubechat_tui.planner.text import printable

MAX_ANSWER_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 200
SCHEMA_NAME = "kubechat_reply"
Messages = list[dict[str, str]]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A chat API that redirects is misconfigured (and a redirect would carry the key to
    another host): the 3xx is an error naming where it points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class ServerRefused(ProviderError):
    """The server answered with an HTTP error; `message` is what it said."""

    def __init__(self, where: str, status: int, message: str) -> None:
        super().__init__(f"{where} answered HTTP {status}" + (f": {message}" if message else ""))
        self.status = status
        self.message = message


def chat(ai: AISettings, messages: Messages, schema: dict[str, Any] | None,
         deadline: float) -> str:
    """The model's reply text; `deadline` is a time.monotonic() value. Raises ProviderError
    (OutOfTime once the deadline passes)."""
    base = api_base(ai) or ""
    if ai.provider == "ollama":
        return _ollama(f"{base}/api/chat", ai, messages, schema, deadline)
    return _openai(f"{base}/chat/completions", ai, messages, schema, deadline)


def _ollama(url: str, ai: AISettings, messages: Messages, schema: dict[str, Any] | None,
            deadline: float) -> str:
    body: dict[str, Any] = {"model": native_model(ai), "messages": messages, "stream": False,
                            "options": {"temperature": 0}}
    if schema is not None:
        body["format"] = schema
    answer = post_json(url, body, api_key(ai), deadline)
    return _text(answer, ("message", "content"), url)


def _openai(url: str, ai: AISettings, messages: Messages, schema: dict[str, Any] | None,
            deadline: float) -> str:
    body: dict[str, Any] = {"model": native_model(ai), "messages": messages, "temperature": 0}
    if schema is not None:
        body["response_format"] = {"type": "json_schema", "json_schema": {
            "name": SCHEMA_NAME, "schema": schema}}
    key = api_key(ai)
    try:
        answer = post_json(url, body, key, deadline)
    except ServerRefused as exc:
        if schema is None or not _refuses_json_schema(exc):
            raise
        body["response_format"] = {"type": "json_object"}
        answer = post_json(url, body, key, deadline)
    return _text(answer, ("choices", 0, "message", "content"), url)


def _refuses_json_schema(exc: ServerRefused) -> bool:
    said = exc.message.lower()
    return exc.status == 400 and ("response_format" in said or "json_schema" in said)


def post_json(url: str, body: dict[str, Any], key: str | None, deadline: float) -> Any:
    """POST `body` as JSON and return the decoded JSON answer (raises ProviderError)."""
    where = urlsplit(url).netloc
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 "User-Agent": "kubechat"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.build_opener(_NoRedirects).open(
                request, timeout=_left(deadline)) as response:
            raw = _read(response, deadline)
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            said = f"redirects to {_one_line(str(exc.headers.get('Location')))}; set " \
                "ai.api_base to the address it serves at"
        else:
            said = _server_message(exc)
        raise ServerRefused(where, exc.code, said) from None
    except urllib.error.URLError as exc:
        raise _connection_error(where, exc.reason) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _connection_error(where, exc) from None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ProviderError(f"{where} answered with something that is not JSON "
                            "(is api_base the API's address?)") from None


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutOfTime()
    return left


def _read(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The whole body, a chunk at a time, giving up at the deadline (a slow drip)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(CHUNK_BYTES):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ProviderError(f"the answer is larger than {MAX_ANSWER_BYTES >> 20} MB")
        chunks.append(chunk)
        _left(deadline)
    return b"".join(chunks)


def _server_message(exc: urllib.error.HTTPError) -> str:
    """What the server said about its error: Ollama's `error`, OpenAI's `error.message`,
    FastAPI's `detail`, else the start of the body."""
    try:
        raw = exc.read(CHUNK_BYTES)
    except (OSError, http.client.HTTPException):
        return ""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        said = data.get("error") or data.get("detail") or data.get("message")
        if isinstance(said, dict):
            said = said.get("message")
        if isinstance(said, str):
            text = said
    return _one_line(text)


def _connection_error(where: str, reason: object) -> ProviderError:
    if isinstance(reason, TimeoutError):
        return OutOfTime()
    if isinstance(reason, ConnectionRefusedError):
        return ProviderUnreachable(f"{where} refused the connection")
    if isinstance(reason, socket.gaierror):
        return ProviderUnreachable(f"{where}: unknown host")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return ProviderError(f"{where}: TLS certificate not trusted ({reason.verify_message})")
    if isinstance(reason, http.client.RemoteDisconnected):
        return ProviderError(f"{where} closed the connection without answering")
    if isinstance(reason, http.client.HTTPException):
        return ProviderError(f"{where} did not answer in HTTP ({type(reason).__name__})")
    if isinstance(reason, OSError):
        detail = reason.strerror or type(reason).__name__
        return ProviderUnreachable(f"{where} unreachable ({_one_line(str(detail))})")
    return ProviderError(f"{where}: {_one_line(str(reason))}")


def _text(answer: Any, path: tuple[str | int, ...], url: str) -> str:
    """The reply text at `path` in the answer; ProviderError when it is not there."""
    node = answer
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
            break
    if isinstance(node, str):
        return node
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        error = error.get("message")
    said = f": {_one_line(error)}" if isinstance(error, str) else ""
    raise ProviderError(f"{urlsplit(url).netloc} answered without a reply{said} "
                        f"(is {url} the chat API?)")


def _one_line(text: str) -> str:
    return " ".join(printable(text).split())[:MAX_MESSAGE_CHARS]
