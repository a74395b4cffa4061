"""splunk: a Splunk SOAR app per integration (``soarpacks_<id>-<version>.tgz``).

The tgz holds one folder ``soarpacks_<id>/`` with the app JSON (``soarpacks_<id>.json``), the connector
module (a ``BaseConnector`` subclass bound to the integration; the work is in ``soarpacks_platform``),
the runtime, the integration's folder, logos and a readme. Splunk SOAR installs the tgz and puts that
folder on ``PYTHONPATH``, where the runtime finds its manifest and schemas by path.
"""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from integrations.common.manifest import Command, Manifest
from integrations.common.registry import Integration

from . import archive
from .outputs import command_fields
from .platform.common import (
    FETCH,
    POLL_ACTION,
    TEST,
    TEST_ACTION,
    action_identifier,
    fetch_args_spec,
    fetch_setting_name,
)
from .sources import RUNTIME_REQUIREMENTS, SourceFile, package_files, platform_files

PUBLISHER = "soarpacks"
LICENSE = "Copyright (c) soarpacks contributors; licensed under the Apache License, Version 2.0"
MIN_PHANTOM_VERSION = "6.2.0"
# Splunk SOAR ships requests; the other runtime dependencies are installed from PyPI with the app.
PREINSTALLED = ("requests",)
# Required top-level keys of an app JSON: Splunk's app tooling's list plus what the SOAR docs mark required.
REQUIRED_FIELDS = ("appid", "name", "description", "publisher", "package_name", "type", "main_module", "app_version",
                   "product_vendor", "product_name", "product_version_regex", "min_phantom_version", "logo",
                   "configuration", "actions", "python_version", "license")
APP_TYPES = {"network security": "network security", "analytics & siem": "siem", "siem": "siem",
             "managed detection and response": "siem", "web security": "network security",
             "endpoint": "endpoint", "email": "email", "threat intelligence": "reputation",
             "data enrichment & threat intelligence": "reputation", "identity": "identity management"}
DATA_TYPES = {"string": "string", "number": "numeric", "integer": "numeric", "boolean": "boolean", "date": "string"}
NAMESPACE = uuid.UUID("6f1f0b2e-5d1c-4a55-9a36-51a7d0c2b9e4")  # soarpacks' namespace for stable app ids
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">'
        '<rect width="200" height="60" rx="8" fill="{bg}"/><text x="100" y="38" font-family="sans-serif" '
        'font-size="20" text-anchor="middle" fill="{fg}">{text}</text></svg>\n')


def app_folder(integration: Integration) -> str:
    return f"soarpacks_{integration.id}"


def splunk_name(integration: Integration) -> str:
    return f"{app_folder(integration)}-{integration.manifest.version}.tgz"


def app_id(manifest: Manifest) -> str:
    """Stable across builds and versions, so a new version installs as an upgrade of the same app."""
    return str(uuid.uuid5(NAMESPACE, f"soarpacks/splunk/{manifest.id}"))


def _updated() -> str:
    # Reproducible: SOURCE_DATE_EPOCH when the build sets one, else the archives' fixed time.
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", archive.FIXED_EPOCH))
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def config_entry(spec: dict[str, Any], order: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "description": _sentence(spec.get("display") or spec.get("description") or spec["name"].replace("_", " ")),
        "data_type": "password" if spec.get("secret") else DATA_TYPES.get(spec["type"], "string"),
        "required": bool(spec.get("required")) and spec["type"] != "boolean",
        "order": order,
    }
    if "enum" in spec and spec["type"] != "array":
        entry["value_list"] = [str(v) for v in spec["enum"]]
    if "default" in spec and spec["default"] is not None and not spec.get("secret"):
        default = spec["default"]
        entry["default"] = default if isinstance(default, (bool, int, float)) else (
            ",".join(map(str, default)) if isinstance(default, list) else str(default))
    return entry


def configuration(manifest: Manifest) -> dict[str, Any]:
    specs = [(p["name"], p) for p in manifest.params]
    specs += [(fetch_setting_name(manifest, a["name"]), a) for a in fetch_args_spec(manifest)]
    return {name: config_entry(spec, order) for order, (name, spec) in enumerate(specs)}


def _output(path: str, data_type: str, **more: Any) -> dict[str, Any]:
    return {"data_path": path, "data_type": data_type, **more}


