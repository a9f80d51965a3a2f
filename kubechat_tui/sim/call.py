"""One authenticated API request, as the handlers see it, and what they answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from kubechat_tui.sim import protowire
from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.rbac import Identity
from kubechat_tui.sim.resources import ResourceType
from kubechat_tui.sim.routing import Target
from kubechat_tui.sim.status import bad_request


@dataclass
class Reply:
    """A complete (non-streaming) response."""

    status: int
    body: bytes | dict[str, Any]
    content_type: str = "application/json"

    def payload(self) -> bytes:
        """The body as bytes."""
        return self.body if isinstance(self.body, bytes) else orjson.dumps(self.body)


@dataclass
class Call:
    """Request context: cluster, caller, addressed target, verb and raw inputs."""

    request: web.Request
    cluster: Cluster
    who: Identity
    target: Target
    verb: str
    body: bytes
    now: float

    @property
    def res(self) -> ResourceType:
        """The addressed resource type (only for resource targets)."""
        assert self.target.resource is not None
        return self.target.resource

    def arg(self, name: str, default: str = "") -> str:
        """A query parameter."""
        return self.request.query.get(name, default)

    def flag(self, name: str) -> bool:
        """A boolean query parameter (`true`/`1`)."""
        return self.arg(name).lower() in ("true", "1")

    def int_arg(self, name: str) -> int | None:
        """An integer query parameter; 400 when not a number."""
        text = self.arg(name)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None

    @property
    def dry_run(self) -> bool:
        """dryRun=All; any other value is rejected the way the server does."""
        values = self.request.query.getall("dryRun", [])
        for value in values:
            if value != "All":
                raise bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')
        return bool(values)

    @property
    def content_type(self) -> str:
        """The request body's media type without parameters."""
        return self.request.headers.get("Content-Type", "").split(";")[0].strip()

    @property
    def manager(self) -> str:
        """fieldManager, defaulting to the client's user-agent product like the server."""
        explicit = self.arg("fieldManager")
        if explicit:
            return explicit
        agent = self.request.headers.get("User-Agent", "unknown")
        return agent.split("/")[0] or "unknown"

    def json_body(self) -> Any:
        """The request body parsed as JSON (400 on malformed input); protobuf is decoded for
        the few kinds kubectl sends that way."""
        if self.content_type == protowire.PROTOBUF:
            return protowire.decode(self.body)
        try:
            return orjson.loads(self.body or b"null")
        except orjson.JSONDecodeError as exc:
            raise bad_request(f"the object provided is unrecognized (malformed JSON: {exc})"
                              ) from None
