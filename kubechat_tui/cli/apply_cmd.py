"""`kubechat apply PLAN.json`: run a saved plan through the guarded pipeline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kubechat_tui.cli.acting import AS_HELP
from kubechat_tui.cli.common import UsageError, confirmed_on_terminal

EXIT_CODES = """exit codes:
  0  done (or, with --dry-run, previewed; nothing changed)
  1  failed: a dry run refused, a target changed, or execution stopped (what changed
     and what did not is printed, and recorded in the audit log)
  2  bad usage: unreadable plan file, a plan value that is not a valid Kubernetes name
     (audited as a rejected plan), missing --yes or --justification, --as USER without
     USER@CLUSTER contexts, unknown option
  4  denied: RBAC, guardrail policy (rule IDs and remediation printed), a rejected
     approval, or a policy file that does not load (the policy fails closed)
  5  waiting for approval: a request was opened (or is still pending); run
     `kubechat approvals approve ID` as another person, then apply again
"""
STATUS_EXIT = {"done": 0, "previewed": 0, "failed": 1, "needs_confirmation": 2, "denied": 4,
               "awaiting_approval": 5}
MAX_PLAN_BYTES = 5_000_000


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat apply`."""
    p = subparsers.add_parser(
        "apply", parents=[parent], help="execute a saved plan (RBAC, policy, dry run, approval)",
        description="Run a plan saved by `kubechat plan --save` through the guarded pipeline: "
        "RBAC pre-flight, guardrail policy, server-side dry run with diffs, approval, "
        "snapshot, execution, audit, summary.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("plan_file", metavar="PLAN.json", help="the plan file")
    add_run_options(p)
    p.set_defaults(func=run_apply)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """Options shared by apply and rollback."""
    p.add_argument("--dry-run", action="store_true",
                   help="preview only: checks, dry run and diffs; change nothing")
    p.add_argument("-y", "--yes", action="store_true",
                   help="confirm real execution (required when stdin is not a terminal)")
    p.add_argument("--skip-dry-run", action="store_true",
                   help="do not dry-run first (needs --justification; logged)")
    p.add_argument("--justification", metavar="TEXT", default="",
                   help="why the dry run is skipped (written to the audit log)")
    p.add_argument("--break-glass", metavar="JUSTIFICATION", default="",
                   help="policy exception: execute despite policy/approvals (flagged loudly "
                   "in the audit)")
    p.add_argument("--as", dest="as_user", metavar="USER", help=AS_HELP)
    p.add_argument("--ask-approval", metavar="REASON", default="",
                   help="have a second person approve every change even where policy does "
                   "not ask for it; approvers see REASON")
    p.add_argument("--note", metavar="TEXT", default="",
                   help="annotation archived with the summary on the incident timeline")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def load_plan_file(path: str) -> Any:
    """The Plan in a file; UsageError with one line when it is not a readable plan.
    Its values are validated (and a bad one audited) when it runs (`_run`)."""
    from kubechat_tui.engine.canonical import PlanInputError, parse_plan

    file = Path(path)
    try:
        if file.stat().st_size > MAX_PLAN_BYTES:
            raise UsageError(f"{path}: plan file too large (over {MAX_PLAN_BYTES} bytes)")
        raw = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read plan file ({exc.strerror})") from None
    try:
        return parse_plan(raw)
    except PlanInputError as exc:
        raise UsageError(f"{path}: {exc}") from None


def check_options(args: argparse.Namespace) -> None:
    """Flag combinations that make no sense."""
    if args.skip_dry_run and args.dry_run:
        raise UsageError("--skip-dry-run and --dry-run contradict each other")
    if args.skip_dry_run and not args.justification.strip():
        raise UsageError("--skip-dry-run needs a written --justification")


def run_apply(args: argparse.Namespace) -> int:
    """Handler of `kubechat apply`."""
    check_options(args)
    plan = load_plan_file(args.plan_file)
    return run_plan(args, lambda session: plan, rollback_of=None, source=args.plan_file)


def asking_approval(plan: Any, reason: str) -> Any:
    """The plan with every accepted change marked as needing approval, for `reason`."""
    text = " ".join(reason.split())
    if not text:
        return plan
    return plan.model_copy(update={"steps": tuple(
        s.model_copy(update={"ask_approval": text}) if s.accepted and s.mutating else s
        for s in plan.steps)})


def run_plan(args: argparse.Namespace, load: Callable[[Any], Any],
             rollback_of: str | None, source: str = "plan") -> int:
    """Open a session and the engine, run the plan `load(session)` returns, print the
    outcome, return the exit code."""
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.guard.policy import PolicyError
    from kubechat_tui.store.errors import StoreError

    session = open_session(args)
    try:
        plan = asking_approval(load(session), args.ask_approval)
        return _run(session, args, plan, rollback_of, source)
    except PolicyError as exc:
        err(f"kubechat: denied: policy file does not load, every change is refused: {exc}")
        return 4
    except StoreError as exc:
        err(f"kubechat: error: {exc}")
        return 1
    finally:
        session.close()


def _run(session: Any, args: argparse.Namespace, plan: Any, rollback_of: str | None,
         source: str) -> int:
    import orjson

    from kubechat_tui.cli.acting import plan_clusters, resolve_actor
    from kubechat_tui.engine.canonical import PlanInputError, canonical
    from kubechat_tui.engine.preview_text import preview_text, progress_line, result_text
    from kubechat_tui.engine.routes import bind_routes
    from kubechat_tui.engine.run_state import RunOptions, describe_prepared
    from kubechat_tui.engine.summary_llm import model_summary_writer
    from kubechat_tui.engine.wiring import configured_policy_source, open_engine
    from kubechat_tui.kube.lookup import FleetView

    if args.as_user or args.context:  # the contexts named now run it, not the plan's
        plan = plan.model_copy(update={"scope": plan.scope.model_copy(update={"contexts": {}})})
    router, operator = resolve_actor(session.fleet, args.as_user,
                                     plan_clusters(plan) or session.scope.clusters,
                                     planned=plan.scope.contexts)
    writer, model = model_summary_writer(session.settings)
    handle = open_engine(session.settings, router, session.data_dir, operator,
                         summary_writer=writer, summary_model=model, view=FleetView(router),
                         policy_source=configured_policy_source(session.settings,
                                                                session.fleet))
    try:
        options = RunOptions(
            dry_run_only=args.dry_run, confirmed=args.yes, skip_dry_run=args.skip_dry_run,
            justification=args.justification, break_glass=args.break_glass,
            rollback_of=rollback_of,
            on_progress=None if args.json else (lambda e: out(progress_line(e))))
        pipeline = handle.pipeline
        try:
            bind_routes(canonical(plan), router.routes())
        except PlanInputError as exc:
            pipeline.prepare(plan, options)  # audits the plan as rejected, touches nothing
            raise UsageError(f"{source}: {exc}") from None
        prep = pipeline.prepare(plan, options)
        if not args.json:
            out(preview_text(prep))
            out("")
        confirmed = args.yes
        if prep.status == "needs_confirmation" and not confirmed and not args.json:
            confirmed = confirmed_on_terminal("Execute these changes?")
        result = pipeline.execute(prep, confirmed)
        if result.summary is not None:
            pipeline.archive_summary(result, result.summary.text, args.note)
        if args.json:
            doc = {**describe_prepared(prep), "status": result.status,
                   "message": result.message,
                   "summary": result.summary.text if result.summary else None,
                   "rollback_command": (f"kubechat rollback {result.execution_id}"
                                        if result.rollback else None)}
            out(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        else:
            out(result_text(result))
            if result.rollback is not None:
                demo = "--demo " if args.demo else ""
                out(f"\nroll back with: kubechat {demo}rollback {result.execution_id}")
                if session.demo_fleet is not None and session.demo_fleet.owned:
                    out("(the demo fleet of this command stops when it exits; to roll back "
                        "from another command, keep `kubechat --demo` open and run both "
                        "while it runs)")
        return STATUS_EXIT[result.status]
    finally:
        for line in handle.close():
            err(f"kubechat: warning: {line}")



def out(text: str) -> None:
    """Print and flush (progress must show while the run goes on)."""
    print(text, flush=True)


def err(text: str) -> None:
    """One line on stderr."""
    print(text, file=sys.stderr, flush=True)
