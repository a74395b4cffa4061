"""Arguments: ``key=value`` strings (or a platform's values) coerced into the typed, validated values a
handler receives, by the manifest's param and argument specs (``manifest.Param``, ``manifest.Arg``).

Every SOAR command is a fresh process, so arguments are checked by the few lines below (JSON Schema's
keywords), not by a JSON Schema validator that would have to be imported first.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from . import errors

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _coerce(spec: Mapping[str, Any], value: Any) -> Any:
    """A CLI string into the declared type; values that are already typed pass through, except integral
    floats for integers: Splunk SOAR hands every numeric action parameter over as a float (``5.0``)."""
    kind = spec["type"]
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise errors.InputError(f"{spec['name']}: {value!r} is not a whole number") from None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise errors.InputError(f"{spec['name']}: {value!r} is not a number") from None
    if kind == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise errors.InputError(f"{spec['name']}: {value!r} is not true or false")
    if kind == "array":
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                raise errors.InputError(f"{spec['name']}: {value!r} is not a JSON list") from None
        else:
            items = [part.strip() for part in text.split(",") if part.strip()]
        item_spec = {"name": spec["name"], "type": spec.get("items", "string")}
        return [_coerce(item_spec, item) for item in items]
    if kind == "json":
        try:
            return json.loads(text)
        except ValueError:
            raise errors.InputError(f"{spec['name']}: {value!r} is not valid JSON") from None
    return value


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float),
                                              "boolean": (bool,), "array": (list,), "json": (dict, list)}
_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "json": "a JSON object or list"}


def check_value(spec: Mapping[str, Any], value: Any, *, kind: str | None = None) -> str | None:
    """What is wrong with ``value`` for ``spec`` (JSON Schema's keywords), or ``None``."""
    kind = kind or spec["type"]
    if not isinstance(value, _PYTHON_TYPES[kind]) or (kind in ("integer", "number") and isinstance(value, bool)):
        return f"{value!r} is not {_TYPE_NAMES[kind]}"
    if kind == "array":
        item_spec = {k: spec[k] for k in ("enum", "pattern", "minimum", "maximum") if k in spec}
        for item in value:
            problem = check_value(item_spec, item, kind=spec.get("items", "string"))
            if problem:
                return problem
        return None
    if "enum" in spec and value not in spec["enum"]:
        return f"{value!r} is not one of {', '.join(map(str, spec['enum']))}"
    if "minimum" in spec and value < spec["minimum"]:
        return f"{value!r} is less than the minimum of {spec['minimum']}"
    if "maximum" in spec and value > spec["maximum"]:
        return f"{value!r} is greater than the maximum of {spec['maximum']}"
    if "pattern" in spec and not re.search(spec["pattern"], value):
        return f"{value!r} does not match {spec['pattern']!r}"
    if "minLength" in spec and len(value) < spec["minLength"]:
        return f"{value!r} is shorter than {spec['minLength']} characters"
    if "maxLength" in spec and len(value) > spec["maxLength"]:
        return f"{str(value)[:40]!r}... is longer than {spec['maxLength']} characters"
    return None


def coerce_values(specs: Iterable[Mapping[str, Any]], given: Mapping[str, Any], *, what: str) -> dict[str, Any]:
    """Typed, validated values with defaults filled in; ``InputError`` (one line) for anything wrong."""
    known = {spec["name"]: spec for spec in specs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise errors.InputError(f"{what}: unknown argument {unknown[0]!r} (accepted: {names})")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name in given and spec.get("required") and isinstance(given[name], str) and not given[name].strip():
            raise errors.InputError(f"{what}: {name} is required and cannot be empty")
        if name in given and given[name] not in (None, ""):
            values[name] = _coerce(spec, given[name])
            problem = check_value(spec, values[name])
            if problem:
                raise errors.InputError(f"{what}: {name}: {problem}")
        elif "default" in spec:
            values[name] = spec["default"]
        elif spec.get("required"):
            raise errors.InputError(f"{what}: {name} is required")
    return values
