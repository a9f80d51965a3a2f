"""Every doc that names a `kubechat` command or a config key names a real one: the
commands are checked against the CLI's parser, the keys against the settings model."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from kubechat_tui.cli.main import build_parser
from kubechat_tui.store.audit_model import ACTION_TYPES
from kubechat_tui.tui.bindings import binding_ids
from tests.test_docs_config import KEYS

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])
COMMAND = re.compile(r"^kubechat(?: --demo)? ([a-z][a-z-]+)(?: ([a-z][a-z-]+))?")
SECTIONS = {key[0] for key in KEYS if len(key) > 1}
CONFIG_KEY = re.compile(rf"`((?:{'|'.join(sorted(SECTIONS))})\.[a-z_.]+)`")
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


COMMANDS = subcommands(build_parser())


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_commands_named_in_docs_exist(doc: Path) -> None:
    lines = [line.strip().removeprefix("$ ") for chunk in CODE.findall(doc.read_text("utf-8"))
             for line in chunk.strip("`").splitlines()]
    for command, sub in (m.groups() for line in lines if (m := COMMAND.match(line))):
        assert command in COMMANDS, f"{doc.name}: no command `kubechat {command}`"
        nested = subcommands(COMMANDS[command])
        if nested and sub:
            assert sub in nested, f"{doc.name}: no command `kubechat {command} {sub}`"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_config_keys_named_in_docs_exist(doc: Path) -> None:
    known = ({".".join(key) for key in KEYS} | binding_ids()  # key ids and audit actions
             | ACTION_TYPES)                                   # share the look
    for key in CONFIG_KEY.findall(doc.read_text(encoding="utf-8")):
        key = key.rstrip(".")
        prefixes = {k for k in known if k == key or k.startswith(f"{key}.")}
        dynamic = key.split(".")[0] in {"clusters", "cluster_sets", "keymap"}
        assert prefixes or dynamic, f"{doc.name}: no config key `{key}`"
