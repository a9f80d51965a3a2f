"""What a log tail follows: a pod by name, a workload's pods, or a label selector.

`TARGET` is `NAME` or `pod/NAME` (one pod), `KIND/NAME` for a workload (`deploy/web`,
`sts/db`, `ds/agent`, `rs/...`, `job/...`: its pods, found through its selector in each
cluster), or nothing with `-l SELECTOR`. Parsing is pure (ValueError with one line);
`pod_query` reads the workload in one cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubechat_tui.domain.resources import resolve_resource
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.lookup import selector_string

WORKLOADS = frozenset({"deployments", "statefulsets", "daemonsets", "replicasets", "jobs"})
READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class TailTarget:
    """A parsed TARGET: exactly one of `pod`, `workload` or `selector` is the subject."""

    text: str  # as the user wrote it, for messages
    namespace: str | None  # None: every namespace (selectors only)
    pod: str | None = None
    workload: tuple[str, str] | None = None  # (plural resource, name)
    selector: str | None = None  # -l, also narrowing a workload's pods

    def describe(self) -> str:
        """`pod/x in payments`, `deployments/web in all namespaces`."""
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        return f"{self.text} in {where}"


def parse_target(text: str | None, selector: str | None,
                 namespace: str | None) -> TailTarget:
    """The target of `kubechat logs TARGET [-l SELECTOR]`; ValueError when unusable."""
    if not text:
        if not selector:
            raise ValueError("name a TARGET (a pod, or KIND/NAME such as deploy/web) or "
                             "give -l SELECTOR")
        return TailTarget(f"-l {selector}", namespace, selector=selector)
    kind, slash, name = text.partition("/")
    if not slash:
        kind, name = "pods", text
    if not name or "/" in name:
        raise ValueError(f"{text!r} is not a target: use NAME, pod/NAME or KIND/NAME")
    info = resolve_resource(kind)
    if info is None or (info.plural != "pods" and info.plural not in WORKLOADS):
        raise ValueError(f"{kind!r} has no logs: use a pod or one of deploy, sts, ds, rs, job")
    if info.plural == "pods":
        if selector:
            raise ValueError("a pod name and -l cannot be combined")
        return TailTarget(text, namespace or "default", pod=name)
    return TailTarget(text, namespace or "default", workload=(info.plural, name),
                      selector=selector)


def pod_query(fleet: Any, cluster: str, target: TailTarget) -> dict[str, str] | None:
    """The pod list query for `target` in one cluster (labelSelector or fieldSelector);
    None when the workload is not there. ApiError when the cluster refuses."""
    if target.pod:
        return {"fieldSelector": f"metadata.name={target.pod}"}
    if target.workload is None:
        return {"labelSelector": target.selector or ""}
    plural, name = target.workload
    info = resolve_resource(plural)
    assert info is not None
    status, doc = fleet.request_json(cluster, "GET", info.object_path(target.namespace, name),
                                     timeout=READ_TIMEOUT)
    if status == 404:
        return None
    if status != 200:
        message = doc.get("message") or doc.get("reason") or "no message"
        raise ApiError(cluster, status, f"HTTP {status}: {message}" if status else message)
    chosen = selector_string((doc.get("spec") or {}).get("selector") or {})
    if not chosen:
        return None
    return {"labelSelector": ",".join(s for s in (chosen, target.selector) if s)}
