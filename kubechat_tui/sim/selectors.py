"""Label and field selectors, parsed with the apiserver's grammar and error wording.

The label selector lexer and parser follow k8s.io/apimachinery/pkg/labels/selector.go, the
field selector follows pkg/fields/selector.go, so malformed input gets the same message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubechat_tui.sim.status import bad_request

# label selector tokens
ERROR, EOS, CLOSE, COMMA, NOT, DEQ, EQ, GT, IDENT, IN, LT, NEQ, NOTIN, OPEN = range(14)
_KEYWORDS = {")": CLOSE, ",": COMMA, "!": NOT, "==": DEQ, "=": EQ, ">": GT, "in": IN, "<": LT,
             "!=": NEQ, "notin": NOTIN, "(": OPEN}
_SPECIAL = frozenset("=!(),><")
_SPACE = frozenset(" \t\r\n")
_OPERATORS = {IN: "in", NOTIN: "notin", EQ: "=", DEQ: "==", NEQ: "!=", GT: "gt", LT: "lt"}
BINARY = "in, notin, =, ==, !=, gt, lt"

_KEY_CHARS = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_KEY = re.compile(f"^{_KEY_CHARS}$")
_VALUE_CHARS = f"({_KEY_CHARS})?"
_VALUE = re.compile(f"^{_VALUE_CHARS}$")
_SUBDOMAIN_CHARS = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_SUBDOMAIN = re.compile(f"^{_SUBDOMAIN_CHARS}$")


def _regex_error(message: str, pattern: str, *examples: str) -> str:
    shown = "".join(f"{' or ' if i else ''}'{e}', " for i, e in enumerate(examples))
    return f"{message} (e.g. {shown}regex used for validation is '{pattern}')"


_KEY_ERROR = _regex_error("must consist of alphanumeric characters, '-', '_' or '.', and must "
                          "start and end with an alphanumeric character", _KEY_CHARS, "MyName",
                          "my.name", "123-abc")
_VALUE_ERROR = _regex_error("a valid label must be an empty string or consist of alphanumeric "
                            "characters, '-', '_' or '.', and must start and end with an "
                            "alphanumeric character", _VALUE_CHARS, "MyValue", "my_value", "12345")
_SUBDOMAIN_ERROR = _regex_error("a lowercase RFC 1123 subdomain must consist of lower case "
                                "alphanumeric characters, '-' or '.', and must start and end "
                                "with an alphanumeric character", _SUBDOMAIN_CHARS, "example.com")


class _Invalid(Exception):
    """A parse error; `requirement` ones get the `unable to parse requirement: ` prefix."""

    def __init__(self, message: str, requirement: bool = True) -> None:
        super().__init__(message)
        self.requirement = requirement


@dataclass(frozen=True)
class Requirement:
    """One label requirement: key, operator (=, !=, in, notin, exists, !, gt, lt), values."""

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
        if self.op in ("=", "==", "in"):
            return present and labels[self.key] in self.values
        if self.op in ("gt", "lt"):
            try:
                have, want = int(labels[self.key]), int(self.values[0])
            except (KeyError, ValueError):
                return False
            return have > want if self.op == "gt" else have < want
        return not present or labels[self.key] not in self.values


LabelSelector = tuple[Requirement, ...]


def _lex(text: str) -> list[tuple[int, str]]:
    """The Lexer: identifiers, keywords and the longest special-symbol operator."""
    items: list[tuple[int, str]] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and text[pos] in _SPACE:
            pos += 1
        if pos >= size:
            items.append((EOS, ""))
            return items
        if text[pos] in _SPECIAL:
            buffer, last = "", (ERROR, "")
            while pos < size and text[pos] in _SPECIAL:
                token = _KEYWORDS.get(buffer + text[pos])
                if token is None and last[0] != ERROR:
                    break
                buffer += text[pos]
                pos += 1
                if token is not None:
                    last = (token, buffer)
            items.append(last)
        else:
            start = pos
            while pos < size and text[pos] not in _SPECIAL and text[pos] not in _SPACE:
                pos += 1
            word = text[start:pos]
            items.append((IN if word == "in" else NOTIN if word == "notin" else IDENT, word))


def _key_errors(key: str) -> list[str]:
    parts = key.split("/")
    errors: list[str] = []
    if len(parts) > 2:
        return ["a valid label key " + _KEY_ERROR + " with an optional DNS subdomain prefix "
                "and '/' (e.g. 'example.com/MyName')"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errors.append("prefix part must be no more than 253 bytes")
            if not _SUBDOMAIN.match(prefix):
                errors.append("prefix part " + _SUBDOMAIN_ERROR)
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part must be no more than 63 bytes")
    if not _KEY.match(name):
        errors.append("name part " + _KEY_ERROR)
    return errors


def _value_errors(value: str) -> list[str]:
    errors = ["must be no more than 63 bytes"] if len(value) > 63 else []
    if not _VALUE.match(value):
        errors.append(_VALUE_ERROR)
    return errors


def _aggregate(messages: list[str]) -> str:
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


def _requirement(key: str, op: str, values: list[str]) -> Requirement:
    """NewRequirement's checks (value order as a sorted set, like sets.String.List())."""
    values = sorted(set(values))
    errors = []
    if op in ("gt", "lt"):
        errors += [f'values[{i}]: Invalid value: "{v}": for \'Gt\', \'Lt\' operators, the value '
                   "must be an integer" for i, v in enumerate(values)
                   if not re.fullmatch(r"[+-]?\d+", v)]
    for i, value in enumerate(values):
        bad = _value_errors(value)
        if bad:
            errors.append(f'values[{i}][{key}]: Invalid value: "{value}": {"; ".join(bad)}')
    if errors:
        raise _Invalid(_aggregate(errors))
    return Requirement(key, op, tuple(values))


