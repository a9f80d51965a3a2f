"""Options shared by the console and the headless subcommands.

The shared flags work before or after the subcommand (`kubechat --demo plan X` and
`kubechat plan X --demo`). argparse parses a subcommand into a fresh namespace and copies
every key back over the parent's, so the subcommands' copies of the flags default to
SUPPRESS (absent unless given, never masking the top-level value) and the repeatable
`--context` is merged across positions by `SharedSubParsers`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

REPEATABLE = ("context",)  # shared flags whose values add up across positions


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def fleet_options() -> argparse.ArgumentParser:
    """A parent parser with the options that choose clusters, scope and config (top level)."""
    return _shared_options(top_level=True)


def subcommand_options() -> argparse.ArgumentParser:
    """The same options for subcommands: absent unless given, so earlier values survive."""
    return _shared_options(top_level=False)


def _shared_options(*, top_level: bool) -> argparse.ArgumentParser:
    def default(value: Any) -> Any:
        return value if top_level else argparse.SUPPRESS

    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--demo", action="store_true", default=default(False),
        help="use the in-process simulated fleet (no cluster needed)",
    )
    parent.add_argument(
        "--context", action="append", default=default([]), metavar="NAME",
        help="kubeconfig context to include (repeatable)",
    )
    parent.add_argument("--cluster-set", metavar="SET", default=default(None),
                        help="a cluster set from the config file")
    parent.add_argument("-n", "--namespace", metavar="NS", default=default(None),
                        help="namespace scope")
    parent.add_argument("-l", "--selector", metavar="SELECTOR", default=default(None),
                        help="label selector, as for kubectl (app=web,tier in (a,b))")
    parent.add_argument("--kubeconfig", metavar="PATH", default=default(None),
                        help="kubeconfig file(s), ':'-separated")
    parent.add_argument("--config", metavar="PATH", default=default(None),
                        help="kubechat config file (YAML)")
    parent.add_argument("--policy-from-cluster", metavar="CONTEXT/NAMESPACE/NAME",
                        default=default(None),
                        help="guardrail policy from an AuditPolicy resource (a guard setting: "
                             "refused when the system config owns it)")
    return parent


class SharedSubParsers(argparse._SubParsersAction):
    """Subcommand dispatch that adds a subcommand's `--context` values to earlier ones.

    Scalar flags need nothing: a value given after the subcommand replaces the earlier one
    and an absent one (SUPPRESS) leaves it alone. A repeated flag would be replaced too.
    """

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        before = {dest: getattr(namespace, dest, None) for dest in REPEATABLE}
        super().__call__(parser, namespace, values, option_string)
        for dest, earlier in before.items():
            later = getattr(namespace, dest, None)
            if earlier and later is not earlier:
                setattr(namespace, dest, [*earlier, *(later or [])])


def confirmed_on_terminal(question: str) -> bool:
    """Ask `question` on the terminal ("Type 'yes' to confirm"); False without one (the
    caller then reports exit 2)."""
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} Type 'yes' to confirm: ")
    except EOFError:
        return False
    return answer.strip().lower() == "yes"
