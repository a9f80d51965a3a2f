"""Loading policy files: the default and the example load; bad files give one line, file+line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.guard.policy import (
    DEFAULT_POLICY,
    PolicyError,
    load_configured_policy,
    load_policy,
)
from kubechat_tui.guard.policy.loader import sha256_hex
from tests.guard.helpers import write_policy

EXAMPLE = Path(__file__).parents[2] / "docs" / "policy-example.yaml"


def test_default_policy_loads_and_hash_is_sha256_of_bytes() -> None:
    policy = load_configured_policy(Settings())
    assert policy.path == DEFAULT_POLICY
    assert policy.hash == sha256_hex(DEFAULT_POLICY.read_bytes())
    assert "KC-APPROVE-001" in policy.rule_ids


def test_documented_example_loads_with_every_rule_kind() -> None:
    policy = load_policy(EXAMPLE)
    kinds = {rule.kind for rule in policy.spec.rules}
    assert kinds == {"protected_namespaces", "allowed_namespaces", "forbidden_labels",
                     "required_labels", "change_freeze", "max_blast_radius", "approvals", "cel",
                     "exec_denied_commands", "exec_allowed_requesters"}


def test_settings_policy_file_is_used(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "version: 1\nrules: []\n")
    assert load_configured_policy(Settings(policy_file=path)).path == path


@pytest.mark.parametrize(("text", "expected"), [
    ("version: 1\nrules:\n  - id: A-1\n    kind: approvals: 1\n",
     ":4: YAML syntax error: mapping values are not allowed here"),
    ("version: 1\nrules:\n  - id: A-1\n    kind: nonsense\n", ":3: rules[0]"),
    ("version: 1\nrules:\n  - id: A-1\n    kind: approvals\n    approvals: 1\n"
     "    colour: red\n", ":6: rules[0].colour: Extra inputs are not permitted"),
    ("version: 1\nrules:\n  - id: C-1\n    kind: cel\n    expression: 'step.verb =='\n",
     ":5: rules[0].expression: CEL syntax error"),
    ("version: 1\nrules:\n  - id: F-1\n    kind: change_freeze\n    timezone: Mars/Base\n"
     "    windows: []\n", ":5: rules[0].timezone: unknown timezone 'Mars/Base'"),
    ("version: 1\nrules:\n  - id: F-1\n    kind: change_freeze\n    windows:\n"
     "      - {days: [fri], from: '25:00', to: '26:00'}\n", ":6: rules[0].windows[0]"),
    ("version: 1\nrules:\n  - id: L-1\n    kind: forbidden_labels\n    selector: 'a in (b'\n",
     ":5: rules[0].selector"),
    ("version: 2\nrules: []\n", ":1: version"),
    ("- just\n- a list\n", ":1: policy must be a mapping"),
])
def test_bad_policy_files_give_one_line_with_file_and_line(tmp_path: Path, text: str,
                                                           expected: str) -> None:
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rule = "  - id: A-1\n    kind: approvals\n    approvals: 1\n"
    path = write_policy(tmp_path, "version: 1\nrules:\n" + rule + rule)
    with pytest.raises(PolicyError, match="duplicate rule id A-1"):
        load_policy(path)


def test_missing_and_binary_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "absent.yaml")
    binary = tmp_path / "junk.yaml"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(binary)
