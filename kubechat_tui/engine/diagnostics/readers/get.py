"""`get`: the server's Table (kubectl's own columns), filtered and ordered for people.

Filters a planner sets (`status_filter`, `name_contains`) keep only the rows asked about
("only the crashlooping pods"); `--sort-by` orders by a field, highest first; `-o wide`
adds the server's wide columns; `-o yaml|json|name|custom-columns=...` read the objects
(Secret values masked).
"""

from __future__ import annotations

from typing import Any

import yaml

from kubechat_tui.domain.secret_masking import mask_secret_values
from kubechat_tui.engine.diagnostics.readers import pod_state
from kubechat_tui.engine.diagnostics.readers.base import (
    MAX_ROWS,
    Obj,
    ReadContext,
    Reading,
    capped,
    plural_of,
)
from kubechat_tui.engine.diagnostics.readers.fields import custom_columns, field_text
from kubechat_tui.engine.diagnostics.results import TableOutput, TextOutput
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.queries import ServerTable, TableRow, list_items, list_table

OBJECT_OUTPUTS = ("yaml", "json", "name")
MAX_TEXT_LINES = 2000


def read_get(ctx: ReadContext) -> Reading:
    """The step's objects as a table (or as YAML/JSON/names)."""
    output = ctx.param("output") or "wide"
    if output in OBJECT_OUTPUTS or output.startswith("custom-columns="):
        return _objects(ctx, output)
    status_filter = ctx.param("status_filter")
    full = bool(ctx.param("sort_by")) or pod_state.needs_containers(status_filter)
    table = list_table(ctx.api, ctx.cluster, ctx.info, _namespace(ctx),
                       label_selector=ctx.step.selector, field_selector=_fields(ctx),
                       full_objects=full)
    _found_or_404(ctx, len(table.rows))
    names = [c.name.lower() for c in table.columns]
    rows = [r for r in table.rows if _kept(ctx, names, r)]
    if ctx.param("sort_by"):
        rows.sort(key=lambda r: _sort_key(field_text(r.object, ctx.param("sort_by"))),
                  reverse=True)
    shown = [i for i, c in enumerate(table.columns)
             if c.priority == 0 or (output == "wide" and _filled(rows, i))]
    spans = ctx.info.namespaced and ctx.namespace is None
    columns = (("NAMESPACE",) if spans else ()) + tuple(
        table.columns[i].name.upper() for i in shown)
    out_rows = [(((_meta(r, "namespace"),) if spans else ())
                 + tuple(_cell(r.cells, i) for i in shown)) for r in rows[:MAX_ROWS]]
    marked = tuple(i for i, r in enumerate(rows[:MAX_ROWS]) if _attention(ctx, names, r))
    note = _note(ctx, table, len(rows), status_filter)
    return Reading("table", TableOutput(columns, tuple(out_rows), marked, note),
                   tuple(r.object for r in rows))


def _namespace(ctx: ReadContext) -> str | None:
    return ctx.object_namespace if ctx.step.name else ctx.namespace


def _fields(ctx: ReadContext) -> str | None:
    parts = [ctx.param("field_selector")] if ctx.param("field_selector") else []
    if ctx.step.name:
        parts.append(f"metadata.name={ctx.step.name}")
    return ",".join(parts) or None


def _found_or_404(ctx: ReadContext, count: int) -> None:
    """A named object that is not there is an error, as for kubectl."""
    if ctx.step.name and not count:
        raise ApiError(ctx.cluster, 404, f'{ctx.info.plural} "{ctx.step.name}" not found'
                       + (f" in namespace {ctx.object_namespace}" if ctx.object_namespace
                          else ""), "NotFound")


def _kept(ctx: ReadContext, names: list[str], row: TableRow) -> bool:
    contains = ctx.param("name_contains").lower()
    if contains and contains not in _meta(row, "name").lower():
        return False
    status_filter = ctx.param("status_filter")
    if not status_filter:
        return True
    return pod_state.matches(pod_state.wanted(status_filter), _named(names, row, "status"),
                             _named(names, row, "ready"), row.object)


