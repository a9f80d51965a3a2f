"""`kubechat exec [pod/]NAME [-c CONTAINER] -- CMD ...`: one command in a container, guarded
like a change (RBAC, policy, approval, confirmation) and recorded (a redacted transcript)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from kubechat_tui.cli.acting import AS_HELP
from kubechat_tui.cli.common import UsageError, confirmed_on_terminal

EXIT_CODES = """exit codes:
  0  the command ran and exited 0
  1  the command exited non-zero (its exit code on stderr, and in --json), or the session
     was ended (maximum length) or cut
  2  bad usage: no command after --, a bad pod name, an unknown pod or container, a
     container that is not running, more than one cluster in scope, missing --yes
  3  the cluster is unreachable, or the exec stream could not be opened: it refuses the
     WebSocket upgrade (a proxy in between may not pass WebSockets)
  4  denied: RBAC (`create pods/exec`, remediation printed), guardrail policy (rule IDs
     and remediation printed), a rejected approval, or a policy file that does not load
  5  waiting for approval: a request was opened (or is still pending); run
     `kubechat approvals approve ID` as another person, then run the same exec again
"""
STATUS_EXIT = {"failed": 2, "needs_confirmation": 2, "denied": 4, "awaiting_approval": 5}


class _Options(argparse.ArgumentParser):
    """The exec options, parsed again from between the pod and `--`."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def exec_options(parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The shared flags and exec's own, without positionals."""
    p = _Options(add_help=False, parents=[parent])
    p.add_argument("-c", "--container", default=None, help="the container (default: the "
                   "pod's default container, else its first)")
    p.add_argument("-y", "--yes", action="store_true",
                   help="confirm (required when stdin is not a terminal)")
    p.add_argument("--break-glass", metavar="JUSTIFICATION", default="",
                   help="policy exception: run despite policy/approvals (flagged loudly in "
                   "the audit)")
    p.add_argument("--as", dest="as_user", metavar="USER", help=AS_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON object at the end")
    return p


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat exec`."""
    options = exec_options(parent)
    p = subparsers.add_parser(
        "exec", parents=[options], help="run a command in a container (guarded, recorded)",
        description="Run one command in a container over the Kubernetes exec WebSocket, "
        "after the same checks as a change: RBAC pre-flight (create pods/exec), guardrail "
        "policy, approval (exec in production needs one by default), and your "
        "confirmation. stdout and stderr stream as they come; the session's transcript "
        "is stored redacted, its sha256 in the audit chain.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="[pod/]NAME", help="the pod (namespace from -n or the "
                   "context)")
    p.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- CMD ...",
                   help="the command and its arguments, after --")
    p.set_defaults(func=lambda args: run_exec(args, options))


def pod_name(target: str) -> str:
    """NAME from `NAME`, `pod/NAME` or `pods/NAME`; UsageError for another kind."""
    kind, sep, name = target.partition("/")
    if not sep:
        return target
    if kind not in ("pod", "pods", "po"):
        raise UsageError(f"exec takes a pod (pod/NAME), not {kind!r}")
    return name


def split_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    """The command after `--`; options between the pod and `--` (which argparse leaves in
    the remainder) are parsed into `args` first. (argparse drops a `--` that directly
    follows the pod.)"""
    rest = list(args.argv)
    cut = rest.index("--") if "--" in rest else (len(rest) if rest[:1] and
                                                   rest[0].startswith("-") else -1)
    if cut > 0:
        parser.parse_args(rest[:cut], namespace=args)
    return rest[cut + 1:]


def run_exec(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Handler of `kubechat exec`."""
    argv = split_command(args, parser)
    if not argv:
        raise UsageError("no command given: kubechat exec POD -- CMD ...")
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.guard.policy import PolicyError
    from kubechat_tui.store.errors import StoreError

    session = open_session(args)
    try:
        if len(session.scope.clusters) != 1:
            raise UsageError("exec runs in one cluster: choose it with --context")
        return _run(session, args, session.scope.clusters[0], tuple(argv))
    except PolicyError as exc:
        err(f"kubechat: denied: policy file does not load, nothing is run: {exc}")
        return 4
    except StoreError as exc:
        err(f"kubechat: error: {exc}")
        return 1
    finally:
        session.close()


def _run(session: Any, args: argparse.Namespace, cluster: str, argv: tuple[str, ...]) -> int:
    from kubechat_tui.cli.acting import resolve_actor
    from kubechat_tui.engine.exec_guard import ExecGuard
    from kubechat_tui.engine.exec_plan import ExecRequest
    from kubechat_tui.engine.wiring import open_engine
    from kubechat_tui.kube.lookup import FleetView

    router, operator = resolve_actor(session.fleet, args.as_user, [cluster])
    handle = open_engine(session.settings, router, session.data_dir, operator,
                         view=FleetView(router))
    try:
        request = ExecRequest(cluster, session.scope.namespace or "default",
                              pod_name(args.target), argv, args.container)
        guard = ExecGuard(handle.pipeline)
        found = guard.prepare(request, args.break_glass)
        if not found.ready:
            return _refused(found, args.json)
        for label, value in found.confirmation:
            err(f"{label:>11}: {value}")
        confirmed = args.yes or (not args.json and confirmed_on_terminal("Run this command?"))
        return _start(guard, found, confirmed, router.client(cluster), handle, args.json)
    finally:
        for line in handle.close():
            err(f"kubechat: warning: {line}")


def _refused(found: Any, as_json: bool) -> int:
    if as_json:
        out_json({"session_id": found.session_id, "status": found.status,
                  "message": found.message, "remediation": found.prep.remediation})
    else:
        err(f"kubechat: {found.status.replace('_', ' ')}: {found.message}")
        for line in found.prep.remediation:
            err(line)
    return 3 if found.unreachable else STATUS_EXIT.get(found.status, 1)


def _start(guard: Any, found: Any, confirmed: bool, client: Any, handle: Any,
           as_json: bool) -> int:
    from kubechat_tui.engine.exec_session import SessionEvents, start_session
    from kubechat_tui.store.transcripts import transcript_dir

    output: list[tuple[str, str]] = []

    def show(stream: str, text: str) -> None:
        if as_json:
            output.append((stream, text))
        else:
            (sys.stdout if stream == "stdout" else sys.stderr).write(text)
            (sys.stdout if stream == "stdout" else sys.stderr).flush()

    started = start_session(guard, found, confirmed=confirmed, client=client,
                            transcripts=transcript_dir(handle.db.path),
                            events=SessionEvents(on_output=show, on_notice=err))
    if started.session is None:
        err(f"kubechat: {started.message}")
        return 3 if started.status == "failed" else STATUS_EXIT.get(started.status, 1)
    end = started.session.wait()
    assert end is not None
    if as_json:
        out_json({"session_id": found.session_id, "status": end.reason,
                  "exit_code": end.exit_code, "message": end.message,
                  "stdout": "".join(t for s, t in output if s == "stdout"),
                  "stderr": "".join(t for s, t in output if s == "stderr"),
                  "transcript": end.transcript.to_json()})
    elif end.reason != "exited" or end.exit_code:
        err(f"kubechat: {end.line()}")
    if end.reason == "exited":
        return 0 if end.exit_code == 0 else 1
    return 3 if end.reason == "stream_cut" else 1



def out_json(doc: dict[str, Any]) -> None:
    """Print one JSON object."""
    import orjson

    print(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode(), flush=True)


def err(text: str) -> None:
    """One line on stderr."""
    print(text, file=sys.stderr, flush=True)
