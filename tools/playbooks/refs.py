"""The playbook reference syntax: ``${root.path | function}`` inside argument strings, ``if`` conditions
and the summary. Deliberately tiny — a path into data plus a fixed list of functions — so a playbook
stays declarative and every reference can be checked before anything runs. Nothing is ever eval'd.

    root      inputs.NAME | steps.ID.outputs | item
    segment   .field | ["odd key"] | [3] | [-1] | [*]
    function  count | unique | tally | keys | sum | min | max | first | join

``[*]`` maps the rest of the path over a list (or a mapping's values); a second ``[*]`` inside a
mapped path flattens, so ``steps.review.outputs[*].events[*].host`` is every host of every incident.
A field missing under ``[*]`` maps to null (never silently dropped: ``all`` conditions rely on it).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Union

from soarpacks.integrations.common import errors

ROOTS = ("inputs", "steps", "item")
FUNCTIONS = ("count", "unique", "tally", "keys", "sum", "min", "max", "first", "join")
_TEMPLATE = re.compile(r"\$\$\{|\$\{([^{}]*)\}")
_SEGMENT = re.compile(r"""\s*(?:\.\s*(?P<field>[A-Za-z_][A-Za-z0-9_-]*)
                           |\[\s*(?:(?P<index>-?\d+)|(?P<each>\*)|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*\])""", re.X)
_ROOT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Index:
    position: int


@dataclass(frozen=True)
class Each:
    pass


Segment = Union[Field, Index, Each]


@dataclass(frozen=True)
class Ref:
    """One ``${...}``: a root, a path and functions applied in order."""

    text: str
    root: str
    path: tuple[Segment, ...]
    functions: tuple[str, ...] = ()

    @property
    def step(self) -> str | None:
        """The step id a ``steps.ID...`` reference reads."""
        return self.path[0].name if self.root == "steps" and self.path and isinstance(self.path[0], Field) else None

    def __str__(self) -> str:
        return "${" + self.text + "}"


def parse_ref(text: str) -> Ref:
    """``steps.fetch.outputs[0].id | count`` → ``Ref``; ``InputError`` naming what is wrong."""
    expression, *functions = [part.strip() for part in text.split("|")]
    match = _ROOT.match(expression)
    if not match:
        raise errors.InputError(f"${{{text}}}: a reference starts with one of {', '.join(ROOTS)}")
    root, position, path = match.group(1), match.end(), []
    if root not in ROOTS:
        raise errors.InputError(f"${{{text}}}: unknown root {root!r} (known: {', '.join(ROOTS)})")
    while position < len(expression):
        segment = _SEGMENT.match(expression, position)
        if not segment:
            raise errors.InputError(f"${{{text}}}: cannot read {expression[position:].strip()!r} "
                                    f"(use .field, [\"key\"], [0] or [*])")
        position = segment.end()
        if segment.group("field") is not None:
            path.append(Field(segment.group("field")))
        elif segment.group("index") is not None:
            path.append(Index(int(segment.group("index"))))
        elif segment.group("each"):
            path.append(Each())
        else:
            path.append(Field(segment.group("dq") if segment.group("dq") is not None else segment.group("sq")))
    for function in functions:
        if function not in FUNCTIONS:
            raise errors.InputError(f"${{{text}}}: unknown function {function!r} (known: {', '.join(FUNCTIONS)})")
    if root == "inputs" and not (path and isinstance(path[0], Field)):
        raise errors.InputError(f"${{{text}}}: name the input, e.g. inputs.max_alerts")
    if root == "steps" and not (len(path) >= 2 and isinstance(path[0], Field) and path[1] == Field("outputs")):
        raise errors.InputError(f"${{{text}}}: a step reference reads steps.<id>.outputs")
    return Ref(text.strip(), root, tuple(path), tuple(functions))


@dataclass(frozen=True)
class Template:
    """A string with references. A string that is exactly one reference keeps the value's type
    (a list stays a list); otherwise values are rendered into the text."""

    source: str
    parts: tuple[Union[str, Ref], ...]

    @property
    def refs(self) -> list[Ref]:
        return [part for part in self.parts if isinstance(part, Ref)]

    @property
    def whole(self) -> Ref | None:
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], Ref) else None

    def render(self, scope: "Scope") -> Any:
        if self.whole is not None:
            return resolve(self.whole, scope)
        return "".join(part if isinstance(part, str) else render_text(resolve(part, scope)) for part in self.parts)


def parse_template(source: str) -> Template:
    parts: list[Union[str, Ref]] = []
    position = 0
    for match in _TEMPLATE.finditer(source):
        parts.append(source[position:match.start()])
        # "$${" is a literal "${" (for text that must contain one).
        parts.append("${" if match.group(1) is None else parse_ref(match.group(1)))
        position = match.end()
    parts.append(source[position:])
    if "${" in _TEMPLATE.sub("", source):
        raise errors.InputError(f"{source!r}: a ${{ is not closed (write $${{ for a literal ${{)")
    merged: list[Union[str, Ref]] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Template(source, tuple(merged))


def templates_in(value: Any) -> Iterator[Template]:
    """Every string in a nested args value, parsed."""
    if isinstance(value, str):
        yield parse_template(value)
    elif isinstance(value, list):
        for element in value:
            yield from templates_in(element)
    elif isinstance(value, dict):
        for element in value.values():
            yield from templates_in(element)


def render_value(value: Any, scope: "Scope") -> Any:
    """Args and summary values with their references resolved (lists and mappings element by element)."""
    if isinstance(value, str):
        return parse_template(value).render(scope)
    if isinstance(value, list):
        return [render_value(element, scope) for element in value]
    if isinstance(value, dict):
        return {key: render_value(element, scope) for key, element in value.items()}
    return value


def render_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(render_text(element) for element in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {render_text(element)}" for key, element in value.items())
    return str(value)


# --- evaluation --------------------------------------------------------------------------------------

@dataclass
class Scope:
    """What references can see: the inputs, each finished step's outputs, and the current item."""

    inputs: dict[str, Any]
    steps: dict[str, Any]
    item: Any = None


def resolve(ref: Ref, scope: Scope) -> Any:
    if ref.root == "inputs":
        value: Any = scope.inputs
    elif ref.root == "steps":
        value = {step: {"outputs": outputs} for step, outputs in scope.steps.items()}
    else:
        value = scope.item
    value = _walk(value, ref.path, mapped=False)
    for function in ref.functions:
        value = FUNCTION_TABLE[function](value)
    return value


def _walk(value: Any, path: tuple[Segment, ...], *, mapped: bool) -> Any:
    for position, segment in enumerate(path):
        if isinstance(segment, Each):
            elements = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
            rest = path[position + 1:]
            results = [_walk(element, rest, mapped=True) for element in elements]
            if any(isinstance(s, Each) for s in rest):
                return [leaf for result in results for leaf in (result if isinstance(result, list) else [result])]
            return results
        value = _step(value, segment)
    return value


def _step(value: Any, segment: Segment) -> Any:
    if isinstance(segment, Field):
        return value.get(segment.name) if isinstance(value, dict) else None
    if isinstance(segment, Index) and isinstance(value, list):
        try:
            return value[segment.position]
        except IndexError:
            return None
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, (dict, list)) else value


def _unique(value: Any) -> list[Any]:
    seen: dict[Any, Any] = {}
    for element in _as_list(value):
        if element is not None:
            seen.setdefault(_hashable(element), element)
    return list(seen.values())


def _tally(value: Any) -> dict[str, int]:
    """How often each value occurs, most frequent first (ties in order of first appearance)."""
    counts: dict[str, int] = {}
    for element in _as_list(value):
        key = "(none)" if element is None else render_text(element)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda pair: -pair[1]))


def _numbers(value: Any) -> list[float]:
    return [v for v in _as_list(value) if isinstance(v, (int, float)) and not isinstance(v, bool)]


FUNCTION_TABLE: dict[str, Callable[[Any], Any]] = {
    "count": lambda v: len(v) if isinstance(v, (list, dict)) else (0 if v is None else 1),
    "unique": _unique,
    "tally": _tally,
    "keys": lambda v: list(v) if isinstance(v, dict) else [],
    "sum": lambda v: sum(_numbers(v)),
    "min": lambda v: min(_numbers(v), default=None),
    "max": lambda v: max(_numbers(v), default=None),
    "first": lambda v: _as_list(v)[0] if _as_list(v) else None,
    "join": lambda v: ", ".join(render_text(e) for e in _as_list(v)),
}
