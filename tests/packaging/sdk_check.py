"""Runs inside the demisto-sdk virtualenv: validates files with demisto-sdk's own schemas and models.

    python sdk_check.py integration FILE.yml | pack_metadata FILE.json | playbook FILE.yml

Prints one JSON object: {"errors": [...]} (empty when the file is accepted)."""
import json
import sys
from pathlib import Path

import demisto_sdk
import yaml


def _pydantic_errors(model, data):
    try:
        model.parse_obj(data)
    except Exception as exc:  # pydantic.ValidationError
        errors = getattr(exc, "errors", None)
        return [f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in errors()] if errors else [str(exc)]
    return []


def _kwalify_errors(schema_name, path):
    from pykwalify.core import Core
    schema = Path(demisto_sdk.__file__).parent / "commands" / "common" / "schemas" / f"{schema_name}.yml"
    core = Core(source_file=str(path), schema_files=[str(schema)])
    try:
        core.validate(raise_exception=True)
    except Exception as exc:
        return [f"{schema_name}.yml: {exc}"]
    return []


def main(kind, path):
    if kind == "categories":
        from demisto_sdk.commands.common.constants import INTEGRATION_CATEGORIES
        print(json.dumps({"categories": INTEGRATION_CATEGORIES}))
        return
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if kind == "integration":
        from demisto_sdk.commands.content_graph.strict_objects.integration import (
            StrictIntegration,
        )
        data = yaml.safe_load(text)
        errors = _pydantic_errors(StrictIntegration, data) + _kwalify_errors("integration", path)
    elif kind == "playbook":
        from demisto_sdk.commands.content_graph.strict_objects.playbook import (
            StrictPlaybook,
        )
        data = yaml.safe_load(text)
        errors = _pydantic_errors(StrictPlaybook, data) + _kwalify_errors("playbook", path)
    elif kind == "pack_metadata":
        from demisto_sdk.commands.content_graph.strict_objects.pack_meta_data import (
            StrictPackMetadata,
        )
        errors = _pydantic_errors(StrictPackMetadata, json.loads(text))
    else:
        raise SystemExit(f"unknown kind {kind}")
    print(json.dumps({"errors": errors}))


if __name__ == "__main__":
    main(*sys.argv[1:])
