"""One cluster's HTTP access through the official client's REST layer.

Requests go through `ApiClient.param_serialize` + `call_api` (the rest layer), so the
kubeconfig's auth (`kube.credentials`: tokens, token files, exec plugins, client
certificates), TLS and proxy settings apply. Bodies are read raw (never turned into typed
models): callers parse bytes with orjson or stream lines for watches.

A request that fails before an answer raises ApiError(status=0) whose message is one
line from `kube.failures` and whose reason is its `Failure` kind (credentials not
obtained, TLS, unreachable). A 401 is renewed once (token file re-read, plugin run again,
as client-go does); a 401 that stays is answered with its Status message replaced by the
line that says whose credentials were rejected and what to do.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping

import orjson
import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from kubechat_tui.kube import failures
from kubechat_tui.kube.credentials import Credentials, credentials_of
from kubechat_tui.kube.errors import ApiError, CredentialError
from kubechat_tui.kube.retry import fold_retry_after

JSON = "application/json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
STREAM_CHUNK = 1 << 16
MAX_STATUS_BYTES = 1 << 16  # of a 401 answer's body, read to rewrite its message
RAW_HEADERS = ("content-length", "content-encoding", "transfer-encoding")
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

        Raises ApiError(status=0) when no answer came (see the module docstring).
        """
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type or JSON
        payload = _payload(body, headers.get("Content-Type", JSON))
        params = [(k, _query_value(v)) for k, v in (query or {}).items() if v is not None]
        response, sent = self._send(method, path, params, headers, payload, timeout)
        credentials = credentials_of(self.api)
        if response.status != 401 or credentials is None:
            return response
        try:
            renewed = credentials.renew(sent)
        except CredentialError as exc:
            discard(response)
            raise ApiError(self.name, 0, str(exc), failures.Failure.CREDENTIALS) from None
        if renewed:
            discard(response)
            response, _ = self._send(method, path, params, headers, payload, timeout)
        return _rejected(response, credentials) if response.status == 401 else response

    def _send(self, method: str, path: str, params: list[tuple[str, str]],
              headers: dict[str, str], payload: object | None,
              timeout: float | None) -> tuple[urllib3.BaseHTTPResponse, str | None]:
        """One request: (raw response, the Authorization header sent)."""
        try:
            method_, url, headers_, body_, post = self.api.param_serialize(
                method=method.upper(), resource_path=path, query_params=params,
                header_params=headers, body=payload, auth_settings=["BearerToken"])
            response = self.api.call_api(method_, url, header_params=headers_, body=body_,
                                         post_params=post,
                                         _request_timeout=self._timeout(timeout))
        except CredentialError as exc:
            raise ApiError(self.name, 0, str(exc), failures.Failure.CREDENTIALS) from None
        except (urllib3.exceptions.HTTPError, ApiException, OSError) as exc:
            kind, line = failures.transport(exc)
            raise ApiError(self.name, 0, line, kind) from None
        raw: urllib3.BaseHTTPResponse = response.response
        return raw, headers_.get("authorization")

    def request(self, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                accept: str = JSON, timeout: float | None = None) -> tuple[int, bytes]:
        """(status, body bytes); ApiError(status=0) when unreachable or cut off. A 429 or
        503's Retry-After header is in its Status body (`kube.retry.fold_retry_after`)."""
        response = self.open(method, path, query=query, body=body, content_type=content_type,
                             accept=accept, timeout=timeout)
        try:
            return response.status, fold_retry_after(
                response.status, response.headers.get("Retry-After"), response.data)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            kind, line = failures.transport(exc)
            raise ApiError(self.name, 0, line, kind) from None
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
            kind, line = failures.transport(exc)
            raise ApiError(self.name, 0, f"stream cut: {line}", kind) from None
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


def _rejected(response: urllib3.BaseHTTPResponse,
              credentials: Credentials) -> urllib3.BaseHTTPResponse:
    """The 401 answer with its Status message saying whose credentials were rejected."""
    try:
        raw = response.read(MAX_STATUS_BYTES)
    except (urllib3.exceptions.HTTPError, OSError):
        raw = b""
    finally:
        discard(response)
    try:
        doc = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        doc = {}
    doc = doc if isinstance(doc, dict) else {}
    doc = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "reason": "Unauthorized", "code": 401, **doc, "message": credentials.rejected_line()}
    headers = {k: v for k, v in response.headers.items() if k.lower() not in RAW_HEADERS}
    return urllib3.HTTPResponse(body=io.BytesIO(orjson.dumps(doc)), headers=headers,
                                status=401, reason=response.reason, preload_content=False)
