"""Build a Step from validated parts, with its kubectl line (shell-quoted).

Only this module writes kubectl lines. Every user- or model-supplied token goes through
`shlex.quote`, so a value can never become a second shell command. The line describes a
step for people; the HTTP requests a change sends are built by the executor itself
(`engine.request_plan`), and those are what is checked, previewed and audited.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable

from kubechat_tui.domain import RESOURCES, ParamValue, Step, Verb

UNNAMED_CONTAINER = "{container}"  # set image before the engine read the workload


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
    words = _RENDERERS[verb](info.plural, ns, name, selector, params)
    return Step(
        id=step_id, verb=verb, resource=resource, namespace=ns, name=name, selector=selector,
        clusters=clusters, params=params, mutating=verb.mutating, reason=reason,
        kubectl=" ".join(["kubectl", *words]), accepted=accepted, ask_approval=ask_approval,
    )


Rendered = list[str]
Renderer = Callable[[str, str | None, str | None, str | None, dict[str, ParamValue]], Rendered]


def _get(res: str, ns: str | None, name: str | None, sel: str | None,
         p: dict[str, ParamValue]) -> Rendered:
    words = ["get", _q(_target(res, name)), *_ns_flags(ns, name is None, res)]
    if sel:
        words += ["-l", _q(sel)]
    if p.get("field_selector"):
        words += ["--field-selector", _q(p["field_selector"])]
    if p.get("sort_by"):
        words += ["--sort-by", _q(p["sort_by"])]
    return [*words, "-o", _q(p.get("output", "wide"))]


def _describe(res: str, ns: str | None, name: str | None, sel: str | None,
              p: dict[str, ParamValue]) -> Rendered:
    words = ["describe", _q(res), *([_q(name)] if name else []),
             *_ns_flags(ns, name is None, res)]
    return words + (["-l", _q(sel)] if sel else [])


def _events(res: str, ns: str | None, name: str | None, sel: str | None,
            p: dict[str, ParamValue]) -> Rendered:
    words = ["events", *_ns_flags(ns, True)]
    for_kind, for_name = p.get("for_kind"), p.get("for_name")
    if for_kind and for_name:
        words += [f"--for={_q(f'{for_kind}/{for_name}')}"]
    if p.get("types"):
        words += [f"--types={_q(p['types'])}"]
    return words


def _logs(res: str, ns: str | None, name: str | None, sel: str | None,
          p: dict[str, ParamValue]) -> Rendered:
    tail = int(str(p.get("tail_lines") or 200))
    words = ["logs"]
    if name:
        words.append(_q(name if res == "pods" else _target(res, name)))
    elif sel:
        words += ["-l", _q(sel)]
    words += _ns_flags(ns, False)
    words += ["-c", _q(p["container"])] if p.get("container") else ["--all-containers"]
    if p.get("previous"):
        words.append("--previous")
    return [*words, f"--tail={tail}"]


def _top(res: str, ns: str | None, name: str | None, sel: str | None,
         p: dict[str, ParamValue]) -> Rendered:
    kind = "nodes" if res == "nodes" else "pods"
    return ["top", kind, *([_q(name)] if name else []),
            *([] if kind == "nodes" else _ns_flags(ns, name is None))]


def _rollout_read(sub: str) -> Renderer:
    def render(res: str, ns: str | None, name: str | None, sel: str | None,
               p: dict[str, ParamValue]) -> Rendered:
        return ["rollout", sub, _q(_target(res, name)), *_ns_flags(ns, False)]
    return render


def _scale(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    replicas = int(str(p["replicas"]))
    return ["scale", _q(_target(res, name)), *_ns_flags(ns, False), f"--replicas={replicas}"]


def _restart(res: str, ns: str | None, name: str | None, sel: str | None,
             p: dict[str, ParamValue]) -> Rendered:
    return ["rollout", "restart", _q(_target(res, name)), *_ns_flags(ns, False)]


def _undo(res: str, ns: str | None, name: str | None, sel: str | None,
          p: dict[str, ParamValue]) -> Rendered:
    words = ["rollout", "undo", _q(_target(res, name)), *_ns_flags(ns, False)]
    revision = p.get("to_revision")
    return words + ([f"--to-revision={int(str(revision))}"] if revision else [])


def _set_image(res: str, ns: str | None, name: str | None, sel: str | None,
               p: dict[str, ParamValue]) -> Rendered:
    container = str(p.get("container") or UNNAMED_CONTAINER)
    return ["set", "image", _q(_target(res, name)), _q(f"{container}={p['image']}"),
            *_ns_flags(ns, False)]


def _cordon(unschedulable: bool) -> Renderer:
    def render(res: str, ns: str | None, name: str | None, sel: str | None,
               p: dict[str, ParamValue]) -> Rendered:
        return ["cordon" if unschedulable else "uncordon", _q(name)]
    return render


def _drain(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    timeout = p.get("timeout_seconds")
    return ["drain", _q(name), "--ignore-daemonsets", "--delete-emptydir-data",
            *([f"--timeout={int(str(timeout))}s"] if timeout else [])]


def _delete(res: str, ns: str | None, name: str | None, sel: str | None,
            p: dict[str, ParamValue]) -> Rendered:
    if name:
        return ["delete", _q(res), _q(name), *_ns_flags(ns, False, res)]
    words = ["delete", _q(res), *_ns_flags(ns, False, res)]
    if p.get("field_selector"):
        words += ["--field-selector", _q(p["field_selector"])]
    return words + (["-l", _q(sel)] if sel else ([] if p.get("field_selector") else ["--all"]))


def _patch(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    patch = str(p.get("patch") or "{}")
    json.loads(patch)  # a patch that is not JSON is a bad parameter, refused here
    return ["patch", _q(res), _q(name), *_ns_flags(ns, False, res), "--type", "merge", "-p",
            _q(patch)]


def _apply(res: str, ns: str | None, name: str | None, sel: str | None,
           p: dict[str, ParamValue]) -> Rendered:
    return ["apply", "--server-side", "--field-manager=kubechat", "-f", "-",
            *_ns_flags(ns, False)]


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
