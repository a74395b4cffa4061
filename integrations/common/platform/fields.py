"""A command's output schema as a flat list of fields (path, type, description): what XSOAR calls
context paths and Splunk SOAR calls data paths. ``$ref``s are resolved with the same ``$id`` registry
the runtime validates with; ``allOf``/``anyOf``/``oneOf`` contribute their properties.

Maps (objects keyed by data values, e.g. host -> event ids: ``additionalProperties`` and no ``properties``)
are leaves whose ``map_of`` says what they hold: "number", "array", "value", or "map/..." for a map of maps.
No data path can name a data value, so the Splunk adapter hands maps over as lists of ``{key, ...}``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from referencing import Resource

from ..manifest import Command, Manifest
from ..schemas import schema_registry

ARRAY = "*"          # a path step that means "each item of this list"
MAX_DEPTH = 6        # vendor objects nest; SOAR UIs do not need every leaf of a raw blob


@dataclass(frozen=True)
class Field:
    path: tuple[str, ...]   # e.g. ("status", "value") or ("detections", "*", "id")
    type: str               # string, number, boolean, date, object, array, unknown
    description: str = ""
    map_of: str = ""        # for maps: what each value is (see the module docstring)
    examples: tuple = ()    # the schema's examples, enum or const
    always: bool = False    # every item has it: required at every step and inside no list (which may be empty)


def command_fields(manifest: Manifest, command: Command) -> list[Field]:
    """The fields of one item of the command's outputs (a list's items, or the object itself)."""
    path = command.output_schema_path(manifest.folder)
    if path is None or not path.is_file():
        return []
    schema = json.loads(path.read_text(encoding="utf-8"))
    registry = schema_registry(str(manifest.folder / "schemas"))
    resource = Resource.from_contents(schema)
    uri = schema.get("$id", path.as_uri())
    resolver = registry.with_resource(uri, resource).resolver(base_uri=uri)
    schema, resolver = _resolve(schema, resolver)
    if _type(schema) == "array":
        schema, resolver = _resolve(schema.get("items", {}), resolver)
    fields: list[Field] = []
    _walk(schema, resolver, (), fields, depth=0, seen=())
    unique: dict[tuple[str, ...], Field] = {}
    for field in fields:
        unique.setdefault(field.path, field)
    return list(unique.values())


def _resolve(schema: Any, resolver: Any) -> tuple[dict[str, Any], Any]:
    for _ in range(20):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        resolved = resolver.lookup(schema["$ref"])
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema, resolver = {**resolved.contents, **merged}, resolved.resolver
    return (schema if isinstance(schema, dict) else {}), resolver


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None:
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        if "enum" in schema and schema["enum"]:
            value = next((v for v in schema["enum"] if v is not None), "")
            return {bool: "boolean", int: "number", float: "number"}.get(type(value), "string")
        if "const" in schema:
            return "string"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        return "date"
    return kind or "unknown"


def _properties(schema: dict[str, Any], resolver: Any) -> list[tuple[str, dict[str, Any], Any, bool]]:
    """(name, schema, resolver, required) of each property, ``allOf``/``anyOf``/``oneOf`` parts' too."""
    required = set(schema.get("required") or ())
    found = [(name, sub, resolver, name in required) for name, sub in (schema.get("properties") or {}).items()]
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or []:
            part, part_resolver = _resolve(part, resolver)
            # only allOf's requirements hold for every item
            found += [(n, sub, r, key == "allOf" and (req or n in required))
                      for n, sub, r, req in _properties(part, part_resolver)]
    return found


def _walk(schema: dict[str, Any], resolver: Any, path: tuple[str, ...], out: list[Field], *,
          depth: int, seen: tuple[str, ...], always: bool = True) -> None:
    for name, sub, sub_resolver, required in _properties(schema, resolver):
        here_always = always and required
        ref = sub.get("$ref") if isinstance(sub, dict) else None
        sub, sub_resolver = _resolve(sub, sub_resolver)
        here = path + (name,)
        kind = _type(sub)
        description = " ".join(str(sub.get("description") or sub.get("title") or "").split())
        if kind == "object" and (sub.get("properties") or any(k in sub for k in ("allOf", "anyOf", "oneOf"))) \
                and depth < MAX_DEPTH and ref not in seen:
            _walk(sub, sub_resolver, here, out, depth=depth + 1, seen=seen + ((ref,) if ref else ()),
                  always=here_always)
            continue
        if kind == "array":
            items, items_resolver = _resolve(sub.get("items", {}), sub_resolver)
            item_ref = (sub.get("items") or {}).get("$ref") if isinstance(sub.get("items"), dict) else None
            if _type(items) == "object" and items.get("properties") and depth < MAX_DEPTH and item_ref not in seen:
                _walk(items, items_resolver, here + (ARRAY,), out, depth=depth + 1,
                      seen=seen + ((item_ref,) if item_ref else ()), always=False)
                continue
            out.append(Field(here + (ARRAY,), _type(items) if items else "string", description,
                             examples=_examples(items)))
            continue
        out.append(Field(here, kind, description, _map_of(sub, sub_resolver) if kind == "object" else "",
                         _examples(sub), always=here_always))


def _map_of(schema: dict[str, Any], resolver: Any, depth: int = 0) -> str:
    values = schema.get("additionalProperties")
    if schema.get("properties") or not isinstance(values, dict) or depth > MAX_DEPTH:
        return ""
    values, resolver = _resolve(values, resolver)
    kind = _type(values)
    if kind == "object":
        inner = _map_of(values, resolver, depth + 1)
        return f"map/{inner}" if inner else "value"
    return {"number": "number", "array": "array"}.get(kind, "value")


def _examples(schema: dict[str, Any]) -> tuple:
    found = schema.get("examples") or schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    return tuple(v for v in found if isinstance(v, (str, int, float, bool)))[:5]
