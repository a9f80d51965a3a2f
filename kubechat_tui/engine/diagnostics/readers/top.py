"""`top`: CPU and memory from `metrics.k8s.io` as `kubectl top` prints them (millicores,
MiB), the heaviest first; "metrics API not available on X" where it is not served
(`kube.queries.MetricsUnavailable`, raised to the path, which shows it as the answer)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kubechat_tui.engine.diagnostics.readers.base import (
    MAX_ROWS,
    Obj,
    ReadContext,
    Reading,
    capped,
    plural_of,
)
from kubechat_tui.engine.diagnostics.results import TableOutput
from kubechat_tui.kube.queries import metrics

_QUANTITY = re.compile(r"^([0-9.]+)([a-zA-Z]*)$")
_SUFFIX = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
           "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
           "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30),
           "Ti": Decimal(2**40)}


def quantity(text: str) -> Decimal:
    """A Kubernetes quantity (`10523502n`, `156983Ki`, `250m`) as a number; 0 if unreadable."""
    found = _QUANTITY.match(text.strip())
    if not found or found.group(2) not in _SUFFIX:
        return Decimal(0)
    try:
        return Decimal(found.group(1)) * _SUFFIX[found.group(2)]
    except InvalidOperation:
        return Decimal(0)


def read_top(ctx: ReadContext) -> Reading:
    """Usage of the step's pods (containers summed) or nodes."""
    nodes = ctx.step.resource == "nodes"
    items = metrics(ctx.api, ctx.cluster, "nodes" if nodes else "pods",
                    None if nodes else ctx.namespace, ctx.step.name, ctx.step.selector)
    usage = [(_meta(i, "namespace"), _meta(i, "name"), *_usage(i, nodes)) for i in items]
    usage.sort(key=lambda u: (-u[3], -u[2], u[0], u[1]))
    spans = not nodes and ctx.namespace is None
    columns = (("NAMESPACE",) if spans else ()) + ("NAME", "CPU(cores)", "MEMORY(bytes)")
    rows = tuple(((ns,) if spans else ()) + (name, f"{int(cpu * 1000)}m",
                                            f"{int(memory / 2**20)}Mi")
                 for ns, name, cpu, memory in usage[:MAX_ROWS])
    what = "nodes" if nodes else "pods"
    note = "; ".join(filter(None, [
        f"{plural_of(len(rows), what)}, highest memory first" if rows else f"no {what} "
        "metrics (none running)", capped(len(usage), what)]))
    return Reading("metrics", TableOutput(columns, rows, note=note), tuple(items))


def _usage(item: Obj, node: bool) -> tuple[Decimal, Decimal]:
    """(cores, bytes) of a NodeMetrics, or of a PodMetrics' containers summed."""
    parts = [item.get("usage") or {}] if node else [
        c.get("usage") or {} for c in item.get("containers") or ()]
    return (sum((quantity(str(p.get("cpu") or "0")) for p in parts), Decimal(0)),
            sum((quantity(str(p.get("memory") or "0")) for p in parts), Decimal(0)))


def _meta(item: Obj, key: str) -> str:
    return str((item.get("metadata") or {}).get(key) or "")
