"""`kubechat alerts import`: alerts from Alertmanager, deploys from Argo CD and (with
`--rollouts`, or `--demo`) Kubernetes rollouts onto the incident timeline.

Each configured source is imported (`incidents.alertmanager_url`, `incidents.argocd_url`);
one line per source says what was new and what was stored already (a re-import never
duplicates). A failing source (down, auth refused, an answer that is not JSON) is one line
and exit code 1; what the other sources brought is kept.
"""

from __future__ import annotations

import argparse
import sys

from kubechat_tui.cli.common import UsageError

EXIT_CODES = """exit codes:
  0  imported (or nothing new)
  1  a source failed (the others' entries are kept) or a store error
  2  bad usage: no source configured
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat alerts import`."""
    group = subparsers.add_parser(
        "alerts",
        help="import alerts, deploys and rollouts",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = group.add_subparsers(dest="alerts_action", metavar="ACTION", required=True)
    run = actions.add_parser(
        "import", parents=[parent], help="import from the configured sources now"
    )
    run.add_argument(
        "--rollouts", action="store_true", help="also read ReplicaSet revisions from the clusters"
    )
    group.set_defaults(func=run_alerts)


def run_alerts(args: argparse.Namespace) -> int:
    """Handler of `kubechat alerts import`."""
    from kubechat_tui.cli.session import open_session, session_settings
    from kubechat_tui.config.paths import data_dir
    from kubechat_tui.engine.incident_imports import Importer
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.opener import open_store
    from kubechat_tui.store.timeline import Timeline

    demo = bool(getattr(args, "demo", False))
    session = open_session(args) if demo or args.rollouts else None
    try:
        settings = session.settings if session is not None else session_settings(args, demo)
        store = open_store(settings, data_dir(demo=demo))
        try:
            importer = Importer(
                settings, Timeline(store.db), session.fleet if session is not None else None
            )
            if not importer.configured():
                raise UsageError(
                    "nothing to import from: set incidents.alertmanager_url or "
                    "incidents.argocd_url (or use --rollouts)"
                )
            report = importer.run()
        finally:
            store.close()
    except StoreError as exc:
        print(f"kubechat: error: {exc}", file=sys.stderr)
        return 1
    finally:
        if session is not None:
            session.close()
    for line in report.lines():
        print(line, file=sys.stderr if line.split(": ", 1)[1].startswith("FAILED") else sys.stdout)
    return 1 if report.failed else 0
