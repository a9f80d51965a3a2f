"""Exec credential plugins as client-go runs them, against the simulated fleet: the
terminal only as interactiveMode allows, env/args/cluster info, a cached credential, one
re-run after a 401, a failing plugin's own message, and bounds on time and output."""

from __future__ import annotations

import base64
import datetime
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.types import Health
from kubechat_tui.sim import SimServer
from tests.kube.credential_kit import (
    V1,
    V1BETA1,
    exec_user,
    kubeconfig_with,
    open_fleet,
    plugin,
    token_plugin,
    whoami,
)

USER = "admin@prod-eu"
ROOT = Path(__file__).resolve().parents[2]

# Records what it was given (stdin, env, KUBERNETES_EXEC_INFO) in argv[1], then answers
# with the token in $SIM_TOKEN.
RECORDING_PLUGIN = """
import json, os, sys
info = json.loads(os.environ["KUBERNETES_EXEC_INFO"])
null = os.stat(os.devnull)
stdin = os.fstat(0)
seen = {"stdin_is_devnull": (stdin.st_rdev, stdin.st_ino) == (null.st_rdev, null.st_ino),
        "stdin_is_tty": os.isatty(0), "stdin_data": "" if os.isatty(0) else sys.stdin.read(),
        "args": sys.argv[2:], "team": os.environ.get("TEAM"), "info": info}
open(sys.argv[1], "w").write(json.dumps(seen))
json.dump({"apiVersion": info["apiVersion"], "kind": "ExecCredential",
           "status": {"token": os.environ["SIM_TOKEN"]}}, sys.stdout)
"""
FAILING_PLUGIN = """
import sys
print("fetching a token from sso.example.com ...", file=sys.stderr)
print("error: SSO session expired, run `sso login`", file=sys.stderr)
sys.exit(3)
"""
HANGING_PLUGIN = """
import os, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(60)
"""
NOISY_PLUGIN = """
import sys
sys.stdout.write("x" * (2 * 1024 * 1024))
"""


def _recording_user(tmp_path: Path, sim: SimServer, **extra: object) -> dict[str, object]:
    env = [{"name": "SIM_TOKEN", "value": sim.token("prod-eu", "viewer")},
           {"name": "TEAM", "value": "payments"}]
    command = plugin(tmp_path, "fake-sso", RECORDING_PLUGIN)
    return exec_user(command, str(tmp_path / "seen.json"), "--profile", "prod", env=env,
                     **extra)


def _seen(tmp_path: Path) -> dict[str, object]:
    return dict(json.loads((tmp_path / "seen.json").read_text()))


def test_never_mode_gets_no_terminal_and_its_env_and_args(sim_server: SimServer,
                                                          tmp_path: Path) -> None:
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: _recording_user(tmp_path,
                                                                               sim_server)})
    fleet = open_fleet(path, "prod-eu")
    try:
        status, doc = whoami(fleet)
        assert status == 201 and doc["status"]["userInfo"]["username"] == "viewer"
    finally:
        fleet.close()
    seen = _seen(tmp_path)
    assert seen["stdin_is_devnull"] is True and seen["stdin_is_tty"] is False
    assert seen["stdin_data"] == ""
    assert seen["args"] == ["--profile", "prod"] and seen["team"] == "payments"
    assert seen["info"] == {"apiVersion": V1, "kind": "ExecCredential",
                            "spec": {"interactive": False}}


def test_provide_cluster_info_passes_the_cluster(sim_server: SimServer,
                                                 tmp_path: Path) -> None:
    user = _recording_user(tmp_path, sim_server, provideClusterInfo=True, version=V1BETA1)
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    fleet = open_fleet(path, "prod-eu")
    fleet.close()
    cluster = _seen(tmp_path)["info"]["spec"]["cluster"]  # type: ignore[index]
    assert cluster["server"] == sim_server.cluster_url("prod-eu")
    assert base64.b64decode(cluster["certificate-authority-data"]) == sim_server.ca_pem


