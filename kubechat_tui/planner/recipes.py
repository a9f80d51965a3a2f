"""Recipes: named runbooks in YAML that plan without guesswork.

A recipe declares parameters and lists steps in the shape a model's reply uses
(`StepSpec`), with `{parameter}` placeholders in their strings (a value that is exactly one
placeholder takes the parameter's type: `replicas: "{replicas}"` becomes an integer).
Planning one fills the parameters, checks every step as a model's step is checked (names,
selectors, params, the allow-list; a change only with a verb the recipe itself lists) and
assembles a scored Plan, which then goes through the guarded engine like any other plan.

The bundled recipes are the top-level `recipes/` dir (installed as the package
`kubechat_tui.recipes`); `<config dir>/recipes/*.yaml` add to them and win by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from kubechat_tui.config.errors import one_line
from kubechat_tui.config.paths import config_file
from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import RESOURCES, ParamValue, PlanResult, Scope, Verb
from kubechat_tui.domain.verbs import PLAN_VERBS
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.planner.assemble import assemble
from kubechat_tui.planner.drafts import NotPlanned, Unplannable
from kubechat_tui.planner.llm_reply import MAX_STEPS, ReplyRejected, StepSpec, draft_from_spec
from kubechat_tui.planner.rule_planner import refused
from kubechat_tui.planner.scope import ResolvedScope

if TYPE_CHECKING:
    from kubechat_tui.planner.recipe_match import RecipeIndex
    from kubechat_tui.planner.recipe_shelf import Shelf

BUNDLED_RECIPES: Traversable = resources.files("kubechat_tui.recipes")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
RECIPE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
REQUEST = re.compile(r"^\s*recipes?(?:\s+(\S+)\s*(.*))?\s*$", re.IGNORECASE | re.DOTALL)
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


class RecipeError(ValueError):
    """A recipe file or a recipe's parameters are not acceptable (one line)."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


class RecipeParameter(BaseModel):
    """One parameter a recipe asks for."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    type: Literal["string", "integer", "boolean"] = "string"
    required: bool = False
    default: str | int | bool | None = None


class Recipe(BaseModel):
    """A named runbook: parameters and steps (diagnostics, then at most the changes it lists)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=RECIPE_NAME.pattern)
    title: str = Field(min_length=1, max_length=120)
    description: str = ""
    parameters: dict[str, RecipeParameter] = Field(default_factory=dict)
    steps: list[StepSpec] = Field(min_length=1, max_length=MAX_STEPS)
    keywords: list[str] = Field(default_factory=list)  # extra words requests use for it
    policy_rules: list[str] = Field(default_factory=list)  # policy rule ids it is run under
    approvals: int = Field(default=0, ge=0, le=10)  # approvals its change needs

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, parameters: dict[str, RecipeParameter]) -> dict[str, RecipeParameter]:
        for name, parameter in parameters.items():
            if not PLACEHOLDER.fullmatch(f"{{{name}}}"):
                raise ValueError(f"{name!r}: use lowercase letters, digits and _")
            if parameter.default is not None:
                default = parameter.default
                _typed(name, parameter, str(default).lower() if isinstance(default, bool)
                       else str(default))
        return parameters

    @field_validator("steps")
    @classmethod
    def _steps(cls, steps: list[StepSpec], info: ValidationInfo) -> list[StepSpec]:
        declared = info.data.get("parameters") or {}
        for index, step in enumerate(steps, start=1):
            if step.verb not in {v.value for v in PLAN_VERBS}:
                raise ValueError(f"step {index}: verb {step.verb!r} is not on the allow-list")
            if step.resource not in RESOURCES:
                raise ValueError(f"step {index}: resource {step.resource!r} is not known")
            for used in sorted(_placeholders(step)):
                if used not in declared:
                    raise ValueError(f"step {index}: {{{used}}} is not a declared parameter")
        return steps

    @property
    def changes(self) -> tuple[Verb, ...]:
        """The mutating verbs among the steps (empty for a read-only recipe)."""
        return tuple(dict.fromkeys(v for v in (Verb(s.verb) for s in self.steps) if v.mutating))


