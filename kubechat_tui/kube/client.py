"""One cluster's HTTP access through the official client's REST layer.

Requests go through `ApiClient.param_serialize` + `call_api` (the rest layer), so the
kubeconfig's auth (tokens, exec plugins with refresh, client certificates), TLS and proxy
settings apply. Bodies are read raw (never turned into typed models): callers parse bytes
with orjson or stream lines for watches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import orjson
import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from kubechat_tui.kube.errors import ApiError

JSON = "application/json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
STREAM_CHUNK = 1 << 16
Query = Mapping[str, str | int | bool] | None
Timeout = float | tuple[float, float]


class ClusterClient:
    """Raw requests to one kubeconfig context."""

    def __init__(self, name: str, api: ApiClient, connect_timeout: float,
                 read_timeout: float) -> None:
        self.name = name
        self.api = api
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def open(self, method: str, path: str, *, query: Query = None, body: object | None = None,
             content_type: str | None = None, accept: str = JSON,
             timeout: float | None = None) -> urllib3.BaseHTTPResponse:
        """Send a request; the response body is left unread (caller reads or streams it).

        Raises ApiError(status=0) when the cluster cannot be reached.
        """
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type or JSON
        payload = _payload(body, headers.get("Content-Type", JSON))
        params = [(k, _query_value(v)) for k, v in (query or {}).items() if v is not None]
        try:
            method_, url, headers_, body_, post = self.api.param_serialize(
                method=method.upper(), resource_path=path, query_params=params,
                header_params=headers, body=payload, auth_settings=["BearerToken"])
            response = self.api.call_api(method_, url, header_params=headers_, body=body_,
                                         post_params=post,
                                         _request_timeout=self._timeout(timeout))
        except (urllib3.exceptions.HTTPError, ApiException, OSError) as exc:
            raise ApiError(self.name, 0, f"unreachable: {_short(exc)}") from None
        raw: urllib3.BaseHTTPResponse = response.response
        return raw

    def request(self, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                accept: str = JSON, timeout: float | None = None) -> tuple[int, bytes]:
        """(status, body bytes); ApiError(status=0) when unreachable or cut off."""
        response = self.open(method, path, query=query, body=body, content_type=content_type,
                             accept=accept, timeout=timeout)
        try:
            return response.status, response.data
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ApiError(self.name, 0, f"unreachable: {_short(exc)}") from None
        finally:
            response.release_conn()

    def line_batches(self, response: urllib3.BaseHTTPResponse) -> Iterator[list[bytes]]:
        """The non-empty lines of a streamed body, batched as they arrive (watch events).

        A stream left unfinished (stopped, cut) closes its connection instead of handing a
        half-read connection back to the pool.
        """
        pending = b""
        finished = False
        try:
            for chunk in response.stream(STREAM_CHUNK, decode_content=True):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                batch = [line for line in complete if line.strip()]
                if batch:
                    yield batch
            finished = True
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ApiError(self.name, 0, f"stream cut: {_short(exc)}") from None
        finally:
            discard(response, finished)
        if pending.strip():
            yield [pending]

    def close(self) -> None:
        """Close the connection pool."""
        self.api.close()

    def _timeout(self, timeout: float | None) -> Timeout:
        return (self.connect_timeout, timeout if timeout is not None else self.read_timeout)


def discard(response: urllib3.BaseHTTPResponse, finished: bool = False) -> None:
    """Give the connection back to the pool, closing it first unless the body was read."""
    if not finished:
        response.close()
    response.release_conn()


def _payload(body: object | None, content_type: str) -> object | None:
    """The body as the rest layer wants it: JSON-like content as a Python object."""
    if isinstance(body, (bytes, str)) and "json" in content_type:
        return orjson.loads(body) if body else None
    return body


def _query_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _short(exc: BaseException) -> str:
    """A one-line reason from a urllib3/ApiException error (the innermost cause)."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        exc = reason
    text = " ".join(str(exc).split())
    if "Connection refused" in text:
        return "connection refused"
    if "Connection aborted" in text or "RemoteDisconnected" in text:
        return "connection closed by the server"
    if "timed out" in text.lower():
        return "timed out"
    return text[:160] or type(exc).__name__
