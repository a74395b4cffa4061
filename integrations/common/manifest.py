"""Manifests: loaded with safe YAML, validated against ``schemas/manifest.schema.json``; and the
coercion of ``key=value`` strings into the typed, validated arguments a handler receives."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import jsonschema
import yaml

from . import errors

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS_DIR = REPO_ROOT / "schemas"
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


@lru_cache(maxsize=None)
def load_json_schema(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    args: tuple[dict[str, Any], ...] = ()
    outputs: dict[str, Any] | None = None
    supported: bool = True
    unsupported_reason: str = ""
    effect: str = "read"

    @property
    def handler_name(self) -> str:
        return self.name.replace("-", "_")

    def output_schema_path(self, base: Path) -> Path | None:
        return (base / self.outputs["schema"]).resolve() if self.outputs else None


@dataclass(frozen=True)
class Manifest:
    id: str
    name: str
    vendor: str
    version: str
    description: str
    path: Path
    params: tuple[dict[str, Any], ...]
    commands: dict[str, Command] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def command(self, name: str) -> Command:
        try:
            return self.commands[name]
        except KeyError:
            known = ", ".join(sorted(self.commands))
            raise errors.InputError(f"{self.id} has no command {name!r} (commands: {known})") from None

    @property
    def secret_params(self) -> list[str]:
        return [p["name"] for p in self.params if p.get("secret")]


def load_manifest(path: str | Path) -> Manifest:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise errors.ConfigError(f"cannot read manifest {path}: {exc}") from None
    try:
        jsonschema.validate(data, load_json_schema(str(SCHEMAS_DIR / "manifest.schema.json")))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise errors.ConfigError(f"manifest {path} is invalid at {where}: {exc.message}") from None
    commands = {}
    for raw in data["commands"]:
        if raw["name"] in commands:
            raise errors.ConfigError(f"manifest {path}: command {raw['name']} is declared twice")
        commands[raw["name"]] = Command(
            name=raw["name"], description=raw["description"], args=tuple(raw.get("args", [])),
            outputs=raw.get("outputs"), supported=raw.get("supported", True),
            unsupported_reason=raw.get("unsupported_reason", ""), effect=raw.get("effect", "read"))
    return Manifest(id=data["id"], name=data["name"], vendor=data["vendor"], version=data["version"],
                    description=data["description"], path=path.resolve(), params=tuple(data["params"]),
                    commands=commands, data=data)


def _coerce(spec: dict[str, Any], value: Any) -> Any:
    """A CLI string into the declared type; values that are already typed pass through."""
    kind = spec["type"]
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


_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
               "array": "array", "json": ["object", "array"]}
_KEYWORDS = ("enum", "minimum", "maximum", "pattern", "minLength", "maxLength")


def _json_schema(specs: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    properties = {}
    for spec in specs:
        prop: dict[str, Any] = {"type": _JSON_TYPES[spec["type"]]}
        prop.update({k: spec[k] for k in _KEYWORDS if k in spec})
        if spec["type"] == "array":
            prop["items"] = {"type": spec.get("items", "string"), **({"enum": spec["enum"]} if "enum" in spec else {})}
            prop.pop("enum", None)
        properties[spec["name"]] = prop
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": [s["name"] for s in specs if s.get("required")]}


def coerce_values(specs: tuple[dict[str, Any], ...], given: Mapping[str, Any], *, what: str) -> dict[str, Any]:
    """Typed, validated values with defaults filled in; ``InputError`` (one line) for anything wrong."""
    known = {spec["name"]: spec for spec in specs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise errors.InputError(f"{what}: unknown argument {unknown[0]!r} (accepted: {names})")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name in given and given[name] not in (None, ""):
            values[name] = _coerce(spec, given[name])
        elif "default" in spec:
            values[name] = spec["default"]
    try:
        jsonschema.validate(values, _json_schema(specs))
    except jsonschema.ValidationError as exc:
        field_name = exc.absolute_path[0] if exc.absolute_path else None
        if exc.validator == "required":
            missing = exc.message.split("'")[1]
            raise errors.InputError(f"{what}: {missing} is required") from None
        raise errors.InputError(f"{what}: {field_name}: {_short(exc)}") from None
    return values


def _short(exc: jsonschema.ValidationError) -> str:
    if exc.validator == "enum":
        return f"{exc.instance!r} is not one of {', '.join(map(str, exc.validator_value))}"
    return exc.message[:200]