def catalog_dirs() -> list[Traversable]:
    """Bundled recipes first, then `<config dir>/recipes` (the user's win by name)."""
    return [BUNDLED_RECIPES, config_file().parent / "recipes"]


def load_catalog(dirs: Sequence[Traversable] | None = None) -> tuple[dict[str, Recipe], list[str]]:
    """Every recipe found by name, and one line per file that was skipped."""
    found: dict[str, Recipe] = {}
    problems: list[str] = []
    for directory in catalog_dirs() if dirs is None else dirs:
        try:
            files = sorted((f for f in directory.iterdir() if f.name.endswith((".yaml", ".yml"))),
                           key=lambda f: f.name)
        except OSError:
            continue  # no user recipes dir
        for file in files:
            try:
                recipe = load_recipe(file)
            except RecipeError as exc:
                problems.append(str(exc))
                continue
            found[recipe.name] = recipe
    return found, problems


def load_recipe(file: Traversable) -> Recipe:
    """The recipe in `file`; RecipeError "<file>: <key>: <what is wrong>" otherwise."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise RecipeError(f"{file}: not a readable YAML file ({reason})") from None
    recipe = parse_recipe(text, str(file))
    stem = file.name.rsplit(".", 1)[0]
    if recipe.name != stem:
        raise RecipeError(f"{file}: name: {recipe.name!r} differs from the file name {stem!r}")
    return recipe


def parse_recipe(text: str, label: str) -> Recipe:
    """The recipe in YAML `text` (a file or a published version named by `label`)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())[:200]
        raise RecipeError(f"{label}: not a readable YAML file ({reason})") from None
    try:
        return Recipe.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "recipe"
        message = first["msg"].removeprefix("Value error, ")
        raise RecipeError(f"{label}: {where}: {message}") from None


def fill(recipe: Recipe, given: Mapping[str, str]) -> dict[str, ParamValue]:
    """Typed parameter values: given ones checked, defaults added; RecipeError otherwise."""
    unknown = sorted(set(given) - set(recipe.parameters))
    if unknown:
        have = ", ".join(recipe.parameters) or "none"
        raise RecipeError(f"recipe {recipe.name} has no parameter {unknown[0]!r} (has: {have})")
    values: dict[str, ParamValue] = {}
    for name, parameter in recipe.parameters.items():
        if name in given:
            values[name] = _typed(name, parameter, given[name])
        elif parameter.default is not None:
            values[name] = parameter.default
        elif parameter.required:
            raise RecipeError(f"recipe {recipe.name} needs {name}=... ({parameter.description})")
    return values


def plan_recipe(recipe: Recipe, given: Mapping[str, str], settings: Settings, current: Scope,
                view: ClusterView | None = None) -> PlanResult:
    """The recipe planned in `current` scope (its `namespace` parameter, when it has one,
    narrows it); a blocked result naming the problem instead of raising."""
    planner = f"recipe:{recipe.name}"
    text = " ".join([f"recipe {recipe.name}", *(f"{k}={v}" for k, v in given.items())])
    try:
        values = fill(recipe, given)
        namespace = values.get("namespace")
        scope = ResolvedScope(
            clusters=tuple(current.clusters),
            namespace=namespace if isinstance(namespace, str) else current.namespace,
            cluster_set=current.cluster_set, all_namespaces=False)
        allowed = set(recipe.changes)
        drafts = []
        for index, spec in enumerate(recipe.steps, start=1):
            try:
                drafts.append(draft_from_spec(_filled(spec, values), allowed, scope))
            except ReplyRejected as exc:
                raise RecipeError(f"recipe {recipe.name} step {index}: {exc}") from None
        plan = assemble(text, planner, scope, drafts, settings, view)
    except (RecipeError, Unplannable) as exc:
        return refused(text, planner, str(exc))
    except NotPlanned as exc:
        return refused(text, planner, exc.reason)
    return PlanResult(input=text, planner=planner, plan=plan)


