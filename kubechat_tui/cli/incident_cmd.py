"""`kubechat incident open|list|show|annotate|close|notes|export|verify-export`: incidents
from a shell, on the same database as the console.

While an incident is active, everything kubechat records (plans, diagnostics, dry runs,
approvals, executions, rollbacks, summaries, pinned insights and log ranges, notes) is
attached to it. `show` merges its audit records and timeline entries in time order
(refs `a<seq>` and `t<id>` name them for `annotate`); `export` writes the report as
markdown or JSON listing the audit records it covers with their hashes (`verify-export`
checks them against the chain) and `--send` attaches it to the ticketing webhook
(`incidents.webhook_url`), waiting at most `incidents.webhook_timeout_seconds`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kubechat_tui.cli.common import UsageError

if TYPE_CHECKING:
    from kubechat_tui.config.settings import Settings
    from kubechat_tui.engine.incident_desk import IncidentDesk
    from kubechat_tui.engine.incident_view import IncidentView
    from kubechat_tui.store.opener import Store

EXIT_CODES = """exit codes:
  0  done
  1  refused (another incident is active, the incident is closed), the report could not
     be written or delivered, an export that does not match the chain, or a store error
  2  bad usage: unknown incident id, bad entry ref, missing argument
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat incident ACTION`."""
    group = subparsers.add_parser(
        "incident",
        help="open, show, annotate, close and export incidents",
        description="Incidents: one shared timeline of what fired, changed and was done.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = group.add_subparsers(dest="incident_action", metavar="ACTION", required=True)
    opening = actions.add_parser(
        "open", parents=[parent], help="open an incident (at most one is active)"
    )
    opening.add_argument("title", metavar="TITLE")
    opening.add_argument(
        "--severity", default="SEV2", type=str.upper, choices=("SEV1", "SEV2", "SEV3", "SEV4")
    )
    opening.add_argument(
        "--cluster",
        action="extend",
        nargs="+",
        required=True,
        metavar="NAME",
        dest="clusters",
        help="affected clusters",
    )
    opening.add_argument("--commander", default="", help="incident commander (default: you)")
    listing = actions.add_parser("list", parents=[parent], help="recent incidents, newest first")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser(
        "show", parents=[parent], help="the incident's timeline in time order"
    )
    show.add_argument("id", metavar="ID", nargs="?", help="incident id (default: the active)")
    show.add_argument("--kind", default="", help="only entries of this kind (alert, deploy, ...)")
    show.add_argument("--cluster", default="", help="only entries on this cluster")
    show.add_argument("--author", default="", help="only entries by this author")
    show.add_argument("--json", action="store_true")
    note = actions.add_parser("annotate", parents=[parent], help="annotate an entry, or add a note")
    note.add_argument("id", metavar="ID", help="incident id")
    note.add_argument(
        "ref",
        metavar="REF",
        nargs="?",
        default="",
        help="entry to annotate: t<id> or a<seq> (none: a note on the incident)",
    )
    note.add_argument("--note", default="", help="text")
    note.add_argument("--ticket", default="", metavar="KEY", help="ticket id, e.g. OPS-12")
    note.add_argument("--url", default="", help="the ticket's URL")
    note.add_argument("--runbook", default="", metavar="RECIPE|URL", help="a recipe or a URL")
    close = actions.add_parser(
        "close", parents=[parent], help="close the incident with its resolution"
    )
    close.add_argument("id", metavar="ID")
    close.add_argument("--resolution", required=True)
    notes = actions.add_parser(
        "notes", parents=[parent], help="print the notes (or a fresh draft); save a version"
    )
    notes.add_argument("id", metavar="ID")
    notes.add_argument("--draft", action="store_true", help="print a draft from the timeline")
    notes.add_argument(
        "--polish",
        action="store_true",
        help="with --draft: have the configured model polish it (redacted)",
    )
    notes.add_argument("--save", type=Path, metavar="FILE", help="store FILE as a new version")
    export = actions.add_parser("export", parents=[parent], help="the report as markdown or JSON")
    export.add_argument("id", metavar="ID")
    export.add_argument("--format", choices=("md", "json"), default="md", dest="fmt")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.add_argument("--send", action="store_true", help="also post it to incidents.webhook_url")
    check = actions.add_parser(
        "verify-export", parents=[parent], help="check a JSON report against the chain"
    )
    check.add_argument("file", type=Path, metavar="FILE")
    group.set_defaults(func=run_incident)


def run_incident(args: argparse.Namespace) -> int:
    """Handler of `kubechat incident`."""
    from kubechat_tui.engine.incident_report import ReportWriteError
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.incidents import ActiveIncidentError, UnknownIncidentError

    handlers: dict[str, Callable[[argparse.Namespace, Opened], int]] = {
        "open": _open,
        "list": _list,
        "show": _show,
        "annotate": _annotate,
        "close": _close,
        "notes": _notes,
        "export": _export,
        "verify-export": _verify_export,
    }
    try:
        with _opened(args) as opened:
            return handlers[args.incident_action](args, opened)
    except UnknownIncidentError as exc:
        raise UsageError(str(exc)) from None
    except ActiveIncidentError as exc:
        print(f"kubechat: refused: {exc}", file=sys.stderr)
        return 1
    except (StoreError, ReportWriteError) as exc:
        print(f"kubechat: error: {exc}", file=sys.stderr)
        return 1


@dataclass
class Opened:
    """What every incident command works on: the desk, its store and the settings."""

    desk: IncidentDesk
    store: Store
    settings: Settings


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Opened]:
    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.config.paths import data_dir
    from kubechat_tui.engine.identity import real_os_user
    from kubechat_tui.engine.incident_desk import IncidentDesk
    from kubechat_tui.store.audit_model import Operator
    from kubechat_tui.store.opener import open_store

    demo = bool(getattr(args, "demo", False))
    settings = session_settings(args, demo)
    store = open_store(settings, data_dir(demo=demo))
    try:
        yield Opened(IncidentDesk.on(store, Operator(real_os_user())), store, settings)
    finally:
        store.close()


def _open(args: argparse.Namespace, opened: Opened) -> int:
    incident = opened.desk.open(args.title, args.severity, tuple(args.clusters), args.commander)
    print(
        f"opened {incident.id}: {incident.title} ({incident.severity} on "
        f"{', '.join(incident.clusters)}, commander {incident.commander})"
    )
    return 0


def _list(args: argparse.Namespace, opened: Opened) -> int:
    import orjson

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    incidents = opened.desk.incidents.recent(args.limit)
    if args.json:
        for i in incidents:
            print(
                orjson.dumps(
                    {
                        "id": i.id,
                        "title": i.title,
                        "severity": i.severity,
                        "clusters": list(i.clusters),
                        "commander": i.commander,
                        "opened_at": i.opened_at,
                        "closed_at": i.closed_at or None,
                        "resolution": i.resolution or None,
                    }
                ).decode()
            )
        return 0
    if not incidents:
        print("no incidents", file=sys.stderr)
        return 0
    print(f"{'ID':12}  {'OPENED (UTC)':19}  {'SEV':4}  {'STATE':6}  {'CLUSTERS':20}  TITLE")
    for i in incidents:
        print(
            f"{i.id:12}  {i.opened_at[:19].replace('T', ' '):19}  {i.severity:4}  "
            f"{'active' if i.active else 'closed':6}  {','.join(i.clusters)[:20]:20}  "
            f"{i.title}"
        )
    return 0


def _view(opened: Opened, incident_id: str | None) -> IncidentView:
    from datetime import timedelta

    from kubechat_tui.engine.incident_view import incident_view

    incidents = opened.desk.incidents
    incident = incidents.get(incident_id) if incident_id else incidents.active()
    if incident is None:
        raise UsageError("no active incident: give an incident id (kubechat incident list)")
    lookback = timedelta(minutes=opened.settings.incidents.lookback_minutes)
    return incident_view(incident, opened.store.audit, incidents, opened.desk.timeline, lookback)


def _show(args: argparse.Namespace, opened: Opened) -> int:
    import orjson

    from kubechat_tui.engine.incident_report import item_json

    view = _view(opened, args.id)
    items = view.filtered(args.kind, args.cluster, args.author)
    if args.json:
        for item in items:
            print(orjson.dumps(item_json(item)).decode())
        return 0
    i = view.incident
    state = f"closed {i.closed_at[:19]}: {i.resolution}" if i.closed_at else "active"
    print(
        f"{i.id}  {i.severity}  {i.title}  [{', '.join(i.clusters)}]  commander "
        f"{i.commander}  {state}"
    )
    for item in items:
        where = ",".join(item.clusters) or "-"
        extra = f" (on {item.annotates})" if item.annotates else ""
        print(
            f"{item.ts.strftime('%Y-%m-%d %H:%M:%S')}  {item.ref:>6}  {item.kind:10}  "
            f"{where:14}  {item.author[:16]:16}  {item.title}{extra}"
        )
    return 0


def _annotate(args: argparse.Namespace, opened: Opened) -> int:
    from kubechat_tui.engine.incident_desk import Annotation
    from kubechat_tui.store.incidents import IncidentError

    incident = opened.desk.incidents.get(args.id)
    try:
        if not args.ref:
            if args.ticket or args.runbook or args.url:
                raise UsageError("a ticket or runbook link annotates an entry: give REF")
            entry = opened.desk.note(incident, args.note)
        else:
            entry = opened.desk.annotate(
                incident, args.ref, Annotation(args.note, args.ticket, args.url, args.runbook)
            )
    except IncidentError as exc:
        raise UsageError(str(exc)) from None
    print(f"added t{entry.id} to {incident.id}: {entry.title}")
    return 0


def _close(args: argparse.Namespace, opened: Opened) -> int:
    from kubechat_tui.store.incidents import IncidentError

    try:
        incident = opened.desk.close(args.id, args.resolution)
    except IncidentError as exc:  # closed already, or an empty resolution
        print(f"kubechat: refused: {exc}", file=sys.stderr)
        return 1
    print(f"closed {incident.id}: {incident.resolution}")
    return 0


def _notes(args: argparse.Namespace, opened: Opened) -> int:
    from datetime import UTC, datetime

    from kubechat_tui.engine.incident_notes import draft_notes

    view = _view(opened, args.id)
    if args.save is not None:
        try:
            body = args.save.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {args.save}: {getattr(exc, 'strerror', exc)}") from None
        version = opened.desk.save_notes(view.incident, body)
        print(f"saved notes version {version} of {view.incident.id}")
        return 0
    versions = opened.desk.incidents.notes(view.incident.id)
    if versions and not args.draft:
        sys.stdout.write(versions[-1].body.rstrip("\n") + "\n")
        return 0
    draft = draft_notes(view, datetime.now(UTC))
    if args.polish:
        from kubechat_tui.engine.notes_polish import polish_notes
        from kubechat_tui.engine.summary_llm import model_summary_writer

        polished = polish_notes(draft, model_summary_writer(opened.settings)[0])
        print(polished.note, file=sys.stderr)
        draft = polished.text
    sys.stdout.write(draft)
    return 0


def _export(args: argparse.Namespace, opened: Opened) -> int:
    from kubechat_tui.engine.incident_handoff import deliver_report, record_export
    from kubechat_tui.engine.incident_report import build_report, render, write_report

    view = _view(opened, args.id)
    notes = opened.desk.incidents.notes(view.incident.id)
    report = build_report(view, notes[-1] if notes else None, opened.store.audit)
    text = render(report, args.fmt)
    if args.out is not None:
        write_report(args.out, text)
        print(
            f"wrote {args.out}: {len(report['timeline'])} entries, "
            f"{len(report['audit']['records'])} audit record(s)",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    record_export(opened.desk, view.incident, args.fmt, str(args.out or "-"), report)
    if not args.send:
        return 0
    result = deliver_report(
        opened.desk, view.incident, report, render(report, "md"), opened.settings.incidents
    )
    print(result.line(), file=sys.stderr)
    return 0 if result.delivered else 1


def _verify_export(args: argparse.Namespace, opened: Opened) -> int:
    import orjson

    from kubechat_tui.engine.incident_report import verify_report

    try:
        report: Any = orjson.loads(args.file.read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    except orjson.JSONDecodeError:
        raise UsageError(f"{args.file}: not a JSON report (export with --format json)") from None
    if not isinstance(report, dict):
        raise UsageError(f"{args.file}: not a JSON report (export with --format json)")
    problems = verify_report(report, opened.store.audit)
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}")
        return 1
    count = len(report["audit"]["records"])
    print(f"OK: {count} audit record(s) of the report match the chain")
    return 0
