"""Build a Step from validated parts: the kubectl line (shell-quoted) and the API calls.

Only this module writes kubectl lines. Every user- or model-supplied token goes through
`shlex.quote`, so a value can never become a second shell command.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable

from kubechat_tui.domain import RESOURCES, ApiCall, ParamValue, Step, Verb

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"
_NODE = RESOURCES["nodes"]


def _q(value: object) -> str:
    return shlex.quote(str(value))


def _target(resource: str, name: str | None) -> str:
    return f"{resource}/{name}" if name else resource


def _ns_flags(namespace: str | None, all_namespaces: bool, resource: str = "pods") -> list[str]:
    if not RESOURCES[resource].namespaced:
        return []
    if namespace:
        return ["-n", _q(namespace)]
    return ["-A"] if all_namespaces else []


def build_step(
    step_id: str,
    verb: Verb,
    resource: str,
    *,
    namespace: str | None = None,
    name: str | None = None,
    selector: str | None = None,
    clusters: tuple[str, ...] = (),
    params: dict[str, ParamValue] | None = None,
    reason: str = "",
    accepted: bool = True,
    ask_approval: str = "",
) -> Step:
    """A fully rendered, not yet risk-scored step (callers validated the parts)."""
    params = dict(params or {})
    info = RESOURCES[resource]
    ns = namespace if info.namespaced else None
    words, calls = _RENDERERS[verb](info.plural, ns, name, selector, params)
    return Step(
        id=step_id, verb=verb, resource=resource, namespace=ns, name=name, selector=selector,
        clusters=clusters, params=params, mutating=verb.mutating, reason=reason,
        kubectl=" ".join(["kubectl", *words]), api_calls=tuple(calls), accepted=accepted,
        ask_approval=ask_approval,
    )


Rendered = tuple[list[str], list[ApiCall]]
Renderer = Callable[[str, str | None, str | None, str | None, dict[str, ParamValue]], Rendered]


def _path(resource: str, ns: str | None, name: str | None) -> str:
    info = RESOURCES[resource]
    return info.object_path(ns, name) if name else info.collection_path(ns)


def _selector_query(selector: str | None, field: ParamValue = None) -> dict[str, str]:
    query = {"labelSelector": selector} if selector else {}
    if field:
        query["fieldSelector"] = str(field)
    return query


def _get(res: str, ns: str | None, name: str | None, sel: str | None,
         p: dict[str, ParamValue]) -> Rendered:
    words = ["get", _q(_target(res, name)), *_ns_flags(ns, name is None, res)]
    if sel:
        words += ["-l", _q(sel)]
    if p.get("field_selector"):
        words += ["--field-selector", _q(p["field_selector"])]
    if p.get("sort_by"):
        words += ["--sort-by", _q(p["sort_by"])]
    output = p.get("output", "wide")
    words += ["-o", _q(output)]
    query = _selector_query(sel, p.get("field_selector"))
    return words, [ApiCall(method="GET", path=_path(res, ns, name), query=query)]


def _describe(res: str, ns: str | None, name: str | None, sel: str | None,
              p: dict[str, ParamValue]) -> Rendered:
    words = ["describe", _q(res), *([_q(name)] if name else []),
             *_ns_flags(ns, name is None, res)]
    if sel:
        words += ["-l", _q(sel)]
    calls = [ApiCall(method="GET", path=_path(res, ns, name), query=_selector_query(sel))]
    if name:
        calls.append(ApiCall(
            method="GET", path=RESOURCES["events"].collection_path(ns),
            query={"fieldSelector": f"involvedObject.name={name}"}))
    return words, calls


def _events(res: str, ns: str | None, name: str | None, sel: str | None,
            p: dict[str, ParamValue]) -> Rendered:
    words = ["events", *_ns_flags(ns, True)]
    fields: list[str] = []
    for_kind, for_name = p.get("for_kind"), p.get("for_name")
    if for_kind and for_name:
        words += [f"--for={_q(f'{for_kind}/{for_name}')}"]
        fields.append(f"involvedObject.name={for_name}")
    if p.get("reason_filter"):
        fields.append(f"reason={p['reason_filter']}")
    if p.get("types"):
        words += [f"--types={_q(p['types'])}"]
    query = {"fieldSelector": ",".join(fields)} if fields else {}
    return words, [ApiCall(method="GET", path=RESOURCES["events"].collection_path(ns),
                           query=query)]


def _logs(res: str, ns: str | None, name: str | None, sel: str | None,
          p: dict[str, ParamValue]) -> Rendered:
    tail = int(str(p.get("tail_lines") or 200))
    words = ["logs"]
    if name:
        words.append(_q(name if res == "pods" else _target(res, name)))
    elif sel:
        words += ["-l", _q(sel)]
    words += _ns_flags(ns, False)
    query = {"tailLines": str(tail)}
    if p.get("container"):
        words += ["-c", _q(p["container"])]
        query["container"] = str(p["container"])
    else:
        words.append("--all-containers")
    if p.get("previous"):
        words.append("--previous")
        query["previous"] = "true"
    words.append(f"--tail={tail}")
    if res == "pods" and name:
        call = ApiCall(method="GET", path=_path("pods", ns, name) + "/log", query=query)
    else:
        call = ApiCall(method="GET", path=_path("pods", ns, None) + "/{pod}/log", query=query,
                       note=f"for each pod of {_target(res, name) if name else sel}")
    return words, [call]


def _top(res: str, ns: str | None, name: str | None, sel: str | None,
         p: dict[str, ParamValue]) -> Rendered:
    kind = "nodes" if res == "nodes" else "pods"
    words = ["top", kind, *([_q(name)] if name else []),
             *([] if kind == "nodes" else _ns_flags(ns, name is None))]
    base = "/apis/metrics.k8s.io/v1beta1"
    path = f"{base}/namespaces/{ns}/{kind}" if ns and kind == "pods" else f"{base}/{kind}"
    return words, [ApiCall(method="GET", path=path + (f"/{name}" if name else ""),
                           query=_selector_query(sel))]


def _rollout_read(sub: str) -> Renderer:
    def render(res: str, ns: str | None, name: str | None, sel: str | None,
               p: dict[str, ParamValue]) -> Rendered:
        words = ["rollout", sub, _q(_target(res, name)), *_ns_flags(ns, False)]
        calls = [ApiCall(method="GET", path=_path(res, ns, name))]
        if sub == "history":
            calls.append(ApiCall(method="GET", path=_path("replicasets", ns, None),
                                 note=f"ReplicaSets owned by {res}/{name}"))
        return words, calls
    return render


def _scale(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    replicas = int(str(p["replicas"]))
    words = ["scale", _q(_target(res, name)), *_ns_flags(ns, False), f"--replicas={replicas}"]
    call = ApiCall(method="PATCH", path=_path(res, ns, name) + "/scale",
                   body={"spec": {"replicas": replicas}}, content_type=MERGE)
    return words, [call]


def _restart(res: str, ns: str | None, name: str | None, sel: str | None,
             p: dict[str, ParamValue]) -> Rendered:
    words = ["rollout", "restart", _q(_target(res, name)), *_ns_flags(ns, False)]
    body = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": str(p.get("restarted_at", ""))}}}}}
    return words, [ApiCall(method="PATCH", path=_path(res, ns, name), body=body,
                           content_type=STRATEGIC, query={"fieldManager": "kubechat"})]


def _undo(res: str, ns: str | None, name: str | None, sel: str | None,
          p: dict[str, ParamValue]) -> Rendered:
    words = ["rollout", "undo", _q(_target(res, name)), *_ns_flags(ns, False)]
    revision = p.get("to_revision")
    if revision:
        words.append(f"--to-revision={int(str(revision))}")
    which = f"revision {revision}" if revision else "the previous revision"
    return words, [
        ApiCall(method="GET", path=_path("replicasets", ns, None),
                note=f"find the ReplicaSet of {which}"),
        ApiCall(method="PATCH", path=_path(res, ns, name), content_type=STRATEGIC,
                note=f"pod template replaced by the one of {which}"),
    ]


def _set_image(res: str, ns: str | None, name: str | None, sel: str | None,
               p: dict[str, ParamValue]) -> Rendered:
    container, image = str(p.get("container") or "*"), str(p["image"])
    words = ["set", "image", _q(_target(res, name)), _q(f"{container}={image}"),
             *_ns_flags(ns, False)]
    body = {"spec": {"template": {"spec": {"containers": [{"name": container,
                                                          "image": image}]}}}}
    note = "every container" if container == "*" else None
    return words, [ApiCall(method="PATCH", path=_path(res, ns, name), body=body,
                           content_type=STRATEGIC, note=note)]


def _cordon(unschedulable: bool) -> Renderer:
    def render(res: str, ns: str | None, name: str | None, sel: str | None,
               p: dict[str, ParamValue]) -> Rendered:
        words = ["cordon" if unschedulable else "uncordon", _q(name)]
        return words, [ApiCall(method="PATCH", path=_NODE.object_path(None, str(name)),
                               body={"spec": {"unschedulable": unschedulable}},
                               content_type=MERGE)]
    return render


def _drain(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    words = ["drain", _q(name), "--ignore-daemonsets", "--delete-emptydir-data",
             f"--timeout={int(str(p.get('timeout_seconds') or 300))}s"]
    return words, [
        ApiCall(method="PATCH", path=_NODE.object_path(None, str(name)),
                body={"spec": {"unschedulable": True}}, content_type=MERGE),
        ApiCall(method="POST", path="/api/v1/namespaces/{namespace}/pods/{pod}/eviction",
                body={"apiVersion": "policy/v1", "kind": "Eviction"},
                note=f"for each non-DaemonSet pod with spec.nodeName={name}"),
    ]


def _delete(res: str, ns: str | None, name: str | None, sel: str | None,
            p: dict[str, ParamValue]) -> Rendered:
    if name:
        words = ["delete", _q(res), _q(name), *_ns_flags(ns, False, res)]
    else:
        words = ["delete", _q(res), *_ns_flags(ns, False, res)]
        if p.get("field_selector"):
            words += ["--field-selector", _q(p["field_selector"])]
        words += ["-l", _q(sel)] if sel else ([] if p.get("field_selector") else ["--all"])
    return words, [ApiCall(method="DELETE", path=_path(res, ns, name),
                           query=_selector_query(sel, p.get("field_selector")))]


def _patch(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    patch = str(p.get("patch") or "{}")
    words = ["patch", _q(res), _q(name), *_ns_flags(ns, False, res), "--type", "merge", "-p",
             _q(patch)]
    return words, [ApiCall(method="PATCH", path=_path(res, ns, name), body=json.loads(patch),
                           content_type=MERGE)]


def _apply(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    words = ["apply", "--server-side", "--field-manager=kubechat", "-f", "-",
             *_ns_flags(ns, False)]
    return words, [ApiCall(method="PATCH", path=_path(res, ns, name),
                           query={"fieldManager": "kubechat"},
                           body=str(p.get("manifest") or ""), content_type=APPLY,
                           note="manifest from the step's `manifest` parameter (stdin)")]


_RENDERERS: dict[Verb, Renderer] = {
    Verb.GET: _get,
    Verb.DESCRIBE: _describe,
    Verb.EVENTS: _events,
    Verb.LOGS: _logs,
    Verb.TOP: _top,
    Verb.ROLLOUT_STATUS: _rollout_read("status"),
    Verb.ROLLOUT_HISTORY: _rollout_read("history"),
    Verb.SCALE: _scale,
    Verb.ROLLOUT_RESTART: _restart,
    Verb.ROLLOUT_UNDO: _undo,
    Verb.SET_IMAGE: _set_image,
    Verb.CORDON: _cordon(True),
    Verb.UNCORDON: _cordon(False),
    Verb.DRAIN: _drain,
    Verb.DELETE: _delete,
    Verb.PATCH: _patch,
    Verb.APPLY: _apply,
}
