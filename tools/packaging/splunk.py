"""splunk: a Splunk SOAR app per integration (``<id>-<version>-splunk.tgz``).

The tgz holds one folder ``soarpacks_<id>/`` with the app JSON (``soarpacks_<id>.json``), the connector
module (a ``BaseConnector`` subclass bound to the integration; the work is in ``soarpacks.integrations.common.platform``),
the runtime, the integration's folder, logos, a readme and the custom views (``splunk_views``). Splunk SOAR installs the tgz and puts that
folder on ``PYTHONPATH``, where the runtime finds its manifest and schemas by path.
"""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from soarpacks.integrations.common.manifest import Arg, Manifest
from soarpacks.integrations.common.platform.common import FETCH
from soarpacks.integrations.common.platform.splunk_names import OCSF_SETTING, OCSF_SETTING_SPEC
from soarpacks.integrations.common.registry import Integration

from . import archive, splunk_views, splunk_wheels, view
from .splunk_actions import DATA_TYPES, action, sentence
from .sources import SourceFile, package_files

PUBLISHER = "soarpacks"
LICENSE = "Copyright (c) soarpacks contributors; licensed under the Apache License, Version 2.0"
MIN_PHANTOM_VERSION = "6.3.0"   # Splunk's current minimum for new and updated apps
PYTHON_VERSIONS = ", ".join(splunk_wheels.PYTHONS)   # "3.9, 3.13": SOAR 6.x and 7.x, as published apps say
# Required top-level keys of an app JSON: Splunk's app tooling's list plus what the SOAR docs mark required.
REQUIRED_FIELDS = ("appid", "name", "description", "publisher", "package_name", "type", "main_module", "app_version",
                   "product_vendor", "product_name", "product_version_regex", "min_phantom_version", "logo",
                   "configuration", "actions", "python_version", "license")
# The neutral product category (``view.category``) as a Splunk SOAR app type.
APP_TYPES = {"Analytics & SIEM": "siem", "Network Security": "network security", "Endpoint": "endpoint",
             "Email": "email", "Data Enrichment & Threat Intelligence": "reputation",
             "Identity and Access Management": "identity management",
             "Authentication & Identity Management": "identity management",
             "Vulnerability Management": "vulnerability scanner", "Case Management": "ticketing",
             "IT Services": "ticketing", "Forensics & Malware Analysis": "sandbox"}
NAMESPACE = uuid.UUID("6f1f0b2e-5d1c-4a55-9a36-51a7d0c2b9e4")  # soarpacks' namespace for stable app ids
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">'
        '<rect width="200" height="60" rx="8" fill="{bg}"/><text x="100" y="38" font-family="sans-serif" '
        'font-size="20" text-anchor="middle" fill="{fg}">{text}</text></svg>\n')


def app_folder(integration: Integration) -> str:
    return f"soarpacks_{integration.id}"


def splunk_name(integration: Integration) -> str:
    return f"{integration.id}-{integration.manifest.version}-splunk.tgz"


def app_id(manifest: Manifest) -> str:
    """Stable across builds and versions, so a new version installs as an upgrade of the same app."""
    return str(uuid.uuid5(NAMESPACE, f"soarpacks/splunk/{manifest.id}"))


