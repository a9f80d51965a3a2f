"""Recipes seed planning: phrasings find the right recipe (BM25 weighted by feedback), the
planner's result names them, and the model's prompt shows them as examples."""

from __future__ import annotations

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Scope
from kubechat_tui.planner.recipe_match import rank_recipes
from kubechat_tui.planner.recipe_shelf import Shelf
from kubechat_tui.planner.recipes import RecipeBook, load_catalog, parse_recipe
from kubechat_tui.planner.service import PlannerService
from tests.planner.llm_stub import LLMStub, Scripted
from tests.planner.test_llm import GOOD, service

CATALOG, _ = load_catalog()


@pytest.mark.parametrize(("text", "expected"), [
    ("why are the payment pods crashlooping", "crashloop-triage"),
    ("pods keep crashing in checkout", "crashloop-triage"),
    ("ImagePullBackOff on the api deployment", "image-pull-triage"),
    ("cannot pull the image for web", "image-pull-triage"),
    ("node ip-10-0-1-5 is NotReady", "node-not-ready"),
    ("pods stuck in pending in payments", "pending-pods"),
    ("the scheduler cannot place my pods", "pending-pods"),
    ("bounce the checkout deployment", "restart-deployment"),
    ("restart payments-api", "restart-deployment"),
    ("undo the last rollout of payments-api", "rollback-deployment"),
    ("roll back web to the previous revision", "rollback-deployment"),
    ("scale payments-api to 5 replicas", "scale-deployment"),
])
def test_phrasings_find_the_right_recipe(text: str, expected: str) -> None:
    ranked = rank_recipes(text, CATALOG)
    assert ranked and ranked[0].name == expected, ranked


def test_nothing_matches_unrelated_text() -> None:
    assert rank_recipes("hello there", CATALOG) == []


def test_feedback_weights_the_ranking() -> None:
    twin = parse_recipe(CATALOG["restart-deployment"].model_dump_json()
                        .replace('"restart-deployment"', '"restart-deployment-2"'), "twin")
    catalog = {"restart-deployment": CATALOG["restart-deployment"],
               "restart-deployment-2": twin, **CATALOG}
    liked = {"restart-deployment-2": (5.0, 3), "restart-deployment": (1.0, 4)}
    assert rank_recipes("restart api", catalog, liked)[0].name == "restart-deployment-2"
    disliked = {"restart-deployment-2": (1.0, 3)}
    assert rank_recipes("restart api", catalog, disliked)[0].name == "restart-deployment"


def test_deprecated_recipes_are_neither_planned_nor_suggested() -> None:
    book = RecipeBook(Settings(), shelf=lambda: Shelf(deprecated=frozenset({"pending-pods"})))
    assert [r.name for r in book.suggest("pods stuck in pending")] != ["pending-pods"]
    result = book.plan("recipe pending-pods namespace=x", Scope(clusters=("prod-eu",)))
    assert result is not None and result.blocked and "no recipe 'pending-pods'" in \
        (result.reason or "")


def test_the_rule_planner_result_names_the_best_recipes() -> None:
    result = PlannerService(Settings(), mode="rules").plan("scale payments-api in payments "
                                                           "on prod-eu to 5", Scope())
    assert result.recipes[0] == "recipe scale-deployment namespace= deployment= replicas="


def test_the_model_prompt_shows_the_matching_recipes(stub: LLMStub) -> None:
    stub.script(Scripted(GOOD))
    service(stub).plan("scale payments-api in payments on prod-eu to 5", Scope())
    system = stub.requests[-1]["body"]["messages"][0]["content"]
    assert "Runbooks of this team that fit the request" in system
    assert 'Scale a deployment (scale-deployment): {"steps":[{"verb":"get"' in system
