"""OpenTelemetry traces and metrics, off unless `enable` was called (by the CLI, when the
standard `OTEL_EXPORTER_OTLP_*` variables ask for it). Off, nothing of OpenTelemetry is
imported and `traced` functions run as they are.

Spans and metrics carry names, ids, counts, outcomes and durations only: never secrets,
request text or object contents. Attribute functions choose what a span carries.

    @traced("kubechat.guard.rbac", lambda self, prep: prep_attributes(prep))
    def _rbac(self, prep): ...
    count("kubechat.audit.records", 1, {"kubechat.action": "plan.submitted"})
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from kubechat_tui.domain.plan import Plan

AttributeValue = str | bool | int | float | Sequence[str]
Attributes = Mapping[str, AttributeValue]
P = ParamSpec("P")
R = TypeVar("R")

SCOPE = "kubechat"
_state: dict[str, Any] = {}


def enable(tracer: Any, meter: Any) -> None:
    """Send spans to `tracer` and metrics to `meter` from now on (OpenTelemetry objects)."""
    _state["tracer"] = tracer
    _state["meter"] = meter
    _state["instruments"] = {}


def disable() -> None:
    """Back to no telemetry (tests)."""
    _state.clear()


def enabled() -> bool:
    """True when spans and metrics are being sent."""
    return "tracer" in _state


def traced(name: str, attributes: Callable[..., Attributes] | None = None,
           ) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A span named `name` around each call; `attributes(*args, **kwargs)` adds attributes
    (a failing attribute function never breaks the call). A bool result is recorded as
    `kubechat.passed`, an exception as the span's error status."""
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            tracer = _state.get("tracer")
            if tracer is None:
                return fn(*args, **kwargs)
            with tracer.start_as_current_span(name) as span:
                if attributes is not None:
                    try:
                        span.set_attributes(dict(attributes(*args, **kwargs)))
                    except Exception:  # telemetry never changes what the code does
                        span.set_attribute("kubechat.attributes_failed", True)
                started = time.perf_counter()
                result = fn(*args, **kwargs)
                if isinstance(result, bool):
                    span.set_attribute("kubechat.passed", result)
                record(f"{name}.duration", time.perf_counter() - started)
                return result
        return inner
    return wrap


def count(name: str, value: int = 1, attributes: Attributes | None = None) -> None:
    """Add `value` to the counter `name`."""
    instrument = _instrument(name, "counter")
    if instrument is not None:
        instrument.add(value, dict(attributes or {}))


def record(name: str, seconds: float, attributes: Attributes | None = None) -> None:
    """Record a duration in seconds in the histogram `name`."""
    instrument = _instrument(name, "histogram")
    if instrument is not None:
        instrument.record(seconds, dict(attributes or {}))


def plan_attributes(plan: Plan) -> dict[str, AttributeValue]:
    """What a span may say of a plan: its planner, clusters, verbs and step count (never
    the request text, names or parameters)."""
    steps = [s for s in plan.steps if s.accepted]
    clusters = {c for s in steps for c in s.clusters} | set(plan.scope.clusters)
    return {"kubechat.planner": plan.planner.split(":")[0], "kubechat.steps": len(steps),
            "kubechat.clusters": sorted(clusters),
            "kubechat.verbs": sorted({str(s.verb) for s in steps})}


def _instrument(name: str, kind: str) -> Any:
    meter = _state.get("meter")
    if meter is None:
        return None
    made = _state["instruments"]
    if name not in made:
        made[name] = (meter.create_counter(name) if kind == "counter"
                      else meter.create_histogram(name, unit="s"))
    return made[name]
