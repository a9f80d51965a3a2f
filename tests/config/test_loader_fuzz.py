"""Fuzzing the config loader: any YAML document and any value for any key is either
Settings that work or one ConfigError line; through the CLI, exit 2 and nothing written."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from kubechat_tui.config.loader import ConfigError, load_settings
from kubechat_tui.config.settings import Settings
from tests.fuzzing import (
    FUZZ,
    FUZZ_CLI,
    YAML_DOCUMENTS,
    assert_refusal_is_one_line,
    run_cli,
    values_for,
    yaml_text,
)


def _leaves(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                                Any]]:
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += _leaves(annotation, (*prefix, name))
        else:
            found.append(((*prefix, name), annotation))
    return found


LEAVES = _leaves(Settings)


def _document(items: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for path, value in items:
        section = document
        for part in path[:-1]:
            section = section.setdefault(part, {})
        section[path[-1]] = value
    return document


# 1-3 keys of the model, each with a value of (roughly) its type, awkward ones included
SETTINGS_DOCUMENTS = st.lists(
    st.sampled_from(LEAVES).flatmap(lambda leaf: values_for(leaf[1]).map(
        lambda value: (leaf[0], value))), min_size=1, max_size=3).map(_document)


def _load(tmp_path: Path, text: str) -> Settings | None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return load_settings(path, environ={})
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return None


@FUZZ
@given(YAML_DOCUMENTS)
def test_any_yaml_document_is_settings_or_one_config_error(tmp_path: Path, text: str) -> None:
    _load(tmp_path, text)


@FUZZ
@given(SETTINGS_DOCUMENTS)
def test_any_value_for_any_key_is_settings_or_one_config_error(
        tmp_path: Path, document: dict[str, Any]) -> None:
    _load(tmp_path, yaml_text(document))


@pytest.mark.parametrize(("text", "problem"), [
    ("storage: {path: \"\\0\"}", "storage.path: '\\x00': a path cannot contain a NUL byte"),
    ("storage: {path: ''}", "storage.path: an empty path"),
    ("audit: {anchor_path: ~nobody-here/a}", "audit.anchor_path: '~nobody-here/a': cannot "
     "expand '~'"),
    ("ai: {api_base: \"\\e[31m\"}", "ai.api_base: '\\x1b[31m' is not an http(s) URL"),
    ("ai: {timeout_seconds: -3.5e16}", "ai.timeout_seconds: Input should be greater than 0"),
    ("kube: {request_timeout_seconds: 4.2e16}", "kube.request_timeout_seconds: Input should "
     "be less than or equal to 3600"),
    ("audit: {anchor_path: \"a\\nb\"}", "audit.anchor_path: a\\nb: the anchor file needs an "
     "absolute path"),
    ("approvals: {webhook_url: hooks.example}", "approvals.webhook_url: 'hooks.example' is "
     "not an http(s) URL"),
])
def test_values_found_by_fuzzing_are_refused_in_one_line(tmp_path: Path, text: str,
                                                          problem: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(caught.value) == f"{path}: {problem}" or problem in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_AI__ENABLED", "false")  # never contact a model
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.delenv("KUBECHAT_CONFIG", raising=False)


COMMANDS = [["config", "validate"], ["config", "show"], ["approvals", "list"],
            ["audit", "verify"], ["plan", "restart payments-api in prod-eu", "--planner", "rules"]]


@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
@FUZZ_CLI
@given(st.one_of(SETTINGS_DOCUMENTS.map(yaml_text), YAML_DOCUMENTS),
       st.sampled_from(COMMANDS))
def test_the_cli_answers_a_bad_config_with_exit_2_and_writes_nothing(
        isolated: None, monkeypatch: pytest.MonkeyPatch, sim_kubeconfig: Path, text: str,
        command: list[str]) -> None:
    if command[0] == "plan":
        command = [*command, "--kubeconfig", str(sim_kubeconfig)]
    with tempfile.TemporaryDirectory() as scratch:
        monkeypatch.chdir(scratch)  # a relative storage.path lands here
        config, data = Path(scratch) / "config.yaml", Path(scratch) / "data"
        config.write_text(text, encoding="utf-8")
        monkeypatch.setenv("KUBECHAT_DATA_DIR", str(data))
        code, _, err = run_cli([*command, "--config", str(config)])
        valid = _valid(config)
        if not valid:
            assert code == 2 and err.startswith("kubechat: error: "), err
            assert not data.exists()  # nothing written
        if command == ["config", "validate"] and code == 2:
            assert all(line.startswith("kubechat: error: ") for line in err.splitlines())
        else:
            assert_refusal_is_one_line(code, err, {0, 1, 2})


def _valid(config: Path) -> bool:
    try:
        load_settings(config)
    except ConfigError:
        return False
    return True
