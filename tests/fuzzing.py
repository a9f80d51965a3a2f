"""What the loader fuzz tests share: awkward values, structure-preserving mutations of a
valid document, type-aware values for a pydantic model's fields, and the CLI check (an
exit code from the documented set, one line on stderr for a refusal, no traceback).

Example counts are kept moderate so the suite stays fast; `EXAMPLES` and `CLI_EXAMPLES`
are per test. A bigger one-off campaign: `HYPOTHESIS_EXAMPLES=5000 pytest tests -k fuzz`.
"""

from __future__ import annotations

import copy
import io
import os
import types
import typing
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kubechat_tui.cli.main import main

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "300"))
CLI_EXAMPLES = max(1, EXAMPLES // 6)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
FUZZ_CLI = settings(FUZZ, max_examples=CLI_EXAMPLES)

TEXT = st.one_of(st.text(max_size=40), st.sampled_from([
    "", " ", "\x00", "a\nb", "\x1b[31mred", "~", "~nobody-here/x", "/", "/dev/null", ".",
    "{x}", "{replicas}", "[", "(unclosed", "*", "prod-*", "ü", "🙂", "x" * 300, "9" * 40,
    "-1", "1e309", "null", "true", "2026-01-01T00:00:00Z"]))
NUMBERS = st.one_of(st.integers(), st.sampled_from([0, -1, 1, 2**31, 2**53, 2**53 + 1,
                                                    2**63, -(2**63), 10**30, -(10**30)]),
                    st.floats(), st.sampled_from([float("nan"), float("inf"), -0.0, 1e308]))


def _nested(depth: int) -> Any:
    value: Any = None
    for _ in range(depth):
        value = [value]
    return value


SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
AWKWARD = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(TEXT, SCALARS, max_size=3),
    st.integers(min_value=1, max_value=300).map(_nested),  # deep nesting
)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in a JSON/YAML-like document (mapping keys, list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


Mutation = tuple[str, tuple[Any, ...], Any, str]


def mutations(document: Any) -> st.SearchStrategy[list[Mutation]]:
    """1-3 edits of `document`: set a value, delete a key or item, or add an extra one."""
    return st.lists(st.tuples(st.sampled_from(["set", "delete", "add"]),
                              st.sampled_from(paths(document)), AWKWARD, TEXT),
                    min_size=1, max_size=3)


def mutate(document: Any, edits: Sequence[Mutation]) -> Any:
    """A copy of `document` with the edits applied (an edit whose place is gone is skipped)."""
    result = copy.deepcopy(document)
    for kind, path, value, key in edits:
        parent = result
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if kind == "set":
                parent[last] = value
            elif kind == "delete":
                del parent[last]
            elif isinstance(parent[last], dict):
                parent[last][key] = value
            elif isinstance(parent[last], list):
                parent[last].append(value)
            else:
                parent[last] = value
        except (KeyError, IndexError, TypeError):
            continue
    return result


def yaml_text(document: Any) -> str:
    """The document as YAML (unicode kept)."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


YAML_DOCUMENTS = st.one_of(
    st.text(max_size=200),
    st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.one_of(TEXT, st.integers()), inner, max_size=3),
                 max_leaves=12).map(yaml_text),
)


def values_for(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of the annotated type, awkward ones included (a NUL in a path, 2^63 for an
    int, text for a Literal), plus an occasional value of another type."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return values_for(args[0])
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values_for(a) for a in args))
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(args), TEXT)
    if origin is list:
        return st.lists(values_for(args[0]), max_size=3)
    if origin is dict:
        return st.dictionaries(values_for(args[0]), values_for(args[1]), max_size=3)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(), bool: st.booleans(), int: NUMBERS, float: NUMBERS, str: TEXT,
        Path: st.one_of(TEXT, st.sampled_from(["/tmp", "/dev/full", "~/kc.db", "/proc/1/x"])),
    }
    return st.one_of(simple[annotation], SCALARS) if annotation in simple else SCALARS


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """`kubechat ARGV` in-process: (exit code, stdout, stderr); any exception fails."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def assert_refusal_is_one_line(code: int, err: str, allowed: set[int]) -> None:
    """The exit code is documented; a usage refusal (2) is exactly one line on stderr."""
    assert code in allowed, err
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("kubechat"), err
