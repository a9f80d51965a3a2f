"""Settings from YAML file < KUBECHAT_* env < flags, with one-line errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.config.loader import ConfigError, load_settings
from kubechat_tui.config.paths import config_file, data_dir


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_defaults_when_the_default_file_is_absent(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent.yaml"))
    settings = load_settings(environ={})
    assert settings.theme == "kubechat-dark" and settings.cluster_sets == {}
    assert config_file() == tmp_path / "absent.yaml"


def test_file_then_env_then_flags(tmp_path: Path) -> None:
    path = write(tmp_path, "theme: kubechat-light\ndefault_namespace: from-file\n"
                           "ai:\n  model: file/model\n  timeout_seconds: 12\n"
                           "cluster_sets:\n  prod: [prod-eu, prod-us]\n")
    env = {"KUBECHAT_DEFAULT_NAMESPACE": "from-env", "KUBECHAT_AI__MODEL": "env/model",
           "KUBECHAT_CLUSTER_SETS": "{canary: [canary]}",
           "KUBECHAT_AUDIT_KEY_BACKEND": "file", "KUBECHAT_DATA_DIR": "/elsewhere"}
    settings = load_settings(path, {"default_namespace": "from-flag"}, environ=env)
    assert settings.theme == "kubechat-light"  # file only
    assert settings.ai.model == "env/model"  # env over file
    assert settings.ai.timeout_seconds == 12  # the file's other keys of the section stay
    assert settings.cluster_sets == {"canary": ["canary"]}  # a map is replaced, not merged
    assert settings.default_namespace == "from-flag"  # flags over env


@pytest.mark.parametrize(("text", "env", "expected"), [
    ("theme: [\n", {}, "{path}: line 2: expected the node content"),
    ("- a\n", {}, "{path}: (top level): expected a mapping of settings, got list"),
    ("bogus: 1\n", {}, "{path}: bogus: unknown key"),
    ("ai:\n  timeout_seconds: soon\n", {},
     "{path}: ai.timeout_seconds: Input should be a valid number"),
    ("kube:\n  page_size: 2\n", {}, "{path}: kube.page_size: Input should be greater than"),
    ("default_namespace: Prod\n", {},
     "{path}: default_namespace: 'Prod' is not a valid namespace name"),
    ("", {"KUBECHAT_AI__NOPE": "1"}, "env KUBECHAT_AI__NOPE: ai.nope: unknown key"),
    ("ai:\n  model: x\n", {"KUBECHAT_AI__ENABLED": "maybe"},
     "env KUBECHAT_AI__ENABLED: ai.enabled: Input should be a valid boolean"),
    ("storage:\n  backend: sqlite\n", {"KUBECHAT_STORAGE": "oops"},
     "env KUBECHAT_STORAGE: storage: Input should be a valid dictionary"),
])
def test_errors_are_one_line_with_source_and_key(tmp_path: Path, text: str,
                                                 env: dict[str, str], expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ=env)
    message = str(caught.value)
    assert message.startswith(expected.format(path=path))
    assert "\n" not in message


def test_flag_errors_name_the_flags(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^flags: kube.page_size: "):
        load_settings(write(tmp_path, ""), {"kube.page_size": "many"}, environ={})


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent.yaml: file not found$"):
        load_settings(tmp_path / "absent.yaml", environ={})


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "# nothing yet\n"), environ={}).kube.page_size == 1000


def test_demo_data_dir_is_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path and data_dir(demo=True) == tmp_path / "demo"


def test_a_storage_path_under_home_is_expanded(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = write(tmp_path, "storage:\n  path: ~/audit/kubechat.db\n")
    assert load_settings(path, environ={}).storage.path == tmp_path / "audit" / "kubechat.db"
    env = {"KUBECHAT_STORAGE__PATH": "~/env.db"}
    assert load_settings(path, environ=env).storage.path == tmp_path / "env.db"
