"""Fixtures for simulator tests: a fresh incident fleet per test module, and an HTTP helper."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import urllib3

from kubechat_tui.sim import SimServer


class Api:
    """Raw HTTPS requests to one SimServer as a chosen identity."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.pool = urllib3.PoolManager(ca_certs=str(server.ca_file), retries=False,
                                        timeout=urllib3.Timeout(connect=5, read=20))

    def request(self, method: str, path: str, *, cluster: str = "prod-eu",
                who: str = "admin", query: dict[str, str] | None = None, body: Any = None,
                headers: dict[str, str] | None = None,
                preload: bool = True) -> urllib3.BaseHTTPResponse:
        """Send a request; dict/list bodies go as JSON."""
        hdrs = {"Authorization": f"Bearer {self.server.token(cluster, who)}",
                "Accept": "application/json", **(headers or {})}
        data = body
        if isinstance(body, (dict, list)):
            data = orjson.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        url = self.server.cluster_url(cluster) + path + _query(query)
        return self.pool.request(method, url, body=data, headers=hdrs, preload_content=preload)

    def json(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """Status and parsed JSON body."""
        resp = self.request(method, path, **kwargs)
        return resp.status, orjson.loads(resp.data) if resp.data else None


def _query(query: dict[str, str] | None) -> str:
    if not query:
        return ""
    from urllib.parse import urlencode

    return "?" + urlencode(query)


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    """A fresh incident fleet for one test module (tests in a module may mutate it)."""
    with SimServer("incident") as sim:
        yield sim


@pytest.fixture(scope="module")
def api(server: SimServer) -> Api:
    """Raw HTTP helper bound to the module's server."""
    return Api(server)


@pytest.fixture(scope="module")
def kubeconfig(server: SimServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kubeconfig for the module's server."""
    return server.write_kubeconfig(tmp_path_factory.mktemp("kube") / "config")
