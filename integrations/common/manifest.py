"""Manifests: loaded with safe YAML, validated against ``schemas/manifest.schema.json``; and the
coercion of ``key=value`` strings into the typed, validated arguments a handler receives.

Every SOAR command is a fresh process, so start-up time counts: a validated manifest is cached as JSON
under the user's cache dir, keyed by a hash of the manifest and its schema, and arguments are checked
by the few lines below. PyYAML and jsonschema are imported only when a manifest changed, and jsonschema is
optional where a package runs (its manifests were validated when it was built).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from . import errors
from .resources import package_dir

SCHEMAS_DIR = package_dir("schemas")
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
    platform_name: str = ""   # the name on SOAR platforms, where names are global; "" = name

    @property
    def exported_name(self) -> str:
        """What XSOAR and Splunk SOAR call the command (names there are global across integrations)."""
        return self.platform_name or self.name

    @property
    def handler_name(self) -> str:
        return self.name.replace("-", "_")

    def output_schema_path(self, base: Path) -> Path | None:
        return (base / self.outputs["schema"]).resolve() if self.outputs else None

    def arg(self, name: str) -> dict[str, Any]:
        """The declared argument ``name`` (a KeyError names a manifest that lacks it: our bug)."""
        for spec in self.args:
            if spec["name"] == name:
                return spec
        raise KeyError(f"{self.name} declares no argument {name!r}")

    @property
    def columns(self) -> list[str]:
        """The output table's columns, in order ([] when the manifest names none)."""
        return list((self.outputs or {}).get("columns") or [])


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
        """The command called ``name``, by its role name or its platform name."""
        if name in self.commands:
            return self.commands[name]
        for command in self.commands.values():
            if command.platform_name == name:
                return command
        known = ", ".join(sorted(self.commands))
        raise errors.InputError(f"{self.id} has no command {name!r} (commands: {known})")

    @property
    def secret_params(self) -> list[str]:
        return [p["name"] for p in self.params if p.get("secret")]

    @property
    def severity_mapping(self) -> dict[str, int]:
        """Vendor severity (or risk, or log type) -> incident severity 0..4; {} when the manifest has none."""
        return dict(self.data.get("severity_mapping") or {})

    def param(self, name: str) -> dict[str, Any]:
        """The declared instance param ``name`` (a KeyError names a manifest that lacks it: our bug)."""
        for spec in self.params:
            if spec["name"] == name:
                return spec
        raise KeyError(f"{self.id} declares no param {name!r}")



def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "soarpacks" / "manifests"


def _read_validated(path: Path, text: bytes) -> dict[str, Any]:
    import yaml
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise errors.ConfigError(f"cannot read manifest {path}: {exc}") from None
    try:
        import jsonschema
    except ImportError:
        # A platform image without jsonschema (XSOAR's demisto/python3 documents requests and PyYAML
        # only): the manifest was validated when its package was built, and the package's files are
        # checked against their digest before use. Arguments are checked without jsonschema anyway.
        return data
    try:
        jsonschema.validate(data, load_json_schema(str(SCHEMAS_DIR / "manifest.schema.json")))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise errors.ConfigError(f"manifest {path} is invalid at {where}: {exc.message}") from None
    return data


def load_manifest(path: str | Path) -> Manifest:
    path = Path(path)
    try:
        text = path.read_bytes()
        schema = (SCHEMAS_DIR / "manifest.schema.json").read_bytes()
    except OSError as exc:
        raise errors.ConfigError(f"cannot read manifest {path}: {exc}") from None
    digest = hashlib.sha256(text + b"\0" + schema).hexdigest()
    cached = _cache_dir() / f"{digest}.json"
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = _read_validated(path, text)
        try:  # best effort: a read-only home only costs start-up time
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temporary, cached)
        except OSError:
            pass
    commands = {}
    for raw in data["commands"]:
        names = {raw["name"], raw.get("platform_name", raw["name"])}
        taken = names & {n for c in commands.values() for n in (c.name, c.exported_name)}
        if taken:
            raise errors.ConfigError(f"manifest {path}: command name {sorted(taken)[0]} is declared twice")
        commands[raw["name"]] = Command(
            name=raw["name"], description=raw["description"], args=tuple(raw.get("args", [])),
            outputs=raw.get("outputs"), supported=raw.get("supported", True),
            unsupported_reason=raw.get("unsupported_reason", ""), effect=raw.get("effect", "read"),
            platform_name=raw.get("platform_name", ""))
    return Manifest(id=data["id"], name=data["name"], vendor=data["vendor"], version=data["version"],
                    description=data["description"], path=path.resolve(), params=tuple(data["params"]),
                    commands=commands, data=data)


@lru_cache(maxsize=None)
def vendor_manifest(integration_id: str) -> Manifest:
    """The manifest of a vendor in this copy of the runtime: how vendor code reads its own metadata
    (severity mapping, defaults, columns) instead of repeating it. Loaded once per process."""
    return load_manifest(package_dir("integrations") / integration_id / "manifest.yaml")


def _coerce(spec: dict[str, Any], value: Any) -> Any:
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


def _check(spec: dict[str, Any], value: Any, *, kind: str | None = None) -> str | None:
    """What is wrong with ``value`` for ``spec`` (JSON Schema's keywords), or ``None``."""
    kind = kind or spec["type"]
    if not isinstance(value, _PYTHON_TYPES[kind]) or (kind in ("integer", "number") and isinstance(value, bool)):
        return f"{value!r} is not {_TYPE_NAMES[kind]}"
    if kind == "array":
        item_spec = {k: spec[k] for k in ("enum", "pattern", "minimum", "maximum") if k in spec}
        for item in value:
            problem = _check(item_spec, item, kind=spec.get("items", "string"))
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


def coerce_values(specs: tuple[dict[str, Any], ...], given: Mapping[str, Any], *, what: str) -> dict[str, Any]:
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
            problem = _check(spec, values[name])
            if problem:
                raise errors.InputError(f"{what}: {name}: {problem}")
        elif "default" in spec:
            values[name] = spec["default"]
        elif spec.get("required"):
            raise errors.InputError(f"{what}: {name} is required")
    return values
