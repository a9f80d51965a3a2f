"""`kubechat config show|path|validate`: the effective configuration from the command line.

- ``path``: the config file kubechat reads (--config, $KUBECHAT_CONFIG or the XDG default)
- ``show``: the effective settings (file < KUBECHAT_* env < flags) as YAML, redacted
  (a DSN's password, a Slack webhook's path)
- ``validate``: exit 0 when the file and env are valid (theme, keymap ids and the policy
  file included), else one line per problem and exit code 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubechat_tui.config.settings import Settings


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add `kubechat config ...`."""
    p = subparsers.add_parser("config", parents=[parent], help="show, locate or validate config",
                              description=__doc__.splitlines()[0] if __doc__ else None)
    actions = p.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    for name, func, text in (
        ("show", run_show, "print the effective settings as YAML"),
        ("path", run_path, "print the config file path"),
        ("validate", run_validate, "check the config file and KUBECHAT_* env"),
    ):
        actions.add_parser(name, parents=[parent], help=text).set_defaults(func=func)


def config_path(args: argparse.Namespace) -> Path:
    """The config file in use."""
    from kubechat_tui.config.paths import config_file

    return Path(args.config).expanduser() if getattr(args, "config", None) else config_file()


def run_path(args: argparse.Namespace) -> int:
    """Handler of `kubechat config path`."""
    print(config_path(args))
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Handler of `kubechat config show`."""
    import yaml

    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.domain.redaction import redact_data

    settings = session_settings(args, bool(getattr(args, "demo", False)))
    document = redact_data(settings.model_dump(mode="json")).value
    print(yaml.safe_dump(document, sort_keys=False).rstrip())
    return 0


def run_validate(args: argparse.Namespace) -> int:
    """Handler of `kubechat config validate`."""
    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.tui.settings_check import console_setting_problems

    settings = session_settings(args, bool(getattr(args, "demo", False)))
    path = config_path(args)
    problems = console_setting_problems(settings) + _policy_problems(settings)
    if problems:
        for line in problems:
            print(f"kubechat: error: {line}", file=sys.stderr)
        return 2
    state = "" if path.exists() else " (file absent: defaults)"
    print(f"ok: {path}{state}")
    return 0


def _policy_problems(settings: Settings) -> list[str]:
    """The policy file (`policy_file`, else the shipped default) must load and compile."""
    from kubechat_tui.guard.policy import PolicyError, load_configured_policy

    try:
        load_configured_policy(settings)
    except PolicyError as exc:
        return [f"policy_file: {exc}"]
    return []
