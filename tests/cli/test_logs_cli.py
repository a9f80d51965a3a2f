"""`kubechat logs`: stern-style lines across clusters, filters, and bad input as one line
with its documented exit code."""

from __future__ import annotations

import threading
import time

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube.fleet import Fleet
from tests.cli.runner import Cli


def sim_pod(cli: Cli, namespace: str, selector: str) -> str:
    """The first pod of prod-eu matching `selector`."""
    fleet = Fleet.from_kubeconfig(Settings(), cli.kubeconfig)
    try:
        status, doc = fleet.request_json("prod-eu", "GET", f"/api/v1/namespaces/{namespace}/pods",
                                         query={"labelSelector": selector})
    finally:
        fleet.close()
    assert status == 200
    return str(doc["items"][0]["metadata"]["name"])


def test_a_workload_across_clusters_with_prefixes(cli: Cli) -> None:
    code, out, err = cli.run("logs", "deploy/payments-api", "-n", "payments", "--tail", "2",
                             "-c", "sidecar", "--context", "prod-eu", "--context", "prod-us")
    assert code == 0, err
    prefixes = {line.split(" ", 1)[0].rsplit("/", 2)[0] for line in out.splitlines()}
    assert prefixes == {"prod-eu", "prod-us"}
    assert all(line.split(" ", 1)[0].endswith("/sidecar") for line in out.splitlines())
    assert len(out.splitlines()) == 2 * 6  # three pods per cluster, two lines each


def test_grep_exclude_and_timestamps(cli: Cli) -> None:
    code, out, _ = cli.run("logs", "deploy/payments-api", "-n", "payments", "--tail", "20",
                           "-c", "sidecar", "--grep", r"\" 503 ", "--exclude", "kube-probe",
                           "--timestamps", "--context", "prod-eu")
    assert code == 0 and out
    for line in out.splitlines():
        _, stamp, text = line.split(" ", 2)
        assert stamp.endswith("Z") and '" 503 ' in text and "kube-probe" not in text


def test_follow_shows_new_lines_until_interrupted(cli: Cli, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    pod = sim_pod(cli, "orders", "app=orders-api")
    ticks = {"n": 0}

    def pause() -> None:
        ticks["n"] += 1
        if ticks["n"] % 20 == 0:
            cli.sim.write_log("prod-eu", "orders", pod, "api", ["fresh line"])
        if ticks["n"] > 80:
            raise KeyboardInterrupt
        time.sleep(0.1)

    monkeypatch.setattr("kubechat_tui.cli.logs_cmd._pause", pause)
    code, out, err = cli.run("logs", pod, "-n", "orders", "-f", "--tail", "0",
                             "--context", "prod-eu")
    assert code == 0
    lines = out.splitlines()
    assert f"prod-eu/{pod}/api fresh line" in lines
    assert all(line.startswith(f"prod-eu/{pod}/api ") for line in lines)
    assert "joined: following" in err
    assert threading.active_count() < 20  # the streams stopped with the command


@pytest.mark.parametrize(("argv", "code", "line"), [
    (["--grep", "(a+"], 2, "kubechat: error: --grep: invalid pattern '(a+': missing )"),
    (["--since", "ten"], 2, "kubechat: error: --since: 'ten' is not a duration"),
    (["-c", "nope"], 3, "kubechat: error: no container 'nope' in the matching pods"),
    (["--previous", "-c", "sidecar"], 3, "previous terminated container"),
])
def test_bad_input_is_one_line(cli: Cli, argv: list[str], code: int, line: str) -> None:
    got, out, err = cli.run("logs", "deploy/payments-api", "-n", "payments",
                            "--context", "prod-eu", *argv)
    assert got == code and not out
    assert line in err and len([e for e in err.splitlines() if "error" in e]) >= 1


def test_no_such_pod_and_a_pod_without_logs(cli: Cli) -> None:
    code, out, err = cli.run("logs", "ghost", "-n", "payments", "--context", "prod-eu")
    assert (code, out) == (3, "")
    assert err.strip() == ("kubechat: error: no pod matches ghost in namespace payments "
                           "(clusters: prod-eu)")
    pending = sim_pod(cli, "orders", "app=reports-batch")
    code, out, err = cli.run("logs", pending, "-n", "orders", "--context", "prod-eu")
    assert (code, out) == (3, "")
    assert "does not have a host assigned" in err
