"""OpenTelemetry for one `kubechat` run, configured only by the standard variables:
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns it on,
`OTEL_EXPORTER_OTLP_HEADERS` carries credentials, `OTEL_SERVICE_NAME` names the service,
`OTEL_SDK_DISABLED=true` turns it off. Traces and metrics go out over OTLP/HTTP (protobuf)
with the `otel` extra; without it, a run that asks for telemetry says so in one line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from kubechat_tui import __version__
from kubechat_tui.domain import tracing

ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
OTEL_EXTRA_HINT = "pip install 'kubechat-tui[otel]'"


def _nothing() -> None:
    return None


def asked_for() -> bool:
    """True when the environment asks for telemetry."""
    disabled = os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    return not disabled and any(os.environ.get(name, "").strip() for name in ENDPOINTS)


def start_telemetry() -> Callable[[], None]:
    """Turn telemetry on when asked for; returns the function that flushes and stops it."""
    if not asked_for():
        return _nothing
    protocol = os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf").strip()
    if protocol != "http/protobuf":
        print(f"kubechat: telemetry off: OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r} is not "
              "supported (use http/protobuf)", file=sys.stderr)
        return _nothing
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        print(f"kubechat: telemetry off: the otel extra is not installed ({OTEL_EXTRA_HINT})",
              file=sys.stderr)
        return _nothing
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "kubechat"),
                                "service.version": __version__})
    traces = TracerProvider(resource=resource)
    traces.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    metrics = MeterProvider(resource=resource, metric_readers=[
        PeriodicExportingMetricReader(OTLPMetricExporter(), export_interval_millis=30_000)])
    tracing.enable(traces.get_tracer(tracing.SCOPE, __version__),
                   metrics.get_meter(tracing.SCOPE, __version__))

    def stop() -> None:
        tracing.disable()
        traces.shutdown()  # flushes what is batched (bounded by the exporter's timeout)
        metrics.shutdown()

    return stop
