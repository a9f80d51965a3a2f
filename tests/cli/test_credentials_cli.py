"""Credentials and bad kubeconfigs through the real CLI on the simulated fleet: one clear
line per cluster that says what failed, exit code 2 for a kubeconfig that cannot work."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubechat_tui.cli.main import main
from kubechat_tui.sim import SimServer
from tests.kube.credential_kit import exec_user, kubeconfig_with, plugin

SCALE = "scale deployment payments-api in payments to 5"
FAILING = 'import sys\nprint("error: SSO session expired", file=sys.stderr)\nsys.exit(1)\n'
HANGING = "import time\ntime.sleep(60)\n"


class Run:
    """`kubechat ARGS` in this process; (exit code, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def run(cli_home: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    yield Run(capsys)


def _revoked(sim: SimServer, cluster: str) -> dict[str, Any]:
    token = sim.issue_token(cluster, "admin")
    sim.revoke_token(token)
    return {"token": token}


def _rejected(cluster: str) -> str:
    return (f"{cluster}: credentials rejected (401 Unauthorized) for user admin@{cluster} — "
            "the kubeconfig token was refused: get a new one")


def test_expired_tokens_are_one_401_line_per_cluster(run: Run, sim_server: SimServer,
                                                     tmp_path: Path) -> None:
    path = str(kubeconfig_with(sim_server, tmp_path / "kc", {
        "admin@prod-eu": _revoked(sim_server, "prod-eu"),
        "admin@prod-us": _revoked(sim_server, "prod-us")}))
    contexts = ("--kubeconfig", path, "--context", "prod-eu", "--context", "prod-us")
    plan_file = tmp_path / "plan.json"
    code, out, err = run("plan", SCALE, *contexts, "--save", str(plan_file))
    assert code == 0, err
    for cluster in ("prod-eu", "prod-us"):
        why = _rejected(cluster).removeprefix(f"{cluster}: ")
        assert out.count(f"{cluster}: could not resolve the affected objects ({why})") == 1
    code, out, err = run("apply", str(plan_file), "--dry-run", *contexts)
    assert code == 1, out + err
    assert f"failed: cannot read the targets: {_rejected('prod-eu')}; {_rejected('prod-us')}" \
        in out.splitlines()
    assert "RBAC denied" not in out and "HTTP 401" not in out + err
    assert "Traceback" not in out + err


def test_failing_plugin_is_one_line_and_exit_2(run: Run, sim_server: SimServer,
                                              tmp_path: Path) -> None:
    user = exec_user(plugin(tmp_path, "fake-sso", FAILING))
    path = str(kubeconfig_with(sim_server, tmp_path / "kc", {"admin@prod-eu": user}))
    code, out, err = run("plan", SCALE, "--kubeconfig", path, "--context", "prod-eu")
    assert (code, out) == (2, "")
    assert err == ("kubechat: error: credential plugin fake-sso failed for user admin@prod-eu: "
                   "error: SSO session expired\n")


def test_hanging_plugin_is_bounded_one_line_and_exit_2(run: Run, sim_server: SimServer,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_KUBE__EXEC_TIMEOUT_SECONDS", "1")
    user = exec_user(plugin(tmp_path, "fake-sso", HANGING))
    path = str(kubeconfig_with(sim_server, tmp_path / "kc", {"admin@prod-eu": user}))
    started = time.monotonic()
    code, out, err = run("plan", SCALE, "--kubeconfig", path, "--context", "prod-eu")
    assert time.monotonic() - started < 10
    assert (code, out) == (2, "")
    assert err == ("kubechat: error: credential plugin fake-sso failed for user admin@prod-eu: "
                   "did not finish within 1 s (kube.exec_timeout_seconds)\n")


def test_dev_zero_token_file_is_one_line_and_exit_2(run: Run, sim_server: SimServer,
                                                   tmp_path: Path) -> None:
    path = str(kubeconfig_with(sim_server, tmp_path / "kc",
                               {"admin@prod-eu": {"tokenFile": "/dev/zero"}}))
    code, out, err = run("plan", SCALE, "--kubeconfig", path, "--context", "prod-eu")
    assert (code, out) == (2, "")
    assert err == ("kubechat: error: user admin@prod-eu: token file /dev/zero: larger than "
                   "64 KiB\n")


def _broken(sim: SimServer, path: Path, context: dict[str, Any]) -> str:
    doc = yaml.safe_load(sim.write_kubeconfig(path).read_text())
    doc["contexts"].append({"name": "broken", "context": context})
    doc["current-context"] = "broken"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


@pytest.mark.parametrize(("context", "problem"), [
    ({"cluster": "gone", "user": "admin@prod-eu"}, "context 'broken': cluster 'gone' not found"),
    ({"cluster": "prod-eu", "user": "nobody"}, "context 'broken': user 'nobody' not found"),
    ({}, "context 'broken': no cluster set"),
])
def test_a_context_that_names_nothing_usable_is_one_line_and_exit_2(
        run: Run, sim_server: SimServer, tmp_path: Path, context: dict[str, Any],
        problem: str) -> None:
    path = _broken(sim_server, tmp_path / "kc", context)
    for argv in (("plan", SCALE, "--kubeconfig", path),
                 ("plan", SCALE, "--kubeconfig", path, "--context", "broken")):
        code, out, err = run(*argv)
        assert (code, out, err) == (2, "", f"kubechat: error: {path}: {problem}\n")
