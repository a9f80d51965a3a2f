"""Fuzzing the recipe loader: mutations of the bundled recipes and random YAML are a recipe
that plans (or refuses) without raising, or one RecipeError line; `kubechat recipes
validate` and `recipes plan` answer a bad recipe file with exit 2 and one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Scope
from kubechat_tui.planner.recipes import BUNDLED_RECIPES, RecipeError, load_recipe, plan_recipe
from tests.fuzzing import (
    FUZZ,
    FUZZ_CLI,
    YAML_DOCUMENTS,
    assert_refusal_is_one_line,
    mutate,
    mutations,
    run_cli,
    yaml_text,
)

GIVEN = {"scale-deployment": {"namespace": "payments", "deployment": "payments-api",
                              "replicas": "5"},
         "crashloop-triage": {"namespace": "payments", "deployment": "payments-api"}}
BUNDLED = {name: yaml.safe_load(BUNDLED_RECIPES.joinpath(f"{name}.yaml").read_text())
           for name in GIVEN}


def _texts(name: str) -> st.SearchStrategy[str]:
    return st.one_of(mutations(BUNDLED[name]).map(
        lambda edits: yaml_text(mutate(BUNDLED[name], edits))), YAML_DOCUMENTS)


RECIPES = st.sampled_from(sorted(GIVEN)).flatmap(
    lambda name: _texts(name).map(lambda text: (name, text)))


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@FUZZ
@given(RECIPES)
def test_any_recipe_file_plans_or_is_one_recipe_error(tmp_path: Path,
                                                      recipe: tuple[str, str]) -> None:
    name, text = recipe
    path = _write(tmp_path, name, text)
    try:
        loaded = load_recipe(path)
    except RecipeError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    result = plan_recipe(loaded, GIVEN[name], Settings(), Scope(clusters=("prod-eu",)))
    assert result.blocked == (result.plan is None)
    if result.plan is not None:
        result.plan.digest()
    else:
        assert result.reason and "\n" not in result.reason


def test_a_line_break_in_a_problem_stays_on_one_line(tmp_path: Path) -> None:
    document: dict[str, Any] = {**BUNDLED["scale-deployment"], "title": "a\nb" * 100}
    path = _write(tmp_path, "scale-deployment", yaml_text(document))
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    assert "\n" not in str(caught.value)


@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
@FUZZ_CLI
@given(RECIPES, st.booleans())
def test_the_recipe_commands_answer_a_bad_file_with_exit_2_and_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim_kubeconfig: Path,
        recipe: tuple[str, str], planning: bool) -> None:
    name, text = recipe
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "config.yaml"))  # recipes/ beside it
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECHAT_AI__ENABLED", "false")
    path = _write(tmp_path / "recipes", name, text)
    if planning:
        values = [f"{key}={value}" for key, value in GIVEN[name].items()]
        code, _, err = run_cli(["recipes", "plan", name, *values, "--context", "prod-eu",
                                "--kubeconfig", str(sim_kubeconfig)])
        assert_refusal_is_one_line(code, err, {0, 2, 3})
    else:
        code, _, err = run_cli(["recipes", "validate", str(path)])
        assert_refusal_is_one_line(code, err, {0, 2})
    assert not (tmp_path / "data").exists()  # planning writes nothing
