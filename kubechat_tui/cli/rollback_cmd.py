"""`kubechat rollback EXECUTION_ID`: preview and run an execution's generated rollback."""

from __future__ import annotations

import argparse
from typing import Any

from kubechat_tui.cli.apply_cmd import EXIT_CODES, add_run_options, check_options, run_plan
from kubechat_tui.cli.common import UsageError


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat rollback`."""
    p = subparsers.add_parser(
        "rollback", parents=[parent], help="undo an execution (same checks as apply)",
        description="Preview and run the rollback generated from an execution's snapshots. "
        "It goes through the same pipeline as any plan (RBAC, policy, dry run, approval) "
        "and fails instead of overwriting a target changed since that execution.",
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
    """The stored rollback plan (UsageError when unknown or empty)."""
    from kubechat_tui.engine.rollback import RollbackError, load_rollback
    from kubechat_tui.engine.wiring import database_path
    from kubechat_tui.store.database import open_database
    from kubechat_tui.store.timeline import Timeline

    db = open_database(database_path(session.settings, session.data_dir))
    try:
        return load_rollback(Timeline(db), execution_id)
    except RollbackError as exc:
        raise UsageError(str(exc)) from None
    finally:
        db.close()
