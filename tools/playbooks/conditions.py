"""``if`` conditions: one comparison per string, and a list of strings means all of them.

    [all|any] OPERAND [OPERATOR OPERAND]

Operands are a reference (``${item.severity}``), a number, a quoted string, a bare word, ``true``,
``false``, ``null`` or a list of those (``[Critical, High]``). Operators: ``== != < <= > >= in
not in matches`` (``matches`` is a regular-expression search). Without an operator the operand is
tested for being non-empty. A number compares with a string of digits as a number (``'403' >= 400``);
otherwise values of different types are never ordered, and the comparison is false.

``all``/``any`` apply the comparison to each element of a list. ``all`` is false for an empty list on
purpose: "every event got a 4xx response" must not hold for an incident with no events, because a
playbook acts on it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

from soarpacks.integrations.common import errors

from .refs import Ref, Scope, parse_ref, resolve

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in", "matches")
_TOKEN = re.compile(r"""\s*(?:
      (?P<ref>\$\{[^{}]*\})
    | (?P<list>\[[^\[\]]*\])
    | '(?P<sq>[^']*)' | "(?P<dq>[^"]*)"
    | (?P<op>==|!=|<=|>=|<|>)
    | (?P<word>[^\s\[\]'"]+))""", re.X)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_WORDS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Literal:
    value: Any


Operand = Union[Ref, Literal]


@dataclass(frozen=True)
class Condition:
    source: str
    left: Operand
    operator: str | None = None
    right: Operand | None = None
    quantifier: str | None = None

    @property
    def refs(self) -> list[Ref]:
        return [operand for operand in (self.left, self.right) if isinstance(operand, Ref)]


def _literal(text: str) -> Any:
    if text in _WORDS:
        return _WORDS[text]
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def _tokens(source: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(source.rstrip()):
        match = _TOKEN.match(source, position)
        if not match:
            raise errors.InputError(f"if {source!r}: cannot read {source[position:].strip()!r}")
        position = match.end()
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "ref":
            tokens.append(("operand", parse_ref(text[2:-1])))
        elif kind == "list":
            items = [part.strip() for part in text[1:-1].split(",") if part.strip()]
            tokens.append(("operand", Literal([_literal(item.strip("'\"")) for item in items])))
        elif kind in ("sq", "dq"):
            tokens.append(("operand", Literal(text)))
        elif kind == "op" or text in ("in", "matches"):
            tokens.append(("op", text))
        elif text == "not":
            tokens.append(("not", text))
        else:
            tokens.append(("word", text))
    # "not in" is one operator.
    merged: list[tuple[str, Any]] = []
    for token in tokens:
        if token == ("op", "in") and merged and merged[-1][0] == "not":
            merged[-1] = ("op", "not in")
        else:
            merged.append(token)
    return merged


def parse_condition(source: str) -> Condition:
    """One condition string → ``Condition``; ``InputError`` naming what is wrong."""
    tokens = _tokens(str(source))
    quantifier = None
    if len(tokens) > 1 and tokens[0] in (("word", "all"), ("word", "any")):
        quantifier = tokens.pop(0)[1]
    operands: list[Operand] = []
    operator = None
    for kind, value in tokens:
        if kind == "op":
            if operator is not None or not operands:
                raise errors.InputError(f"if {source!r}: write one comparison: LEFT OPERATOR RIGHT")
            operator = value
        elif kind in ("operand", "word"):
            operands.append(value if kind == "operand" else Literal(_literal(value)))
        else:
            raise errors.InputError(f"if {source!r}: 'not' only appears in 'not in'")
    expected = 2 if operator else 1
    if len(operands) != expected:
        raise errors.InputError(f"if {source!r}: write one comparison: [all|any] LEFT [OPERATOR RIGHT], "
                                f"with operators {', '.join(OPERATORS)}")
    right = operands[1] if operator else None
    if operator == "matches" and isinstance(right, Literal):
        try:
            re.compile(str(right.value))
        except re.error as exc:
            raise errors.InputError(f"if {source!r}: bad regular expression: {exc}") from None
    return Condition(str(source), operands[0], operator, right, quantifier)


def parse_conditions(value: Any) -> list[Condition]:
    """A step's ``if``: one string, or a list of strings that must all hold."""
    sources = value if isinstance(value, list) else [value]
    return [parse_condition(source) for source in sources]


# --- evaluation --------------------------------------------------------------------------------------

def holds(conditions: list[Condition], scope: Scope) -> bool:
    return all(_holds(condition, scope) for condition in conditions)


def _value(operand: Operand, scope: Scope) -> Any:
    return resolve(operand, scope) if isinstance(operand, Ref) else operand.value


def _holds(condition: Condition, scope: Scope) -> bool:
    left = _value(condition.left, scope)
    right = _value(condition.right, scope) if condition.right is not None else None
    if condition.quantifier is None:
        return compare(left, condition.operator, right)
    elements = left if isinstance(left, list) else [] if left is None else [left]
    results = [compare(element, condition.operator, right) for element in elements]
    return bool(results) and all(results) if condition.quantifier == "all" else any(results)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return float(value)
    return None


def compare(left: Any, operator: str | None, right: Any) -> bool:
    if operator is None:
        return left not in (None, False, "", [], {}, 0)
    if operator in ("in", "not in"):
        inside = _contains(right, left)
        return inside if operator == "in" else not inside
    if operator == "matches":
        if left is None or isinstance(left, (dict, list)):
            return False
        return re.search(str(right), str(left)) is not None
    a, b = _number(left), _number(right)
    both_numbers = a is not None and b is not None and (not isinstance(left, str) or not isinstance(right, str))
    if both_numbers:
        left, right = a, b
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if not (both_numbers or (isinstance(left, str) and isinstance(right, str))):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator]


def _contains(container: Any, value: Any) -> bool:
    if isinstance(container, list):
        return any(compare(value, "==", element) for element in container)
    if isinstance(container, dict):
        return str(value) in container
    if isinstance(container, str):
        return value is not None and str(value) in container
    return False
