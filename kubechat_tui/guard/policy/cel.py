"""CEL (the language of ValidatingAdmissionPolicy) through cel-python: compile once, run safely."""

from __future__ import annotations

from typing import Any

import celpy
from celpy import celtypes


class CelError(ValueError):
    """A CEL expression that does not compile, fails to evaluate or is not a bool."""


class CelCondition:
    """A compiled expression; `holds(activation)` returns True/False or raises CelError."""

    _env = celpy.Environment()

    def __init__(self, expression: str) -> None:
        try:
            self._program = self._env.program(self._env.compile(expression))
        except Exception as exc:  # cel-python raises parser and lark errors alike
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CelError(f"CEL syntax error: {first}") from None
        self.expression = expression

    def holds(self, activation: dict[str, Any]) -> bool:
        """Evaluate against plain JSON-like values; errors and non-bool results raise CelError."""
        try:
            result = self._program.evaluate(
                {k: celpy.json_to_cel(v) for k, v in activation.items()})
        except Exception as exc:
            raise CelError(f"CEL evaluation error: {_one_line(exc)}") from None
        if isinstance(result, Exception):
            raise CelError(f"CEL evaluation error: {_one_line(result)}")
        if not isinstance(result, celtypes.BoolType):
            raise CelError(f"CEL result is {type(result).__name__}, not bool")
        return bool(result)


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return " ".join(text.split())
