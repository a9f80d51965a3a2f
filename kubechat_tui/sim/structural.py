"""Custom resource validation as kube-apiserver does it: prune unknown fields, check the
openAPIV3Schema, then the CEL `x-kubernetes-validations` rules (through cel-python).

Messages and causes are worded like the real server (wire samples 36 and 37): one cause
per failing field; when the schema fails, the CEL rules are not run and a last `<nil>`
cause says so.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import celpy
from celpy import celtypes

from kubechat_tui.sim.status import ApiError, qualified

Schema = dict[str, Any]
Cause = dict[str, str]
NOT_CHECKED = (
    "Invalid value: null: some validation rules were not checked because the object "
    "was invalid; correct the existing errors to complete validation"
)
_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
}
_CEL = celpy.Environment()


def _type_of(value: Any) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), "object")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    return "null" if value is None else str(value)


def _type_ok(expected: str, value: Any) -> bool:
    actual = _type_of(value)
    return actual == expected or (expected == "number" and actual == "integer")


def prune(schema: Schema, value: Any) -> Any:
    """Drop fields the schema does not declare (unless it preserves unknown fields)."""
    if isinstance(value, dict) and schema.get("type", "object") == "object":
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        keep_unknown = schema.get("x-kubernetes-preserve-unknown-fields") is True
        out = {}
        for key, item in value.items():
            if key in props:
                out[key] = prune(props[key], item)
            elif isinstance(extra, dict):
                out[key] = prune(extra, item)
            elif keep_unknown or extra is True:
                out[key] = item
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(schema["items"], item) for item in value]
    return value


def _scalar_causes(schema: Schema, value: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []

    def invalid(detail: str) -> None:
        causes.append(
            {
                "reason": "FieldValueInvalid",
                "message": f"Invalid value: {_shown(value)}: {path} in body {detail}",
                "field": path,
            }
        )

    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(_shown(v) for v in schema["enum"])
        causes.append(
            {
                "reason": "FieldValueNotSupported",
                "message": f"Unsupported value: {_shown(value)}: supported values: {allowed}",
                "field": path,
            }
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "maximum" in schema and value > schema["maximum"]:
            invalid(f"should be less than or equal to {schema['maximum']}")
        if "minimum" in schema and value < schema["minimum"]:
            invalid(f"should be greater than or equal to {schema['minimum']}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            causes.append(
                {
                    "reason": "FieldValueTooLong",
                    "message": f"Too long: may not be more than {schema['maxLength']} bytes",
                    "field": path,
                }
            )
        if "minLength" in schema and len(value) < schema["minLength"]:
            invalid(f"should be at least {schema['minLength']} chars long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            invalid(f"should match '{schema['pattern']}'")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            causes.append(
                {
                    "reason": "FieldValueTooMany",
                    "message": f"Too many: {len(value)}: must have at most "
                    f"{schema['maxItems']} items",
                    "field": path,
                }
            )
        if "minItems" in schema and len(value) < schema["minItems"]:
            invalid(f"should have at least {schema['minItems']} items")
    return causes


def schema_causes(schema: Schema, value: Any, path: str) -> list[Cause]:
    """Every openAPIV3Schema violation below path, in the server's order."""
    expected = schema.get("type")
    if expected and not _type_ok(expected, value):
        return [
            {
                "reason": "FieldValueTypeInvalid",
                "message": f"Invalid value: {_shown(_type_of(value))}: {path} in body must be "
                f"of type {expected}: {_shown(_type_of(value))}",
                "field": path,
            }
        ]
    causes = _scalar_causes(schema, value, path)
    if isinstance(value, dict):
        for key in schema.get("required") or []:
            if key not in value:
                causes.append(
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value",
                        "field": f"{path}.{key}",
                    }
                )
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                causes.extend(schema_causes(sub, item, f"{path}.{key}"))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            causes.extend(schema_causes(schema["items"], item, f"{path}[{index}]"))
    return causes


@functools.lru_cache(maxsize=256)
def _program(rule: str) -> Any:
    return _CEL.program(_CEL.compile(rule))


def _holds(rule: str, value: Any) -> bool:
    try:
        result = _program(rule).evaluate({"self": celpy.json_to_cel(value)})
    except Exception:
        return False
    return isinstance(result, celtypes.BoolType) and bool(result)


def rule_causes(schema: Schema, value: Any, path: str) -> list[Cause]:
    """The CEL rules that do not hold, children first as the server reports them."""
    causes: list[Cause] = []
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                causes.extend(rule_causes(sub, item, f"{path}.{key}"))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            causes.extend(rule_causes(schema["items"], item, f"{path}[{index}]"))
    for check in schema.get("x-kubernetes-validations") or []:
        if not _holds(check["rule"], value):
            message = check.get("message") or f"failed rule: {check['rule']}"
            causes.append(
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: {message}",
                    "field": path,
                }
            )
    return causes


def _has_rules(schema: Any) -> bool:
    if isinstance(schema, dict):
        return "x-kubernetes-validations" in schema or any(_has_rules(v) for v in schema.values())
    return False


def validated(schema: Schema, obj: dict[str, Any], kind: str, group: str) -> dict[str, Any]:
    """obj pruned to its schema, or a 422 Invalid naming every failing field."""
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    pruned = prune(schema, body)
    causes: list[Cause] = []
    for key, item in pruned.items():
        sub = (schema.get("properties") or {}).get(key)
        if sub is not None:
            causes.extend(schema_causes(sub, item, key))
    if causes and _has_rules(schema):
        causes.append({"reason": "FieldValueInvalid", "message": NOT_CHECKED, "field": "<nil>"})
    elif not causes:
        for key, item in pruned.items():
            sub = (schema.get("properties") or {}).get(key)
            if sub is not None:
                causes.extend(rule_causes(sub, item, key))
    if causes:
        raise _invalid(kind, group, obj["metadata"].get("name", ""), causes)
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "metadata": obj["metadata"],
        **pruned,
    }


def _invalid(kind: str, group: str, name: str, causes: list[Cause]) -> ApiError:
    parts = [f"{c['field']}: {c['message']}" for c in causes]
    summary = parts[0] if len(parts) == 1 else f"[{', '.join(parts)}]"
    return ApiError(
        422,
        "Invalid",
        f'{qualified(kind, group)} "{name}" is invalid: {summary}',
        {"name": name, "group": group, "kind": kind, "causes": causes},
    )
