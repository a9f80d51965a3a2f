"""`kubechat config show|path|validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubechat_tui.cli.main import main


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.yaml"
    monkeypatch.setenv("KUBECHAT_CONFIG", str(path))
    monkeypatch.delenv("KUBECHAT_THEME", raising=False)
    return path


def test_path_prints_the_file(config: Path, capsys: pytest.CaptureFixture[str],
                              tmp_path: Path) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config)
    other = tmp_path / "other.yaml"
    assert main(["config", "path", "--config", str(other)]) == 0
    assert capsys.readouterr().out.strip() == str(other)


def test_show_merges_file_env_and_flags(config: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    config.write_text("theme: kubechat-light\nstorage:\n"
                      "  postgres_dsn: postgresql://kc:s3cret@db/kubechat\napprovals:\n"
                      "  webhook_url: https://hooks.slack.com/services/T0/B0/Zq3Lm9Tx0Ab1Cd2E\n")
    monkeypatch.setenv("KUBECHAT_AI__MODEL", "openai/gpt-4o")
    assert main(["config", "show", "-n", "payments"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert shown["theme"] == "kubechat-light"
    assert shown["ai"]["model"] == "openai/gpt-4o"
    assert shown["default_namespace"] == "payments"
    assert shown["storage"]["postgres_dsn"] == "postgresql://kc:[REDACTED]@db/kubechat"
    assert shown["approvals"]["webhook_url"] == "https://hooks.slack.com/services/[REDACTED]"


def test_show_demo_has_the_demo_cluster_sets(config: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--demo"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["cluster_sets"]["prod"] == \
        ["prod-eu", "prod-us"]


def test_validate_ok_and_absent(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "validate"]) == 0
    assert capsys.readouterr().out.strip() == f"ok: {config} (file absent: defaults)"
    config.write_text("theme: kubechat-light\n")
    assert main(["config", "validate"]) == 0
    assert capsys.readouterr().out.strip() == f"ok: {config}"


def test_validate_reports_one_line_and_exit_2(config: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("ai:\n  provider: skynet\n")
    assert main(["config", "validate"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"kubechat: error: {config}: ai.provider: Input should be")
    assert len(captured.err.splitlines()) == 1


@pytest.mark.parametrize(("document", "expected"), [
    ("theme: no-such-theme\n", "kubechat: error: config: theme: unknown theme 'no-such-theme'"),
    ("keymap:\n  table.no_such_action: x\n",
     "kubechat: error: config: keymap: unknown binding id 'table.no_such_action'"),
])
def test_validate_checks_theme_and_keymap_ids(config: Path, capsys: pytest.CaptureFixture[str],
                                              document: str, expected: str) -> None:
    config.write_text(document)
    assert main(["config", "validate"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(expected)
    assert len(captured.err.splitlines()) == 1


def test_validate_accepts_textual_builtin_and_user_themes(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text("theme: nord\n")
    assert main(["config", "validate"]) == 0
    themes = config.parent / "themes"
    themes.mkdir()
    (themes / "mine.yaml").write_text("name: mine\nprimary: '#336699'\n")
    config.write_text("theme: mine\n")
    assert main(["config", "validate"]) == 0
    assert capsys.readouterr().out.strip().endswith(str(config))
