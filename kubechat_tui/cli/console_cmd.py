"""`kubechat` with no subcommand: open a session and run the console on it."""

from __future__ import annotations

import argparse


def run_console(args: argparse.Namespace) -> int:
    """Open the session (UsageError on bad flags/config/kubeconfig), run the TUI, clean up."""
    from kubechat_tui.cli.session import open_session

    session = open_session(args)
    try:
        from kubechat_tui.tui.app import run_app

        return run_app(session)
    finally:
        session.close()
