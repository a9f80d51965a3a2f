"""Exec sessions through the engine on the simulated fleet: interactive over the WebSocket,
a redacted transcript, and idle / maximum-length ends driven by a controllable clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, ExecSettings, Settings
from kubechat_tui.engine.exec_guard import ExecGuard
from kubechat_tui.engine.exec_plan import ExecRequest
from kubechat_tui.engine.exec_session import ExecSession, SessionEvents, start_session
from kubechat_tui.engine.wiring import EngineHandle, open_engine
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim import SimServer
from kubechat_tui.store.audit_model import AuditFilter, Operator
from kubechat_tui.store.transcripts import read_transcript, transcript_dir

STRIPE_CANARY = "sk_live_51HzCANARYcanaryCANARY0000"


class Clock:
    """Monotonic seconds that only move when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Engine:
    fleet: Fleet
    handle: EngineHandle
    guard: ExecGuard


@pytest.fixture
def engine(sim_kubeconfig: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    settings = Settings(ai=AISettings(enabled=False),
                        exec=ExecSettings(idle_timeout_seconds=900, idle_notice_seconds=60,
                                          max_session_seconds=1800))
    fleet = Fleet.from_kubeconfig(settings, str(sim_kubeconfig), ["staging"])
    handle = open_engine(settings, fleet, tmp_path, Operator("alice", "admin"))
    try:
        yield Engine(fleet, handle, ExecGuard(handle.pipeline))
    finally:
        handle.close()
        fleet.close()


def orders_pod(fleet: Fleet) -> str:
    _, doc = fleet.request_json("staging", "GET", "/api/v1/namespaces/orders/pods")
    return str(doc["items"][0]["metadata"]["name"])


class Screen:
    """What the session showed (output and notices), collected from its threads."""

    def __init__(self) -> None:
        self.text = ""
        self.notices: list[str] = []
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    def output(self, stream: str, text: str) -> None:
        with self.changed:
            self.text += text
            self.changed.notify_all()

    def wait_for(self, needle: str, timeout: float = 5) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: needle in self.text, timeout), self.text


def interactive(engine: Engine, screen: Screen, clock: Clock) -> ExecSession:
    request = ExecRequest("staging", "orders", orders_pod(engine.fleet), ("sh",),
                          interactive=True)
    found = engine.guard.prepare(request)
    assert found.ready, found.message
    started = start_session(engine.guard, found, confirmed=True,
                            client=engine.fleet.client("staging"),
                            transcripts=transcript_dir(engine.handle.db.path),
                            events=SessionEvents(on_output=screen.output,
                                                 on_notice=screen.notices.append),
                            clock=clock, watch_every=3600, size=(100, 30))
    assert started.session is not None, started.message
    return started.session


def ended(engine: Engine) -> dict:
    (record,) = engine.handle.audit.latest(AuditFilter(actions=("exec.ended",)), 1)
    return dict(record.event.payload)


def test_an_interactive_session_types_reads_and_exits(engine: Engine) -> None:
    screen = Screen()
    session = interactive(engine, screen, Clock())
    screen.wait_for("/app $ ")
    session.send("hostname\r")
    screen.wait_for("orders-api")
    session.send(f"echo api_key={STRIPE_CANARY}\r")
    screen.wait_for(f"api_key={STRIPE_CANARY}\r\n")  # the live terminal shows it
    session.send("false\r")
    session.send("exit\r")
    end = session.wait(5)
    assert end is not None and end.reason == "exited" and end.exit_code == 1
    entries = read_transcript(end.transcript.path)
    assert [e.text for e in entries if e.stream == "stdin"] == [
        "hostname\r", "echo api_key=[REDACTED]\r", "false\r", "exit\r"]
    assert STRIPE_CANARY not in end.transcript.path.read_text()
    assert ended(engine)["transcript"]["sha256"] == end.transcript.sha256


def test_an_idle_session_is_warned_then_ended(engine: Engine) -> None:
    clock, screen = Clock(), Screen()
    session = interactive(engine, screen, clock)
    screen.wait_for("/app $ ")
    clock.now += 600
    session.tick()
    assert not screen.notices and not session.ended
    session.send("pwd\r")  # input: the idle time starts again
    clock.now += 840
    session.tick()
    assert screen.notices == ["no input for 840 s: the session ends in 60 s unless you "
                              "type something"]
    assert not session.ended
    clock.now += 60
    session.tick()
    end = session.wait(5)
    assert end is not None and end.reason == "idle_timeout"
    assert ended(engine)["reason"] == "idle_timeout"
    assert "no input for 900 s" in ended(engine)["message"]
    notes = [e.text for e in read_transcript(end.transcript.path) if e.stream == "note"]
    assert notes[-1].startswith("no input for 840 s")


def test_a_session_ends_at_its_maximum_length(engine: Engine) -> None:
    clock, screen = Clock(), Screen()
    session = interactive(engine, screen, clock)
    for _ in range(3):
        clock.now += 600
        session.send("date\r")
        session.tick()
    end = session.wait(5)
    assert end is not None and end.reason == "max_duration"
    assert "maximum length of 1800 s" in end.message


def test_closing_a_session_records_why(engine: Engine) -> None:
    session = interactive(engine, Screen(), Clock())
    end = session.finish("closed", "closed by the user")
    assert end.reason == "closed" and session.finish("exited") is end  # once
    assert ended(engine)["reason"] == "closed"


def test_an_older_server_speaking_only_v4(engine: Engine, sim_server: SimServer) -> None:
    screen = Screen()
    sim_server.faults("staging").set(exec_v4_only=True)
    try:
        session = interactive(engine, screen, Clock())
        assert session.stream.protocol == "v4.channel.k8s.io"
        screen.wait_for("/app $ ")
        session.send("echo v4\r")
        screen.wait_for("v4\r\n")
        session.send("exit\r")
        end = session.wait(5)
    finally:
        sim_server.faults("staging").clear()
    assert end is not None and end.reason == "exited" and end.exit_code == 0
