"""Label and field selectors, parsed with the apiserver's grammar and error wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubechat_tui.sim.status import ApiError, bad_request

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                  r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_TOKEN = re.compile(r"\s*(\(|\)|,|==|=|!=|!|[^\s(),=!]+)")


@dataclass(frozen=True)
class Requirement:
    """One label requirement: key, operator (=, !=, in, notin, exists, !), values."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """True when the labels satisfy this requirement."""
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values


LabelSelector = tuple[Requirement, ...]


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            break
        out.append(match.group(1))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _check_key(key: str) -> None:
    if not _KEY.match(key) or len(key.split("/")[-1]) > 63:
        raise bad_request(
            f'unable to parse requirement: <nil>: Invalid value: "{key}": name part must consist '
            "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
            "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        )


def _check_value(value: str) -> None:
    if len(value) > 63 or not _VALUE.match(value):
        raise bad_request(
            f'unable to parse requirement: values[0][{value}]: Invalid value: "{value}": a valid '
            "label must be an empty string or consist of alphanumeric characters, '-', '_' or "
            "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
            "'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        )


def _expected(found: str, what: str) -> ApiError:
    return bad_request(f"unable to parse requirement: found '{found}', expected: {what}")


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse `a=b,c!=d,e in (f,g),h notin (i),j,!k`; raises a 400 ApiError."""
    if not text or not text.strip():
        return ()
    tokens = _tokens(text)
    reqs: list[Requirement] = []
    i = 0

    def take() -> str:
        nonlocal i
        tok = tokens[i] if i < len(tokens) else ""
        i += 1
        return tok

    while i < len(tokens):
        tok = take()
        if tok == "!":
            key = take()
            _check_key(key)
            reqs.append(Requirement(key, "!"))
        else:
            _check_key(tok)
            nxt = tokens[i] if i < len(tokens) else ""
            if nxt in ("", ","):
                reqs.append(Requirement(tok, "exists"))
            elif nxt in ("=", "==", "!="):
                take()
                value = tokens[i] if i < len(tokens) and tokens[i] != "," else ""
                if value:
                    take()
                _check_value(value)
                reqs.append(Requirement(tok, "!=" if nxt == "!=" else "=", (value,)))
            elif nxt in ("in", "notin"):
                take()
                if take() != "(":
                    raise _expected(tokens[i - 1] if i - 1 < len(tokens) else "", "'('")
                values: list[str] = []
                while True:
                    val = take()
                    if val == ")":
                        break
                    if val == "":
                        raise _expected("", "')'")
                    if val == ",":
                        continue
                    _check_value(val)
                    values.append(val)
                if not values:
                    raise bad_request(
                        "unable to parse requirement: values: Invalid value: []: for 'in', "
                        "'notin' operators, values set can't be empty"
                    )
                reqs.append(Requirement(tok, nxt, tuple(values)))
            else:
                raise _expected(nxt, "'=', '!=', '==', 'in', notin'")
        if i < len(tokens):
            sep = take()
            if sep != ",":
                raise _expected(sep, "','")
            if i >= len(tokens):
                raise _expected("", "identifier")
    return tuple(reqs)


def labels_match(selector: LabelSelector, labels: dict[str, str] | None) -> bool:
    """True when every requirement holds."""
    lab = labels or {}
    return all(r.matches(lab) for r in selector)


def selector_from_match_labels(spec_selector: dict[str, Any] | None) -> LabelSelector:
    """A metav1.LabelSelector (matchLabels + matchExpressions) as requirements."""
    if not spec_selector:
        return ()
    reqs = [Requirement(k, "=", (v,)) for k, v in sorted(
        (spec_selector.get("matchLabels") or {}).items())]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expr in spec_selector.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], ops.get(expr.get("operator", ""), "exists"),
                                tuple(expr.get("values") or ())))
    return tuple(reqs)


def format_label_selector(spec_selector: dict[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: `app=x,tier in (a,b)`, `<none>` when empty."""
    if not spec_selector:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((spec_selector.get("matchLabels") or {}).items())]
    for expr in spec_selector.get("matchExpressions") or []:
        op = expr.get("operator", "")
        if op in ("In", "NotIn"):
            parts.append(f"{expr['key']} {op.lower()} ({','.join(expr.get('values') or [])})")
        elif op == "Exists":
            parts.append(expr["key"])
        else:
            parts.append(f"!{expr['key']}")
    return ",".join(parts) or "<none>"


FieldRequirement = tuple[str, str, str]  # field, op (= or !=), value
FieldSelector = tuple[FieldRequirement, ...]


def parse_field_selector(text: str | None, supported: tuple[str, ...]) -> FieldSelector:
    """Parse `a=b,c!=d` and reject fields the resource does not index (400)."""
    if not text or not text.strip():
        return ()
    out: list[FieldRequirement] = []
    for part in text.split(","):
        for op in ("!=", "==", "="):
            if op in part:
                field, value = part.split(op, 1)
                out.append((field.strip(), "!=" if op == "!=" else "=", value.strip()))
                break
        else:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
    for field, _op, _value in out:
        if field not in supported:
            raise bad_request(f"field label not supported: {field}")
    return tuple(out)


def _field_value(obj: dict[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if path == "source":
        return str((obj.get("source") or {}).get("component") or "")
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return "" if cur is None else str(cur)


def fields_match(selector: FieldSelector, obj: dict[str, Any]) -> bool:
    """True when every field requirement holds for the object."""
    for field, op, value in selector:
        actual = _field_value(obj, field)
        if (actual == value) != (op == "="):
            return False
    return True


def compile_filter(labels: LabelSelector, fields: FieldSelector
                   ) -> Callable[[dict[str, Any]], bool]:
    """One predicate for both selectors."""
    def match(obj: dict[str, Any]) -> bool:
        return labels_match(labels, obj["metadata"].get("labels")) and fields_match(fields, obj)
    return match
