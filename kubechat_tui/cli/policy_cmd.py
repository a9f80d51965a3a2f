"""`kubechat policy list|show|diff|validate|test|apply|rollback|approve`: policy versions.

The active policy is the newest version in the store (`guard.policy.active`; under a system
config it only adds rules to the administrator's policy file), else the configured file.
`apply` and `rollback` add a version (audited); when the active policy's `policy_changes`
asks for approvals, they open a request instead (exit 5) that `policy approve ID` (another
person) releases, and the same command run again then activates it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kubechat_tui.cli.acting import AS_HELP
from kubechat_tui.cli.common import UsageError

EXIT_CODES = """exit codes:
  0  done (test: the plan is allowed)
  1  refused (an approver who may not approve) or store error
  2  bad usage: a policy file that does not load (the line is named; nothing changes),
     an unknown version or request id
  4  test: the policy denies the plan
  5  apply/rollback: waiting for approval of the policy change
"""
MAX_POLICY_BYTES = 1 << 20


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat policy ACTION`."""
    group = subparsers.add_parser(
        "policy", help="list, compare, test, apply or roll back guardrail policy versions",
        description=__doc__.splitlines()[0] if __doc__ else None, epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = group.add_subparsers(dest="policy_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[parent], help="policy versions, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = actions.add_parser("show", parents=[parent], help="a version's text (default: active)")
    show.add_argument("version", metavar="VERSION", nargs="?")
    diff = actions.add_parser("diff", parents=[parent], help="unified diff of two versions")
    diff.add_argument("old", metavar="A", help="a version (3 or v3) or a policy file")
    diff.add_argument("new", metavar="B", help="a version (3 or v3) or a policy file")
    check = actions.add_parser("validate", parents=[parent], help="check a policy file")
    check.add_argument("file", metavar="FILE")
    test = actions.add_parser("test", parents=[parent], help="evaluate a saved plan")
    test.add_argument("file", metavar="FILE")
    test.add_argument("--plan", required=True, metavar="PLAN.json",
                      help="a plan saved by `kubechat plan --save`")
    test.add_argument("--json", action="store_true", help="print the decision as JSON")
    apply = actions.add_parser("apply", parents=[parent], help="activate a policy file")
    apply.add_argument("file", metavar="FILE")
    apply.add_argument("-m", "--message", required=True, help="why (kept with the version)")
    back = actions.add_parser("rollback", parents=[parent],
                              help="re-activate an old version (as a new version)")
    back.add_argument("version", metavar="VERSION")
    back.add_argument("-m", "--message", default="", help="why (kept with the version)")
    approve = actions.add_parser("approve", parents=[parent],
                                 help="approve another person's policy change")
    approve.add_argument("id", metavar="ID", help="request id (a unique prefix is enough)")
    approve.add_argument("--comment", default="", help="recorded with the decision")
    approve.add_argument("--as", dest="as_user", metavar="USER", help=AS_HELP)
    group.set_defaults(func=run_policy)


def run_policy(args: argparse.Namespace) -> int:
    """Handler of `kubechat policy`."""
    from kubechat_tui.engine.approvals import ApprovalError, UnknownRequestError
    from kubechat_tui.guard.policy import PolicyError
    from kubechat_tui.store.errors import StoreError

    handlers = {"list": _list, "show": _show, "diff": _diff, "validate": _validate,
                "test": _test, "apply": _change, "rollback": _change, "approve": _approve}
    try:
        return handlers[args.policy_action](args)
    except (PolicyError, UnknownRequestError) as exc:
        raise UsageError(str(exc)) from None
    except ApprovalError as exc:
        print(f"kubechat: refused: {exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        if str(exc).startswith("unknown policy version"):
            raise UsageError(str(exc)) from None
        print(f"kubechat: error: {exc}", file=sys.stderr)
        return 1


def read_policy(path: str) -> Any:
    """A policy file, validated (PolicyError names the line)."""
    from kubechat_tui.guard.policy.active import policy_from_text

    file = Path(path).expanduser()
    try:
        if file.stat().st_size > MAX_POLICY_BYTES:
            raise UsageError(f"{path}: policy file too large (over {MAX_POLICY_BYTES} bytes)")
        raw = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read policy file ({exc.strerror})") from None
    return policy_from_text(raw, str(file))


def version_number(text: str) -> int:
    """`3` or `v3` -> 3 (UsageError otherwise)."""
    digits = text.removeprefix("v")
    if not digits.isdigit():
        raise UsageError(f"{text}: not a policy version (a number such as 3 or v3)")
    return int(digits)


@contextmanager
def open_policy_versions(args: argparse.Namespace, *, writer: bool = False,
              demo_rules: bool = False) -> Iterator[Any]:
    """PolicyVersions on the shared database (the settings and data dir `apply` uses)."""
    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.config.paths import data_dir
    from kubechat_tui.engine.approvals import ApprovalWorkflow
    from kubechat_tui.engine.policy_versions import PolicyVersions
    from kubechat_tui.guard.policy import load_configured_policy
    from kubechat_tui.store.approvals import ApprovalStore
    from kubechat_tui.store.opener import open_store
    from kubechat_tui.store.policy_history import PolicyHistory
    from kubechat_tui.store.signing import APPROVER_PURPOSE, load_signer

    settings = session_settings(args, args.demo)
    folder = data_dir(demo=args.demo)
    floor = load_configured_policy(settings)
    store = open_store(settings, folder, writer=writer)
    try:
        signer = load_signer(folder, purpose=APPROVER_PURPOSE) if writer else None
        flow = ApprovalWorkflow(ApprovalStore(store.db), store.audit, demo=demo_rules,
                                signer=signer)
        yield PolicyVersions(settings, floor, PolicyHistory(store.db), store.audit, flow)
    finally:
        store.close()


def _list(args: argparse.Namespace) -> int:
    import orjson

    from kubechat_tui.engine.policy_versions import version_row

    with open_policy_versions(args) as versions:
        rows = versions.history.versions()
        floor = versions.floor
    active = rows[0].version if rows else None
    if args.json:
        print(orjson.dumps([version_row(r, active) for r in rows],
                           option=orjson.OPT_INDENT_2).decode())
        return 0
    if not rows:
        print(f"no policy versions in the store; active: {floor.path} "
              f"(sha256 {floor.hash[:12]})")
        return 0
    print(f"{'VERSION':<8} {'ACTION':<9} {'HASH':<13} {'AUTHOR':<24} {'AT':<20} MESSAGE")
    for row in rows:
        mark = "*" if row.version == active else " "
        action = row.action + (f" v{row.restores}" if row.restores else "")
        print(f"{mark}v{row.version:<6} {action:<9} {row.hash[:12]:<13} "
              f"{row.author_text()[:24]:<24} {row.at[:19]:<20} {row.message}")
    return 0


def _show(args: argparse.Namespace) -> int:
    with open_policy_versions(args) as versions:
        if args.version is None:
            policy = versions.active()
            print(f"# active: {policy.path} (sha256 {policy.hash})")
            print(policy.content, end="" if policy.content.endswith("\n") else "\n")
            return 0
        entry = versions.history.get(version_number(args.version))
    print(f"# policy v{entry.version} ({entry.action}) sha256 {entry.hash}")
    print(f"# by {entry.author_text()} at {entry.at}: {entry.message}")
    print(entry.content, end="" if entry.content.endswith("\n") else "\n")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from kubechat_tui.engine.policy_versions import policy_diff

    texts: list[tuple[str, str]] = []
    with open_policy_versions(args) as versions:
        for spec in (args.old, args.new):
            if Path(spec).is_file():
                texts.append((spec, read_policy(spec).content))
            else:
                entry = versions.history.get(version_number(spec))
                texts.append((f"v{entry.version}", entry.content))
    (old, before), (new, after) = texts
    print(policy_diff(before, after, old, new) or f"{old} and {new} are identical", end="")
    return 0


def _validate(args: argparse.Namespace) -> int:
    policy = read_policy(args.file)
    print(f"ok: {args.file}: {len(policy.rule_ids)} rule(s), sha256 {policy.hash[:12]}")
    return 0


def _test(args: argparse.Namespace) -> int:
    import orjson

    from kubechat_tui.cli.apply_cmd import load_plan_file
    from kubechat_tui.cli.session import session_settings
    from kubechat_tui.guard.policy import PolicyContext

    policy = read_policy(args.file)
    plan = load_plan_file(args.plan)
    decision = policy.evaluate(plan, PolicyContext(settings=session_settings(args, args.demo)))
    if args.json:
        print(orjson.dumps(decision.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        verdict = "allowed" if decision.allowed else "DENIED"
        print(f"{verdict}; approvals needed: {decision.required_approvals}; "
              f"rules: {', '.join(decision.rule_ids) or '-'}")
        print("\n".join(f"  {r}" for r in decision.reasons))
        print("\n".join(f"  remediation: {r}" for r in decision.remediation if
                        not decision.allowed))
    return 0 if decision.allowed else 4


def _change(args: argparse.Namespace) -> int:
    from kubechat_tui.cli.acting import resolve_actor
    from kubechat_tui.cli.session import open_session

    proposed = read_policy(args.file) if args.policy_action == "apply" else None
    number = version_number(args.version) if proposed is None else 0
    session = open_session(args)
    try:
        _, author = resolve_actor(session.fleet, None, session.scope.clusters)
        with open_policy_versions(args, writer=True, demo_rules=session.demo_rules) as versions:
            if proposed is not None:
                result = versions.apply(proposed, args.message, author)
            else:
                result = versions.rollback(number, args.message, author)
    finally:
        session.close()
    if result.state == "pending":
        assert result.request is not None
        print(f"waiting for approval: request {result.request.id} ({result.reason}); another "
              f"person runs `kubechat policy approve {result.request.id}`, then run this "
              "again")
        return 5
    print(("activated " if result.state == "activated" else "") + result.reason)
    return 0


def _approve(args: argparse.Namespace) -> int:
    from kubechat_tui.cli.acting import describe_identities, resolve_actor
    from kubechat_tui.cli.session import open_session

    session = open_session(args)
    try:
        _, approver = resolve_actor(session.fleet, args.as_user, session.scope.clusters)
        with open_policy_versions(args, writer=True, demo_rules=session.demo_rules) as versions:
            status = versions.approve(args.id, approver, args.comment)
    finally:
        session.close()
    seen = describe_identities(approver.identities)
    print(f"approved {status.request.id if status.request else args.id} as "
          f"{approver.os_user}" + (f" ({seen})" if seen else "") + f": {status.reason}")
    return 0
