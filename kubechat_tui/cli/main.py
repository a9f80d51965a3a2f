"""The `kubechat` entry point: the console by default, headless subcommands otherwise.

Whatever runs, its output goes through `visible_output` (no control sequence from data
reaches the terminal), and an unexpected exception is one line on stderr plus a saved
traceback, exit code 70 (`crash`)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from kubechat_tui import __version__
from kubechat_tui.cli.common import (
    SharedSubParsers,
    UsageError,
    fleet_options,
    subcommand_options,
)
from kubechat_tui.cli.crash import EXIT_CRASH, report_crash
from kubechat_tui.cli.telemetry import start_telemetry
from kubechat_tui.cli.visible_output import visible_output
from kubechat_tui.config.errors import ConfigError
from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.sim.versions import UnsupportedVersion

# Each module exposes `register(subparsers, parent)`; it must stay cheap to import.
SUBCOMMAND_MODULES = (
    "kubechat_tui.cli.config_cmd",
    "kubechat_tui.cli.sim_cmd",
    "kubechat_tui.cli.plan_cmd",
    "kubechat_tui.cli.ask_cmd",
    "kubechat_tui.cli.logs_cmd",
    "kubechat_tui.cli.recipes_cmd",
    "kubechat_tui.cli.audit_cmd",
    "kubechat_tui.cli.apply_cmd",
    "kubechat_tui.cli.rollback_cmd",
    "kubechat_tui.cli.approvals_cmd",
    "kubechat_tui.cli.exec_cmd",
    "kubechat_tui.cli.incident_cmd",
    "kubechat_tui.cli.alerts_cmd",
    "kubechat_tui.cli.policy_cmd",
    "kubechat_tui.cli.serve_cmd",
)


class OneLineParser(argparse.ArgumentParser):
    """Bad flags: one line on stderr (not the usage block), exit code 2.

    Subcommands (also nested ones, which inherit this class) dispatch through
    SharedSubParsers so the shared flags work on either side of the subcommand.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", SharedSubParsers)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = OneLineParser(
        prog="kubechat",
        description="Multi-cluster Kubernetes incident console with guarded, audited execution.",
        epilog=f"exit code {EXIT_CRASH} (any command, and the console): an internal error; "
        "one line names the saved traceback",
        parents=[fleet_options()],
    )
    parser.add_argument("--version", action="version", version=f"kubechat {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    shared = subcommand_options()
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers, shared)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the console or a subcommand; returns the exit code."""
    with visible_output():
        args = build_parser().parse_args(argv)
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    stop_telemetry = start_telemetry()
    try:
        return _dispatch(args)
    finally:
        stop_telemetry()


def _dispatch(args: argparse.Namespace) -> int:
    try:
        if args.command is None:
            from kubechat_tui.cli.console_cmd import run_console

            return run_console(args)
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except (UsageError, ConfigError, KubeconfigError, UnsupportedVersion) as exc:
        print(f"kubechat: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `kubechat audit log --json | head`: the reader left
        _silence_stdout()
        return 141  # as if killed by SIGPIPE, like other tools in a pipeline
    except Exception as exc:  # a bug: one line, the traceback in a file, exit 70
        from kubechat_tui.config.paths import data_dir

        return report_crash(exc, data_dir(demo=bool(getattr(args, "demo", False))))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