class _Parser:
    """The recursive-descent parser over the lexed items."""

    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def peek(self, values: bool = True) -> tuple[int, str]:
        token, literal = self.items[self.pos]
        return (IDENT if values and token in (IN, NOTIN) else token), literal

    def take(self, values: bool = True) -> tuple[int, str]:
        item = self.peek(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        out: list[Requirement] = []
        while True:
            token, literal = self.peek()
            if token == EOS:
                return out
            if token not in (IDENT, NOT):
                raise _Invalid(f"found '{literal}', expected: !, identifier, or 'end of "
                               "string'", requirement=False)
            out.append(self.requirement())
            token, literal = self.take()
            if token == EOS:
                return out
            if token != COMMA:
                raise _Invalid(f"found '{literal}', expected: ',' or 'end of string'",
                               requirement=False)
            token, literal = self.peek()
            if token not in (IDENT, NOT):
                raise _Invalid(f"found '{literal}', expected: identifier after ','",
                               requirement=False)

    def requirement(self) -> Requirement:
        token, key = self.take()
        negated = token == NOT
        if negated:
            token, key = self.take()
        if token != IDENT:
            raise _Invalid(f"found '{key}', expected: identifier")
        bad = _key_errors(key)
        if bad:
            raise _Invalid(f'<nil>: Invalid value: "{key}": {"; ".join(bad)}')
        if negated or self.peek()[0] in (EOS, COMMA):
            return _requirement(key, "!" if negated else "exists", [])
        token, literal = self.take(values=False)
        if token not in _OPERATORS:
            raise _Invalid(f"found '{literal}', expected: {BINARY}")
        op = _OPERATORS[token]
        if op in ("in", "notin"):
            return _requirement(key, op, self.value_set())
        return _requirement(key, op, [self.exact_value()])

    def value_set(self) -> list[str]:
        token, literal = self.take()
        if token != OPEN:
            raise _Invalid(f"found '{literal}' expected: '('")
        token, literal = self.peek()
        if token == CLOSE:
            self.take()
            return [""]
        if token not in (IDENT, COMMA):
            raise _Invalid(f"found '{literal}', expected: ',', ')' or identifier")
        values = self.identifiers()
        if self.take()[0] != CLOSE:
            raise _Invalid(f"found '{literal}', expected: ')'")
        return values

    def identifiers(self) -> list[str]:
        values: list[str] = []
        while True:
            token, literal = self.take()
            if token == IDENT:
                values.append(literal)
                after, next_literal = self.peek()
                if after == CLOSE:
                    return values
                if after != COMMA:
                    raise _Invalid(f"found '{next_literal}', expected: ',' or ')'")
            elif token == COMMA:
                if not values:
                    values.append("")
                after = self.peek()[0]
                if after in (CLOSE, COMMA):
                    values.append("")
                    if after == CLOSE:
                        return values
            else:
                raise _Invalid(f"found '{literal}', expected: ',', or identifier")

    def exact_value(self) -> str:
        if self.peek()[0] in (EOS, COMMA):
            return ""
        token, literal = self.take()
        if token == IDENT:
            return literal
        raise _Invalid(f"found '{literal}', expected: identifier")


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse `a=b,c!=d,e in (f,g),h notin (i),j,!k,l>1`; raises a 400 ApiError."""
    if not text:
        return ()
    try:
        requirements = _Parser(text).parse()
    except _Invalid as exc:
        prefix = "unable to parse requirement: " if exc.requirement else ""
        raise bad_request(prefix + str(exc)) from None
    return tuple(sorted(requirements, key=lambda r: r.key))


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
_FIELD_OPERATORS = ("!=", "==", "=")
# fields the apiserver renders with strconv.FormatBool: absent means "false"
BOOLEAN_FIELDS = frozenset({"spec.unschedulable", "spec.hostNetwork"})


def _split_terms(text: str) -> list[str]:
    terms, start, escaped = [], 0, False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _unescape(value: str) -> str:
    out, escaped = [], False
    for char in value:
        if escaped:
            if char not in "\\,=":
                raise bad_request(f"invalid field selector: invalid escape sequence: \\{char}")
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ",=":
            raise bad_request("invalid field selector: unescaped character in value: "
                              f"{ord(char)}")
        else:
            out.append(char)
    if escaped:
        raise bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def parse_field_selector(text: str | None, supported: tuple[str, ...]) -> FieldSelector:
    """Parse `a=b,c!=d` (escapes `\\,` `\\=` `\\\\`) and reject fields the resource does not
    index (400), as fields.ParseSelector and the field label conversion do."""
    if not text:
        return ()
    out: list[FieldRequirement] = []
    for part in sorted(_split_terms(text)):
        if not part:
            continue
        found = next(((i, op) for i in range(len(part)) for op in _FIELD_OPERATORS
                      if part.startswith(op, i)), None)
        if found is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        index, op = found
        out.append((part[:index], "!=" if op == "!=" else "=",
                    _unescape(part[index + len(op):])))
    for field, _op, _value in out:
        if field not in supported:
            raise bad_request(f"field label not supported: {field}")
    return tuple(out)


def _field_value(obj: dict[str, Any], path: str) -> str:
    if path == "source":
        return str((obj.get("source") or {}).get("component") or "")
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            cur = None
            break
        cur = cur.get(part)
    if path in BOOLEAN_FIELDS:
        return "true" if cur is True else "false"
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

