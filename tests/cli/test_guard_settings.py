"""The requester cannot loosen their own gate (issue 20, item 2), through the real CLI:
with a system config, user-level overrides of guard settings are refused, audited and say
why; without one, every decision record names where its guard settings came from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubechat_tui.config import guard_source, paths
from tests.cli.runner import Cli
from tests.shapes import Ctx, kubeconfig

SCALE = "scale payments-api in prod-eu to 5"
LOOSE = "version: 1\nrules: []\n"  # what the requester would like the policy to be


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An administrator's config in a directory only they (this test's uid) own."""
    folder = tmp_path / "etc"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    config = folder / "config.yaml"
    monkeypatch.setattr(paths, "SYSTEM_CONFIG", config)
    monkeypatch.setattr(guard_source, "ADMIN_UIDS", frozenset({os.geteuid()}))
    return config


def write(path: Path, text: str, mode: int = 0o644) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def refused_overrides(cli: Cli) -> list[dict]:
    return [e.payload for e in cli.records() if e.action == "settings.override_refused"]


@pytest.mark.parametrize("variable, value, key", [
    ("KUBECHAT_POLICY_FILE", "LOOSE", "policy_file"),
    ("KUBECHAT_PRODUCTION_CLUSTERS", "[]", "production_clusters"),
    ("KUBECHAT_CLUSTERS", "{prod-eu: {tags: []}}", "clusters"),
])
def test_a_user_override_of_a_guard_setting_is_refused_and_audited(
        cli: Cli, system: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        variable: str, value: str, key: str) -> None:
    write(system, "production_clusters: [prod-*]\nai: {enabled: false}\n")
    plan = cli.save_plan(SCALE)
    loose = write(tmp_path / "loose.yaml", LOOSE)
    monkeypatch.setenv(variable, str(loose) if value == "LOOSE" else value)
    code, out, err = cli.run("apply", str(plan), "--yes")
    assert code == 2 and out == "", out
    assert f"env {variable}: {key}: a guard setting, and the system config {system} sets " \
           "the guard settings: user overrides are refused" in err
    assert err.count("\n") == 1
    assert cli.replicas() == 3
    assert refused_overrides(cli)[-1] == {"key": key, "source": f"env {variable}",
                                          "system_config": str(system)}


def test_a_user_config_file_cannot_loosen_it_either(cli: Cli, system: Path,
                                                   tmp_path: Path) -> None:
    write(system, "policy_file: null\n")
    plan = cli.save_plan(SCALE)
    (tmp_path / "config.yaml").write_text("ai: {enabled: false}\nproduction_clusters: []\n")
    code, _, err = cli.run("apply", str(plan), "--yes")
    assert code == 2 and "production_clusters: a guard setting" in err


def test_a_system_config_others_could_write_is_refused(cli: Cli, system: Path) -> None:
    write(system, "production_clusters: []\n", mode=0o666)
    code, _, err = cli.run("plan", SCALE)
    assert code == 2 and "refusing the system config" in err and "writable by others" in err


def test_a_policy_the_system_config_names_must_be_an_administrators(
        cli: Cli, system: Path, tmp_path: Path) -> None:
    policy = write(tmp_path / "etc" / "policy.yaml", LOOSE, mode=0o666)  # anyone may edit it
    write(system, f"policy_file: {policy}\n")
    plan = cli.save_plan(SCALE)
    code, out, err = cli.run("apply", str(plan), "--yes")
    assert code == 4, out + err  # the policy fails closed: every change is refused
    assert "the system config names this policy, but" in err and "writable by others" in err
    assert cli.replicas() == 3


def test_the_system_configs_policy_is_the_one_in_force(cli: Cli, system: Path,
                                                       tmp_path: Path) -> None:
    policy = write(tmp_path / "etc" / "strict.yaml", """version: 1
rules:
  - {id: ADMIN-1, kind: approvals, approvals: 1, description: every change}
""")
    write(system, f"policy_file: {policy}\n")
    plan = cli.save_plan("scale payments-api in staging to 2")
    code, doc = cli.json("apply", str(plan), "--yes")
    assert code == 5 and doc["policy"]["rule_ids"] == ["ADMIN-1"]
    assert doc["policy"]["guard_settings"]["source"] == f"system config {system}"
    assert doc["policy"]["guard_settings"]["origins"]["policy_file"] == f"system config {system}"


def test_without_a_system_config_every_decision_names_its_sources(
        cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(paths, "SYSTEM_CONFIG", tmp_path / "absent.yaml")
    plan = cli.save_plan(SCALE)
    monkeypatch.setenv("KUBECHAT_PRODUCTION_CLUSTERS", "[]")
    code, doc = cli.json("apply", str(plan), "--yes")
    assert code == 0, doc["message"]  # the requester's own gate, loosened: allowed, but...
    evaluated = [e for e in cli.records() if e.action == "policy.evaluated"][-1]
    guard = evaluated.payload["guard_settings"]
    assert guard["source"] == "user settings: the requester controls them"
    assert guard["origins"]["production_clusters"] == "env KUBECHAT_PRODUCTION_CLUSTERS"
    assert guard["origins"]["policy_file"] == "default"  # ...on the record, with its source


def test_a_renamed_copy_of_a_production_entry_is_still_production(
        cli: Cli, system: Path, tmp_path: Path) -> None:
    server = cli.sim.cluster_url("prod-eu")
    write(system, f"clusters:\n  prod-eu: {{server: '{server}', tags: [production]}}\n"
                  "production_clusters: []\n")
    cli.kubeconfig = str(kubeconfig(cli.sim, tmp_path / "kc", [
        Ctx("sandbox", "prod-eu", entry="sandbox")]))
    code, _, err = cli.run("plan", "scale payments-api in payments to 5", "--save",
                           str(cli.plan_file))
    assert code == 0, err
    code, doc = cli.json("apply", str(cli.plan_file), "--yes")
    assert code == 5, doc["message"]  # production, whatever the kubeconfig calls it
    assert doc["changes"][0]["cluster"] == "prod-eu"
    assert cli.replicas() == 3
