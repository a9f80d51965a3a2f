"""Incidents at scale: a long incident's timeline, report and imports.

1. An incident with N audit records attached (default 10,000) and M timeline entries
   (default 5,000: alerts, deploys, notes, insights) in a SQLite store under a temp dir:
   seconds to build its merged timeline (what `:timeline` and `incident show` read), to
   build and render the JSON and markdown report (which verifies the whole chain first),
   and to check that report against the chain (`verify-export`).
2. Importing 2,000 alerts from the Alertmanager stand-in over loopback HTTP: the first
   import, and a re-import that finds every alert stored already.

    .venv/bin/python bench/bench_incident.py [--records 10000] [--entries 5000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.incident_desk import IncidentDesk
from kubechat_tui.engine.incident_imports import Importer
from kubechat_tui.engine.incident_report import build_report, render, verify_report
from kubechat_tui.engine.incident_view import incident_view
from kubechat_tui.sim.standins import alertmanager_standin, gettable_alert
from kubechat_tui.store.audit_model import AuditEvent, AuditScope, Operator
from kubechat_tui.store.opener import open_store
from kubechat_tui.store.timeline import Timeline, TimelineEntry, ts_of


def timed(what: str, run: Callable[[], Any]) -> Any:
    """Run once, print the seconds it took."""
    start = time.perf_counter()
    result = run()
    print(f"{what:58} {time.perf_counter() - start:7.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=5_000)
    args = parser.parse_args()
    os.environ.setdefault("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Settings(audit={"checkpoint_every": 1000}), Path(folder))
        try:
            desk = IncidentDesk.on(store, Operator("bench"))
            incident = desk.open("bench incident", "SEV2", ("prod-eu", "prod-us"))

            def fill() -> None:
                for i in range(args.records):
                    store.audit.append(AuditEvent(
                        action=("plan.submitted", "read.step", "execution.succeeded")[i % 3],
                        operator=Operator("bench"), payload={"kubectl": f"kubectl get {i}"},
                        scope=AuditScope(clusters=(("prod-eu", "prod-us")[i % 2],))))
                now = datetime.now(UTC)
                for i in range(args.entries):
                    desk.timeline.add(TimelineEntry(
                        kind=("alert", "deploy", "note", "insight")[i % 4], author="bench",
                        title=f"entry {i}", cluster=("prod-eu", "prod-us")[i % 2],
                        ts=ts_of(now - timedelta(seconds=i)),
                        source_key=f"bench:{i}" if i % 4 < 2 else None))

            timed(f"store {args.records} records and {args.entries} entries", fill)
            view = timed("merged timeline (incident show, :timeline)", lambda: incident_view(
                incident, store.audit, desk.incidents, desk.timeline, timedelta(hours=2)))
            print(f"{'':58} {len(view.items)} items, {len(view.records)} records")
            report = timed("report (verifies the chain first)",
                           lambda: build_report(view, None, store.audit))
            timed("render JSON", lambda: render(report, "json"))
            timed("render markdown", lambda: render(report, "md"))
            problems = timed("verify-export against the chain",
                             lambda: verify_report(report, store.audit))
            assert problems == [], problems
        finally:
            store.close()

    with tempfile.TemporaryDirectory() as folder, \
            alertmanager_standin(time.time()) as server:
        server.alerts[:] = [gettable_alert(f"Alert{i}", {"cluster": "prod-eu",
                                                         "namespace": f"ns{i % 50}"},
                                           time.time() - i, fingerprint=f"{i:016x}")
                            for i in range(2_000)]
        store = open_store(Settings(), Path(folder))
        try:
            importer = Importer(Settings.model_validate(
                {"incidents": {"alertmanager_url": server.url}}), Timeline(store.db))
            first = timed("import 2,000 alerts over loopback", importer.run)
            again = timed("re-import (all stored already)", importer.run)
            print(f"{'':58} {first.lines()[0]}; then {again.lines()[0]}")
        finally:
            store.close()


if __name__ == "__main__":
    main()
