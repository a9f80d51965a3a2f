"""HTTP responses shaped like kube-apiserver's Go server sends them: headers and framing."""

from __future__ import annotations

import uuid

import orjson
from aiohttp import web

from kubechat_tui.sim.call import Reply
from kubechat_tui.sim.status import ApiError

GO_BUFFER = 2048  # net/http sends Content-Length only for bodies that fit its first buffer
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
NOT_FOUND_TEXT = b"404 page not found\n"
USER_KEY = web.RequestKey("sim_user", str)
FLOW_KEY = web.RequestKey("sim_flow", tuple)


def respond(status: int, body: bytes, content_type: str = "application/json",
            headers: dict[str, str] | None = None) -> web.Response:
    """A complete response; large bodies go out chunked, as Go streams them."""
    response = web.Response(status=status, body=body,
                            headers={"Content-Type": content_type, **(headers or {})})
    if len(body) > GO_BUFFER:
        response.enable_chunked_encoding()
    return response


def reply(answer: Reply) -> web.Response:
    """A handler's Reply on the wire."""
    return respond(answer.status, answer.payload(), answer.content_type)


def error(err: ApiError) -> web.Response:
    """A Status body (or Go's plain `404 page not found` outside the API paths)."""
    if err.plain:
        return respond(err.code, NOT_FOUND_TEXT, "text/plain; charset=utf-8", NOSNIFF)
    headers = {**(NOSNIFF if err.code in (401, 403) else {}), **err.headers}
    return respond(err.code, orjson.dumps(err.body()), headers=headers)


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Headers every apiserver response carries (and no `Server:` header, like Go)."""
    headers = response.headers
    headers.popall("Server", None)
    headers.setdefault("Audit-Id", str(uuid.uuid4()))
    headers.setdefault("Cache-Control", "no-cache, private")
    flow = request.get(FLOW_KEY)
    if flow:  # priority and fairness classified the request (only after authentication)
        headers.setdefault("X-Kubernetes-Pf-Flowschema-Uid", flow[0])
        headers.setdefault("X-Kubernetes-Pf-Prioritylevel-Uid", flow[1])
