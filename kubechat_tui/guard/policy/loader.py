"""Reading a policy file: YAML syntax, schema and CEL errors become one-line PolicyErrors."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kubechat_tui.guard.policy.cel import CelCondition, CelError
from kubechat_tui.guard.policy.errors import PolicyError
from kubechat_tui.guard.policy.model import CelRule, PolicySpec

DEFAULT_POLICY = Path(__file__).with_name("default_policy.yaml")


def read_spec(path: Path) -> tuple[PolicySpec, bytes, dict[str, CelCondition]]:
    """Parse and validate `path`: the spec, the raw bytes and each CEL rule compiled by id."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file: {exc.strerror or exc}") from None
    spec, conditions = parse_spec(raw, str(path))
    return spec, raw, conditions


def parse_spec(raw: bytes, path: str) -> tuple[PolicySpec, dict[str, CelCondition]]:
    """Parse and validate policy bytes; errors name `path` (a file, a store version or a
    cluster resource)."""
    try:
        text = raw.decode("utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: policy file is not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        problem = exc.problem or "syntax error"
        raise PolicyError(f"{path}:{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: YAML error: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}:1: policy must be a mapping with 'version' and 'rules'")
    try:
        spec = PolicySpec.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = _without_tag(tuple(error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        line = _line_of(root, loc)
        raise PolicyError(f"{path}:{line}: {_key_path(loc)}: {message}") from None
    conditions: dict[str, CelCondition] = {}
    for index, rule in enumerate(spec.rules):
        if isinstance(rule, CelRule):
            try:
                conditions[rule.id] = CelCondition(rule.expression)
            except CelError as exc:
                line = _line_of(root, ("rules", index, "expression"))
                raise PolicyError(f"{path}:{line}: rules[{index}].expression: {exc}") from None
    return spec, conditions


def sha256_hex(raw: bytes) -> str:
    """The policy hash recorded with every decision."""
    return hashlib.sha256(raw).hexdigest()


def _without_tag(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the rule-kind tag pydantic inserts after `rules[i]` in error locations."""
    if len(loc) >= 3 and loc[0] == "rules" and isinstance(loc[1], int):
        return loc[:2] + loc[3:]
    return loc


def _key_path(loc: tuple[Any, ...]) -> str:
    parts = [f"[{item}]" if isinstance(item, int) else f".{item}" for item in loc]
    return "".join(parts).lstrip(".") or "(top level)"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node along `loc` (1 when unknown)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                and 0 <= key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            continue
        node = found
        line = node.start_mark.line + 1
    return line
