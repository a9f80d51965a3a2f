"""The `kubechat` entry point: the console by default, headless subcommands otherwise."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from kubechat_tui import __version__
from kubechat_tui.cli.common import UsageError, fleet_options
from kubechat_tui.config.errors import ConfigError
from kubechat_tui.kube.errors import KubeconfigError

# Each module exposes `register(subparsers, parent)`; it must stay cheap to import.
SUBCOMMAND_MODULES = (
    "kubechat_tui.cli.config_cmd",
    "kubechat_tui.cli.sim_cmd",
    "kubechat_tui.cli.plan_cmd",
    "kubechat_tui.cli.audit_cmd",
    "kubechat_tui.cli.apply_cmd",
    "kubechat_tui.cli.rollback_cmd",
    "kubechat_tui.cli.approvals_cmd",
)


class OneLineParser(argparse.ArgumentParser):
    """Bad flags: one line on stderr (not the usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parent = fleet_options()
    parser = OneLineParser(
        prog="kubechat",
        description="Multi-cluster Kubernetes incident console with guarded, audited execution.",
        parents=[parent],
    )
    parser.add_argument("--version", action="version", version=f"kubechat {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers, parent)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the console or a subcommand; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from kubechat_tui.cli.console_cmd import run_console

            return run_console(args)
        return int(args.func(args))
    except (UsageError, ConfigError, KubeconfigError) as exc:
        print(f"kubechat: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
