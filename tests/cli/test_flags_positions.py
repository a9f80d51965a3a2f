"""The shared flags work before and after the subcommand, and earlier values are not lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubechat_tui.cli.main import build_parser, main

# flag, its arguments, the namespace attribute and the value they give
FLAGS = [
    ("--demo", [], "demo", True),
    ("--context", ["staging"], "context", ["staging"]),
    ("--cluster-set", ["prod"], "cluster_set", "prod"),
    ("-n", ["payments"], "namespace", "payments"),
    ("--namespace", ["payments"], "namespace", "payments"),
    ("--kubeconfig", ["/tmp/kc"], "kubeconfig", "/tmp/kc"),
    ("--config", ["/tmp/c.yaml"], "config", "/tmp/c.yaml"),
]
UNSET = {"demo": False, "context": [], "cluster_set": None, "namespace": None,
         "kubeconfig": None, "config": None}
# subcommands that take the shared flags, split where a flag may go in between
COMMANDS = [
    (["plan"], ["restart checkout"]),
    (["apply"], ["plan.json"]),
    (["rollback"], ["ex-1a2b3c4d5e"]),
    (["config", "show"], []),
    (["approvals", "list"], []),
]


def parse(argv: list[str]) -> dict[str, object]:
    args = vars(build_parser().parse_args(argv))
    return {key: args[key] for key in UNSET}


@pytest.mark.parametrize(("flag", "values", "dest", "expected"), FLAGS,
                         ids=[f[0] for f in FLAGS])
@pytest.mark.parametrize(("command", "rest"), COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
class TestEveryPosition:
    def test_before_the_subcommand(self, flag: str, values: list[str], dest: str,
                                   expected: object, command: list[str],
                                   rest: list[str]) -> None:
        assert parse([flag, *values, *command, *rest]) == {**UNSET, dest: expected}

    def test_after_the_subcommand(self, flag: str, values: list[str], dest: str,
                                  expected: object, command: list[str],
                                  rest: list[str]) -> None:
        assert parse([*command, *rest, flag, *values]) == {**UNSET, dest: expected}


@pytest.mark.parametrize(("flag", "values", "dest", "expected"), FLAGS,
                         ids=[f[0] for f in FLAGS])
def test_between_nested_subcommands(flag: str, values: list[str], dest: str,
                                    expected: object) -> None:
    assert parse(["config", flag, *values, "show"]) == {**UNSET, dest: expected}


def test_flags_on_both_sides_combine() -> None:
    got = parse(["--demo", "-n", "default", "--config", "a.yaml", "plan", "x",
                 "-n", "payments", "--cluster-set", "prod"])
    assert got == {**UNSET, "demo": True, "namespace": "payments", "config": "a.yaml",
                   "cluster_set": "prod"}  # the later -n wins, the rest is kept


def test_contexts_add_up_across_positions_in_order() -> None:
    got = parse(["--context", "prod-eu", "config", "--context", "prod-us", "show",
                 "--context", "staging", "--context", "canary"])
    assert got["context"] == ["prod-eu", "prod-us", "staging", "canary"]
    assert parse(["--context", "a", "plan", "x"])["context"] == ["a"]
    assert parse(["plan", "x", "--context", "b"])["context"] == ["b"]


def test_a_fresh_parser_each_time_keeps_no_state() -> None:
    parse(["--context", "a", "plan", "x", "--context", "b"])
    assert parse(["plan", "x"])["context"] == []


def test_audit_keeps_demo_and_config_from_either_side() -> None:
    for argv in (["--demo", "--config", "c.yaml", "audit", "verify"],
                 ["audit", "verify", "--demo", "--config", "c.yaml"]):
        args = build_parser().parse_args(argv)
        assert (args.demo, args.config) == (True, "c.yaml")


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real config, kubeconfig, data dir or AI provider is touched."""
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    return tmp_path


@pytest.mark.parametrize("argv", [
    ["--demo", "plan", "crashlooping payment pods in prod", "--json", "--planner", "rules"],
    ["plan", "crashlooping payment pods in prod", "--json", "--planner", "rules", "--demo"],
], ids=["demo-first", "demo-last"])
def test_demo_plan_runs_on_the_simulated_fleet(argv: list[str], isolated: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["blocked"] is False
    assert result["steps"][0]["clusters"] == ["prod-eu", "prod-us"]
    assert (isolated / "data" / "demo" / "kubeconfig").is_file()