def _attention(ctx: ReadContext, names: list[str], row: TableRow) -> bool:
    if ctx.info.plural != "pods":
        return False
    return pod_state.needs_attention(_named(names, row, "status"), _named(names, row, "ready"))


def _note(ctx: ReadContext, table: ServerTable, kept: int, status_filter: str) -> str:
    plural = ctx.info.plural
    parts = []
    if status_filter or ctx.param("name_contains"):
        what = " or ".join(sorted(pod_state.wanted(status_filter))) or ""
        named = ctx.param("name_contains")
        criteria = " and ".join(filter(None, [f"in {what}" if what else "",
                                              f"named *{named}*" if named else ""]))
        checked = plural_of(len(table.rows), plural)
        parts.append(f"{kept} of {checked} {criteria}" if kept else
                     f"none of {checked} {criteria}")
    elif not kept:
        parts.append(f"no {plural} found")
    if ctx.param("sort_by"):
        parts.append(f"sorted by {ctx.param('sort_by')}, highest first")
    if table.truncated:
        parts.append("the list was cut after its first pages")
    parts.append(capped(kept, plural))
    return "; ".join(p for p in parts if p)


def _objects(ctx: ReadContext, output: str) -> Reading:
    """`-o yaml|json|name|custom-columns=...`: read the objects themselves."""
    items, truncated = list_items(ctx.api, ctx.cluster, ctx.info, _namespace(ctx),
                                  label_selector=ctx.step.selector,
                                  field_selector=_fields(ctx))
    _found_or_404(ctx, len(items))
    items = [mask_secret_values(i) for i in items]
    for item in items:
        (item.get("metadata") or {}).pop("managedFields", None)
    contains = ctx.param("name_contains").lower()
    items = [i for i in items if contains in str((i.get("metadata") or {}).get("name",
                                                                              "")).lower()]
    note = "the list was cut after its first pages" if truncated else ""
    if output.startswith("custom-columns="):
        columns = custom_columns(output)
        rows = tuple(tuple(field_text(i, path) for _, path in columns) for i in items[:MAX_ROWS])
        return Reading("table", TableOutput(tuple(h for h, _ in columns), rows,
                                            note="; ".join(filter(None, [
                                                note, capped(len(items), ctx.info.plural)]))),
                       tuple(items))
    if output == "name":
        text = "\n".join(f"{ctx.info.kind.lower()}/{(i.get('metadata') or {}).get('name')}"
                         for i in items)
    else:
        text = _document(ctx, items, output)
    lines = text.splitlines()
    if len(lines) > MAX_TEXT_LINES:
        note = "; ".join(filter(None, [note, f"first {MAX_TEXT_LINES} of {len(lines)} lines"]))
        text = "\n".join(lines[:MAX_TEXT_LINES])
    return Reading("text", TextOutput(text, note), tuple(items))


def _document(ctx: ReadContext, items: list[Obj], output: str) -> str:
    doc: Any = items[0] if ctx.step.name and items else {
        "apiVersion": "v1", "kind": "List", "items": items}
    if output == "json":
        import orjson

        return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _named(names: list[str], row: TableRow, column: str) -> str:
    return _cell(row.cells, names.index(column)) if column in names else ""


def _filled(rows: list[TableRow], index: int) -> bool:
    """True when a wide column says something in some row (`<none>` everywhere is noise)."""
    return any(_cell(r.cells, index) not in ("", "<none>") for r in rows)


def _cell(cells: tuple[Any, ...], index: int) -> str:
    value = cells[index] if index < len(cells) else ""
    return "" if value is None else str(value)


def _meta(row: TableRow, key: str) -> str:
    return str((row.object.get("metadata") or {}).get(key) or "")


def _sort_key(text: str) -> tuple[int, float, str]:
    """Numbers before text, numerically."""
    try:
        return (1, float(text.split(",")[0]), text)
    except ValueError:
        return (0, 0.0, text)