def action_outputs(manifest: Manifest, command: Command, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    outputs = [_output("action_result.status", "string", example_values=["success", "failed"])]
    outputs += [_output(f"action_result.parameter.{name}", spec["data_type"]) for name, spec in parameters.items()]
    columns = list((command.outputs or {}).get("columns") or [])
    for field in command_fields(manifest, command):
        path = ".".join(field.path)
        extra: dict[str, Any] = {}
        if path in columns:
            extra.update(column_name=path.split(".")[-1].replace("_", " ").title(), column_order=columns.index(path))
        outputs.append(_output(f"action_result.data.*.{path}", DATA_TYPES.get(field.type, "string"), **extra))
    outputs += [_output("action_result.summary", "string"), _output("action_result.message", "string"),
                _output("summary.total_objects", "numeric"), _output("summary.total_objects_successful", "numeric")]
    return outputs


def action_parameters(command: Command) -> dict[str, Any]:
    parameters = {}
    for order, spec in enumerate(command.args):
        entry: dict[str, Any] = {"description": _sentence(spec.get("description") or spec["name"].replace("_", " ")),
                                 "data_type": DATA_TYPES.get(spec["type"], "string"),
                                 "required": bool(spec.get("required")), "primary": order == 0, "order": order}
        if "enum" in spec and spec["type"] != "array":
            entry["value_list"] = [str(v) for v in spec["enum"]]
        if "default" in spec and spec["default"] is not None:
            default = spec["default"]
            entry["default"] = default if isinstance(default, (bool, int, float)) else (
                ",".join(map(str, default)) if isinstance(default, list) else str(default))
        if spec["type"] == "array":
            entry["allow_list"] = True
        parameters[spec["name"]] = entry
    return parameters


def action(manifest: Manifest, command: Command) -> dict[str, Any]:
    if command.name == TEST:
        return {"action": "test connectivity", "identifier": TEST_ACTION,
                "description": "Validate the asset configuration for connectivity using supplied configuration",
                "type": "test", "read_only": True, "parameters": {}, "output": [], "versions": "EQ(*)"}
    if command.name == FETCH:
        return {"action": "on poll", "identifier": POLL_ACTION,
                "description": _sentence(command.description), "type": "ingest", "read_only": True,
                "parameters": {
                    "container_id": {"data_type": "string", "order": 0, "description": "Parameter ignored for this app"},
                    "start_time": {"data_type": "numeric", "order": 1, "description": "Parameter ignored for this app"},
                    "end_time": {"data_type": "numeric", "order": 2, "description": "Parameter ignored for this app"},
                    "container_count": {"data_type": "numeric", "order": 3,
                                        "description": "Maximum number of incidents to ingest (poll now)"},
                    "artifact_count": {"data_type": "numeric", "order": 4, "description": "Parameter ignored for this app"},
                }, "output": [], "versions": "EQ(*)"}
    parameters = action_parameters(command)
    return {"action": command.name.replace("-", " "), "identifier": action_identifier(command.name),
            "description": _sentence(command.description), "verbose": "",
            "type": "correct" if command.effect == "write" else "investigate",
            "read_only": command.effect != "write", "parameters": parameters,
            "output": action_outputs(manifest, command, parameters),
            "render": {"type": "table"}, "versions": "EQ(*)"}


def app_json(integration: Integration) -> dict[str, Any]:
    manifest = integration.manifest
    folder = app_folder(integration)
    deps = [{"module": r} for r in RUNTIME_REQUIREMENTS if r.split(">")[0].split("=")[0] not in PREINSTALLED]
    return {
        "appid": app_id(manifest),
        "name": manifest.name,
        "description": _sentence(manifest.description),
        "type": APP_TYPES.get(str(manifest.data.get("category", "")).lower(), "information"),
        "product_vendor": manifest.vendor,
        "logo": f"logo_{folder}.svg",
        "logo_dark": f"logo_{folder}_dark.svg",
        "product_name": manifest.data.get("product") or manifest.name,
        "product_version_regex": ".*",
        "publisher": PUBLISHER,
        "license": LICENSE,
        "app_version": manifest.version,
        "utctime_updated": _updated(),
        "package_name": f"phantom_{folder}",
        "main_module": f"{folder}_connector.py",
        "min_phantom_version": MIN_PHANTOM_VERSION,
        "app_wizard_version": "1.0.0",
        "python_version": "3",
        "fips_compliant": False,
        "latest_tested_versions": [f"soarpacks {manifest.id} simulator"],
        "configuration": configuration(manifest),
        "actions": [action(manifest, c) for c in manifest.commands.values() if c.supported],
        "pip_dependencies": {"pypi": deps},
        "pip39_dependencies": {"pypi": deps},
    }


def connector_module(integration: Integration) -> str:
    class_name = "".join(part.capitalize() for part in integration.id.split("_")) + "Connector"
    return (f'"""Splunk SOAR connector for {integration.manifest.name}: the soarpacks runtime bound to '
            f'{integration.id!r}."""\n'
            "import json\nimport sys\n\n"
            "from soarpacks_platform.splunk import SoarpacksConnector\n\n\n"
            f"class {class_name}(SoarpacksConnector):\n"
            f"    INTEGRATION_ID = {integration.id!r}\n\n\n"
            'if __name__ == "__main__":\n'
            "    # The platform's usual local entry: python <connector> <action JSON file>\n"
            "    with open(sys.argv[1]) as handle:\n"
            "        print(" + class_name + "()._handle_action(json.dumps(json.load(handle)), None))\n")


def splunk_files(integration: Integration) -> list[tuple[str, bytes]]:
    folder = app_folder(integration)
    manifest = integration.manifest
    payload = package_files(integration, platform_files("common.py", "splunk.py"))
    text = manifest.name
    extra = [
        SourceFile(f"{folder}.json", (json.dumps(app_json(integration), indent=4) + "\n").encode()),
        SourceFile(f"{folder}_connector.py", connector_module(integration).encode()),
        SourceFile("__init__.py", b""),
        SourceFile(f"logo_{folder}.svg", LOGO.format(bg="#ffffff", fg="#1a1a1a", text=_xml(text)).encode()),
        SourceFile(f"logo_{folder}_dark.svg", LOGO.format(bg="#1a1a1a", fg="#ffffff", text=_xml(text)).encode()),
        SourceFile("readme.html", _readme_html(manifest).encode()),
    ]
    return [(f.name, f.data) for f in payload + extra]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _readme_html(manifest: Manifest) -> str:
    rows = "".join(f"<li><b>{_xml(c.name)}</b>: {_xml(' '.join(c.description.split()))}</li>"
                   for c in manifest.commands.values() if c.supported)
    return (f"<h2>{_xml(manifest.name)}</h2>\n<p>{_xml(' '.join(manifest.description.split()))}</p>\n"
            f"<p>Built by soarpacks from {_xml(manifest.id)} {_xml(manifest.version)}.</p>\n<ul>{rows}</ul>\n")


def build_splunk(integration: Integration, out_dir: Path) -> Path:
    data = archive.tgz_bytes(splunk_files(integration), top=app_folder(integration))
    return archive.write_file(out_dir, splunk_name(integration), data)
