"""`--demo` talks only to a simulator it started or proved (issue 20, item 3): a record
naming anything else is not attached to, says why in one line and is audited."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
import yaml

from kubechat_tui.cli.demo_server import RECORD, new_record, read_record
from kubechat_tui.cli.main import build_parser, main
from kubechat_tui.cli.session import Session, open_session
from kubechat_tui.sim import SimServer
from kubechat_tui.sim.proof import FleetKey, answer, kubeconfig_token, new_fleet_key
from kubechat_tui.sim.tls import generate
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer

SCALE = "scale payments-api in prod-eu to 5"
DEPLOYMENT = "/apis/apps/v1/namespaces/payments/deployments/payments-api"
NOTE = "kubechat: note: ignoring demo-server.json: "
STARTING = "; starting a new demo fleet"

Route = Callable[[str, dict[str, list[str]]], tuple[int, Any]]


class FakeServer:
    """A loopback HTTP(S) server answering JSON from `route(path, query)`; every request
    is kept in `hits` as (method, path, Authorization header)."""

    def __init__(self, route: Route, tls: bool = False) -> None:
        self.hits: list[tuple[str, str, str]] = []
        self.certs = generate() if tls else None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                owner.hits.append(("GET", parts.path, self.headers.get("Authorization", "")))
                status, body = route(parts.path, parse_qs(parts.query))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.certs is not None:
            self.httpd.socket = self.certs.server_context().wrap_socket(
                self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if self.certs is not None else "http"
        return f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def apiserver_route(path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    """What a kube-apiserver answers an anonymous client (as kind and minikube do)."""
    if path == "/version":
        return 200, {"major": "1", "minor": "30", "gitVersion": "v1.30.0"}
    return 403, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                 "reason": "Forbidden", "code": 403,
                 "message": f'forbidden: User "system:anonymous" cannot get path "{path}"'}


def impersonator(key: FleetKey, document: dict[str, Any]) -> Route:
    """A control endpoint that knows the record's secret (out of scope as an attack) and
    hands out `document`: the server checks are what must refuse it."""
    def route(path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if path == "/_sim/fleet":
            return 200, answer(key, query["nonce"][0])
        if path == "/_sim/kubeconfig":
            return 200, document
        return 404, {}
    return route


def _cluster_document(server: str, ca_pem: bytes) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Config", "current-context": "edge",
            "clusters": [{"name": "edge", "cluster": {
                "server": server,
                "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
            "users": [{"name": "edge", "user": {"token": "t0ken"}}],
            "contexts": [{"name": "edge", "context": {"cluster": "edge", "user": "edge"}}]}


def _real_kubeconfig(real: SimServer, apiserver: FakeServer, folder: Path) -> Path:
    """A kubeconfig for 'real' clusters: an apiserver on loopback first (answering
    /version), then the clusters of an independently started simulator."""
    assert apiserver.certs is not None
    path = real.write_kubeconfig(folder / "real-kubeconfig")
    doc = yaml.safe_load(path.read_text())
    edge = _cluster_document(apiserver.url, apiserver.certs.ca_pem)
    for section in ("clusters", "users", "contexts"):
        doc[section] = edge[section] + doc[section]
    path.write_text(yaml.safe_dump(doc))
    return path


def _plant(folder: Path, doc: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RECORD).write_bytes(orjson.dumps(doc))


def _audit(folder: Path) -> list[AuditEvent]:
    """The demo audit chain (verified) oldest first."""
    db = open_database(folder / DB_FILE)
    try:
        log = AuditLog(db, load_signer(folder))
        assert log.verify().ok
        return [r.event for r in log.records()]
    finally:
        db.close()


def _notes(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(NOTE)]


def _demo() -> Session:
    return open_session(build_parser().parse_args(["--demo"]))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@pytest.mark.parametrize("shape", ["as written by the tester", "forged in today's format"])
def test_a_record_naming_a_real_fleet_is_not_attached(
        demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        shape: str) -> None:
    assert main(["plan", SCALE, "--demo", "--save", "p.json"]) == 0
    capsys.readouterr()
    assert main(["apply", "p.json", "--demo", "-y", "--json"]) == 5  # awaiting approval
    request_id = orjson.loads(capsys.readouterr().out)["approval"]["request_id"]
    with SimServer("incident") as real, FakeServer(apiserver_route, tls=True) as apiserver:
        kubeconfig = _real_kubeconfig(real, apiserver, tmp_path)
        evil: dict[str, Any] = {"pid": os.getpid(), "port": real.port,
                                "kubeconfig": str(kubeconfig), "started_at": _now()}
        if shape.startswith("forged"):
            evil.update(control_url=real.control_url, fleet_id="f00d", secret="00" * 32)
            why = (f"control endpoint {real.control_url} is not the demo simulator (no proof "
                   "for fleet 'f00d')")
        else:
            why = ("it names no control_url, fleet_id, secret (not a record of a simulator "
                   "this kubechat can prove)")

        _plant(demo_dir, evil)
        code = main(["--demo", "approvals", "approve", request_id, "--as", "lead"])
        captured = capsys.readouterr()
        assert code == 0, captured.err  # on a fresh simulator of its own
        assert _notes(captured.err) == [NOTE + why + STARTING]
        _plant(demo_dir, evil)
        assert main(["--demo", "apply", "p.json", "-y"]) == 0
        captured = capsys.readouterr()
        assert _notes(captured.err) == [NOTE + why + STARTING]
        assert "the demo fleet of this command stops when it exits" in captured.out

        assert {c: real.requests(c) for c in real.clusters} == {c: [] for c in real.clusters}
        assert apiserver.hits == []  # the 'real' fleet heard nothing at all
    assert not (demo_dir / RECORD).exists()  # the attacker's record went with our fleet
    refused = [e for e in _audit(demo_dir) if e.action == "demo.attach_refused"]
    assert len(refused) == 2
    assert refused[0].outcome == "refused" and refused[0].payload["reason"] == why
    assert refused[0].payload["record"]["kubeconfig"] == str(kubeconfig)
    assert "secret" not in refused[0].payload["record"]


def test_a_demo_command_attaches_to_the_running_demo_and_uses_its_rules(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", SCALE, "--demo", "--save", "p.json"]) == 0
    capsys.readouterr()
    with _demo() as console:
        assert console.demo_fleet is not None and console.demo_fleet.server is not None
        sim = console.demo_fleet.server
        assert main(["apply", "p.json", "--demo", "-y", "--json"]) == 5
        request_id = orjson.loads(capsys.readouterr().out)["approval"]["request_id"]
        sim.clear_requests()
        assert main(["--demo", "approvals", "approve", request_id, "--as", "lead"]) == 0
        assert _notes(capsys.readouterr().err) == []
        asked = [r.user for r in sim.requests("prod-eu")]
        assert "sre-lead" in asked  # the approver was identified by the console's fleet
        assert main(["apply", "p.json", "--demo", "-y"]) == 0
        out = capsys.readouterr().out
        assert "stops when it exits" not in out  # it ran on the console's fleet
        status, doc = console.fleet.request_json("prod-eu", "GET", DEPLOYMENT)
        assert status == 200 and doc["spec"]["replicas"] == 5
        assert read_record(demo_dir) == console.demo_fleet.record
    assert [p.name for p in demo_dir.glob("attached-*")] == []  # guests' copies removed
    assert "demo.attach_refused" not in [e.action for e in _audit(demo_dir)]


def test_only_a_demo_session_has_the_demo_rules(demo_dir: Path,
                                                sim_kubeconfig: Path) -> None:
    with open_session(build_parser().parse_args(["--kubeconfig", str(sim_kubeconfig)])) as s:
        assert s.demo_fleet is None and not s.demo_rules  # a simulator by kubeconfig: no
    with _demo() as demo:
        assert demo.demo_rules


@pytest.fixture
def honest(sim_server: SimServer) -> dict[str, Any]:
    """A well-formed record of a live simulator (the shared test fleet, in this process)."""
    return orjson.loads(orjson.dumps(new_record(sim_server.key, sim_server.control_url)))


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def _refused_with(demo_dir: Path, capsys: pytest.CaptureFixture[str], doc: dict[str, Any],
                  why: str) -> None:
    """A --demo session given record `doc` starts its own fleet, says why (one line on
    stderr) and audits the attempt."""
    _plant(demo_dir, doc)
    with _demo() as session:
        assert session.demo_fleet is not None and session.demo_fleet.owned
        assert read_record(demo_dir) == session.demo_fleet.record  # ours replaced it
    assert capsys.readouterr().err == NOTE + why + STARTING + "\n"
    event = [e for e in _audit(demo_dir) if e.action == "demo.attach_refused"][-1]
    assert event.outcome == "refused" and event.payload["reason"] == why
    assert event.payload["record"] == {k: v for k, v in doc.items() if k != "secret"}


def test_a_record_of_a_gone_process_is_ignored(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], honest: dict[str, Any]) -> None:
    pid = _dead_pid()
    _refused_with(demo_dir, capsys, {**honest, "pid": pid},
                  f"process {pid} that recorded it is not running")


def test_a_record_with_a_wrong_fleet_id_is_ignored(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], honest: dict[str, Any],
        sim_server: SimServer) -> None:
    sim_server.clear_requests()
    _refused_with(demo_dir, capsys, {**honest, "fleet_id": "0123456789abcdef"},
                  f"control endpoint {sim_server.control_url} is not the demo simulator (no "
                  "proof for fleet '0123456789abcdef')")
    assert all(sim_server.requests(c) == [] for c in sim_server.clusters)


def test_a_record_with_a_wrong_secret_or_process_is_ignored(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], honest: dict[str, Any],
        sim_server: SimServer) -> None:
    _refused_with(demo_dir, capsys, {**honest, "secret": "ab" * 32},
                  f"control endpoint {sim_server.control_url} is not the demo simulator (no "
                  f"proof for fleet {honest['fleet_id']!r})")
    _refused_with(demo_dir, capsys, {**honest, "pid": os.getppid()},
                  f"control endpoint {sim_server.control_url} is not the simulator process "
                  "the record names")


@pytest.mark.parametrize("control", ["http://192.0.2.7:8080", "http://localhost:{port}",
                                     "https://127.0.0.1:{port}", "http://127.0.0.1:{port}/x"])
def test_a_control_endpoint_off_loopback_or_by_name_is_ignored(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], honest: dict[str, Any],
        control: str) -> None:
    url = control.format(port=urlsplit(honest["control_url"]).port)
    _refused_with(demo_dir, capsys, {**honest, "control_url": url},
                  f"its control endpoint {url!r} is not a http:// URL of a loopback "
                  "address and port")


def test_a_kubeconfig_naming_an_apiserver_on_loopback_is_refused(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_fleet_key()
    with FakeServer(apiserver_route, tls=True) as apiserver:
        assert apiserver.certs is not None
        document = _cluster_document(apiserver.url, apiserver.certs.ca_pem)
        with FakeServer(impersonator(key, document)) as control:
            record = orjson.loads(orjson.dumps(new_record(key, control.url)))
            _refused_with(demo_dir, capsys, record,
                          f"cluster {apiserver.url} is not the demo simulator (GET "
                          "/_sim/fleet: HTTP 403)")
            token = f"Bearer {kubeconfig_token(key)}"
            assert [h[1:] for h in control.hits] == [("/_sim/fleet", ""),
                                                     ("/_sim/kubeconfig", token)]
        assert [(h[1], h[2]) for h in apiserver.hits] == [("/_sim/fleet", "")]  # no token


@pytest.mark.parametrize("server", ["https://192.0.2.7:6443", "http://127.0.0.1:6443",
                                    "https://kubernetes.default:443"])
def test_a_kubeconfig_naming_a_server_off_loopback_is_refused(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], server: str) -> None:
    key = new_fleet_key()
    document = _cluster_document(server, generate().ca_pem)
    with FakeServer(impersonator(key, document)) as control:
        record = orjson.loads(orjson.dumps(new_record(key, control.url)))
        _refused_with(demo_dir, capsys, record,
                      f"cluster {server!r} is not a https:// URL of a loopback address and "
                      "port")


def test_a_kubeconfig_with_more_than_server_and_ca_is_refused(
        demo_dir: Path, capsys: pytest.CaptureFixture[str], sim_server: SimServer) -> None:
    key = new_fleet_key()
    document = _cluster_document(sim_server.cluster_url("prod-eu"), sim_server.ca_pem)
    document["clusters"][0]["cluster"]["proxy-url"] = "http://192.0.2.7:3128"
    with FakeServer(impersonator(key, document)) as control:
        record = orjson.loads(orjson.dumps(new_record(key, control.url)))
        _refused_with(demo_dir, capsys, record,
                      "its kubeconfig has a cluster entry other than a server and an "
                      "embedded CA")


def test_an_unreadable_record_is_ignored(demo_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    demo_dir.mkdir(parents=True)
    (demo_dir / RECORD).write_text("{not json")
    with _demo() as session:
        assert session.demo_fleet is not None and session.demo_fleet.owned
    assert capsys.readouterr().err == NOTE + "it is not JSON" + STARTING + "\n"
    assert [e.payload["record"] for e in _audit(demo_dir)
            if e.action == "demo.attach_refused"] == [{}]



def test_a_refusal_that_cannot_be_audited_starts_nothing(
        demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo_dir.mkdir(parents=True)
    (demo_dir / RECORD).write_text("[]")
    (demo_dir / DB_FILE).write_bytes(b"not a database, " * 64)
    assert main(["--demo", "plan", SCALE]) == 2
    note, error = capsys.readouterr().err.splitlines()
    assert note == NOTE + "it is not a JSON object" + STARTING
    assert error.startswith("kubechat: error: cannot record the ignored demo-server.json in "
                            "the demo audit log: ")
    assert (demo_dir / RECORD).read_text() == "[]"  # no simulator of ours was recorded
