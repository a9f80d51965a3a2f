"""The log tail over real HTTP on a private simulator: pods joining and leaving across two
clusters, resume without duplicates or gaps across dropped streams and an API outage,
and bad input answered with one clear line."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import orjson
import pytest

from kubechat_tui.domain.log_records import LogEvent, LogLine, LogNote, TailOptions
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.log_tail import LogTail
from kubechat_tui.kube.log_targets import parse_target
from kubechat_tui.sim import SimServer
from tests.kube.conftest import wait_for

NS = "payments"


class Events:
    """A thread-safe sink that remembers every event."""

    def __init__(self) -> None:
        self.items: list[LogEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: LogEvent) -> None:
        with self._lock:
            self.items.append(event)

    def texts(self, pod: str | None = None) -> list[str]:
        with self._lock:
            return [e.text for e in self.items if isinstance(e, LogLine)
                    and (pod is None or e.key.pod == pod)]

    def notes(self, kind: str | None = None) -> list[LogNote]:
        with self._lock:
            return [e for e in self.items if isinstance(e, LogNote)
                    and (kind is None or e.kind == kind)]


def make_pod(fleet: Fleet, cluster: str, name: str, label: str = "lt") -> None:
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": {"tail": label}},
            "spec": {"containers": [{"name": "app", "image": "registry/tail-demo:1.0"}]}}
    status, answer = fleet.request(cluster, "POST", f"/api/v1/namespaces/{NS}/pods", body=body)
    assert status == 201, answer


def delete_pod(fleet: Fleet, cluster: str, name: str) -> None:
    status, answer = fleet.request(cluster, "DELETE", f"/api/v1/namespaces/{NS}/pods/{name}",
                                   query={"gracePeriodSeconds": 0})
    assert status == 200, answer


def running(fleet: Fleet, cluster: str, name: str) -> bool:
    status, doc = fleet.request_json(cluster, "GET", f"/api/v1/namespaces/{NS}/pods/{name}")
    return status == 200 and (doc.get("status") or {}).get("phase") == "Running"


@pytest.fixture
def tails() -> Iterator[list[LogTail]]:
    started: list[LogTail] = []
    yield started
    for tail in started:
        tail.stop()


def test_pods_join_and_leave_across_two_clusters(own_sim: SimServer, own_fleet: Fleet,
                                                 tails: list[LogTail]) -> None:
    events = Events()
    target = parse_target(None, "tail=join", NS)
    tail = LogTail(own_fleet, ["prod-eu", "prod-us"], target, TailOptions(tail_lines=0),
                   events)
    tails.append(tail.start())
    wait_for(lambda: events.notes("error"))  # nothing matches yet: said once
    make_pod(own_fleet, "prod-eu", "join-a", "join")
    make_pod(own_fleet, "prod-us", "join-b", "join")
    wait_for(lambda: len(events.notes("joined")) == 2)
    for cluster, pod in (("prod-eu", "join-a"), ("prod-us", "join-b")):
        own_sim.write_log(cluster, NS, pod, "app", [f"hello from {cluster}"])
    wait_for(lambda: {"hello from prod-eu", "hello from prod-us"} <= set(events.texts()))
    labels = {e.key.label() for e in events.items if isinstance(e, LogLine)}
    assert {"prod-eu/join-a/app", "prod-us/join-b/app"} <= labels

    delete_pod(own_fleet, "prod-eu", "join-a")
    wait_for(lambda: any(n.key and n.key.pod == "join-a" for n in events.notes("left")))
    make_pod(own_fleet, "prod-eu", "join-c", "join")
    wait_for(lambda: any(n.key and n.key.pod == "join-c" for n in events.notes("joined")))
    wait_for(lambda: running(own_fleet, "prod-eu", "join-c"))
    own_sim.write_log("prod-eu", NS, "join-c", "app", ["late joiner"])
    own_sim.write_log("prod-us", NS, "join-b", "app", ["still here"])
    wait_for(lambda: {"late joiner", "still here"} <= set(events.texts()))
    assert tail.streams()[-1].pod == "join-c"
    delete_pod(own_fleet, "prod-us", "join-b")
    delete_pod(own_fleet, "prod-eu", "join-c")


def test_resume_after_drops_and_an_outage_has_no_duplicates_or_gaps(
        own_sim: SimServer, own_fleet: Fleet, tails: list[LogTail]) -> None:
    make_pod(own_fleet, "prod-eu", "resume-a", "resume")
    wait_for(lambda: running(own_fleet, "prod-eu", "resume-a"))
    events = Events()
    tail = LogTail(own_fleet, ["prod-eu"], parse_target("resume-a", None, NS),
                   TailOptions(container="app", tail_lines=0), events)
    tails.append(tail.start())
    wait_for(lambda: events.notes("joined"))

    def write(first: int, last: int) -> None:
        own_sim.write_log("prod-eu", NS, "resume-a", "app",
                          [f"line {i}" for i in range(first, last + 1)])

    time.sleep(1.0)  # connected, no line yet: a drop now must not lose what follows
    own_sim.faults("prod-eu").set(drop_logs=True)
    write(1, 5)
    wait_for(lambda: "line 5" in events.texts())
    own_sim.faults("prod-eu").set(drop_logs=True)
    write(6, 10)  # written while the stream is cut (or just reconnecting)
    wait_for(lambda: "line 10" in events.texts())
    own_sim.faults("prod-eu").set(unreachable=True)  # the API server goes away
    write(11, 15)
    own_sim.faults("prod-eu").clear()
    write(16, 20)
    wait_for(lambda: "line 20" in events.texts(), timeout=20)
    written = [t for t in events.texts("resume-a") if t.startswith("line ")]
    assert written == [f"line {i}" for i in range(1, 21)]
    reconnects = events.notes("reconnected")
    assert len(reconnects) >= 3 and "resuming from 20" in reconnects[0].text
    delete_pod(own_fleet, "prod-eu", "resume-a")


@pytest.mark.parametrize(("target", "options", "expected"), [
    ("no-such-pod", TailOptions(follow=False), "no pod matches no-such-pod"),
    ("deploy/payments-api", TailOptions(follow=False, container="nope"),
     "no container 'nope' in the matching pods (containers: api, sidecar)"),
    ("deploy/payments-worker", TailOptions(follow=False, container="worker", previous=False,
                                           since_time="yesterday"),
     "parsing time"),
])
def test_bad_input_is_one_clear_line(own_fleet: Fleet, target: str, options: TailOptions,
                                     expected: str) -> None:
    events = Events()
    tail = LogTail(own_fleet, ["prod-eu"], parse_target(target, None, NS), options, events)
    assert tail.start().wait(15)
    errors = [n.line() for n in events.notes("error")]
    assert errors and all("\n" not in e for e in errors)
    assert any(expected in e for e in errors), errors


def test_a_pod_without_logs_says_so(own_fleet: Fleet) -> None:
    events = Events()
    pending = next(p["metadata"]["name"] for p in orjson.loads(own_fleet.request(
        "prod-eu", "GET", "/api/v1/namespaces/orders/pods")[1])["items"]
        if p["status"].get("phase") == "Pending")
    tail = LogTail(own_fleet, ["prod-eu"], parse_target(pending, None, "orders"),
                   TailOptions(follow=False), events)
    assert tail.start().wait(15)
    assert [n.text for n in events.notes("error")] == [
        f"HTTP 400: pod {pending} does not have a host assigned"]
    assert not events.texts()


def test_target_parsing_refuses_what_has_no_logs() -> None:
    with pytest.raises(ValueError, match="has no logs"):
        parse_target("svc/web", None, NS)
    with pytest.raises(ValueError, match="-l SELECTOR"):
        parse_target(None, None, NS)
    assert parse_target("deploy/web", "tier=a", None).workload == ("deployments", "web")
