"""Fleet flags: bad kubeconfig/config/flags give one line and exit 2; sessions pick scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.cli.common import UsageError
from kubechat_tui.cli.main import build_parser, main
from kubechat_tui.cli.session import ALL_CLUSTERS, DEMO_CLUSTER_SETS, open_session


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real config, kubeconfig or data dir is touched."""
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    return tmp_path


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


@pytest.mark.parametrize("argv", [["--bogus"], ["-n"], ["config", "nope"]])
def test_bad_flags_exit_2_with_one_line(argv: list[str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "error:" in one_error_line(capsys)


def test_missing_kubeconfig(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    assert main([]) == 2
    line = one_error_line(capsys)
    assert line.startswith("kubechat: error: ") and "no kubeconfig file found" in line
    assert not (isolated / "data").exists()  # nothing half-written


def test_unparsable_kubeconfig(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "kc"
    bad.write_text("clusters: [\n")
    assert main(["--kubeconfig", str(bad)]) == 2
    assert f"{bad}: line 2: not a valid kubeconfig" in one_error_line(capsys)


def test_unknown_context(capsys: pytest.CaptureFixture[str], sim_kubeconfig: Path) -> None:
    assert main(["--kubeconfig", str(sim_kubeconfig), "--context", "nope"]) == 2
    assert "context 'nope' not found (contexts: prod-eu," in one_error_line(capsys)


def test_bad_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                         sim_kubeconfig: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("theme: 3\nkeymap: nope\n")
    assert main(["--config", str(config), "--kubeconfig", str(sim_kubeconfig)]) == 2
    assert one_error_line(capsys).startswith(f"kubechat: error: {config}: ")


def test_unknown_cluster_set(capsys: pytest.CaptureFixture[str], sim_kubeconfig: Path) -> None:
    assert main(["--kubeconfig", str(sim_kubeconfig), "--cluster-set", "prod"]) == 2
    assert "unknown cluster set 'prod' (cluster sets: none configured)" in \
        one_error_line(capsys)


def test_bad_namespace_flag(capsys: pytest.CaptureFixture[str], sim_kubeconfig: Path,
                            isolated: Path) -> None:
    assert main(["--kubeconfig", str(sim_kubeconfig), "-n", "Payments_NS"]) == 2
    assert "-n/--namespace: 'Payments_NS' is not a valid namespace name" in \
        one_error_line(capsys)
    assert not (isolated / "data").exists()


def test_context_and_cluster_set_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--context", "staging", "--cluster-set", "prod"]) == 2
    assert "--context and --cluster-set" in one_error_line(capsys)


def test_demo_cluster_set(isolated: Path) -> None:
    with open_session(build_parser().parse_args(["--demo", "--cluster-set", "prod"])) as session:
        assert session.scope.clusters == ("prod-eu", "prod-us")
        assert session.fleet.cluster_names() == ["prod-eu", "prod-us", "staging", "canary"]


def test_demo_refuses_a_kubeconfig(capsys: pytest.CaptureFixture[str],
                                   sim_kubeconfig: Path) -> None:
    assert main(["--demo", "--kubeconfig", str(sim_kubeconfig)]) == 2
    assert "--demo runs its own simulated fleet" in one_error_line(capsys)


def test_scope_defaults_to_the_current_context(sim_kubeconfig: Path) -> None:
    args = build_parser().parse_args(["--kubeconfig", str(sim_kubeconfig), "-n", "payments"])
    with open_session(args) as session:
        assert session.scope.clusters == ("prod-eu",) and session.scope.namespace == "payments"
        assert session.settings.default_namespace == "payments"
        assert len(session.fleet.cluster_names()) == 4


def test_scope_from_contexts_and_cluster_sets(sim_kubeconfig: Path, tmp_path: Path) -> None:
    parse = build_parser().parse_args
    with open_session(parse(["--kubeconfig", str(sim_kubeconfig), "--context", "staging",
                             "--context", "canary"])) as session:
        assert session.scope.clusters == ("staging", "canary")
        assert session.fleet.cluster_names() == ["staging", "canary"]
    config = tmp_path / "sets.yaml"
    config.write_text("cluster_sets:\n  prod: [prod-eu, prod-us, prod-ap]\n")
    with open_session(parse(["--kubeconfig", str(sim_kubeconfig), "--config", str(config),
                             "--cluster-set", "prod"])) as session:
        assert session.scope.clusters == ("prod-eu", "prod-us")
        assert session.scope.cluster_set == "prod"
    with pytest.raises(UsageError, match="has no cluster in the kubeconfig"):
        config.write_text("cluster_sets:\n  far: [mars]\n")
        open_session(parse(["--kubeconfig", str(sim_kubeconfig), "--config", str(config),
                            "--cluster-set", "far"]))


def test_demo_session_keeps_its_state_apart(isolated: Path) -> None:
    session = open_session(build_parser().parse_args(["--demo"]))
    try:
        assert session.data_dir == isolated / "data" / "demo"
        assert Path(session.kubeconfig or "").parent == session.data_dir
        assert session.scope.cluster_set == ALL_CLUSTERS
        assert session.scope.clusters == ("prod-eu", "prod-us", "staging", "canary")
        assert session.settings.cluster_sets == DEMO_CLUSTER_SETS
        assert session.fleet.check("prod-eu").identity == "admin"
    finally:
        session.close()
    assert session.fleet.request("prod-eu", "GET", "/version")[0] == 0  # simulator stopped
