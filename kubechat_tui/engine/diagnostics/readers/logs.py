"""`logs`: excerpts of the current and (`--previous`) the crashed container instances.

A named pod is read as is; a workload (`deployments/payments-api`) or a selector reads its
pods, failing pods first, at most MAX_LOG_PODS of them. Without `-c` every container is
read (`--all-containers`). A container that cannot answer (waiting to start, never
restarted) gets a note instead of lines; a 403 or an unreachable cluster fails the step.
"""

from __future__ import annotations

import re

from kubechat_tui.domain import RESOURCES
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES
from kubechat_tui.engine.diagnostics.readers.base import (
    Obj,
    ReadContext,
    Reading,
    ReadInputError,
    flat,
    plural_of,
)
from kubechat_tui.engine.diagnostics.results import LogExcerpt, LogsOutput
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.lookup import selector_string
from kubechat_tui.kube.objects import get_object, pod_log_tail
from kubechat_tui.kube.queries import list_items

MAX_LOG_PODS = 3
EXCERPT_LINES = 40  # last lines of each container instance shown
DEFAULT_TAIL = 200
# A line that reports an error: a level field, or an error word, or an exception name.
ERROR_LINE = re.compile(
    r"""(?ix)
    ["']?(level|severity|lvl)["']?\s*[:=]\s*["']?(error|err|fatal|panic|crit(ical)?|emerg)\b
    | \b(error|fatal|panic|exception|traceback|failed|failure|critical|segfault|oomkilled)\b
    | \b[a-z]\w*(error|exception)\b""")
FAILED_STEP = frozenset({0, 401, 403})  # statuses that fail the whole step, not one container


def error_lines(lines: tuple[str, ...]) -> tuple[int, ...]:
    """The indexes of the lines that report an error."""
    return tuple(i for i, line in enumerate(lines) if ERROR_LINE.search(line))


def read_logs(ctx: ReadContext) -> Reading:
    """Log excerpts of the step's pods and containers."""
    pods = sorted(_pods(ctx), key=_failing_first)
    tail = max(1, int(ctx.param("tail_lines") or DEFAULT_TAIL))
    instances = (False, True) if ctx.param("previous") else (False,)
    excerpts = []
    for pod in pods[:MAX_LOG_PODS]:
        name = str(pod["metadata"]["name"])
        for container in _containers(ctx, pod):
            for previous in instances:
                excerpts.append(_excerpt(ctx, name, container, previous, tail))
    note = ""
    if len(pods) > MAX_LOG_PODS:
        note = f"{plural_of(len(pods), 'pods')} match; logs of the first {MAX_LOG_PODS}"
    elif not pods:
        note = "no pods match"
    return Reading("logs", LogsOutput(tuple(excerpts), note), tuple(pods))


def _pods(ctx: ReadContext) -> list[Obj]:
    step, namespace = ctx.step, ctx.object_namespace
    if step.name and step.resource == "pods":
        return [get_object(ctx.api, ctx.cluster, "pods", namespace, step.name)]
    selector = step.selector
    if step.name and step.resource in WORKLOAD_RESOURCES:
        workload = get_object(ctx.api, ctx.cluster, step.resource, namespace, step.name)
        selector = selector_string((workload.get("spec") or {}).get("selector") or {})
    elif step.name:
        raise ReadInputError(f"logs of {step.resource} are not read; name a pod, a "
                             "workload or a label selector")
    if not selector:
        raise ReadInputError("whose logs? name a pod or a workload, or give a label selector")
    items, _ = list_items(ctx.api, ctx.cluster, RESOURCES["pods"], namespace,
                          label_selector=selector)
    return items


def _containers(ctx: ReadContext, pod: Obj) -> list[str]:
    chosen = ctx.param("container")
    if chosen:
        return [chosen]
    return [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or ()]


def _excerpt(ctx: ReadContext, pod: str, container: str, previous: bool,
             tail: int) -> LogExcerpt:
    try:
        lines = pod_log_tail(ctx.api, ctx.cluster, ctx.object_namespace, pod, container,
                             lines=tail, previous=previous)
    except ApiError as exc:
        if exc.status in FAILED_STEP:
            raise
        return LogExcerpt(pod, container, previous, note=_why_none(exc, previous))
    shown = tuple(lines[-EXCERPT_LINES:])
    note = f"last {len(shown)} of {len(lines)} lines" if len(lines) > len(shown) else ""
    if not lines:
        note = "no log lines"
    return LogExcerpt(pod, container, previous, shown, error_lines(shown), note)


def _why_none(exc: ApiError, previous: bool) -> str:
    text = flat(exc.message, 200)
    if previous and "previous terminated container" in text:
        return "no previous instance: the container has not restarted"
    return text


def _failing_first(pod: Obj) -> tuple[bool, int, str]:
    """Pods not ready first, then by restarts (most first), then by name."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    ready = bool(statuses) and all(s.get("ready") for s in statuses)
    return ready, -restarts, str(pod["metadata"]["name"])