@pytest.mark.parametrize(("reserved", "interactive"), [(False, True), (True, False)])
def test_if_available_mode_gets_the_terminal_unless_the_console_has_it(
        sim_server: SimServer, tmp_path: Path, reserved: bool, interactive: bool) -> None:
    user = _recording_user(tmp_path, sim_server, mode="IfAvailable")
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    script = ("import sys\nfrom pathlib import Path\n"
              "from kubechat_tui.kube.exec_plugin import reserve_terminal\n"
              "from tests.kube.credential_kit import open_fleet, whoami\n"
              f"if {reserved}:\n    reserve_terminal()\n"
              "fleet = open_fleet(Path(sys.argv[1]), 'prod-eu')\n"
              "print(whoami(fleet)[0])\nfleet.close()\n")
    terminal, attached = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-c", script, str(path)], stdin=attached,
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
    finally:
        os.close(terminal)
        os.close(attached)
    assert done.stdout.strip() == "201", done.stderr
    seen = _seen(tmp_path)
    assert seen["stdin_is_tty"] is interactive
    assert seen["stdin_is_devnull"] is not interactive
    assert seen["info"]["spec"] == {"interactive": interactive}  # type: ignore[index]


def test_always_mode_without_a_terminal_is_one_line(sim_server: SimServer,
                                                    tmp_path: Path) -> None:
    user = _recording_user(tmp_path, sim_server, mode="Always")
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu")
    assert str(caught.value) == (f"credential plugin fake-sso failed for user {USER}: "
                                 "interactiveMode Always needs the terminal, and standard "
                                 "input is not a terminal")
    assert not (tmp_path / "seen.json").exists()


def test_credential_is_cached_until_it_expires(sim_server: SimServer, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(sim_server.token("prod-eu", "viewer"))
    soon = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1.5))
    user = exec_user(token_plugin(tmp_path), str(token), soon.isoformat())
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    fleet = open_fleet(path, "prod-eu")
    try:
        for _ in range(3):
            assert whoami(fleet)[0] == 201
        assert (tmp_path / "token.runs").read_text().count("run") == 1
        time.sleep(max(0.0, (soon - datetime.datetime.now(datetime.UTC)).total_seconds()))
        assert whoami(fleet)[0] == 201
        assert (tmp_path / "token.runs").read_text().count("run") == 2
    finally:
        fleet.close()


def test_a_401_runs_the_plugin_again_once(sim_server: SimServer, tmp_path: Path) -> None:
    old = sim_server.issue_token("prod-eu", "viewer")
    token = tmp_path / "token"
    token.write_text(old)
    path = kubeconfig_with(sim_server, tmp_path / "kc",
                           {USER: exec_user(token_plugin(tmp_path), str(token))})
    fleet = open_fleet(path, "prod-eu")
    try:
        assert whoami(fleet)[0] == 201
        sim_server.revoke_token(old)
        token.write_text(sim_server.issue_token("prod-eu", "operator"))
        status, doc = whoami(fleet)
        assert status == 201 and doc["status"]["userInfo"]["username"] == "operator"
        assert (tmp_path / "token.runs").read_text().count("run") == 2
        sim_server.revoke_token(token.read_text())  # and the plugin still gives it
        for _ in range(3):  # renewed moments ago: these 401s do not run it again
            status, doc = whoami(fleet)
            assert (status, doc["message"]) == (401, (
                f"credentials rejected (401 Unauthorized) for user {USER} — log in again "
                "(the token fake-sso gave was refused)"))
        assert (tmp_path / "token.runs").read_text().count("run") == 2
    finally:
        fleet.close()


