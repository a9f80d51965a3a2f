"""`kubechat ask "TEXT"`: plan a request and run its read-only steps; print the answers.

Nothing is changed: the read steps run through the engine's read path (policy, RBAC's
remediation on a 403, a deadline per cluster, an audit record per step and cluster); a
change the plan also holds is named on stderr, for `plan --save` and `apply`. Results are
printed as they arrive; `--json` prints one object at the end:
`{plan, results: [{step, cluster, ok, error, kind, output}], insights: [card, ...]}` (`plan`
is the `kubechat plan --json` object; each insight card is `InsightCard.to_json()`: analyzer,
cluster, subject, title, claim, confidence, evidence, next_step). Without `--json` the cards
are printed after the results, then, with a model configured, a summary it words from the
redacted cards. With a model that planned the question, the model then investigates with
read-only tools (`cli.ask_investigation`) and `--json` adds
`investigation: {calls, answer, citations}`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kubechat_tui.cli.common import UsageError

EPILOG = """exit codes:
  0  answered: at least one cluster answered a read step
  1  nothing answered: every read failed (unreachable, timed out, not found), or the
     audit store failed
  2  bad usage: unknown cluster set, unreadable config or kubeconfig
  3  not understood or blocked (the reason and phrasings to try are printed), or the plan
     has no read step to run
  4  denied: policy or RBAC refused every read (remediation printed), or the policy file
     does not load
"""


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Register `kubechat ask`."""
    p = subparsers.add_parser(
        "ask", parents=[parent],
        help="plan a request and run its read-only diagnostics (changes nothing)",
        description="Plan a natural-language request, run its read-only steps (get, "
        "describe, events, logs, top, rollout status/history) in every cluster of the "
        "scope at once, and print what each cluster answered.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("text", metavar="TEXT", help='the question, e.g. "crashlooping pods in '
                   'prod" ("-" reads it from stdin)')
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--planner", choices=("auto", "rules", "llm"), default="auto",
                   help="auto: the AI provider when configured, else rules (default)")
    p.set_defaults(func=run_ask)


def run_ask(args: argparse.Namespace) -> int:
    """Handler of `kubechat ask`."""
    from kubechat_tui.cli.plan_cmd import plan_in_session, read_text
    from kubechat_tui.cli.session import open_session

    text = read_text(args.text)
    session = open_session(args)
    try:
        return _answer(session, args, plan_in_session(session, text, args.planner))
    finally:
        session.close()


def _answer(session: Any, args: argparse.Namespace, result: Any) -> int:
    from kubechat_tui.cli.plan_cmd import FALLBACK_NOTES, dumps, plan_text, write

    notes = [n for n in result.notes if not (result.fallback and n.endswith(FALLBACK_NOTES))]
    if result.fallback:
        write(f"kubechat: {result.fallback}", sys.stderr)
    if args.json:
        for note in notes:
            write(f"note: {note}", sys.stderr)
    else:
        write(plan_text(result, notes) + "\n", sys.stdout)
    plan = result.plan
    reads = [] if result.blocked or plan is None else [
        s for s in plan.steps if s.accepted and not s.mutating]
    if not reads:
        if args.json:
            write(dumps({"plan": result.headless(), "results": [], "insights": []}), sys.stdout)
        if not result.blocked and plan is not None:
            write("kubechat: nothing to read: the plan has no accepted read step (see "
                  "`kubechat plan --save` and `kubechat apply` for its change)", sys.stderr)
        return 3
    for step in plan.steps:
        if step.accepted and step.mutating:
            write(f"kubechat: note: not run: {step.id} {step.kubectl} (a change: `kubechat "
                  "plan TEXT --save plan.json`, then `kubechat apply plan.json`)", sys.stderr)
    return _run(session, args, result)


def _run(session: Any, args: argparse.Namespace, result: Any) -> int:
    from kubechat_tui.cli.acting import resolve_actor
    from kubechat_tui.cli.ask_investigation import investigate
    from kubechat_tui.cli.plan_cmd import dumps, write
    from kubechat_tui.engine.diagnostics.path import ReadPath, ReadPlanError
    from kubechat_tui.engine.diagnostics.text import result_text
    from kubechat_tui.engine.insights.runner import Insights
    from kubechat_tui.engine.insights.summary import summarize
    from kubechat_tui.engine.investigation.loop import investigates
    from kubechat_tui.engine.wiring import configured_policy_source, open_engine
    from kubechat_tui.guard.policy import PolicyError
    from kubechat_tui.kube.lookup import FleetView
    from kubechat_tui.store.errors import StoreError

    plan = result.plan
    api, actor = resolve_actor(session.fleet, None, plan.clusters())
    try:
        handle = open_engine(session.settings, api, session.data_dir, actor,
                             view=FleetView(api),
                             policy_source=configured_policy_source(session.settings,
                                                                    session.fleet))
    except PolicyError as exc:
        write(f"kubechat: denied: policy file does not load, every read is refused: {exc}",
              sys.stderr)
        return 4
    except StoreError as exc:
        write(f"kubechat: error: {exc}", sys.stderr)
        return 1
    try:
        show = None if args.json else (lambda r: write(result_text(r) + "\n", sys.stdout))
        run = ReadPath.beside(handle.pipeline).run(plan, on_result=show)
        cards = Insights.beside(handle.pipeline).analyze(run)
        if not args.json:
            for card in cards:
                write(card.text() + "\n", sys.stdout)
            worded = args.planner != "rules" and not investigates(session.settings.ai, plan)
            summary = summarize(session.settings, cards) if worded else None  # else the
            # model investigates, and its cited answer covers the cards
            if summary:
                write(f"summary (model-worded, from the redacted cards): {summary}\n",
                      sys.stdout)
            write(f"{run.run_id}: {run.summary()}"
                  + (f", {len(cards)} insight(s)" if cards else ""), sys.stdout)
        found = investigate(session.settings, handle.pipeline, result, run, args.json)
    except ReadPlanError as exc:
        raise UsageError(f"the plan cannot run: {exc}") from None
    except StoreError as exc:
        write(f"kubechat: error: {exc}", sys.stderr)
        return 1
    finally:
        for line in handle.close():
            write(f"kubechat: warning: {line}", sys.stderr)
    if args.json:
        doc = {"plan": result.headless(), "results": [r.to_json() for r in run.results],
               "insights": [c.to_json() for c in cards]}
        if found is not None:
            doc["investigation"] = found.to_json()
        write(dumps(doc), sys.stdout)
    if run.answered:
        return 0
    return 4 if run.denied else 1
