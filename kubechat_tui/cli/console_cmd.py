"""`kubechat` with no subcommand: open a session and run the console on it."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def run_console(args: argparse.Namespace) -> int:
    """Open the session (UsageError on bad flags/config/kubeconfig), run the TUI, then
    close the engine (signing the audit head) and the session."""
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.kube.exec_plugin import reserve_terminal

    session = open_session(args)  # a plugin may still prompt here, before the console starts
    from kubechat_tui.cli.incident_start import active_incident_label, seed_demo_incident

    if session.demo_fleet is not None:
        for line in seed_demo_incident(session):
            print(f"kubechat: warning: {line}", file=sys.stderr)
    session.incident = active_incident_label(session)
    reserve_terminal()
    try:
        from kubechat_tui.tui.app import run_app

        engine = console_engine(session)
        try:
            return run_app(session, engine=engine)
        finally:
            close_engine(engine)
    finally:
        session.close()


def console_engine(session: Any) -> Any:
    """The session's engine slot: opened on first use (a submitted plan, :approvals,
    :audit, :rollback) from a console worker, as the OS user on the session's clusters."""
    from kubechat_tui.tui.engine_slot import EngineSlot

    clusters = tuple(session.scope.clusters) or tuple(session.fleet.cluster_names())

    def open_it() -> Any:
        from kubechat_tui.engine.wiring import open_fleet_engine

        return open_fleet_engine(session.settings, session.fleet, session.data_dir, clusters)

    return EngineSlot(open_it)


def close_engine(engine: Any) -> None:
    """Close the engine once the console is gone: a lost approval announcement or a
    failing checkpoint is one line on stderr, not a traceback."""
    from kubechat_tui.store.errors import StoreError

    try:
        for line in engine.close():
            print(f"kubechat: warning: {line}", file=sys.stderr)
    except StoreError as exc:
        print(f"kubechat: warning: the audit head was not checkpointed: {exc}",
              file=sys.stderr)
