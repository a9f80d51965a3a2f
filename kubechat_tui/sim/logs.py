"""pods/log: container choice, previous, sinceSeconds/sinceTime, tailLines, timestamps, follow.

A follow stream is chunked: it sends the lines so far, then each new line as it is logged
(generated traffic, and lines written with `SimServer.write_log`), until the client leaves,
the pod goes away or the `drop_logs` fault aborts the connection (no clean end).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from aiohttp import web

from kubechat_tui.sim import kubelet, loglines, reads
from kubechat_tui.sim.call import Call
from kubechat_tui.sim.clock import now, parse, rfc3339_nano
from kubechat_tui.sim.log_streams import LogStreams
from kubechat_tui.sim.status import ApiError, bad_request
from kubechat_tui.sim.store import Obj

if TYPE_CHECKING:
    from kubechat_tui.sim.fleet import SimFleet

Line = tuple[float, str]


def choose_container(call: Call, pod: Obj) -> str:
    """The container a log/exec request addresses (the only one, or the default one)."""
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    name = call.arg("container")
    if not name:
        default = (pod["metadata"].get("annotations") or {}).get(
            "kubectl.kubernetes.io/default-container")
        if len(names) == 1:
            return names[0]
        if default in names:
            return str(default)
        raise bad_request(f"a container name must be specified for pod "
                          f"{pod['metadata']['name']}, choose one of: [{' '.join(names)}]")
    if name not in names:
        raise bad_request(f"container {name} is not valid for pod {pod['metadata']['name']}")
    return name


def lines_for(call: Call, pod: Obj, container: str, previous: bool,
              streams: LogStreams) -> list[Line]:
    """All lines the kubelet would have for this container instance."""
    meta, status = pod["metadata"], pod.get("status", {})
    if not pod["spec"].get("nodeName"):
        raise bad_request(f"pod {meta['name']} does not have a host assigned")
    image = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == container)
    behavior = call.cluster.image_behaviors.get(image, "healthy")
    cstatus: Obj = next((c for c in status.get("containerStatuses") or []
                    if c.get("name") == container), {})
    if behavior == "imagepull" or not cstatus:
        raise bad_request(f'container "{container}" in pod "{meta["name"]}" is waiting to start: '
                          + ("trying and failing to pull image" if behavior == "imagepull"
                             else "ContainerCreating"))
    restarts = int(cstatus.get("restartCount", 0))
    if previous and not restarts:
        raise bad_request(f'previous terminated container "{container}" in pod '
                          f'"{meta["name"]}" not found')
    started = call.cluster.started.get(meta["uid"]) or parse(status.get("startTime")) or call.now
    if behavior in kubelet.FAILING:
        loop = kubelet.cycle(started, call.now, behavior)
        begin, end = loop.previous if previous and loop.previous else (loop.start, loop.end)
        lines = (loglines.crash(image, begin, end) if behavior == "crashloop"
                 else loglines.oom(meta["uid"], begin, end))
        return [line for line in lines if line[0] <= call.now]
    if previous:
        last = (cstatus.get("lastState") or {}).get("terminated") or {}
        end = parse(last.get("finishedAt")) or started
        return list(loglines.steady(meta["uid"], container + "#prev", image, end - 3600, end))
    failing_peer = any(call.cluster.image_behaviors.get(c["image"]) == "crashloop"
                       for c in pod["spec"]["containers"])
    spec = next(c for c in pod["spec"]["containers"] if c["name"] == container)
    return [*loglines.env_dump(spec.get("env") or [], started),
            *_current(call, streams, meta["uid"], container, image, started, 0.0, call.now,
                      failing_peer)]


def _current(call: Call, streams: LogStreams, uid: str, container: str, image: str,
             started: float, after: float, until: float,
             failing_peer: bool = False) -> list[Line]:
    """A running container's lines stamped in (after, until]: traffic and written ones."""
    lines = [line for line in loglines.steady(uid, container, image, started, until,
                                              failing_peer) if line[0] > after]
    written = streams.written(call.cluster.name, uid, container, max(after, started), until)
    return sorted(lines + written) if written else lines


def _select(call: Call, lines: list[Line]) -> list[Line]:
    since = call.int_arg("sinceSeconds")
    since_time = call.arg("sinceTime")
    if since is not None and since_time:
        raise bad_request("at most one of sinceTime or sinceSeconds may be specified")
    if since is not None:
        if since < 1:
            raise ApiError(422, "Invalid", 'PodLogOptions "" is invalid: sinceSeconds: Invalid '
                           f"value: {since}: must be greater than 0", {})
        lines = [ln for ln in lines if ln[0] >= call.now - since]
    elif since_time:
        floor = parse(since_time)
        if floor is None:
            raise bad_request(f'parsing time "{since_time}" as "2006-01-02T15:04:05Z07:00": '
                              "cannot parse")
        lines = [ln for ln in lines if ln[0] >= floor]
    tail = call.int_arg("tailLines")
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []
    return lines


def _format(call: Call, line: Line) -> bytes:
    prefix = f"{rfc3339_nano(line[0])} " if call.flag("timestamps") else ""
    return f"{prefix}{line[1]}\n".encode()


async def serve(call: Call, fleet: SimFleet) -> web.StreamResponse:
    """Answer GET pods/<name>/log, streaming when follow=true."""
    pod = reads.fetch(call)
    container = choose_container(call, pod)
    previous = call.flag("previous")
    lines = _select(call, lines_for(call, pod, container, previous,
                                             fleet.log_streams))
    body = b"".join(_format(call, ln) for ln in lines)
    limit = call.int_arg("limitBytes")
    if limit is not None:
        body = body[:max(limit, 0)]
    response = web.StreamResponse(status=200, headers={"Content-Type": "text/plain"})
    await response.prepare(call.request)
    image = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == container)
    try:
        await response.write(body)
        if call.flag("follow") and not previous and call.cluster.image_behaviors.get(
                image, "healthy") == "healthy":
            await _follow(call, fleet, pod, container, image,
                          lines[-1][0] if lines else call.now, response)
        await response.write_eof()
    except ConnectionError:  # `kubectl logs -f` interrupted: the client simply left
        pass
    return response


async def _follow(call: Call, fleet: SimFleet, pod: Obj, container: str, image: str,
                  after: float, response: web.StreamResponse) -> None:
    uid = pod["metadata"]["uid"]
    store = call.cluster.store
    wakeup = fleet.log_streams.open(call.cluster.name)
    try:
        while not fleet.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                if await asyncio.wait_for(wakeup.get(), timeout=1.0) is None:
                    if call.request.transport is not None:
                        call.request.transport.abort()  # a network drop: no clean end
                    return
            transport = call.request.transport
            if transport is None or transport.is_closing():
                return  # the client left (Ctrl-C on `kubectl logs -f`)
            current = store.get("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
            if current is None or current["metadata"]["uid"] != uid:
                return
            start = call.cluster.started.get(uid) or parse(
                pod.get("status", {}).get("startTime")) or after
            lines = _current(call, fleet.log_streams, uid, container, image, start, after,
                             now())
            if lines:
                await response.write(b"".join(_format(call, line) for line in lines))
                after = lines[-1][0]
    finally:
        fleet.log_streams.close(call.cluster.name, wakeup)
