"""Where an instance's params come from, in order of precedence: ``--param name=value``, environment
variables ``SOARPACKS_<INTEGRATION>_<PARAM>``, the config file's instance, the manifest's defaults;
and, on a terminal, a prompt for a missing secret (never echoed)."""
from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any, Mapping

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import Manifest


def parse_pairs(pairs: list[str], *, what: str, unique: bool = False) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``. With ``unique`` (command arguments) a name
    given twice is an error: silently keeping the last one hides a typo in a long command line. A
    ``--param`` given again overrides the earlier one, as a flag does."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise errors.InputError(f"{what} {pair!r} is not name=value")
        if unique and name.strip() in values:
            raise errors.InputError(f"{what} {name.strip()!r} is given twice")
        values[name.strip()] = value
    return values


def load_instance(path: str, instance: str, integration_id: str) -> dict[str, Any]:
    """The params of ``instance`` in a YAML config file::

        instances:
          gta-prod:
            integration: cisco_gta
            params: {client_id: ..., client_secret: {env: GTA_SECRET}}
    """
    import yaml  # only when a config file is used: every command pays for what it imports
    try:
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise errors.ConfigError(f"cannot read config file {path}: {type(exc).__name__}") from None
    entry = (config.get("instances") or {}).get(instance) if isinstance(config, dict) else None
    if not isinstance(entry, dict):
        raise errors.ConfigError(f"config file {path} has no instance {instance!r}")
    if entry.get("integration", integration_id) != integration_id:
        raise errors.ConfigError(f"instance {instance!r} is for {entry['integration']}, not {integration_id}")
    params = entry.get("params") or {}
    resolved = {}
    for name, value in params.items():
        if isinstance(value, dict) and set(value) == {"env"}:
            if value["env"] not in os.environ:
                raise errors.ConfigError(f"instance {instance!r}: {name} comes from ${value['env']}, which is not set")
            value = os.environ[value["env"]]
        resolved[name] = value
    return resolved


def resolve_params(manifest: Manifest, *, cli: Mapping[str, Any], config: Mapping[str, Any] | None = None,
                   environ: Mapping[str, str] = os.environ, interactive: bool | None = None) -> dict[str, Any]:
    params: dict[str, Any] = dict(config or {})
    prefix = f"SOARPACKS_{manifest.id.upper()}_"
    for spec in manifest.params:
        env_name = prefix + spec.name.upper()
        if env_name in environ:
            params[spec.name] = environ[env_name]
    params.update(cli)
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stderr.isatty()
    for spec in manifest.params:
        if spec.secret and spec.required and not params.get(spec.name) and interactive:
            params[spec.name] = getpass.getpass(f"{manifest.id} {spec.name}: ")
    return params


def state_path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None
