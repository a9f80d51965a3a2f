"""Kubernetes `Status` bodies and the exception that carries them to the HTTP layer."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An API failure answered with a `Status` body, exactly as kube-apiserver shapes it."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        list_meta: dict[str, Any] | None = None,
        plain: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.list_meta = list_meta or {}
        self.plain = plain  # Go's text `404 page not found` instead of a Status

    def body(self) -> dict[str, Any]:
        """The Status object, keys in the real server's order."""
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.list_meta),
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            status["reason"] = self.reason
        if self.details is not None:
            status["details"] = self.details
        status["code"] = self.code
        return status


def go_json_type(value: object) -> str:
    """How Go's encoding/json names a JSON value's type in unmarshal errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _details(name: str, group: str, resource: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = resource
    return details


def qualified(resource: str, group: str) -> str:
    """`deployments.apps` for grouped resources, `pods` for the core group."""
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> ApiError:
    """404 for a named object that does not exist."""
    return ApiError(
        404, "NotFound", f'{qualified(resource, group)} "{name}" not found',
        _details(name, group, resource),
    )


def unknown_resource() -> ApiError:
    """404 for a path the server does not serve."""
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def page_not_found() -> ApiError:
    """404 outside the API's paths: Go's http.NotFound text, not a Status."""
    return ApiError(404, "NotFound", "404 page not found", plain=True)


def already_exists(resource: str, group: str, name: str) -> ApiError:
    """409 for a create whose name is taken."""
    return ApiError(
        409, "AlreadyExists", f'{qualified(resource, group)} "{name}" already exists',
        _details(name, group, resource),
    )


def namespace_terminating(resource: str, name: str, namespace: str) -> ApiError:
    """403 for a create in a namespace that is being deleted."""
    return ApiError(
        403, "Forbidden", f'{resource} "{name}" is forbidden: unable to create new content in '
        f"namespace {namespace} because it is being terminated",
        {"name": name, "kind": resource, "causes": [{
            "reason": "NamespaceTerminating", "message": f"namespace {namespace} is being "
            "terminated", "field": "metadata.namespace"}]})


def conflict(resource: str, group: str, name: str) -> ApiError:
    """409 for an update carrying a stale resourceVersion."""
    return ApiError(
        409, "Conflict",
        f'Operation cannot be fulfilled on {qualified(resource, group)} "{name}": the object '
        "has been modified; please apply your changes to the latest version and try again",
        _details(name, group, resource),
    )


def forbidden(
    user: str, verb: str, resource: str, subresource: str, group: str, namespace: str, name: str
) -> ApiError:
    """403 worded as the RBAC authorizer words it."""
    full = f"{resource}/{subresource}" if subresource else resource
    subject = f'{qualified(resource, group)} "{name}"' if name else qualified(resource, group)
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{full}" '
        f'in API group "{group}" {where}'
    )
    return ApiError(403, "Forbidden", message, _details(name, group, resource))


def invalid(kind: str, group: str, name: str, field: str, value: Any, detail: str) -> ApiError:
    """422 for an object that fails validation on one field."""
    shown = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(
        value, bool) else str(value)
    cause = f"Invalid value: {shown}: {detail}"
    return ApiError(
        422, "Invalid", f'{qualified(kind, group)} "{name}" is invalid: {field}: {cause}',
        {
            **_details(name, group, kind),
            "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": field}],
        },
    )


def bad_request(message: str) -> ApiError:
    """400 with the server's message."""
    return ApiError(400, "BadRequest", message)


def method_not_allowed() -> ApiError:
    """405 for a verb the resource does not support."""
    return ApiError(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
        {},
    )


def unauthorized() -> ApiError:
    """401 for a missing or unknown bearer token."""
    return ApiError(401, "Unauthorized", "Unauthorized")


def too_many_requests(retry_after: int) -> ApiError:
    """429 as sent by API priority and fairness / max-in-flight."""
    return ApiError(
        429, "TooManyRequests", "Too many requests, please try again later.",
        {"retryAfterSeconds": retry_after}, {"Retry-After": str(retry_after)},
    )


def internal_error(detail: str) -> ApiError:
    """500 as the apiserver wraps unexpected failures."""
    return ApiError(
        500, "InternalError", f"Internal error occurred: {detail}",
        {"causes": [{"message": detail}]}
    )


def expired(message: str, list_meta: dict[str, Any] | None = None) -> ApiError:
    """410 Gone: a resourceVersion older than the server keeps."""
    return ApiError(410, "Expired", message, list_meta=list_meta)


def success(name: str, group: str, resource: str, uid: str) -> dict[str, Any]:
    """The Status returned by a delete that removed the object immediately."""
    details = _details(name, group, resource)
    details["uid"] = uid
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details}
