"""Map a request path (below /clusters/<name>) to what it addresses."""

from __future__ import annotations

from dataclasses import dataclass

from kubechat_tui.sim.resources import GROUP_VERSIONS, Custom, ResourceType, lookup
from kubechat_tui.sim.status import page_not_found, unknown_resource

NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(frozen=True)
class Target:
    """What a path names: a discovery document or a resource (collection, object, subresource)."""

    doc: str = ""  # root | version | api | apis | group | groupversion | openapi | healthz...
    group: str = ""
    group_version: str = ""
    resource: ResourceType | None = None
    namespace: str = ""
    name: str = ""
    subresource: str = ""


def served_group(group: str, hidden: tuple[str, ...] = (), custom: Custom | None = None) -> bool:
    """True when /apis/<group> is served (not an add-on this cluster lacks)."""
    return group not in hidden and any(g.split("/")[0] == group
                                       for g in (*GROUP_VERSIONS, *(custom or {})) if "/" in g)


def parse_path(path: str, hidden: tuple[str, ...] = (), custom: Custom | None = None) -> Target:
    """Parse `api/v1/namespaces/payments/pods/x/log`; unknown paths raise a 404 ApiError.

    As on the real server, paths below /api and below a served /apis/<group> answer a
    Status; any other unknown path gets Go's plain-text 404.
    """
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts:
        return Target(doc="root")
    if parts == ["version"]:
        return Target(doc="version")
    if parts[0] not in ("api", "apis"):
        if len(parts) == 1 and parts[0] in ("healthz", "livez", "readyz"):
            return Target(doc=parts[0])
        if parts[:2] == ["openapi", "v3"]:
            return Target(doc="openapi", name="/".join(parts[2:]))
        raise page_not_found()
    if parts[0] == "api":
        if len(parts) == 1:
            return Target(doc="api")
        gv, rest = parts[1], parts[2:]
    else:
        if len(parts) == 1:
            return Target(doc="apis")
        if not served_group(parts[1], hidden, custom):
            raise page_not_found()
        if len(parts) == 2:
            return Target(doc="group", group=parts[1])
        gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
    custom = custom or {}
    if gv not in GROUP_VERSIONS and gv not in custom:
        raise unknown_resource()
    if not rest:
        return Target(doc="groupversion", group=gv.split("/")[0] if "/" in gv else "",
                      group_version=gv)
    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 3 and not (
            len(rest) == 3 and rest[2] in NAMESPACE_SUBRESOURCES):
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        raise unknown_resource()
    resource = lookup(gv, rest[0]) or next(
        (r for r in custom.get(gv, []) if r.plural == rest[0]), None)
    if resource is None or (namespace and not resource.namespaced):
        raise unknown_resource()
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and resource.subresource(sub) is None:
        raise unknown_resource()
    return Target(group_version=gv, group=resource.group, resource=resource, namespace=namespace,
                  name=name, subresource=sub)
