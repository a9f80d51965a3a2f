"""`kubechat rollback EXECUTION_ID`: preview and run an execution's generated rollback.

The rollback is the one stored with the execution's outcome; for an execution interrupted
before its outcome was recorded, it is rebuilt from the intents in the audit log, reading
each target again (`engine.recovery`); the output then says the execution was interrupted.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from kubechat_tui.cli.apply_cmd import EXIT_CODES, add_run_options, check_options, run_plan
from kubechat_tui.cli.common import UsageError


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat rollback`."""
    p = subparsers.add_parser(
        "rollback", parents=[parent], help="undo an execution (same checks as apply)",
        description="Preview and run the rollback generated from an execution's snapshots. "
        "It goes through the same pipeline as any plan (RBAC, policy, dry run, approval) "
        "and fails instead of overwriting a target changed since that execution. An "
        "execution interrupted before its outcome was recorded is rolled back from the "
        "intents in the audit log: each target is read again, and those whose state "
        "differs from their snapshot are restored.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("execution_id", metavar="EXECUTION_ID", help="e.g. ex-1a2b3c4d5e")
    add_run_options(p)
    p.set_defaults(func=run_rollback)


def run_rollback(args: argparse.Namespace) -> int:
    """Handler of `kubechat rollback`."""
    check_options(args)
    return run_plan(args, lambda session: _load(session, args.execution_id),
                    rollback_of=args.execution_id)


def _load(session: Any, execution_id: str) -> Any:
    """The rollback plan (UsageError when unknown or empty, or when a `--demo` execution
    ran on an earlier simulated fleet, whose objects are gone)."""
    from kubechat_tui.cli.apply_cmd import err
    from kubechat_tui.engine.recovery import find_rollback
    from kubechat_tui.engine.rollback import RollbackError
    from kubechat_tui.store.opener import open_store
    from kubechat_tui.store.timeline import Timeline

    store = open_store(session.settings, session.data_dir, writer=False)
    try:
        timeline = Timeline(store.db)
        found = find_rollback(timeline, store.audit, session.fleet, execution_id)
        if session.demo_fleet is not None:
            _same_demo_fleet(timeline, execution_id, session.demo_fleet.started())
        if found.interrupted:
            err(f"kubechat: {found.headline(execution_id)}")
        return found.plan
    except RollbackError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()


def _same_demo_fleet(timeline: Any, execution_id: str, fleet_started: datetime) -> None:
    """UsageError when the execution predates the demo fleet in use: that fleet was
    built fresh, so there is nothing of the execution's to roll back."""
    entries = timeline.for_execution(execution_id.strip(), kind="execution")
    ran = datetime.fromisoformat(entries[0].ts) if entries and entries[0].ts else None
    if ran is not None and ran < fleet_started:
        raise UsageError(
            f"execution {execution_id} ran on an earlier demo fleet, which stopped with "
            "its command (each --demo command starts a fresh simulated fleet unless "
            "another --demo process is running); nothing of it is left to roll back. "
            "Keep `kubechat --demo` open in another terminal and run apply and rollback "
            "with --demo while it runs")
