"""`kubechat plan "TEXT"`: a natural-language request -> a plan (nothing runs).

Exit codes: 0 a plan, 3 blocked or not understood, 2 bad usage. `--json` prints the
headless contract object; `--save PATH` writes the plan JSON atomically for `kubechat apply`.

The JSON object (issue 5) has exactly the keys input, planner, blocked, reason, steps;
every step exactly verb, resource, namespace, name, selector, clusters, mutating, risk,
requires_approval, affected, warnings, kubectl, with null (never a missing key) for an
absent namespace/name/selector/affected and for `reason` when a plan was made. `verb` is
the kubectl verb as written after `kubectl` in the step's kubectl line, so the line always
starts with `kubectl <verb> `: one word for most verbs (get, describe, events, logs, top,
scale, cordon, uncordon, drain, delete, patch, apply) and two for the kubectl
subcommands whose first word alone would not say what runs ("rollout status",
"rollout history", "rollout restart", "rollout undo", "set image"). `resource` is the
plural API resource (pods, deployments, nodes, events, namespaces...).

Text is never trusted to be printable: undecodable argv/stdin bytes become U+FFFD (and
mostly-undecodable text is refused as binary), and every output path (JSON, text,
--save) writes valid UTF-8 whatever the request or a model's reply contains. When a model
was asked for and the rule planner answered instead, one line on stderr says so
("kubechat: llm provider M unreachable (...): planned with rules"); `planner` stays "rules".
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kubechat_tui.cli.common import UsageError

if TYPE_CHECKING:
    from kubechat_tui.domain import PlanResult
    from kubechat_tui.planner.service import Mode

MAX_STDIN_BYTES = 1_000_000
FALLBACK_NOTES = ("; used the rule planner", "; used rules")  # said on stderr instead
EPILOG = """exit codes:
  0  a plan was made (printed; saved with --save)
  2  bad usage: unknown cluster set, unreadable config or kubeconfig, unwritable --save path
  3  blocked or not understood: the reason and phrasings to try are printed
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat plan`."""
    p = subparsers.add_parser(
        "plan", parents=[parent], help="turn a request into a risk-scored plan (runs nothing)",
        description="Plan a natural-language request against the fleet: read-only "
        "diagnostics first, then at most one change, each step with its kubectl line, "
        "scope, risk, affected objects and warnings.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", metavar="TEXT", help='the request, e.g. "crashlooping pods in '
                   'prod" ("-" reads it from stdin)')
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--save", metavar="PATH", help="write the plan as JSON (for kubechat apply)")
    p.add_argument("--planner", choices=("auto", "rules", "llm"), default="auto",
                   help="auto: the AI provider when configured, else rules (default)")
    p.set_defaults(func=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    """Handler of `kubechat plan`."""
    from kubechat_tui.cli.session import open_session

    text = read_text(args.text)
    save = check_save_path(args.save) if args.save else None
    session = open_session(args)
    try:
        result = plan_in_session(session, text, args.planner)
    finally:
        session.close()
    return report(result, as_json=args.json, save=save)


def plan_in_session(session: Any, text: str, mode: Mode) -> PlanResult:
    """Plan `text` in an open session's scope (its `-l` selector stated in the request),
    with the planner `mode` asks for; `plan` and `ask` both plan this way."""
    from kubechat_tui.domain import Scope
    from kubechat_tui.kube.lookup import FleetView
    from kubechat_tui.planner.service import PlannerService

    scope = Scope(clusters=tuple(session.scope.clusters),
                  namespace=session.scope.namespace, cluster_set=session.scope.cluster_set)
    service = PlannerService(session.settings, FleetView(session.fleet), mode=mode,
                             contexts=session.fleet.routes(),
                             data_dir=getattr(session, "data_dir", None))
    return service.plan(with_selector(text, session.scope.label_selector), scope)


def with_selector(text: str, selector: str | None) -> str:
    """The request with `-l SELECTOR` stated in it (as kubectl would take it), unless it
    states a selector itself: the planners read selectors from the request only."""
    if not selector or re.search(r"(^|\s)(-l|--selector)([\s=]|$)", text):
        return text
    return f"{text} -l {shlex.quote(selector)}"


def read_text(value: str) -> str:
    """The request text (from stdin for "-"), undecodable bytes as U+FFFD."""
    from kubechat_tui.planner.text import scrub

    if value != "-":
        return scrub(value)  # argv arrives with undecodable bytes as surrogate escapes
    try:
        raw = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    except (OSError, ValueError, AttributeError) as exc:  # closed, captured or no stdin
        raise UsageError(f"cannot read the request from standard input ({exc})"
                         .splitlines()[0]) from None
    return raw.decode("utf-8", errors="replace")


def check_save_path(path: str) -> Path:
    """The --save target; UsageError when its directory does not exist."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise UsageError(f"--save {path}: is a directory")
    if not target.parent.is_dir():
        raise UsageError(f"--save {path}: directory {target.parent} does not exist")
    return target


def save_atomically(target: Path, content: str) -> None:
    """Write via a temp file in the same directory and rename (never a half file)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"--save {target}: cannot write ({exc.strerror})") from None


def report(result: Any, *, as_json: bool, save: Path | None) -> int:
    """Print the result, save the plan when asked; the exit code."""
    from kubechat_tui.domain import Plan

    saved = None
    if save is not None and result.plan is not None and not result.blocked:
        content = dumps(result.plan.model_dump(mode="json"))
        save_atomically(save, content)
        saved = Plan.model_validate_json(content)
    notes = [n for n in result.notes if not (result.fallback and n.endswith(FALLBACK_NOTES))]
    if as_json:
        write(dumps(result.headless()), sys.stdout)
        for note in notes:  # the JSON object is the contract; notes go to stderr
            write(f"note: {note}", sys.stderr)
    else:
        write(plan_text(result, notes), sys.stdout)
    if result.fallback:
        write(f"kubechat: {result.fallback}", sys.stderr)
    if result.blocked:
        return 3
    if saved is not None:
        write(f"saved to {save} (digest {saved.digest()[:12]})", sys.stderr)
    return 0


def dumps(data: Any) -> str:
    """Indented JSON of `data`, its strings made encodable first (never raises on text)."""
    import orjson

    return orjson.dumps(_scrubbed(data), option=orjson.OPT_INDENT_2).decode()


def _scrubbed(data: Any) -> Any:
    from kubechat_tui.planner.text import scrub

    if isinstance(data, str):
        return scrub(data)
    if isinstance(data, dict):
        return {_scrubbed(k): _scrubbed(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_scrubbed(v) for v in data]
    return data


def write(text: str, stream: TextIO) -> None:
    """One line on `stream`, with characters its encoding lacks replaced (never raises)."""
    from kubechat_tui.planner.text import scrub

    line = scrub(text) + "\n"
    try:
        stream.write(line)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(line.encode(encoding, "replace").decode(encoding))


def plan_text(result: Any, notes: list[str] | None = None) -> str:
    """A plain-text rendering of a PlanResult for terminals and logs."""
    lines = [f"planner: {result.planner}"]
    lines += [f"note: {note}" for note in (result.notes if notes is None else notes)]
    if result.blocked or result.plan is None:
        lines.append(f"blocked: {result.reason}")
        if result.suggestions:
            lines.append("try:")
            lines += [f"  {s}" for s in result.suggestions]
        return "\n".join(lines)
    plan = result.plan
    scope = plan.scope
    lines.append(f"scope: clusters={','.join(scope.clusters) or '(current context)'} "
                 f"namespace={scope.namespace or '(all / default)'}")
    lines.append(f"risk: {plan.risk.value}   approval: "
                 f"{'required' if plan.requires_approval else 'not required'}   "
                 f"digest: {plan.digest()[:12]}")
    for step in plan.steps:
        if step.mutating:
            affected = "?" if step.affected is None else str(step.affected)
            kind = f"change affected={affected}"
        else:
            kind = "read" if step.accepted else "read (skipped)"
        lines.append(f"{step.id} [{step.risk.value.upper()}] {kind}"
                     f"{'  APPROVAL' if step.requires_approval else ''}  {step.reason}")
        lines.append(f"   {step.kubectl}")
        shown = [f"{k}={v}" for k, v in step.params.items() if k != "restarted_at"]
        if shown:
            lines.append(f"   params: {' '.join(shown)}")
        lines += [f"   ! {w}" for w in step.warnings]
        lines += [f"   - {d}" for d in step.dependencies]
    lines += [f"recipe match: {line}" for line in result.recipes]
    return "\n".join(lines)
