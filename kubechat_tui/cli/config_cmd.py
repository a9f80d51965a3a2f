"""`kubechat config show|path|validate`: the effective configuration from the command line.

- ``path``: the config file kubechat reads (--config, $KUBECHAT_CONFIG or the XDG default)
- ``show``: the effective settings (file < KUBECHAT_* env < flags) as YAML
- ``validate``: exit 0 when the file and env are valid (theme and keymap ids included),
  else one line per problem and exit code 2
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

DSN_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


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

    settings = session_settings(args, bool(getattr(args, "demo", False)))
    document = _masked(settings.model_dump(mode="json"))
    print(yaml.safe_dump(document, sort_keys=False).rstrip())
    return 0


def run_validate(args: argparse.Namespace) -> int:
    """Handler of `kubechat config validate`."""
    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.tui.settings_check import console_setting_problems

    settings = session_settings(args, bool(getattr(args, "demo", False)))
    path = config_path(args)
    problems = console_setting_problems(settings)
    if problems:
        for line in problems:
            print(f"kubechat: error: {line}", file=sys.stderr)
        return 2
    state = "" if path.exists() else " (file absent: defaults)"
    print(f"ok: {path}{state}")
    return 0


def _masked(document: dict[str, Any]) -> dict[str, Any]:
    """The settings with a password inside the Postgres DSN hidden."""
    storage = document.get("storage") or {}
    dsn = storage.get("postgres_dsn")
    if isinstance(dsn, str):
        storage["postgres_dsn"] = DSN_PASSWORD.sub(r"\1****@", dsn)
    return document
