"""`kubechat recipes list|show|validate|plan`: the runbook catalog from the command line.

- ``list``: every recipe (bundled, then `<config dir>/recipes`), with its parameters and
  whether it changes anything
- ``show NAME``: the recipe's description, parameters and step templates
- ``validate [FILE ...]``: check recipe files (default: the whole catalog); exit 0 when all
  are valid, else one line per problem and exit code 2
- ``plan NAME key=value ...``: plan the recipe in the selected scope, exactly like
  ``kubechat plan`` (``--json``, ``--save PATH`` for ``kubechat apply``; exit 0/2/3)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kubechat_tui.cli.common import UsageError


def register(subparsers: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add `kubechat recipes ...`."""
    p = subparsers.add_parser("recipes", parents=[parent], help="list, show, check or plan "
                              "runbook recipes", description=__doc__.splitlines()[0]
                              if __doc__ else None)
    actions = p.add_subparsers(dest="recipes_action", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[parent], help="the recipes in the catalog") \
        .set_defaults(func=run_list)
    show = actions.add_parser("show", parents=[parent], help="one recipe in full")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(func=run_show)
    check = actions.add_parser("validate", parents=[parent], help="check recipe files")
    check.add_argument("files", metavar="FILE", nargs="*", help="default: the whole catalog")
    check.set_defaults(func=run_validate)
    plan = actions.add_parser("plan", parents=[parent], help="plan a recipe (runs nothing)")
    plan.add_argument("name", metavar="NAME")
    plan.add_argument("values", metavar="KEY=VALUE", nargs="*", help="the recipe's parameters")
    plan.add_argument("--json", action="store_true", help="print one JSON object")
    plan.add_argument("--save", metavar="PATH", help="write the plan as JSON (for kubechat apply)")
    plan.set_defaults(func=run_plan)


def run_list(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes list`."""
    catalog = _catalog()
    width = max((len(name) for name in catalog), default=4)
    for name, recipe in sorted(catalog.items()):
        kind = "changes: " + ", ".join(v.value for v in recipe.changes) if recipe.changes \
            else "read-only"
        params = " ".join(f"{p}=" for p in recipe.parameters)
        print(f"{name:<{width}}  {recipe.title}  [{kind}]  {params}".rstrip())
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes show`."""
    recipe = _recipe(_catalog(), args.name)
    print(f"{recipe.name}: {recipe.title}")
    if recipe.description:
        print(f"  {recipe.description}")
    print("parameters:")
    for name, parameter in recipe.parameters.items():
        need = "required" if parameter.required else f"default {parameter.default!r}"
        print(f"  {name} ({parameter.type}, {need}): {parameter.description}")
    print("steps:")
    for index, step in enumerate(recipe.steps, start=1):
        target = " ".join(part for part in (step.resource, step.name or "", (step.namespace and
                                            f"-n {step.namespace}") or "") if part)
        params = " ".join(f"{k}={v}" for k, v in step.params.items())
        print(f"  {index}. {step.verb} {target} {params}".rstrip()
              + (f"  # {step.reason}" if step.reason else ""))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes validate`."""
    from kubechat_tui.planner.recipes import RecipeError, load_catalog, load_recipe

    problems: list[str] = []
    if args.files:
        for file in args.files:
            try:
                load_recipe(Path(file))
            except RecipeError as exc:
                problems.append(str(exc))
        count = len(args.files)
    else:
        catalog, problems = load_catalog()
        count = len(catalog) + len(problems)
    for problem in problems:
        print(f"kubechat: {problem}", file=sys.stderr)
    if problems:
        return 2
    print(f"{count} recipe(s) valid")
    return 0


def run_plan(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes plan`."""
    from kubechat_tui.cli.plan_cmd import check_save_path, report
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.domain import Scope
    from kubechat_tui.kube.lookup import FleetView
    from kubechat_tui.planner.recipes import RecipeError, fill, parse_values, plan_recipe

    recipe = _recipe(_catalog(), args.name)
    try:
        given = parse_values(args.values)
        fill(recipe, given)
    except RecipeError as exc:
        raise UsageError(str(exc)) from None
    save = check_save_path(args.save) if args.save else None
    session = open_session(args)
    try:
        scope = Scope(clusters=tuple(session.scope.clusters),
                      namespace=session.scope.namespace, cluster_set=session.scope.cluster_set)
        result = plan_recipe(recipe, given, session.settings, scope, FleetView(session.fleet))
        if result.plan is not None:
            result = result.model_copy(update={
                "plan": result.plan.with_contexts(session.fleet.routes())})
    finally:
        session.close()
    return report(result, as_json=args.json, save=save)


def _catalog() -> dict[str, Any]:
    from kubechat_tui.planner.recipes import load_catalog

    catalog, problems = load_catalog()
    for problem in problems:
        print(f"kubechat: skipped {problem}", file=sys.stderr)
    return catalog


def _recipe(catalog: dict[str, Any], name: str) -> Any:
    if name not in catalog:
        known = ", ".join(sorted(catalog)) or "none"
        raise UsageError(f"no recipe {name!r} (known: {known})")
    return catalog[name]
