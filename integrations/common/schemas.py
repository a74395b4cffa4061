"""Output schemas: each integration's ``schemas/`` folder plus the shared ``schemas/``, resolved by
``$id`` so that one schema can ``$ref`` another by a relative name."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import errors
from .manifest import SCHEMAS_DIR, Command, Manifest


@lru_cache(maxsize=None)
def schema_registry(folder: str) -> Registry:
    """Every schema of an integration (its ``schemas/`` folder) plus the shared ones, by ``$id``."""
    resources = []
    for path in sorted(Path(folder).glob("*.json")) + sorted(SCHEMAS_DIR.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def output_validator(manifest: Manifest, command: Command) -> jsonschema.protocols.Validator | None:
    path = command.output_schema_path(manifest.folder)
    if path is None:
        return None
    if not path.is_file():
        raise errors.ConfigError(f"{manifest.id} {command.name}: output schema {path.name} does not exist")
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=schema_registry(str(manifest.folder / "schemas")),
               format_checker=cls.FORMAT_CHECKER)


def validate_output(manifest: Manifest, command: Command, value: Any) -> None:
    """Raise ``jsonschema.ValidationError`` when ``value`` does not match the command's output schema."""
    validator = output_validator(manifest, command)
    if validator is not None:
        validator.validate(value)


def incident_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS_DIR / "incident.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)
