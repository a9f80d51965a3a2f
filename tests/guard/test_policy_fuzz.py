"""Fuzzing the policy loader: mutations of the documented example policy (every rule kind)
and random YAML are a Policy that evaluates without raising, or one PolicyError line;
`kubechat config validate` answers a bad policy file with exit 2 and one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kubechat_tui.config.settings import Settings
from kubechat_tui.guard.policy import PolicyContext, PolicyError, load_policy
from tests.fuzzing import (
    EXAMPLES,
    FUZZ,
    FUZZ_CLI,
    YAML_DOCUMENTS,
    mutate,
    mutations,
    run_cli,
    yaml_text,
)
from tests.guard.helpers import get_step, plan_of, scale_step

EXAMPLE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" /
                          "policy-example.yaml").read_text())
PLAN = plan_of(get_step(), scale_step(0))
POLICY_TEXTS = st.one_of(mutations(EXAMPLE).map(lambda edits: yaml_text(mutate(EXAMPLE, edits))),
                         YAML_DOCUMENTS)


def _load(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    decision = policy.evaluate(PLAN, PolicyContext(Settings()))  # errors deny, never raise
    assert decision.policy_hash == policy.hash


@settings(FUZZ, max_examples=max(1, EXAMPLES * 2 // 3))  # each load compiles CEL: slower
@given(POLICY_TEXTS)
def test_any_policy_file_is_a_policy_or_one_policy_error(tmp_path: Path, text: str) -> None:
    _load(tmp_path / "policy.yaml", text)


def test_a_multi_line_problem_is_reported_on_one_line(tmp_path: Path) -> None:
    document: dict[str, Any] = {"version": 1, "rules": [{"id": "R-1", "kind": "a\nb"}]}
    path = tmp_path / "policy.yaml"
    path.write_text(yaml_text(document))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert "\n" not in str(caught.value) and "'a\\nb'" in str(caught.value)


@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
@FUZZ_CLI
@given(POLICY_TEXTS)
def test_config_validate_answers_a_bad_policy_with_exit_2_and_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    policy, config = tmp_path / "policy.yaml", tmp_path / "config.yaml"
    policy.write_text(text, encoding="utf-8")
    config.write_text(f"policy_file: {policy}\n")
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    code, _, err = run_cli(["config", "validate", "--config", str(config)])
    try:
        load_policy(policy)
    except PolicyError as exc:
        assert code == 2 and err == f"kubechat: error: policy_file: {exc}\n"
    else:
        assert code == 0, err
    assert not (tmp_path / "data").exists()
