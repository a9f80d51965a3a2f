"""pods/exec over WebSocket (v5/v4.channel.k8s.io): a simulated shell in the container."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import orjson
from aiohttp import WSMsgType, web

from kubechat_tui.sim import kubelet, logs, reads, shell
from kubechat_tui.sim.call import Call
from kubechat_tui.sim.status import ApiError, bad_request
from kubechat_tui.sim.store import Obj

if TYPE_CHECKING:
    from kubechat_tui.sim.fleet import SimFleet

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def _config(call: Call, pod: Obj, container: Obj) -> dict[str, str]:
    """The data of the ConfigMaps the container takes its environment from (mounted as
    /app/config.yaml)."""
    data: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = (source.get("configMapRef") or {}).get("name")
        cm = call.cluster.store.get("configmaps", pod["metadata"]["namespace"], ref) \
            if ref else None
        data.update((cm or {}).get("data") or {})
    return data


def _environment(call: Call, pod: Obj, container: Obj) -> dict[str, str]:
    store, ns = call.cluster.store, pod["metadata"]["namespace"]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOSTNAME": pod["metadata"]["name"], "KUBERNETES_SERVICE_HOST": "172.20.0.1",
           "KUBERNETES_SERVICE_PORT": "443", "POD_NAMESPACE": ns}
    env.update(_config(call, pod, container))
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = str(item["value"])
        key_ref = (item.get("valueFrom") or {}).get("secretKeyRef") or {}
        secret = store.get("secrets", ns, key_ref.get("name", "")) if key_ref else None
        if secret and key_ref.get("key") in (secret.get("data") or {}):
            env[item["name"]] = base64.b64decode(secret["data"][key_ref["key"]]).decode(
                "utf-8", "replace")
    return env


def _box(call: Call, pod: Obj, name: str) -> shell.Container:
    container = next(c for c in pod["spec"]["containers"] if c["name"] == name)
    state = next((c.get("state") or {} for c in pod.get("status", {}).get(
        "containerStatuses") or [] if c.get("name") == name), {})
    if "running" not in state:
        raise bad_request(f'container not found ("{name}")')
    behaviors = call.cluster.image_behaviors
    healthy = all(kubelet.runs_normally(behaviors.get(c["image"], "healthy"))
                  for c in pod["spec"]["containers"])  # localhost reaches every container
    ports = container.get("ports") or [{}]
    return shell.Container(pod["metadata"]["name"], container["image"],
                           _environment(call, pod, container), healthy,
                           ports[0].get("containerPort"), _config(call, pod, container))


def _status(argv: list[str], code: int) -> bytes:
    if code == 0:
        return orjson.dumps({"metadata": {}, "status": "Success"})
    return orjson.dumps({
        "metadata": {}, "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command "
                   f"[{' '.join(argv)}], exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}})


async def serve(call: Call, fleet: SimFleet) -> web.StreamResponse:
    """Upgrade to a WebSocket and run the command (or an interactive shell with stdin)."""
    pod = reads.fetch(call)
    name = logs.choose_container(call, pod)
    box = _box(call, pod, name)
    argv = call.request.query.getall("command", [])
    if not argv:
        raise bad_request("you must specify at least 1 command")
    if (call.request.headers.get("Upgrade", "").lower() != "websocket"
            or fleet.faults[call.cluster.name].state.refuse_upgrades):  # a proxy dropped it
        raise ApiError(400, "BadRequest", "Upgrade request required", {})
    older = fleet.faults[call.cluster.name].state.exec_v4_only
    ws = web.WebSocketResponse(protocols=PROTOCOLS[1:] if older else PROTOCOLS)
    await ws.prepare(call.request)
    tty = call.flag("tty")

    async def send(channel: int, data: str) -> None:
        if data:
            await ws.send_bytes(bytes([channel]) + data.encode())

    if not call.flag("stdin"):
        result = shell.run(box, argv)
        await send(STDOUT, result.stdout)
        await send(STDOUT if tty else STDERR, result.stderr)
        await ws.send_bytes(bytes([ERROR]) + _status(argv, result.code))
        await ws.close()
        return ws
    code = await _interactive(ws, box, tty, send, fleet)
    await ws.send_bytes(bytes([ERROR]) + _status(argv, code))
    await ws.close()
    return ws


async def _interactive(ws: web.WebSocketResponse, box: shell.Container, tty: bool,
                       send: object, fleet: SimFleet) -> int:
    """Read stdin lines and answer each as a shell would; returns the exit code."""
    assert callable(send)
    prompt = "/app $ " if tty else ""
    await send(STDOUT, prompt)
    pending, code = "", 0
    async for msg in ws:
        if msg.type not in (WSMsgType.BINARY, WSMsgType.TEXT) or fleet.stopping.is_set():
            break
        raw = msg.data if isinstance(msg.data, bytes) else msg.data.encode()
        if not raw:
            continue
        channel, data = raw[0], raw[1:].decode("utf-8", "replace")
        if channel == CLOSE:
            break
        if channel != STDIN:
            continue
        if tty:
            await send(STDOUT, data.replace("\r", "\r\n"))
        pending += data.replace("\r", "\n")
        while "\n" in pending:
            line, pending = pending.split("\n", 1)
            if line.strip() in ("exit", "logout"):
                return code
            result = shell.run_script(box, line) if line.strip() else shell.Result()
            code = result.code
            newline = "\r\n" if tty else "\n"
            await send(STDOUT, result.stdout.replace("\n", newline))
            await send(STDOUT if tty else STDERR, result.stderr.replace("\n", newline))
            await send(STDOUT, prompt)
    return code