def _updated(manifest: Manifest) -> str:
    """When the integration last changed: SOURCE_DATE_EPOCH when the build sets one (release builds set it
    to the last commit's time, as reproducible builds do), else the integration's newest file."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or max(
        p.stat().st_mtime for p in manifest.folder.rglob("*") if p.is_file())
    return datetime.fromtimestamp(int(float(epoch)), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def config_entry(spec: Arg, order: int) -> dict[str, Any]:
    secret = getattr(spec, "secret", False)
    entry: dict[str, Any] = {
        "description": sentence(getattr(spec, "display", "") or spec.description or spec.name.replace("_", " ")),
        "data_type": "password" if secret else DATA_TYPES.get(spec.type, "string"),
        "required": view.form_required(spec),
        "order": order,
    }
    if spec.enum is not None and spec.type != "array":
        entry["value_list"] = view.options(spec)
    if view.default_of(spec) is not None and not secret:
        entry["default"] = view.typed_default(spec.default)
    return entry


def configuration(manifest: Manifest) -> dict[str, Any]:
    found = {name: config_entry(spec, order) for order, (name, spec, _) in enumerate(view.settings(manifest))}
    if manifest.commands.get(FETCH) is not None and manifest.commands[FETCH].supported:
        found[OCSF_SETTING] = config_entry(OCSF_SETTING_SPEC, len(found))
    return found


def app_json(integration: Integration, dependencies: dict[str, Any]) -> dict[str, Any]:
    """``dependencies``: the per-Python wheel lists (``splunk_wheels.bundle``)."""
    manifest = integration.manifest
    folder = app_folder(integration)
    views = splunk_views.custom_views(integration, folder)
    return {
        "appid": app_id(manifest),
        "name": manifest.name,
        "description": sentence(manifest.description),
        "type": APP_TYPES.get(view.category(manifest), "information"),
        "product_vendor": manifest.vendor,
        "logo": f"logo_{folder}.svg",
        "logo_dark": f"logo_{folder}_dark.svg",
        "product_name": manifest.data.get("product") or manifest.name,
        "product_version_regex": ".*",
        "publisher": PUBLISHER,
        "license": LICENSE,
        "app_version": manifest.version,
        "utctime_updated": _updated(manifest),
        "package_name": f"phantom_{folder}",
        "main_module": f"{folder}_connector.py",
        "min_phantom_version": MIN_PHANTOM_VERSION,
        "app_wizard_version": "1.0.0",
        "python_version": PYTHON_VERSIONS,
        "fips_compliant": False,
        "latest_tested_versions": [str(manifest.data.get("api_version") or manifest.data.get("product") or manifest.name)],
        "configuration": configuration(manifest),
        "actions": [splunk_views.with_view(action(manifest, c), views.get(c.name), folder)
                    for c in manifest.commands.values() if c.supported],
        **dependencies,
    }


def connector_module(integration: Integration) -> str:
    class_name = "".join(part.capitalize() for part in integration.id.split("_")) + "Connector"
    return (f'"""Splunk SOAR connector for {integration.manifest.name}: the soarpacks runtime bound to '
            f'{integration.id!r}."""\n'
            "import json\nimport sys\n\n"
            "from soarpacks.integrations.common.platform.splunk import SoarpacksConnector\n\n\n"
            f"class {class_name}(SoarpacksConnector):\n"
            f"    INTEGRATION_ID = {integration.id!r}\n\n\n"
            'if __name__ == "__main__":\n'
            "    # The platform's usual local entry: python <connector> <action JSON file>\n"
            "    with open(sys.argv[1]) as handle:\n"
            "        print(" + class_name + "()._handle_action(json.dumps(json.load(handle)), None))\n")


def splunk_files(integration: Integration) -> list[tuple[str, bytes]]:
    folder = app_folder(integration)
    manifest = integration.manifest
    payload = package_files(integration)
    text = manifest.name
    dependencies, wheels = splunk_wheels.bundle()
    extra = [
        SourceFile(f"{folder}.json", (json.dumps(app_json(integration, dependencies), indent=4) + "\n").encode()),
        SourceFile(f"{folder}_connector.py", connector_module(integration).encode()),
        SourceFile("__init__.py", b""),
        SourceFile(f"logo_{folder}.svg", LOGO.format(bg="#ffffff", fg="#1a1a1a", text=_xml(text)).encode()),
        SourceFile(f"logo_{folder}_dark.svg", LOGO.format(bg="#1a1a1a", fg="#ffffff", text=_xml(text)).encode()),
        SourceFile("readme.html", _readme_html(manifest).encode()),
        *splunk_views.view_files(splunk_views.custom_views(integration, folder), folder),
    ]
    return [(f.name, f.data) for f in payload + extra] + wheels


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