def test_failing_plugin_message_is_the_one_line(sim_server: SimServer, tmp_path: Path) -> None:
    user = exec_user(plugin(tmp_path, "fake-sso", FAILING_PLUGIN))
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    line = (f"credential plugin fake-sso failed for user {USER}: "
            "error: SSO session expired, run `sso login`")
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu")
    assert str(caught.value) == line
    fleet = open_fleet(path)
    try:
        assert fleet.check("prod-eu").error == line
        assert whoami(fleet) == (0, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                     "message": line, "reason": "Unreachable", "code": 0})
    finally:
        fleet.close()


def test_a_plugin_failing_on_refresh_is_the_one_line(sim_server: SimServer,
                                                     tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(sim_server.token("prod-eu", "viewer"))
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    user = exec_user(token_plugin(tmp_path), str(token), past.isoformat())
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    fleet = open_fleet(path, "prod-eu")
    try:
        token.unlink()  # the next run fails: its traceback's last line is the message
        status = fleet.check("prod-eu")
        assert status.health is Health.FORBIDDEN
        assert status.error is not None and status.error.startswith(
            f"credential plugin fake-sso failed for user {USER}: FileNotFoundError:")
        assert "\n" not in status.error
    finally:
        fleet.close()


def test_hanging_plugin_is_killed_at_the_bound(sim_server: SimServer, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    user = exec_user(plugin(tmp_path, "fake-sso", HANGING_PLUGIN), str(pid_file))
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    started = time.monotonic()
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu", exec_timeout_seconds=1.0)
    assert time.monotonic() - started < 5
    assert str(caught.value) == (f"credential plugin fake-sso failed for user {USER}: did not "
                                 "finish within 1 s (kube.exec_timeout_seconds)")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_plugin_output_is_bounded(sim_server: SimServer, tmp_path: Path) -> None:
    user = exec_user(plugin(tmp_path, "fake-sso", NOISY_PLUGIN))
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu")
    assert str(caught.value) == (f"credential plugin fake-sso failed for user {USER}: "
                                 "printed more than 1024 KiB")


@pytest.mark.parametrize(("section", "problem"), [
    ({"apiVersion": "client.authentication.k8s.io/v1alpha1", "command": "x"},
     "exec: apiVersion 'client.authentication.k8s.io/v1alpha1' is not supported "
     f"(use {V1} or {V1BETA1})"),
    ({"apiVersion": V1, "command": "x"},
     "exec: interactiveMode must be one of Never, IfAvailable, Always"),
    ({"apiVersion": V1, "interactiveMode": "Never"}, "exec: command is required"),
])
def test_malformed_exec_sections_are_one_line(sim_server: SimServer, tmp_path: Path,
                                              section: dict[str, str], problem: str) -> None:
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: {"exec": section}})
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu")
    assert str(caught.value) == f"{path}: user '{USER}': {problem}"


def test_missing_plugin_says_so_with_its_install_hint(sim_server: SimServer,
                                                     tmp_path: Path) -> None:
    user = exec_user(str(tmp_path / "no-such-plugin"),
                     installHint="install it:\n  brew install no-such-plugin")
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu")
    assert str(caught.value) == (f"credential plugin no-such-plugin failed for user {USER}: "
                                 "not found (install it: brew install no-such-plugin)")


def test_plugin_client_certificate_is_used(sim_server: SimServer, tmp_path: Path) -> None:
    cert, key = sim_server.client_certificate("operator", ("operators",))
    answer = {"apiVersion": V1, "kind": "ExecCredential",
              "status": {"clientCertificateData": cert.decode(), "clientKeyData": key.decode()}}
    source = f"import sys\nsys.stdout.write({json.dumps(json.dumps(answer))})\n"
    path = kubeconfig_with(sim_server, tmp_path / "kc",
                           {USER: exec_user(plugin(tmp_path, "tsh", source))})
    fleet = open_fleet(path, "prod-eu")
    try:
        status, doc = whoami(fleet)
        assert status == 201 and doc["status"]["userInfo"]["username"] == "operator"
    finally:
        fleet.close()
