"""The model client over real loopback HTTP: the native adapter's one-line errors, the
planning budget against slow and dripping servers, JSON-schema replies with the JSON-mode
fallback, keys, proxies from the environment, redaction, and the litellm path for the
providers that keep it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Scope
from kubechat_tui.planner.model_client import ModelClient
from kubechat_tui.planner.model_errors import OutOfTime, ProviderError, ProviderUnreachable
from kubechat_tui.planner.service import PlannerService
from tests.planner.conftest import CLUSTER_SETS, FIXED_NOW
from tests.planner.llm_stub import LLMStub, Scripted

KEY = "sk-test-0123456789abcdefghij"
HI = [{"role": "user", "content": "hi"}]
SCHEMA: dict[str, Any] = {"type": "object", "properties": {"steps": {"type": "array"}}}
PLAN = json.dumps({"steps": [{"verb": "describe", "resource": "deployments",
                              "name": "payments-api"}]})
DESCRIBE = "describe deployment payments-api in payments on prod-eu"
MUCH_LATER = 30.0  # a server this slow is never waited for


@pytest.fixture(autouse=True)
def fresh_script(stub: LLMStub) -> None:
    stub.clear()


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY",
                 "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def ai_on(stub: LLMStub, provider: Any = "ollama", **extra: Any) -> AISettings:
    base = stub.base_url + ("/v1" if provider == "openai" else "")
    return AISettings(provider=provider, model="llama3.1" if provider == "ollama"
                      else "gpt-4o-mini", api_base=base, **extra)


def planner_on(ai: AISettings) -> PlannerService:
    return PlannerService(Settings(cluster_sets=CLUSTER_SETS, ai=ai), clock=lambda: FIXED_NOW)


def failure(ai: AISettings, budget: float | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        ModelClient(ai).complete(HI, SCHEMA, budget)
    return caught.value


@pytest.mark.parametrize(("provider", "answer", "said"), [
    ("ollama", Scripted(status=404, message='model "llama3.1" not found, try pulling it first'),
     'answered HTTP 404: model "llama3.1" not found, try pulling it first'),
    ("openai", Scripted(status=429, message="Rate limit reached for gpt-4o-mini"),
     "answered HTTP 429: Rate limit reached for gpt-4o-mini"),
    ("openai", Scripted(status=502, raw="<html>502 Bad\nGateway</html>"),
     "answered HTTP 502: <html>502 Bad Gateway</html>"),
    ("ollama", Scripted(status=500, message="boom\x1b[2J\x07 here"),
     "answered HTTP 500: boom [2J here"),
    ("ollama", Scripted(raw="Welcome to nginx!"),
     "answered with something that is not JSON (is api_base the API's address?)"),
    ("openai", Scripted(raw='{"object": "list", "data": []}'),
     "answered without a reply (is http://127.0.0.1:{port}/v1/chat/completions the chat "
     "API?)"),
])
def test_every_server_failure_is_one_line(stub: LLMStub, provider: str, answer: Scripted,
                                          said: str) -> None:
    stub.script(answer)
    error = failure(ai_on(stub, provider))
    assert type(error) is not OutOfTime
    assert str(error) == f"127.0.0.1:{stub.port} {said.format(port=stub.port)}"


def test_a_refused_connection_is_unreachable() -> None:
    error = failure(AISettings(provider="ollama", api_base="http://127.0.0.1:9"))
    assert isinstance(error, ProviderUnreachable)
    assert str(error) == "127.0.0.1:9 refused the connection"


def test_a_slow_model_is_not_waited_for_past_the_budget(stub: LLMStub) -> None:
    stub.script(Scripted(PLAN, delay=MUCH_LATER))
    svc = planner_on(ai_on(stub, planning_budget_seconds=0.5))
    started = time.monotonic()
    result = svc.plan(DESCRIBE, Scope())
    assert time.monotonic() - started < MUCH_LATER / 3
    assert result.planner == "rules" and result.plan is not None
    assert "the model did not answer within 0.5 s; used the rule planner" in result.notes
    assert result.fallback == ("llm provider ollama/llama3.1 did not answer within 0.5 s: "
                               "planned with rules")


def test_the_budget_holds_against_a_dripping_answer(stub: LLMStub) -> None:
    stub.script(Scripted(PLAN, drip=MUCH_LATER / len(PLAN)))  # bytes keep coming, slowly
    started = time.monotonic()
    error = failure(ai_on(stub, "openai"), budget=0.5)
    assert time.monotonic() - started < MUCH_LATER / 3
    assert isinstance(error, OutOfTime) and str(error) == "the model did not answer within 0.5 s"


def raw_server(answer: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A one-connection loopback server that reads the request and lets `answer` write
    whatever it likes; yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            try:
                answer(conn, done)
            except OSError:
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    done.set()
    listener.close()
    thread.join(5)


@pytest.fixture
def dripping_headers() -> Iterator[str]:
    """A server that answers a status line, then one header byte every 50 ms, forever."""
    def drip(conn: socket.socket, done: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not done.wait(0.05):
            conn.sendall(b"a")

    yield from raw_server(drip)


@pytest.fixture
def redirecting() -> Iterator[str]:
    """A server that redirects the chat request elsewhere (where nothing listens)."""
    def redirect(conn: socket.socket, done: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 308 Permanent Redirect\r\n"
                     b"Location: http://127.0.0.1:9/api/chat\r\nContent-Length: 0\r\n\r\n")

    yield from raw_server(redirect)


def test_the_budget_holds_against_dripping_headers(dripping_headers: str) -> None:
    started = time.monotonic()
    error = failure(AISettings(provider="ollama", api_base=dripping_headers), budget=0.5)
    assert time.monotonic() - started < MUCH_LATER / 3
    assert isinstance(error, OutOfTime)


def test_a_redirect_is_not_followed(redirecting: str) -> None:
    error = failure(AISettings(provider="ollama", api_base=redirecting, api_key_env="KEY_X"))
    assert str(error) == (f"{redirecting.removeprefix('http://')} answered HTTP 308: redirects "
                          "to http://127.0.0.1:9/api/chat; set ai.api_base to the address it "
                          "serves at")


def test_a_request_is_bounded_by_its_timeout_within_a_larger_budget(stub: LLMStub) -> None:
    stub.script(Scripted(PLAN, delay=MUCH_LATER))
    error = failure(ai_on(stub, timeout_seconds=0.3), budget=60)
    assert str(error) == "the model did not answer within 0.3 s"


def test_a_server_without_json_schema_is_asked_in_json_mode(stub: LLMStub) -> None:
    stub.script(Scripted(status=400, message="Invalid parameter: 'response_format' of type "
                         "'json_schema' is not supported with this model."), Scripted(PLAN))
    assert ModelClient(ai_on(stub, "openai")).complete(HI, SCHEMA) == PLAN
    first, second = (r["body"]["response_format"] for r in stub.requests[-2:])
    assert first == {"type": "json_schema",
                     "json_schema": {"name": "kubechat_reply", "schema": SCHEMA}}
    assert second == {"type": "json_object"}


def test_other_bad_requests_are_not_retried(stub: LLMStub) -> None:
    stub.script(Scripted(status=400, message="messages: too long"), Scripted(PLAN))
    before = len(stub.requests)
    assert str(failure(ai_on(stub, "openai"))).endswith("answered HTTP 400: messages: too long")
    assert len(stub.requests) == before + 1


def test_the_keyring_key_is_sent_and_never_shown(stub: LLMStub,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(keyring, "get_password",
                        lambda service, user: KEY if (service, user) == ("kubechat", "openai")
                        else None)
    stub.script(Scripted(status=401, message=f"Incorrect API key provided: {KEY}"))
    error = failure(ai_on(stub, "openai"))
    assert stub.requests[-1]["auth"] == f"Bearer {KEY}"
    assert KEY not in str(error) and "[REDACTED]" in str(error)


def test_hosted_openai_without_a_key_is_not_contacted(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr(keyring, "get_password", lambda service, user: None)
    error = failure(AISettings(provider="openai", model="gpt-4o-mini"))
    assert isinstance(error, ProviderUnreachable)
    assert str(error) == "no API key (set OPENAI_API_KEY or the keyring entry)"


def test_proxies_come_from_the_environment_and_remote_ollama_is_redacted(
        stub: LLMStub, monkeypatch: pytest.MonkeyPatch, no_proxy_env: None) -> None:
    monkeypatch.setenv("HTTP_PROXY", stub.base_url)  # the stub stands in for the proxy
    stub.script(Scripted("ok"))
    ai = AISettings(provider="ollama", model="llama3.1", api_base="http://gpu-box.invalid:11434")
    reply = ModelClient(ai).complete([{"role": "user", "content": "DB_PASSWORD=hunter2 hi"}])
    assert reply == "ok"
    sent = stub.requests[-1]
    assert sent["host"].startswith("gpu-box.invalid") and sent["path"] == "/api/chat"
    assert "hunter2" not in json.dumps(sent["body"]) and "[REDACTED]" in json.dumps(sent["body"])


def test_no_proxy_bypasses_the_proxy(stub: LLMStub, monkeypatch: pytest.MonkeyPatch,
                                     no_proxy_env: None) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    stub.script(Scripted("direct"), Scripted("direct"))
    assert isinstance(failure(ai_on(stub)), ProviderUnreachable)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert ModelClient(ai_on(stub)).complete(HI) == "direct"


def test_a_bad_redaction_pattern_sends_nothing(stub: LLMStub) -> None:
    before = len(stub.requests)
    error = failure(ai_on(stub, "openai", redact_patterns=["(unclosed"]))
    assert str(error).startswith("ai.redact_patterns: bad regular expression")
    assert len(stub.requests) == before


def test_other_providers_go_through_litellm(stub: LLMStub,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("KUBECHAT_TEST_KEY", KEY)
    stub.script(Scripted(PLAN))
    ai = AISettings(provider="litellm", model="openai/gpt-4o-mini",
                    api_base=stub.base_url + "/v1", api_key_env="KUBECHAT_TEST_KEY",
                    redact_patterns=[r"hunter\d"])
    client = ModelClient(ai)
    assert not client.native
    reply = client.complete([{"role": "user", "content": "ticket hunter2"}], SCHEMA, budget=60)
    assert reply == PLAN
    sent = stub.requests[-1]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == f"Bearer {KEY}"
    assert sent["body"]["response_format"] == {"type": "json_object"}
    assert "hunter2" not in json.dumps(sent["body"])
