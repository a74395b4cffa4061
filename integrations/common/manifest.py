"""Manifests: loaded with safe YAML, validated against ``schemas/manifest.schema.json``, and read into
typed objects (``Manifest``, ``Param``, ``Command``, ``Arg``, ``Outputs``, ``Mirroring``) checked at load
time for what the schema cannot say (unique names, valid defaults, a mirroring block naming real commands).

Every SOAR command is a fresh process, so start-up time counts: a validated manifest is cached as JSON
under the user's cache dir, keyed by a hash of the manifest and its schema; PyYAML and jsonschema are
imported only when a manifest changed, and jsonschema is optional where a package runs (its manifests
were validated when it was built). Argument coercion is in ``arguments.py``.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

from . import errors
from .arguments import check_value
from .resources import package_dir

SCHEMAS_DIR = package_dir("schemas")


@lru_cache(maxsize=None)
def load_json_schema(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class _Entry(Mapping[str, Any]):
    """Typed attributes over one manifest entry. The entry also stays readable as the mapping it was
    (argument coercion reads JSON Schema's keywords, exporters copy keys), read-only."""

    raw: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


@dataclass(frozen=True, eq=False)
class Arg(_Entry):
    """A command argument: its type (``string``, ``integer``, ``number``, ``boolean``, ``array`` of
    ``items``, ``json``) and the JSON Schema keywords it is checked with."""

    name: str
    type: str
    required: bool = False
    has_default: bool = False
    default: Any = None          # meaningful only with has_default (a default may be null)
    enum: Optional[Tuple[Any, ...]] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    item_type: Optional[str] = None   # an array's item type (the manifest's ``items``)
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> "Arg":
        return cls(name=raw["name"], type=raw["type"], required=bool(raw.get("required")),
                   has_default="default" in raw, default=raw.get("default"),
                   enum=tuple(raw["enum"]) if "enum" in raw else None, minimum=raw.get("minimum"),
                   maximum=raw.get("maximum"), item_type=raw.get("items"), description=raw.get("description", ""),
                   raw=raw)


@dataclass(frozen=True, eq=False)
class Param(Arg):
    """An instance parameter: an argument with a display name, maybe a secret (masked everywhere)."""

    display: str = ""
    secret: bool = False
    simulated: Any = None   # the value used with --simulate when the simulator does not set it

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> "Param":
        arg = Arg.from_raw(raw)
        return cls(**{f: getattr(arg, f) for f in _ARG_FIELDS}, display=raw.get("display", ""),
                   secret=bool(raw.get("secret")), simulated=raw.get("simulated"))


_ARG_FIELDS = ("name", "type", "required", "has_default", "default", "enum", "minimum", "maximum", "item_type",
               "description", "raw")


@dataclass(frozen=True, eq=False)
class Outputs(_Entry):
    """What a command's outputs are: their JSON Schema, and on platforms their context prefix and key,
    and the columns (with titles) of the war-room table."""

    schema: str
    prefix: Optional[str] = None
    key: Optional[str] = None
    columns: Tuple[str, ...] = ()
    titles: Mapping[str, str] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> "Outputs":
        return cls(schema=raw["schema"], prefix=raw.get("prefix"), key=raw.get("key"),
                   columns=tuple(raw.get("columns") or ()), titles=dict(raw.get("titles") or {}), raw=raw)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    args: Tuple[Arg, ...] = ()
    outputs: Optional[Outputs] = None
    supported: bool = True
    unsupported_reason: str = ""
    effect: str = "read"
    platform_name: str = ""   # the name on SOAR platforms, where names are global; "" = name

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> "Command":
        return cls(name=raw["name"], description=raw["description"],
                   args=tuple(Arg.from_raw(a) for a in raw.get("args", [])),
                   outputs=Outputs.from_raw(raw["outputs"]) if raw.get("outputs") else None,
                   supported=raw.get("supported", True), unsupported_reason=raw.get("unsupported_reason", ""),
                   effect=raw.get("effect", "read"), platform_name=raw.get("platform_name", ""))

    @property
    def exported_name(self) -> str:
        """What XSOAR and Splunk SOAR call the command (names there are global across integrations)."""
        return self.platform_name or self.name

    @property
    def handler_name(self) -> str:
        return self.name.replace("-", "_")

    def arg(self, name: str) -> Arg:
        """The declared argument ``name`` (a KeyError names a manifest that lacks it: our bug)."""
        for spec in self.args:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} declares no argument {name!r}")

    @property
    def columns(self) -> list[str]:
        """The output table's columns, in order ([] when the manifest names none)."""
        return list(self.outputs.columns) if self.outputs else []

    def output_schema_path(self, base: Path) -> Path | None:
        return (base / self.outputs.schema).resolve() if self.outputs else None


