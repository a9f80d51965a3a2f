"""Recipes: the bundled catalog plans, parameters are typed and checked like a model's
steps, and a bad recipe file is one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Scope
from kubechat_tui.planner.recipes import (
    BUNDLED_RECIPES,
    RecipeError,
    fill,
    load_catalog,
    load_recipe,
    plan_recipe,
)
from kubechat_tui.planner.service import PlannerService

SCOPE = Scope(clusters=("prod-eu",))
VALUES = {
    "crashloop-triage": {"namespace": "payments", "deployment": "payments-api"},
    "image-pull-triage": {"namespace": "checkout", "deployment": "web"},
    "node-not-ready": {"node": "ip-10-0-3-7"},
    "pending-pods": {"namespace": "payments"},
    "restart-deployment": {"namespace": "payments", "deployment": "payments-api"},
    "rollback-deployment": {"namespace": "payments", "deployment": "payments-api",
                            "revision": "2"},
    "scale-deployment": {"namespace": "payments", "deployment": "payments-api", "replicas": "5"},
}


@pytest.fixture(scope="module")
def catalog() -> dict:
    found, problems = load_catalog([BUNDLED_RECIPES])
    assert problems == []
    return found


def test_every_bundled_recipe_plans_diagnostics_first(catalog: dict, settings: Settings) -> None:
    assert set(catalog) == set(VALUES)
    for name, recipe in catalog.items():
        result = plan_recipe(recipe, VALUES[name], settings, SCOPE)
        assert not result.blocked, (name, result.reason)
        assert result.planner == f"recipe:{name}"
        steps = result.plan.steps
        assert [s.mutating for s in steps] == sorted(s.mutating for s in steps)  # reads first
        assert {s.verb for s in steps if s.mutating} == set(recipe.changes)
        assert all(s.clusters == ("prod-eu",) for s in steps)


def test_parameters_fill_the_steps_with_their_types(catalog: dict, settings: Settings) -> None:
    result = plan_recipe(catalog["scale-deployment"], VALUES["scale-deployment"], settings,
                         SCOPE)
    assert [s.kubectl for s in result.plan.steps] == [
        "kubectl get deployments/payments-api -n payments -o wide",
        "kubectl scale deployments/payments-api -n payments --replicas=5"]
    assert result.plan.scope.namespace == "payments"
    undo = plan_recipe(catalog["rollback-deployment"], VALUES["rollback-deployment"], settings,
                       SCOPE).plan.steps[-1]
    assert undo.kubectl == ("kubectl rollout undo deployments/payments-api -n payments "
                            "--to-revision=2")
    default = fill(catalog["rollback-deployment"], {"namespace": "a", "deployment": "b"})
    assert default["revision"] == 0
    nodes = plan_recipe(catalog["node-not-ready"], VALUES["node-not-ready"], settings, SCOPE)
    assert nodes.plan.steps[-1].kubectl == \
        "kubectl get pods -A --field-selector spec.nodeName=ip-10-0-3-7 -o wide"


@pytest.mark.parametrize(("given", "message"), [
    ({"namespace": "payments"}, "needs deployment=... (the deployment to scale)"),
    ({"namespace": "p", "deployment": "d", "replicas": "five"},
     "replicas must be an integer, not 'five'"),
    ({"namespace": "p", "deployment": "d", "replicas": "1", "force": "yes"},
     "has no parameter 'force' (has: namespace, deployment, replicas)"),
])
def test_bad_parameters_are_one_line(catalog: dict, given: dict, message: str) -> None:
    with pytest.raises(RecipeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fill(catalog["scale-deployment"], given)


@pytest.mark.parametrize(("given", "reason"), [
    ({"deployment": "../../secrets"}, "step 1: name '../../secrets' is not a valid Kubernetes"),
    ({"namespace": "kube-system;rm"}, "step 1: namespace 'kube-system;rm' is not a valid"),
    ({"replicas": "5000"}, "step 2: replicas must be an integer between 0 and 1000"),
])
def test_values_are_checked_like_a_models_steps(catalog: dict, settings: Settings,
                                                given: dict, reason: str) -> None:
    """A recipe's parameters cannot smuggle a path, a second namespace or a huge change."""
    values = {**VALUES["scale-deployment"], **given}
    result = plan_recipe(catalog["scale-deployment"], values, settings, SCOPE)
    assert result.blocked and result.plan is None
    assert result.reason.startswith(f"recipe scale-deployment {reason}")


@pytest.mark.parametrize(("text", "message"), [
    ("name: bad\ntitle: t\nsteps: [{verb: get, resource: pods", "bad.yaml: not a readable YAML"),
    ("name: bad\ntitle: t\nsteps: []\n", "bad.yaml: steps: List should have at least 1 item"),
    ("name: bad\ntitle: t\nrun: ls\nsteps: [{verb: get, resource: pods}]\n",
     "bad.yaml: run: Extra inputs are not permitted"),
    ("name: bad\ntitle: t\nsteps: [{verb: exec, resource: pods}]\n",
     "verb 'exec' is not on the allow-list"),
    ("name: bad\ntitle: t\nsteps: [{verb: get, resource: pods, name: '{pod}'}]\n",
     "step 1: {pod} is not a declared parameter"),
    ("name: other\ntitle: t\nsteps: [{verb: get, resource: pods}]\n",
     "bad.yaml: name: 'other' differs from the file name 'bad'"),
    ("name: bad\ntitle: t\nparameters: {n: {type: integer, default: many}}\n"
     "steps: [{verb: get, resource: pods}]\n", "n must be an integer"),
])
def test_a_bad_recipe_file_is_one_line_with_file_and_key(tmp_path: Path, text: str,
                                                          message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    line = str(caught.value)
    assert message in line and "\n" not in line and str(path) in line


def test_user_recipes_add_to_the_bundled_ones_and_win_by_name(tmp_path: Path) -> None:
    (tmp_path / "pending-pods.yaml").write_text(
        "name: pending-pods\ntitle: our own pending runbook\n"
        "parameters: {namespace: {required: true}}\n"
        "steps: [{verb: get, resource: pods, namespace: '{namespace}'}]\n")
    (tmp_path / "broken.yaml").write_text("name: broken\n")
    found, problems = load_catalog([BUNDLED_RECIPES, tmp_path])
    assert found["pending-pods"].title == "our own pending runbook"
    assert "crashloop-triage" in found
    assert len(problems) == 1 and "broken.yaml: title: Field required" in problems[0]


def test_the_planner_plans_recipe_requests_from_the_catalog(rules: PlannerService) -> None:
    """`recipe NAME key=value ...` in the chat or `kubechat plan` is the runbook itself."""
    result = rules.plan("recipe restart-deployment namespace=payments deployment=payments-api",
                        SCOPE)
    assert not result.blocked and result.planner == "recipe:restart-deployment"
    assert result.plan.steps[-1].kubectl == \
        "kubectl rollout restart deployments/payments-api -n payments"
    listing = rules.plan("recipe", SCOPE)
    assert listing.blocked and listing.reason == "name a recipe"
    assert "recipe scale-deployment namespace= deployment= replicas=" in listing.suggestions
    unknown = rules.plan("recipe nope x=1", SCOPE)
    assert unknown.blocked and unknown.reason == "no recipe 'nope'"
    twice = rules.plan("recipe pending-pods namespace=a namespace=b", SCOPE)
    assert twice.blocked and twice.reason == "recipe parameter 'namespace' given twice"
