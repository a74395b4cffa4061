"""Runs inside the demisto-sdk virtualenv: validates files with demisto-sdk's own schemas and models.

    python sdk_check.py integration FILE.yml | pack_metadata FILE.json | playbook FILE.yml | pack PACK.zip
    python sdk_check.py incidenttype|incidentfield|classifier|mapper|layoutscontainer FILE.json

Prints one JSON object: {"errors": [...]} (empty when the file is accepted).

``pack`` runs demisto-sdk's own validators (``demisto-sdk validate``'s path-based selection from its
sdk_validation_config.toml, with its support-level rules) on every content item of a pack zip, unpacked into
a scratch content repository. Left out, because they need what a pack zip cannot give: the network
(IN104 and PA103 fetch the approved categories; test_xsoar checks ours against demisto-sdk's list), a previous
version (backward-compatibility BC*, IN164), or the content repository around the pack (PA128 wants
.secrets-ignore/.pack-ignore files, which are repository files, not pack content). Errors demisto-sdk
lists as ignorable (a pack may silence them in .pack-ignore) are not reported. ``unavailable`` names the
validators that could not run here (the network, or the content graph)."""
import importlib
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


# kind: (strict_objects module, model, kwalify schema) of the pack's JSON content items.
CONTENT_MODELS = {
    "incidenttype": ("incident_type", "StrictIncidentType", "incidenttype"),
    "incidentfield": ("incident_field", "StrictIncidentField", "incidentfield"),
    "classifier": ("classifier", "StrictClassifier", "classifier"),
    "mapper": ("mapper", "StrictMapper", "mapper"),
    "layoutscontainer": ("layout", "StrictLayout", "layoutscontainer"),
}
OFFLINE_OR_REPOSITORY = {"IN104", "PA103", "PA128", "IN164"}


def _pack_errors(zip_path):

    import os
    import subprocess
    import tempfile
    import toml  # what demisto-sdk itself reads its config with (tomllib needs Python 3.11)
    import zipfile

    os.environ.setdefault("DEMISTO_SDK_IGNORE_CONTENT_WARNING", "1")
    config = toml.loads((Path(demisto_sdk.__file__).parent / "commands" / "validate" /
                            "sdk_validation_config.toml").read_text())
    selected = set(config["path_based_validations"]["select"]) - OFFLINE_OR_REPOSITORY
    support_levels = config.get("support_level", {})
    # What demisto-sdk lets a pack silence in its .pack-ignore is left to the reviewer; the rest must pass.
    ignorable = set(config.get("ignorable_errors", []))
    root = Path(tempfile.mkdtemp()) / "content"
    pack = root / "Packs" / Path(zip_path).stem.rsplit("-", 1)[0]
    pack.mkdir(parents=True)
    zipfile.ZipFile(zip_path).extractall(pack)
    git = ["git", "-c", "user.email=check@localhost", "-c", "user.name=check"]
    for step in (["init", "-q", "-b", "master"], ["add", "-A"], ["commit", "-q", "-m", "pack"]):
        subprocess.run(git + step, cwd=root, check=True, capture_output=True)
    os.chdir(root)

    from demisto_sdk.commands.content_graph.objects.base_content import BaseContent
    from demisto_sdk.commands.validate.validators.base_validator import BaseValidator
    importlib.import_module("demisto_sdk.commands.validate.validators")  # imports every validator, as validate does

    items = [BaseContent.from_path(pack.relative_to(root), raise_on_exception=True)]
    for path in sorted(pack.rglob("*")):
        if path.suffix in (".yml", ".json") and path.parent != pack:
            items.append(BaseContent.from_path(path.relative_to(root), raise_on_exception=True))
    found, stack = {}, list(BaseValidator.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if getattr(cls, "error_code", None) in selected:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    errors, unavailable = [], []
    for name, cls in sorted(found.items()):
        validator = cls()
        for item in items:
            if not validator.should_run(item, [], support_levels, None):
                continue
            try:
                results = validator.obtain_invalid_content_items([item])
            except Exception as exc:  # e.g. Docker Hub look-ups: this check runs offline
                unavailable.append(f"{cls.error_code}: {type(exc).__name__}")
                continue
            errors += [f"{cls.error_code} {item.path.name}: {result.message}" for result in results
                       if cls.error_code not in ignorable]
    return sorted(set(errors)), sorted(set(unavailable))


def main(kind, path):
    if kind == "categories":
        from demisto_sdk.commands.common.constants import INTEGRATION_CATEGORIES
        print(json.dumps({"categories": INTEGRATION_CATEGORIES}))
        return
    path = Path(path).resolve()
    text = path.read_text(encoding="utf-8") if kind != "pack" else ""
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
    elif kind in CONTENT_MODELS:
        module, model, schema = CONTENT_MODELS[kind]
        strict = getattr(importlib.import_module(f"demisto_sdk.commands.content_graph.strict_objects.{module}"), model)
        errors = _pydantic_errors(strict, json.loads(text)) + _kwalify_errors(schema, path)
    elif kind == "pack":
        errors, unavailable = _pack_errors(path)
        print(json.dumps({"errors": errors, "unavailable": unavailable}))
        return
    else:
        raise SystemExit(f"unknown kind {kind}")
    print(json.dumps({"errors": errors}))


if __name__ == "__main__":
    main(*sys.argv[1:])
