"""The README opens with the two newcomer commands (CI runs the second one verbatim) and
its key tables name every console binding id, and only real ones."""

from __future__ import annotations

import re
from pathlib import Path

from kubechat_tui.tui.bindings import CHECKED_PREFIXES, binding_ids

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BASH_BLOCK = re.compile(r"```bash\n(.*?)\n```", re.DOTALL)
SET_IDS = re.compile(r"main\.set_\d")
KEYS_SECTION = README.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]


def test_readme_opens_with_the_demo_and_the_test_commands() -> None:
    demo, tests = BASH_BLOCK.findall(README)[:2]
    assert demo.startswith("python3 -m venv .venv && ") and demo.endswith("kubechat --demo")
    assert tests.startswith("python3 -m venv .venv && ") and "'.[test]'" in tests
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci_run[-1] == tests  # CI runs exactly the README's test command


def test_every_binding_id_is_in_the_key_tables() -> None:
    missing = sorted(i for i in binding_ids()
                     if f"`{i}`" not in KEYS_SECTION and not SET_IDS.fullmatch(i))
    assert not missing, f"README.md key tables lack {missing}"
    assert "`main.set_0` … `main.set_9`" in KEYS_SECTION


def test_the_key_tables_name_no_unknown_id() -> None:
    named = set(re.findall(r"`([a-z_]+\.[a-z_0-9]+)`", KEYS_SECTION))
    ids = {n for n in named if n.startswith(CHECKED_PREFIXES)}
    unknown = sorted(ids - binding_ids())
    assert not unknown, f"README.md names binding ids that do not exist: {unknown}"
