"""Options shared by the console and the headless subcommands."""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def fleet_options() -> argparse.ArgumentParser:
    """A parent parser with the options that choose clusters, scope and config."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--demo", action="store_true", help="use the in-process simulated fleet (no cluster needed)"
    )
    parent.add_argument(
        "--context", action="append", default=[], metavar="NAME",
        help="kubeconfig context to include (repeatable)",
    )
    parent.add_argument("--cluster-set", metavar="SET", help="a cluster set from the config file")
    parent.add_argument("-n", "--namespace", metavar="NS", help="namespace scope")
    parent.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file(s), ':'-separated")
    parent.add_argument("--config", metavar="PATH", help="kubechat config file (YAML)")
    return parent