class RecipeBook:
    """The catalog as the planner uses it: loaded once, planned by request text, ranked
    against a request (`suggest`); published versions from the store (`shelf`) win over
    files and deprecated recipes are left out."""

    def __init__(self, settings: Settings, view: ClusterView | None = None,
                 dirs: Sequence[Traversable] | None = None,
                 shelf: Callable[[], Shelf] | None = None) -> None:
        self.settings = settings
        self.view = view
        self._dirs = dirs
        self._shelf = shelf
        self._catalog: dict[str, Recipe] | None = None
        self._ratings: Mapping[str, tuple[float, int]] = {}
        self._index: RecipeIndex | None = None

    @property
    def catalog(self) -> dict[str, Recipe]:
        """Every recipe by name (files that fail to load are left out)."""
        if self._catalog is None:
            files, _ = load_catalog(self._dirs)
            if self._shelf is not None:
                shelf = self._shelf()
                files, self._ratings = shelf.catalog(files), shelf.ratings
            self._catalog = files
        return self._catalog

    def suggest(self, text: str, limit: int = 3) -> list[Recipe]:
        """The recipes that best fit `text` (BM25 weighted by feedback), best first."""
        from kubechat_tui.planner.recipe_match import RecipeIndex

        catalog = self.catalog
        if self._index is None:
            self._index = RecipeIndex(catalog)
        return [catalog[m.name] for m in self._index.rank(text, self._ratings, limit)]

    def plan(self, text: str, current: Scope) -> PlanResult | None:
        """The plan for `recipe NAME key=value ...`; None when `text` is no recipe request."""
        match = REQUEST.match(text)
        if match is None:
            return None
        name, rest = (match.group(1) or "").lower(), (match.group(2) or "").split()
        planner = f"recipe:{name}" if name else "recipe"
        recipe = self.catalog.get(name)
        if recipe is None:
            lines = tuple(usage(r) for r in sorted(self.catalog.values(), key=lambda r: r.name))
            why = f"no recipe {name!r}" if name else "name a recipe"
            return refused(f"recipe {name}".strip(), planner, why, suggestions=lines)
        try:
            given = parse_values(rest)
        except RecipeError as exc:
            return refused(text.strip(), planner, str(exc))
        return plan_recipe(recipe, given, self.settings, current, self.view)


def usage(recipe: Recipe) -> str:
    """`recipe NAME key= ...`: how to plan a recipe from the chat."""
    return " ".join([f"recipe {recipe.name}", *(f"{p}=" for p in recipe.parameters)])


def example(recipe: Recipe) -> str:
    """A recipe as an example for the model: its title and its steps as reply JSON."""
    import json

    steps = [s.model_dump(mode="json", exclude_defaults=True) for s in recipe.steps]
    return f"{recipe.title} ({recipe.name}): " + json.dumps({"steps": steps},
                                                            separators=(",", ":"))


def parse_values(items: Sequence[str]) -> dict[str, str]:
    """`KEY=VALUE` words as a mapping; RecipeError for a word without `=` or a key twice."""
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise RecipeError(f"recipe parameter {item!r}: write KEY=VALUE")
        if key in values:
            raise RecipeError(f"recipe parameter {key!r} given twice")
        values[key] = value
    return values


def _typed(name: str, parameter: RecipeParameter, text: str) -> ParamValue:
    if parameter.type == "integer":
        try:
            return int(text)
        except ValueError:
            raise RecipeError(f"{name} must be an integer, not {text!r}") from None
    if parameter.type == "boolean":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise RecipeError(f"{name} must be true or false, not {text!r}")
    return text


def _placeholders(step: StepSpec) -> set[str]:
    texts = [step.namespace, step.name, step.selector, step.reason, *step.clusters,
             *(v for v in step.params.values() if isinstance(v, str))]
    return {m for text in texts if text for m in PLACEHOLDER.findall(text)}


def _filled(step: StepSpec, values: Mapping[str, ParamValue]) -> StepSpec:
    def fill_text(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        whole = PLACEHOLDER.fullmatch(text)
        if whole:
            return values.get(whole.group(1))
        return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text)

    return step.model_copy(update={
        "namespace": fill_text(step.namespace), "name": fill_text(step.name),
        "selector": fill_text(step.selector), "reason": fill_text(step.reason) or "",
        "clusters": [fill_text(c) for c in step.clusters],
        "params": {k: fill_text(v) for k, v in step.params.items()},
    })
