"""`kubechat approvals list|show|approve|reject`: the second pair of eyes, from a shell.

Requests live in the shared database, so a second operator on the same bastion sees the
requests `kubechat apply` opened. The approver is the real OS user plus the identity each
of the request's clusters reports for them through the contexts this command uses
(`--context`, or `--as USER`). Both must differ from the requester's and every earlier
approver's (with `--demo`, where one person plays both roles, only the identities must),
and the approver must be allowed to make the change themselves.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kubechat_tui.cli.acting import AS_HELP
from kubechat_tui.cli.common import UsageError

EXIT_CODES = """exit codes:
  0  done
  1  refused (the requester or an earlier approver approving again, by OS user or by
     Kubernetes identity on any cluster; an approver a cluster cannot identify or who
     may not make the change themselves; already decided) or store error
  2  bad usage: unknown approval id, missing argument, --as USER without a context acting
     as USER for each of the request's clusters
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat approvals ACTION`."""
    group = subparsers.add_parser(
        "approvals", help="list, show, approve or reject approval requests",
        description="Two-person approval of plans waiting to execute.", epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = group.add_subparsers(dest="approvals_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[parent], help="recent requests, newest first")
    listing.add_argument("--limit", type=int, default=50, help="how many (default 50)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = actions.add_parser("show", parents=[parent], help="one request: plan, diff, risk")
    show.add_argument("id", metavar="ID", help="request id (a unique prefix is enough)")
    show.add_argument("--json", action="store_true", help="print JSON")
    for name, text in (("approve", "approve a request (never your own)"),
                       ("reject", "reject (or, as the requester, withdraw) a request")):
        sub = actions.add_parser(name, parents=[parent], help=text)
        sub.add_argument("id", metavar="ID", help="request id (a unique prefix is enough)")
        sub.add_argument("--comment", default="", help="recorded with the decision")
        sub.add_argument("--as", dest="as_user", metavar="USER", help=AS_HELP)
    group.set_defaults(func=run_approvals)


def run_approvals(args: argparse.Namespace) -> int:
    """Handler of `kubechat approvals`."""
    from kubechat_tui.engine.approvals import ApprovalError, UnknownRequestError
    from kubechat_tui.store.errors import StoreError

    try:
        if args.approvals_action in ("approve", "reject"):
            return _decide(args)
        with _workflow(args, writing=False) as flow:
            if args.approvals_action == "list":
                return _list(flow, args)
            return _show(flow, args)
    except UnknownRequestError as exc:
        raise UsageError(str(exc)) from None
    except ApprovalError as exc:
        print(f"kubechat: refused: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"kubechat: error: {exc}", file=sys.stderr)
        return 1


@contextmanager
def _workflow(args: argparse.Namespace, writing: bool,
              demo_rules: bool = False) -> Iterator[Any]:
    """An ApprovalWorkflow on the shared database (same settings and data dir as apply);
    `demo_rules` only from a session on a proven demo fleet (`Session.demo_rules`)."""
    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.config.paths import data_dir
    from kubechat_tui.engine.approvals import ApprovalWorkflow
    from kubechat_tui.store.approvals import ApprovalStore
    from kubechat_tui.store.opener import open_store
    from kubechat_tui.store.signing import APPROVER_PURPOSE, load_signer

    folder = data_dir(demo=args.demo)
    store = open_store(session_settings(args, args.demo), folder, writer=writing)
    try:
        signer = load_signer(folder, purpose=APPROVER_PURPOSE) if writing else None
        yield ApprovalWorkflow(ApprovalStore(store.db), store.audit, demo=demo_rules,
                               signer=signer)
    finally:
        store.close()


def _decide(args: argparse.Namespace) -> int:
    """Approve or reject as the person running this: the real OS user, and who each of the
    request's clusters says they are through the contexts this command uses (--context,
    --as). An approval also needs those contexts to be allowed the change itself."""
    from kubechat_tui.cli.acting import describe_identities, plan_clusters, resolve_actor
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.domain import Plan

    with _workflow(args, writing=False) as flow:  # an unknown id fails before any cluster
        request = flow.get(args.id)
    plan = Plan.model_validate_json(request.plan_json)
    session = open_session(args)
    try:
        api, operator = resolve_actor(session.fleet, args.as_user, plan_clusters(plan))
        with _workflow(args, writing=True, demo_rules=session.demo_rules) as flow:
            if args.approvals_action == "approve":
                status = flow.approve(request.id, operator, args.comment, api=api)
                verb = "approved"
            else:
                status = flow.reject(request.id, operator, args.comment)
                verb = "rejected"
    finally:
        session.close()
    seen = describe_identities(operator.identities)
    print(f"{verb} {request.id} as {operator.os_user}"
          + (f" ({seen})" if seen else "") + f": {status.reason}")
    return 0


def _list(flow: Any, args: argparse.Namespace) -> int:
    import orjson

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    rows = [(req, flow.describe(req.id)) for req in flow.store.requests(limit=args.limit)]
    if args.json:
        print(orjson.dumps([_summary(r, s) for r, s in rows],
                           option=orjson.OPT_INDENT_2).decode())
        return 0
    if not rows:
        print("no approval requests")
        return 0
    print(f"{'ID':<11} {'STATE':<11} {'RISK':<9} {'APPROVED':<9} {'REQUESTER':<14} "
          f"{'CREATED':<20} PLAN")
    for req, status in rows:
        print(f"{req.id:<11} {status.state:<11} {req.risk:<9} "
              f"{len(status.approvers)}/{req.required_approvals:<7} "
              f"{req.requester.os_user[:14]:<14} {req.created_at[:19]:<20} {req.title[:60]}")
    return 0


def _show(flow: Any, args: argparse.Namespace) -> int:
    import orjson

    from kubechat_tui.cli.acting import describe_identities
    from kubechat_tui.domain import Plan
    from kubechat_tui.engine.approvals import who

    request = flow.get(args.id)
    status = flow.describe(request.id)
    decisions = flow.store.decisions(request.id)
    if args.json:
        doc = {**_summary(request, status), "plan": orjson.loads(request.plan_json),
               "diff": request.diff, "reasons": list(request.reasons),
               "resource_versions": dict(request.resource_versions),
               "requester_identities": dict(request.requester_identities),
               "decisions": [{"kind": d.kind, "actor": d.actor.os_user,
                              "kube_identity": d.actor.kube_identity,
                              "identities": dict(d.identities), "at": d.at,
                              "comment": d.comment} for d in decisions]}
        print(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return 0
    plan = Plan.model_validate_json(request.plan_json)
    lines = [f"request   {request.id}  ({status.state}: {status.reason})",
             f"plan      {plan.headline()}",
             f"asked as  {plan.input}",
             f"requester {request.requester.os_user} at {request.created_at}"
             + (f" ({describe_identities(request.requester_identities)})"
                if request.requester_identities else ""),
             f"risk      {request.risk}   approvals {len(status.approvers)}"
             f"/{request.required_approvals}",
             f"policy    {request.policy_hash[:12]} rules {', '.join(request.rule_ids) or '-'}",
             "steps:"]
    for step in plan.steps:  # every step, skipped ones too, each kubectl line in full
        lines.append(f"  {step.id} [{step.risk.value}] {'change' if step.mutating else 'read'}"
                     f"{'' if step.accepted else ' (skipped)'}  {step.reason}".rstrip())
        lines += [f"    $ {line}" for line in plan.kubectl_lines(step)]
    asked = [f"  {s.id}: {s.ask_approval}" for s in plan.steps if s.accepted and s.ask_approval]
    lines += ["approval asked for by the requester:", *asked] if asked else []
    lines += ["why:"] + [f"  {r}" for r in request.reasons] if request.reasons else []
    lines += ["diff:"] + [f"  {d}" for d in request.diff.splitlines()] if request.diff else []
    lines += ["decisions:"] + [f"  {d.at[:19]} {d.kind:<11} {who(d.actor)}"
                               + (f": {d.comment}" if d.comment else "") for d in decisions]
    print("\n".join(lines))
    return 0


def _summary(request: Any, status: Any) -> dict[str, Any]:
    return {"id": request.id, "state": status.state, "reason": status.reason,
            "risk": request.risk, "required_approvals": request.required_approvals,
            "approvers": [{"os_user": a.os_user, "kube_identity": a.kube_identity}
                          for a in status.approvers],
            "requester": request.requester.os_user,
            "requester_kube_identity": request.requester.kube_identity,
            "created_at": request.created_at, "title": request.title,
            "plan_digest": request.plan_digest, "policy_hash": request.policy_hash,
            "rule_ids": list(request.rule_ids)}


