"""What a reference points at, known before anything runs: each command's output JSON Schema,
walked along the reference's path. ``steps.fetch.outputs[0].idd`` fails the check because the
incident schema has no ``idd``, not half way through a run.

A shape is a set of alternative (schema, resolver) pairs, so ``anyOf``/``oneOf`` and ``$ref`` need no
special cases downstream. An object schema that lists ``properties`` is taken to list all of them
unless ``additionalProperties`` (or ``patternProperties``) says otherwise: a name it does not list is
far more often a typo than an undeclared vendor field, and the error names the fields it has.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from referencing import Registry

from soarpacks.integrations.common.schemas import schema_registry

from .refs import Each, Field, Index, Ref, Segment

_EMPTY_REGISTRY: Registry = Registry()


class ShapeError(Exception):
    """A path step the schema does not allow; the message says why."""


@dataclass(frozen=True)
class Shape:
    alternatives: tuple[tuple[Any, Any], ...]  # (schema, resolver or None)

    # --- construction ----------------------------------------------------------------------------
    @classmethod
    def of(cls, schema: Any, resolver: Any = None) -> "Shape":
        return cls(((schema, resolver),))._expanded()

    @classmethod
    def any(cls) -> "Shape":
        return cls(((True, None),))

    @classmethod
    def array_of(cls, items: "Shape") -> "Shape":
        return cls(tuple(({"type": "array", "items": schema}, resolver) for schema, resolver in items.alternatives))

    def _expanded(self) -> "Shape":
        """References followed and combinators flattened into alternatives."""
        out: list[tuple[Any, Any]] = []
        pending = list(self.alternatives)
        seen = 0
        while pending and seen < 200:
            seen += 1
            schema, resolver = pending.pop(0)
            if isinstance(schema, dict) and "$ref" in schema and resolver is not None:
                resolved = resolver.lookup(schema["$ref"])
                pending.insert(0, (resolved.contents, resolved.resolver))
                continue
            if isinstance(schema, dict) and any(k in schema for k in ("anyOf", "oneOf")):
                branches = schema.get("anyOf", []) + schema.get("oneOf", [])
                base = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
                pending[:0] = [({**base, **branch} if isinstance(branch, dict) else branch, resolver)
                               for branch in branches]
                continue
            out.append((schema, resolver))
        return Shape(tuple(out))

    # --- questions -------------------------------------------------------------------------------
    def types(self) -> set[str] | None:
        """The JSON types the value may have; ``None`` when the schema does not say."""
        found: set[str] = set()
        for schema, _ in self.alternatives:
            kinds = _types(schema)
            if kinds is None:
                return None
            found |= kinds
        return found

    def may_be(self, *kinds: str) -> bool:
        types = self.types()
        return types is None or bool(types & set(kinds))

    def describe(self) -> str:
        types = self.types()
        if types is None:
            return "a value"
        named = sorted(t for t in types if t != "null")
        return " or ".join({"array": "a list", "object": "an object"}.get(t, f"a {t}") for t in named) or "null"

    # --- walking ---------------------------------------------------------------------------------
    def field(self, name: str) -> "Shape":
        found: list[tuple[Any, Any]] = []
        known: list[str] = []
        for schema, resolver in self.alternatives:
            kinds = _types(schema)
            if kinds is not None and "object" not in kinds:
                continue
            if _field(schema, resolver, name, found, known):
                return Shape.any()
        if found:
            return Shape(tuple(found))._expanded()
        if not known:
            raise ShapeError(f"is {self.describe()}, which has no fields")
        raise ShapeError(f"has no field {name!r} (fields: {', '.join(sorted(set(known)))})")

    def element(self, *, of_object: bool = False) -> "Shape":
        found: list[tuple[Any, Any]] = []
        for schema, resolver in self.alternatives:
            if schema is True or schema == {} or not isinstance(schema, dict):
                return Shape.any()
            kinds = _types(schema)
            if kinds is None or "array" in kinds:
                items = schema.get("items", True)
                if "prefixItems" in schema:
                    found.extend((s, resolver) for s in schema["prefixItems"])
                found.append((items, resolver))
            if of_object and (kinds is None or "object" in kinds):
                found.extend((s, resolver) for s in schema.get("properties", {}).values())
                extra = schema.get("additionalProperties", True)
                found.append((extra, resolver))
        if not found:
            raise ShapeError(f"is {self.describe()}, not a list")
        return Shape(tuple(found))._expanded()

    def walk(self, path: tuple[Segment, ...], text: str) -> "Shape":
        """The shape at the end of ``path``; ``[*]`` makes the result a list (flattened when nested)."""
        shape = self
        for position, segment in enumerate(path):
            try:
                if isinstance(segment, Each):
                    element = shape.element(of_object=True)
                    rest = path[position + 1:]
                    inner = element.walk(rest, text)
                    return inner if any(isinstance(s, Each) for s in rest) else Shape.array_of(inner)
                shape = shape.field(segment.name) if isinstance(segment, Field) else shape.element()
            except ShapeError as exc:
                where = _path_text(path[:position]) or "it"
                raise ShapeError(f"{where} {exc}") from None
        return shape


def _field(schema: Any, resolver: Any, name: str, found: list[tuple[Any, Any]], known: list[str]) -> bool:
    """Collect what ``name`` may be in ``schema`` (``allOf`` parts included) into ``found``; True when
    the schema accepts any field at all (so nothing can be said about it)."""
    if not isinstance(schema, dict) or schema == {}:
        return True
    properties = schema.get("properties", {})
    known.extend(properties)
    if name in properties:
        found.append((properties[name], resolver))
        return False
    patterns = [s for p, s in schema.get("patternProperties", {}).items() if re.search(p, name)]
    if patterns:
        found.extend((s, resolver) for s in patterns)
        return False
    parts = schema.get("allOf", [])
    for part in parts:
        for part_schema, part_resolver in Shape.of(part, resolver).alternatives:
            if _field(part_schema, part_resolver, name, found, known):
                return True
    described = bool(properties or parts or "patternProperties" in schema)
    extra = schema.get("additionalProperties", None if described else True)
    if extra is True or extra == {}:
        return True
    if isinstance(extra, dict) and not parts:
        found.append((extra, resolver))
    return False


def _types(schema: Any) -> set[str] | None:
    if not isinstance(schema, dict):
        return None
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        kinds = set(kinds)
        return kinds | {"number"} if "integer" in kinds else kinds
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        return {_json_type(v) for v in values}
    if "properties" in schema:
        return {"object"}
    if "items" in schema:
        return {"array"}
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "string")


def _path_text(path: tuple[Segment, ...]) -> str:
    parts = []
    for segment in path:
        if isinstance(segment, Field):
            parts.append(f".{segment.name}")
        elif isinstance(segment, Index):
            parts.append(f"[{segment.position}]")
        else:
            parts.append("[*]")
    return "".join(parts).lstrip(".")


# --- where shapes come from ------------------------------------------------------------------------------


def command_shape(manifest: Any, command: Any) -> Shape:
    """What one run of ``command`` outputs: its schema (fetch-incidents: a list of incidents)."""
    path = command.output_schema_path(manifest.folder)
    if path is None or not path.is_file():
        shape = Shape.any()
    else:
        schema = json.loads(path.read_text(encoding="utf-8"))
        resolver = schema_registry(str(manifest.folder / "schemas")).resolver(base_uri=schema.get("$id", ""))
        shape = Shape.of(schema, resolver)
    return Shape.array_of(shape) if command.name == "fetch-incidents" else shape


def input_shape(spec: dict[str, Any]) -> Shape:
    kind = spec["type"]
    if kind == "json":
        return Shape.any()
    if kind == "array":
        return Shape.of({"type": "array", "items": {"type": spec.get("items", "string")}})
    return Shape.of({"type": kind})


FUNCTION_SHAPES = {
    "count": lambda shape: Shape.of({"type": "integer"}),
    "tally": lambda shape: Shape.of({"type": "object", "additionalProperties": {"type": "integer"}}),
    "keys": lambda shape: Shape.of({"type": "array", "items": {"type": "string"}}),
    "sum": lambda shape: Shape.of({"type": "number"}),
    "join": lambda shape: Shape.of({"type": "string"}),
    "unique": lambda shape: Shape.array_of(_element_or_self(shape)),
    "min": lambda shape: _element_or_self(shape),
    "max": lambda shape: _element_or_self(shape),
    "first": lambda shape: _element_or_self(shape),
}


def _element_or_self(shape: Shape) -> Shape:
    try:
        return shape.element() if shape.may_be("array") else shape
    except ShapeError:
        return shape


def ref_shape(ref: Ref, root: Shape) -> Shape:
    """The shape of ``ref`` given the shape of its root value; ``ShapeError`` when it points nowhere."""
    shape = root.walk(ref.path, ref.text)
    for function in ref.functions:
        if function == "keys" and not shape.may_be("object"):
            raise ShapeError(f"keys needs an object, and this is {shape.describe()}")
        shape = FUNCTION_SHAPES[function](shape)
    return shape