@dataclass(frozen=True)
class Mirroring:
    """The optional ``mirroring`` block (``schemas/manifest.schema.json``): the commands that read one
    object (``get``), list the changed ones (``modified``) and close one (``close``, outgoing)."""

    get: Mapping[str, Any]
    modified: Mapping[str, Any]
    close: Optional[Mapping[str, Any]] = None

    # Per part: the keys that name arguments of the part's command.
    ARG_KEYS = {"get": ("id_arg",), "modified": ("since_arg",), "close": ("id_arg", "reason_arg", "note_arg")}

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> "Mirroring":
        return cls(get=raw["get"], modified=raw["modified"], close=raw.get("close"))

    def problems(self, commands: Mapping[str, Command]) -> list[str]:
        """The block names supported commands and arguments they declare; mirroring needs a fetch."""
        fetch = commands.get("fetch-incidents")
        found = [] if fetch is not None and fetch.supported else ["mirroring needs a supported fetch-incidents"]
        for part in ("get", "modified", "close"):
            block = getattr(self, part)
            if block is None:
                continue
            command = commands.get(block["command"])
            if command is None or not command.supported:
                found.append(f"mirroring.{part} names {block['command']!r}, not a supported command")
                continue
            wanted = [block[key] for key in self.ARG_KEYS[part] if key in block] + list(block.get("args", {}))
            declared = {a.name for a in command.args}
            found += [f"mirroring.{part}: {command.name} has no argument {arg!r}" for arg in wanted if arg not in declared]
        return found


@dataclass(frozen=True)
class Manifest:
    id: str
    name: str
    vendor: str
    version: str
    description: str
    path: Path
    params: Tuple[Param, ...]
    commands: Dict[str, Command] = field(default_factory=dict)
    mirroring: Optional[Mirroring] = None
    # The vendor's severity words to soarpacks severities (0 unknown .. 4 critical), read-only: vendor
    # mappings look severities up here for every incident.
    severity_mapping: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    data: Dict[str, Any] = field(default_factory=dict, repr=False)

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

    def param(self, name: str) -> Param:
        """The declared instance param ``name`` (a KeyError names a manifest that lacks it: our bug)."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.id} declares no param {name!r}")

    @property
    def secret_params(self) -> list[str]:
        return [p.name for p in self.params if p.secret]


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
    return _typed(data, path)


def _typed(data: dict[str, Any], path: Path) -> Manifest:
    """The manifest as typed objects, checked beyond what its JSON Schema can say: names are unique,
    defaults are valid values of their own arguments, the mirroring block names real commands."""
    problems: list[str] = []
    commands: dict[str, Command] = {}
    for raw in data["commands"]:
        command = Command.from_raw(raw)
        taken = {command.name, command.exported_name} & {n for c in commands.values() for n in (c.name, c.exported_name)}
        if taken:
            problems.append(f"command name {sorted(taken)[0]} is declared twice")
        commands[command.name] = command
        problems += [f"{command.name}: {p}" for p in _spec_problems(command.args)]
    params = tuple(Param.from_raw(p) for p in data["params"])
    problems += [f"params: {p}" for p in _spec_problems(params)]
    mirroring = Mirroring.from_raw(data["mirroring"]) if data.get("mirroring") else None
    if mirroring is not None:
        problems += mirroring.problems(commands)
    if problems:
        raise errors.ConfigError(f"manifest {path}: {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                                      if len(problems) > 1 else ""))
    return Manifest(id=data["id"], name=data["name"], vendor=data["vendor"], version=data["version"],
                    description=data["description"], path=path.resolve(), params=params,
                    commands=commands, mirroring=mirroring,
                    severity_mapping=MappingProxyType(dict(data.get("severity_mapping") or {})), data=data)


def _spec_problems(specs: Tuple[Arg, ...]) -> list[str]:
    problems, seen = [], set()
    for spec in specs:
        if spec.name in seen:
            problems.append(f"{spec.name} is declared twice")
        seen.add(spec.name)
        problem = check_value(spec, spec.default) if spec.has_default and spec.default is not None else None
        if problem:
            problems.append(f"the default of {spec.name} is invalid: {problem}")
    return problems


@lru_cache(maxsize=None)
def vendor_manifest(integration_id: str) -> Manifest:
    """The manifest of an integration of this copy of the runtime, loaded once per process: what a
    vendor's mapping reads its metadata (the severity mapping) from, rather than repeating it."""
    return load_manifest(package_dir("integrations") / integration_id / "manifest.yaml")
