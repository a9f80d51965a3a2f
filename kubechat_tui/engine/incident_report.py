"""The incident report: JSON and markdown, listing the audit records it covers with their
hashes so anyone holding the database can check it against the chain.

API::

    report = build_report(view, notes, log)   # dict; ChainBrokenError over a broken chain
    text = render(report, "md")               # or "json"
    write_report(path, text)                  # ReportWriteError (one line); never half-written
    verify_report(report, log) -> [problem]   # empty when every listed record matches the chain
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson

from kubechat_tui.domain.redaction import redact_data, redact_text
from kubechat_tui.engine.incident_notes import action_items
from kubechat_tui.engine.incident_view import IncidentView, TimelineItem
from kubechat_tui.store.audit_model import AuditFilter, AuditRecord
from kubechat_tui.store.audit_verify import VerifyResult
from kubechat_tui.store.errors import ChainBrokenError
from kubechat_tui.store.incidents import NotesVersion

FORMAT = "kubechat-incident-report/1"
FORMATS = ("md", "json")


class ReportWriteError(Exception):
    """The report file could not be written; `str()` is one line."""


class ChainReader(Protocol):
    """What the report needs of `store.audit.AuditLog`."""

    def verify(self) -> VerifyResult: ...

    def records(self, filters: AuditFilter | None = None) -> Iterable[AuditRecord]: ...


def build_report(view: IncidentView, notes: NotesVersion | None,
                 log: ChainReader) -> dict[str, Any]:
    """The report's data, secrets masked in its timeline and notes; refuses
    (ChainBrokenError) when the chain does not verify."""
    result = log.verify()
    if result.problem is not None:
        raise ChainBrokenError(result.problem, "no report written")
    incident = view.incident
    return {
        "format": FORMAT,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "incident": {
            "id": incident.id, "title": incident.title, "severity": incident.severity,
            "clusters": list(incident.clusters), "commander": incident.commander,
            "opened_at": incident.opened_at, "opened_by": incident.opened_by,
            "closed_at": incident.closed_at or None, "resolution": incident.resolution or None,
        },
        "timeline": redact_data([item_json(i) for i in view.items]).value,
        "notes": None if notes is None else {
            "version": notes.version, "at": notes.at, "author": notes.author,
            "body": redact_text(notes.body).text,
            "action_items": [{"owner": a.owner, "text": a.text,
                              "due": a.due.isoformat() if a.due else None}
                             for a in action_items(notes.body)]},
        "audit": {
            "head_seq": result.head_seq, "head_hash": result.head_hash,
            "records": [{"seq": r.seq, "ts": r.ts.isoformat(), "action": r.event.action,
                         "prev_hash": r.prev_hash, "hash": r.hash} for r in view.records],
        },
    }


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as JSON or markdown text."""
    if fmt == "json":
        return orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt != "md":
        raise ValueError(f"unknown report format {fmt!r}: use md or json")
    return _markdown(report)


def write_report(path: Path, text: str) -> None:
    """Write the file whole (a temp file beside it, then renamed) or not at all."""
    target = path.expanduser()
    if target.is_dir():
        raise ReportWriteError(f"cannot write {path}: it is a directory")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    except OSError as exc:
        raise ReportWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ReportWriteError(f"cannot write {path}: {exc.strerror or exc}") from None


def verify_report(report: dict[str, Any], log: ChainReader) -> list[str]:
    """Problems found checking the report's audit records against the chain (none: OK)."""
    problems: list[str] = []
    result = log.verify()
    if result.problem is not None:
        problems.append(f"the chain itself does not verify: {result.problem}")
    listed = {int(r["seq"]): r for r in report.get("audit", {}).get("records", [])}
    if not listed:
        return [*problems, "the report lists no audit records"]
    found = {r.seq: r for r in log.records(AuditFilter(after_seq=min(listed) - 1))
             if r.seq in listed}
    for seq, entry in sorted(listed.items()):
        record = found.get(seq)
        if record is None:
            problems.append(f"seq {seq}: not in the chain")
        elif record.hash != entry.get("hash") or record.event.action != entry.get("action"):
            problems.append(f"seq {seq}: hash or action differs from the chain")
    return problems


def item_json(item: TimelineItem) -> dict[str, Any]:
    """One timeline item as plain JSON."""
    return {"ref": item.ref, "ts": item.ts.isoformat(), "kind": item.kind,
            "clusters": list(item.clusters), "author": item.author, "title": item.title,
            "detail": item.detail, "annotates": item.annotates or None, "seq": item.seq,
            "outcome": item.outcome}


def _markdown(report: dict[str, Any]) -> str:
    incident = report["incident"]
    status = (f"closed {incident['closed_at']}: {incident['resolution']}"
              if incident["closed_at"] else "active")
    lines = [
        f"# Incident {incident['id']}: {incident['title']}", "",
        f"- Severity: {incident['severity']}",
        f"- Clusters: {', '.join(incident['clusters'])}",
        f"- Commander: {incident['commander']}",
        f"- Opened: {incident['opened_at']} by {incident['opened_by']}",
        f"- Status: {status}", "",
        "## Timeline", "",
        "| time (UTC) | ref | kind | clusters | author | what |",
        "| --- | --- | --- | --- | --- | --- |",
        *[f"| {i['ts'][:19].replace('T', ' ')} | {i['ref']} | {i['kind']} | "
          f"{','.join(i['clusters']) or '-'} | {_cell(i['author'])} | {_cell(_what(i))} |"
          for i in report["timeline"]], "",
    ]
    notes = report["notes"]
    if notes is not None:
        lines += [f"## Notes (version {notes['version']}, {notes['author']}, {notes['at']})",
                  "", notes["body"].strip(), ""]
    audit = report["audit"]
    lines += [
        "## Audit records", "",
        f"{len(audit['records'])} record(s) of the chain (head seq {audit['head_seq']} "
        f"{audit['head_hash'][:16]}); check with `kubechat incident verify-export`.", "",
        *[f"- seq {r['seq']} `{r['action']}` {r['hash']}" for r in audit["records"]], "",
    ]
    return "\n".join(lines)


def _what(item: dict[str, Any]) -> str:
    extra = f" (on {item['annotates']})" if item.get("annotates") else ""
    outcome = f" [{item['outcome']}]" if item.get("outcome") else ""
    return f"{item['title']}{extra}{outcome}"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
