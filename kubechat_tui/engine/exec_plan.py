"""An exec request, checked, and the one-step plan policy and approvals see for it.

    request = ExecRequest("prod-eu", "payments", "payments-api-x", ("env",), container=None)
    request.check()                                   # ExecInputError: one line
    target = resolve_target(fleet, request)           # reads the pod: the container to use
    plan = exec_plan(request, target.container, "prod-eu", production=True,
                     redact=redactor.redact)             # what policy and approvals judge

The plan has one step, verb `exec` on the pod, with params container, command and mode
(`one-shot` or `interactive`); its kubectl line is rendered here, shell-quoted. Its digest
is what an approval binds: the same (redacted) command in the same container of the same
pod.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kubechat_tui.domain import Plan, Risk, Scope, Step, Verb
from kubechat_tui.kube import failures
from kubechat_tui.planner.text import is_label, is_name, printable

MAX_COMMAND = 4096  # characters of a command line
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
STEP_ID = "exec"


class ExecInputError(ValueError):
    """A request that cannot run (bad name, unknown pod or container); one line."""


class ClusterUnreachable(ExecInputError):
    """The cluster did not answer the pod read (unreachable, TLS, credentials)."""


class PodReader(Protocol):
    """The slice of a fleet that reads the pod."""

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]: ...


@dataclass(frozen=True)
class ExecRequest:
    """What the user asked to run, and where."""

    cluster: str
    namespace: str
    pod: str
    command: tuple[str, ...]
    container: str | None = None
    interactive: bool = False  # stdin and a terminal; else one command, output collected

    @property
    def mode(self) -> str:
        """`interactive` or `one-shot`."""
        return "interactive" if self.interactive else "one-shot"

    def check(self) -> None:
        """ExecInputError for a name that is no Kubernetes name or an unusable command."""
        if not is_label(self.namespace):
            raise ExecInputError(f"namespace {_show(self.namespace)} is not a valid name")
        if not is_name(self.pod):
            raise ExecInputError(f"pod {_show(self.pod)} is not a valid pod name")
        if self.container is not None and not is_label(self.container):
            raise ExecInputError(f"container {_show(self.container)} is not a valid "
                                 "container name")
        if not self.command or not self.command[0]:
            raise ExecInputError("no command given: put it after `--`")
        if any(arg != printable(arg) for arg in self.command):
            raise ExecInputError("the command holds control characters")
        if len(shlex.join(self.command)) > MAX_COMMAND:
            raise ExecInputError(f"the command is longer than {MAX_COMMAND} characters")


@dataclass(frozen=True)
class ExecTargetInfo:
    """The pod as read: the container that runs the command, the pod's labels and the
    container's environment variables that come from Secrets (their output is masked)."""

    container: str
    containers: tuple[str, ...]
    labels: dict[str, str]
    secret_env: tuple[str, ...] = ()


def resolve_target(fleet: PodReader, request: ExecRequest) -> ExecTargetInfo:
    """Read the pod; the container named (or the default one). ExecInputError when the
    pod or container is not there or the container is not running."""
    path = f"/api/v1/namespaces/{request.namespace}/pods/{request.pod}"
    status, doc = fleet.request_json(request.cluster, "GET", path)
    where = f"{request.cluster}/{request.namespace}"
    if status == 404:
        raise ExecInputError(f"pod {request.pod} not found in {where}")
    if status == 0:
        raise ClusterUnreachable(f"{where}: cannot read pod {request.pod}: "
                                 f"{failures.answer(status, doc)}")
    if status != 200:
        raise ExecInputError(f"{where}: cannot read pod {request.pod}: "
                             f"{failures.answer(status, doc)}")
    spec = doc.get("spec") or {}
    names = tuple(str(c.get("name")) for c in spec.get("containers") or [])
    meta = doc.get("metadata") or {}
    chosen = request.container or (meta.get("annotations") or {}).get(DEFAULT_CONTAINER) \
        or (names[0] if names else "")
    if chosen not in names:
        raise ExecInputError(f"container {_show(chosen)} is not in pod {request.pod} "
                             f"(containers: {', '.join(names) or 'none'})")
    state = next((c.get("state") or {} for c in (doc.get("status") or {}).get(
        "containerStatuses") or [] if c.get("name") == chosen), {})
    if "running" not in state:
        why = next((str(v.get("reason") or k) for k, v in state.items()
                    if isinstance(v, dict)), "not started")
        raise ExecInputError(f"container {chosen} of pod {request.pod} is not running "
                             f"({why})")
    env = next((c.get("env") or [] for c in spec.get("containers") or []
                if c.get("name") == chosen), [])
    secret_env = tuple(str(e.get("name")) for e in env
                       if ((e.get("valueFrom") or {}).get("secretKeyRef")))
    return ExecTargetInfo(chosen, names, dict(meta.get("labels") or {}), secret_env)


def kubectl_line(request: ExecRequest, container: str) -> str:
    """`kubectl exec -it -n payments pod -c api -- sh` (shell-quoted)."""
    words = ["kubectl", "exec", *(["-it"] if request.interactive else []),
             "-n", request.namespace, request.pod, "-c", container, "--", *request.command]
    return shlex.join(words)


def exec_plan(request: ExecRequest, container: str, context: str, production: bool,
              redact: Callable[[str], str] = str) -> Plan:
    """The one-step plan that policy and approvals judge, its command `redact`ed: the plan
    is what is shown, approved, audited and stored, and a secret typed into a command line
    must reach none of them (the session runs `request.command` itself)."""
    line = redact(kubectl_line(request, container))
    step = Step(id=STEP_ID, verb=Verb.EXEC, resource="pods", namespace=request.namespace,
                name=request.pod, clusters=(request.cluster,),
                params={"container": container,
                        "command": [redact(arg) for arg in request.command],
                        "mode": request.mode},
                mutating=True, risk=Risk.HIGH if production else Risk.MEDIUM,
                reason="a command in a running container", kubectl=line)
    scope = Scope(clusters=(request.cluster,), namespace=request.namespace,
                  contexts={request.cluster: context})
    return Plan(input=line, planner="exec", scope=scope, steps=(step,))


def _show(value: str | None) -> str:
    return repr(printable(value or "")[:80])
