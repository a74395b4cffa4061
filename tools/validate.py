"""``soarpacks validate``: every manifest valid, every supported command has exactly one handler and
every handler a command, every handler accepts its command's arguments, every output schema is a valid JSON Schema, every simulator imports."""
from __future__ import annotations

import importlib
from pathlib import Path

import jsonschema

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import INTEGRATIONS_DIR, Integration
from soarpacks.integrations.common.manifest import load_manifest
from soarpacks.integrations.common.runner import signature_problems
from soarpacks.integrations.common.schemas import output_validator


def validate_integration(integration: Integration) -> list[str]:
    m = integration.manifest
    problems = []
    handlers = integration.handlers
    for command in m.commands.values():
        if command.supported and command.name not in handlers:
            problems.append(f"{m.id}: command {command.name} has no handler")
        if not command.supported and command.name in handlers:
            problems.append(f"{m.id}: command {command.name} is marked unsupported but has a handler")
        if command.supported and command.name in handlers:
            problems += [f"{m.id}: {problem}" for problem in signature_problems(handlers[command.name], command)]
        try:
            output_validator(m, command)
        except (errors.SoarpacksError, jsonschema.SchemaError, ValueError) as exc:
            problems.append(f"{m.id}: {command.name}: output schema: {str(exc).splitlines()[0]}")
        stray = sorted(set(command.outputs.titles) - set(command.outputs.columns)) if command.outputs else []
        if stray:
            problems.append(f"{m.id}: {command.name}: titles of fields that are not columns: {', '.join(stray)}")
    for name in handlers:
        if name not in m.commands:
            problems.append(f"{m.id}: handler for {name}, which the manifest does not declare")
    for generic in ("test-module", "fetch-incidents", "get-event", "update-status"):
        if generic not in m.commands:
            problems.append(f"{m.id}: the generic command {generic} is missing (mark it supported: false if the API lacks it)")
    for param in ("base_url", "insecure"):
        if param not in {p.name for p in m.params}:
            problems.append(f"{m.id}: param {param} is missing")
    if not hasattr(integration.module, "make_client"):
        problems.append(f"{m.id}: handlers.py has no make_client")
    try:
        importlib.import_module(f"soarpacks.integrations.{m.id}.simulator")
    except ImportError as exc:
        problems.append(f"{m.id}: simulator does not import: {exc}")
    return problems


def validate_all(root: Path = INTEGRATIONS_DIR) -> list[str]:
    """Every integration under ``root``. A manifest that does not load (schema, names, defaults, the
    mirroring block: ``manifest.load_manifest``) is one problem."""
    problems = []
    for path in sorted(root.glob("*/manifest.yaml")):
        try:
            integration = Integration(load_manifest(path))
            problems += validate_integration(integration)
        except (errors.SoarpacksError, ImportError, SyntaxError) as exc:
            problems.append(f"{path.parent.name}: {exc}")
    return problems
