"""A demo apply with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local OTLP/HTTP receiver:
the spans of plan, guard stages, execution and store writes arrive with their names and
attributes, and none carries the request text or object contents."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from kubechat_tui.domain import tracing
from tests.cli.runner import Cli


class Receiver(ThreadingHTTPServer):
    """Keeps every POST body by path."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: dict[str, list[bytes]] = {}


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.bodies.setdefault(self.path, []).append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return None


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "kubechat-test")
    yield server
    server.shutdown()
    tracing.disable()


def spans(receiver: Receiver) -> list[Any]:
    found = []
    for body in receiver.bodies.get("/v1/traces", []):
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}
            assert service["service.name"] == "kubechat-test"
            found += [span for scope in resource.scope_spans for span in scope.spans]
    return found


def attributes(span: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in span.attributes:
        value = a.value
        kind = value.WhichOneof("value")
        out[a.key] = ([v.string_value for v in value.array_value.values]
                      if kind == "array_value" else getattr(value, kind))
    return out


def test_a_demo_apply_sends_its_spans_to_the_otlp_endpoint(receiver: Receiver, cli: Cli) -> None:
    plan = cli.save_plan("scale payments-api in staging to 2")  # no approval needed there
    code, _, err = cli.run("apply", str(plan), "--yes")
    assert code == 0, err
    sent = spans(receiver)
    names = {span.name for span in sent}
    assert {"kubechat.plan", "kubechat.prepare", "kubechat.guard.targets",
            "kubechat.guard.rbac", "kubechat.guard.policy", "kubechat.guard.dry_run",
            "kubechat.guard.approval", "kubechat.execute", "kubechat.store.append"} <= names
    execute = next(span for span in sent if span.name == "kubechat.execute")
    attrs = attributes(execute)
    assert attrs["kubechat.clusters"] == ["staging"]
    assert "scale" in attrs["kubechat.verbs"]
    assert attrs["kubechat.execution_id"].startswith("ex-")
    rbac = next(span for span in sent if span.name == "kubechat.guard.rbac")
    assert attributes(rbac)["kubechat.passed"] is True
    actions = {attributes(s)["kubechat.action"] for s in sent if s.name == "kubechat.store.append"}
    assert "execution.succeeded" in actions
    everything = b"".join(receiver.bodies["/v1/traces"])
    assert b"payments-api" not in everything  # names, request text, objects: never sent
    assert b"scale payments-api" not in everything


def test_metrics_arrive_too(receiver: Receiver, cli: Cli) -> None:
    cli.save_plan()
    assert receiver.bodies.get("/v1/metrics"), "the plan's counter was flushed at exit"


def test_without_an_endpoint_nothing_is_turned_on(cli: Cli,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    cli.save_plan()
    assert not tracing.enabled()


def test_an_unsupported_protocol_says_so_and_runs_anyway(
        receiver: Receiver, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    code, _, err = cli.run("plan", "scale payments-api in prod-eu to 5")
    assert code == 0
    assert "telemetry off: OTEL_EXPORTER_OTLP_PROTOCOL='grpc' is not supported" in err
    assert not receiver.bodies
