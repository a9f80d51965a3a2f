"""`kubechat recipes list|show|validate|plan|publish|deprecate|restore|stats|feedback`.

- ``list``: every recipe (bundled, then `<config dir>/recipes`), with its parameters and
  whether it changes anything
- ``show NAME``: the recipe's description, parameters and step templates
- ``validate [FILE ...]``: check recipe files (default: the whole catalog); exit 0 when all
  are valid, else one line per problem and exit code 2
- ``plan NAME key=value ...``: plan the recipe in the selected scope, exactly like
  ``kubechat plan`` (``--json``, ``--save PATH`` for ``kubechat apply``; exit 0/2/3)
- ``publish FILE``: a new version in the store (author, sha256), its `policy_rules` and
  `approvals` checked against the active policy; ``deprecate``/``restore NAME``
- ``stats``: runs, done / failed / rolled back, median duration, last use (from the audit)
  and ratings; ``feedback NAME RATING``: a rating 1-5 and a comment
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
    publish = actions.add_parser("publish", parents=[parent],
                                 help="store a new version of a recipe (checked against the "
                                 "active policy)")
    publish.add_argument("file", metavar="FILE")
    publish.add_argument("-m", "--message", default="", help="kept with the version")
    publish.set_defaults(func=run_publish)
    for name, text in (("deprecate", "leave a published recipe out of planning"),
                       ("restore", "put a deprecated recipe back in use")):
        state = actions.add_parser(name, parents=[parent], help=text)
        state.add_argument("name", metavar="NAME")
        state.add_argument("-m", "--message", default="", help="why")
        state.set_defaults(func=run_state)
    stats = actions.add_parser("stats", parents=[parent], help="runs, outcomes, duration, "
                               "last use and ratings, from the audit")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(func=run_stats)
    feedback = actions.add_parser("feedback", parents=[parent], help="rate a recipe run (1-5)")
    feedback.add_argument("name", metavar="NAME")
    feedback.add_argument("rating", metavar="RATING", type=int, help="1 (bad) to 5 (great)")
    feedback.add_argument("--comment", default="", help="what worked or did not")
    feedback.add_argument("--execution", metavar="ID", help="the run it is about")
    feedback.set_defaults(func=run_feedback)


def run_list(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes list`: each recipe with its runs and mean rating."""
    catalog = _catalog(args)
    shelf, stats = _shelf(args), _stats(args)
    width = max((len(name) for name in catalog), default=4)
    for name, recipe in sorted(catalog.items()):
        kind = "changes: " + ", ".join(v.value for v in recipe.changes) if recipe.changes \
            else "read-only"
        params = " ".join(f"{p}=" for p in recipe.parameters)
        runs = stats[name].runs if name in stats else 0
        mean, count = shelf.ratings.get(name, (0.0, 0))
        usage = f"runs {runs}" + (f", rated {mean:.1f}/5 ({count})" if count else "")
        print(f"{name:<{width}}  {recipe.title}  [{kind}]  ({usage})  {params}".rstrip())
    for name in sorted(shelf.deprecated):
        print(f"{name:<{width}}  (deprecated: `kubechat recipes restore {name}`)")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes publish`: validated, versioned, audited."""
    from kubechat_tui.cli.acting import resolve_actor
    from kubechat_tui.cli.policy_cmd import open_policy_versions
    from kubechat_tui.cli.session import open_session
    from kubechat_tui.engine.recipe_publishing import RecipePublisher
    from kubechat_tui.planner.recipes import RecipeError
    from kubechat_tui.store.recipe_store import RecipeStore

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{args.file}: cannot read recipe file ({exc})") from None
    session = open_session(args)
    try:
        _, author = resolve_actor(session.fleet, None, session.scope.clusters)
        with open_policy_versions(args, writer=True) as versions:
            shelf = RecipePublisher(RecipeStore(versions.history.db), versions.audit,
                                    versions.active())
            try:
                entry = shelf.publish(text, args.file, args.message, author)
            except RecipeError as exc:
                raise UsageError(str(exc)) from None
    finally:
        session.close()
    print(f"published {entry.name} v{entry.version} (sha256 {entry.digest[:12]}) by "
          f"{entry.author}")
    return 0


def run_state(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes deprecate|restore`."""
    from kubechat_tui.cli.policy_cmd import open_policy_versions
    from kubechat_tui.engine.identity import Actor, real_os_user
    from kubechat_tui.engine.recipe_publishing import RecipePublisher
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.recipe_store import RecipeStore

    author = Actor(real_os_user())
    with open_policy_versions(args, writer=True) as versions:
        shelf = RecipePublisher(RecipeStore(versions.history.db), versions.audit,
                                versions.active())
        try:
            change = shelf.deprecate if args.recipes_action == "deprecate" else shelf.restore
            entry = change(args.name, args.message, author)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    print(f"{entry.name} v{entry.version} {'deprecated' if entry.deprecated else 'restored'}")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes stats`."""
    import orjson

    shelf, stats = _shelf(args), _stats(args)
    names = sorted(set(stats) | set(shelf.ratings))
    rows = []
    for name in names:
        entry = stats[name].to_dict() if name in stats else {"name": name, "runs": 0}
        mean, count = shelf.ratings.get(name, (None, 0))
        rows.append({**entry, "rating": mean, "ratings": count})
    if args.json:
        print(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return 0
    if not rows:
        print("no recipe has run yet")
        return 0
    print(f"{'RECIPE':<22} {'RUNS':>4} {'DONE':>4} {'FAILED':>6} {'ROLLED':>6} {'MEDIAN':>7} "
          f"{'RATING':>6}  LAST USED")
    for row in rows:
        median = row.get("median_seconds")
        shown = f"{median:.1f}s" if isinstance(median, float | int) else "-"
        rating = f"{row['rating']:.1f}" if row["rating"] is not None else "-"
        last = f"{row.get('last_used', '')} by {row.get('last_by', '')}" \
            if row.get("last_used") else "-"
        print(f"{row['name']:<22} {row['runs']:>4} {row.get('done', 0):>4} "
              f"{row.get('failed', 0):>6} {row.get('rolled_back', 0):>6} {shown:>7} "
              f"{rating:>6}  {last}")
    return 0


def run_feedback(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes feedback`."""
    from kubechat_tui.cli.policy_cmd import open_policy_versions
    from kubechat_tui.engine.identity import real_os_user
    from kubechat_tui.engine.recipe_publishing import RecipePublisher
    from kubechat_tui.store.audit_model import Operator
    from kubechat_tui.store.recipe_store import RecipeStore

    if not 1 <= args.rating <= 5:
        raise UsageError(f"rating {args.rating}: use 1 (bad) to 5 (great)")
    _recipe(_catalog(args), args.name)
    with open_policy_versions(args, writer=True) as versions:
        shelf = RecipePublisher(RecipeStore(versions.history.db), versions.audit,
                                versions.active())
        shelf.feedback(args.name, args.rating, args.comment, Operator(real_os_user()),
                       args.execution)
    print(f"thanks: {args.name} rated {args.rating}/5")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Handler of `kubechat recipes show`."""
    recipe = _recipe(_catalog(args), args.name)
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

    recipe = _recipe(_catalog(args), args.name)
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


def _catalog(args: argparse.Namespace | None = None) -> dict[str, Any]:
    """The files' recipes, with the store's published versions (not deprecated ones)."""
    from kubechat_tui.planner.recipes import load_catalog

    catalog, problems = load_catalog()
    for problem in problems:
        print(f"kubechat: skipped {problem}", file=sys.stderr)
    return _shelf(args).catalog(catalog) if args is not None else catalog


def _store_location(args: argparse.Namespace) -> tuple[Any, Path]:
    """The settings and data dir the store is found by (as a session finds it: `--demo`
    keeps its store in its own dir), read without opening a session."""
    from kubechat_tui.config.errors import ConfigError
    from kubechat_tui.config.loader import load_settings
    from kubechat_tui.config.paths import data_dir

    config = getattr(args, "config", None)
    try:
        settings = load_settings(Path(config).expanduser() if config else None)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.demo:
        settings = settings.model_copy(update={
            "storage": settings.storage.model_copy(update={"path": None})})
    return settings, data_dir(demo=args.demo)


def _shelf(args: argparse.Namespace) -> Any:
    from kubechat_tui.planner.recipe_shelf import read_shelf

    return read_shelf(*_store_location(args))


def _stats(args: argparse.Namespace) -> dict[str, Any]:
    """Recipe usage from the audit (empty without a database)."""
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.opener import open_store
    from kubechat_tui.store.recipe_stats import recipe_stats

    try:
        store = open_store(*_store_location(args), writer=False, create=False)
    except StoreError:
        return {}
    try:
        return recipe_stats(store.audit)
    finally:
        store.db.close()


def _recipe(catalog: dict[str, Any], name: str) -> Any:
    if name not in catalog:
        known = ", ".join(sorted(catalog)) or "none"
        raise UsageError(f"no recipe {name!r} (known: {known})")
    return catalog[name]
