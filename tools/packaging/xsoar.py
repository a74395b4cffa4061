"""xsoar: a Cortex XSOAR content pack zip per integration (``<id>-<version>-xsoar.zip``).

One pack per integration, as XSOAR's marketplace does for vendor products: a SOC installs only the
vendors it has, and each pack versions on its own. The zip has the layout of ``demisto-sdk upload``'s
pack zips (the pack's content at the top): ``pack_metadata.json``, ``metadata.json``, ``README.md``,
``ReleaseNotes/<version>.md``, ``Integrations/integration-<PackName>.yml`` (unified: the runtime and the
handlers embedded in ``script.script``) and ``Playbooks/`` when there are exported playbooks.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import Manifest
from soarpacks.tools.packaging import view
from soarpacks.tools.playbooks.cli import PLAYBOOKS_DIR
from soarpacks.integrations.common.registry import Integration

from . import archive
from . import xsoar_content as content
from soarpacks.integrations.common.platform import mirroring
from soarpacks.integrations.common.platform.common import FETCH, TEST
# The parts of the pack live in sibling modules (settings, commands, the unified script); their public names
# stay importable from here, where the packaging CLI and the tests have always found them.
from .xsoar_commands import (OUTPUT_TYPES, PLATFORM_COMMANDS, argument, check_command_names,  # noqa: F401
                             command_entry, command_name, command_outputs, mirroring_commands)
from .xsoar_docker import DEFAULT_DOCKER_IMAGE, docker_note
from .xsoar_script import RUNTIME_PREFIX, SDK_STRIPPED, rooted, runtime_namespace, script_text  # noqa: F401
from .xsoar_settings import (ADVANCED, BOOLEAN, CREDENTIALS, ENCRYPTED, FETCH_INTERVAL,  # noqa: F401
                             INCIDENT_TYPE, LONG_TEXT, MULTI_SELECT, SHORT_TEXT, SINGLE_SELECT, STANDARD_DISPLAY,
                             _fetches, _mirrors, configuration, configuration_entry)

SERVER_MIN_VERSION = "6.10.0"
AUTHOR = "soarpacks"
# demisto-sdk's INTEGRATION_CATEGORIES (a test keeps this in step with the installed demisto-sdk): the neutral list.
CATEGORIES = view.CATEGORIES


def pack_name(manifest: Manifest) -> str:
    """``Cisco Global Threat Alerts`` → ``CiscoGlobalThreatAlerts``."""
    words = re.findall(r"[A-Za-z0-9]+", manifest.name)
    name = "".join(w[:1].upper() + w[1:] for w in words)
    if not name or not name[0].isalpha():
        raise errors.ConfigError(f"{manifest.id}: cannot make an XSOAR pack name from {manifest.name!r}")
    return name


def xsoar_name(integration: Integration) -> str:
    # The file is named like the other targets' (id, version, target); the pack inside keeps its PackName.
    return f"{integration.id}-{integration.manifest.version}-xsoar.zip"


def category(manifest: Manifest) -> str:
    return view.category(manifest)


def integration_yaml(integration: Integration, *, docker_image: str = DEFAULT_DOCKER_IMAGE) -> dict[str, Any]:
    manifest = integration.manifest
    commands = [command_entry(manifest, c) for c in manifest.commands.values()
                if c.supported and c.name not in (TEST, FETCH)]
    mirrors = _mirrors(manifest)
    if mirrors:
        commands += mirroring_commands(manifest)
    flags = {"ismappable": True, "isremotesyncin": True,
             "isremotesyncout": mirroring.closes(manifest)} if mirrors else {}
    return {
        "commonfields": {"id": manifest.name, "version": -1},
        "name": manifest.name,
        "display": manifest.name,
        "category": category(manifest),
        "description": " ".join(manifest.description.split()),
        "configuration": configuration(manifest),
        "script": {
            "script": script_text(integration),
            "type": "python",
            "subtype": "python3",
            "dockerimage": docker_image,
            "isfetch": _fetches(manifest),
            **flags,
            "runonce": False,
            "commands": commands,
        },
        **({"defaultclassifier": pack_name(manifest), "defaultmapperin": content.mapper_id(pack_name(manifest))}
           if _fetches(manifest) else {}),
        "fromversion": SERVER_MIN_VERSION,
        "tests": ["No tests (auto formatted)"],
    }


def incident_content(manifest: Manifest) -> list[tuple[str, dict[str, Any], str]]:
    """(path in the pack, item, metadata.json kind) of what fetched incidents need: type, fields, classifier,
    incoming mapper and layout. Only integrations that fetch have incidents to describe."""
    if not _fetches(manifest):
        return []
    name = pack_name(manifest)
    items = [(f"IncidentTypes/incidenttype-{name}.json", content.incident_type(manifest), "incidenttype")]
    for field in content.incident_fields(manifest):
        slug = re.sub(r"[^A-Za-z0-9]+", "_", field["name"]).strip("_")
        items.append((f"IncidentFields/incidentfield-{slug}.json", field, "incidentfield"))
    items += [(f"Classifiers/classifier-{name}.json", content.classifier(manifest, name), "classifier"),
              (f"Classifiers/classifier-mapper-incoming-{name}.json", content.incoming_mapper(manifest, name), "mapper"),
              (f"Layouts/layoutscontainer-{name}.json", content.layout(manifest), "layoutscontainer")]
    return items


def pack_metadata(integration: Integration, *, dependencies: dict[str, Any] | None = None) -> dict[str, Any]:
    manifest = integration.manifest
    keywords = [manifest.vendor] + ([manifest.data["product"]] if manifest.data.get("product") else [])
    metadata = {
        "name": manifest.name,
        "description": " ".join(manifest.description.split()),
        "support": "community",
        "currentVersion": manifest.version,
        "author": AUTHOR,
        "categories": [category(manifest)],
        "tags": [],
        "useCases": [],
        "keywords": keywords,
        "marketplaces": ["xsoar", "marketplacev2"],
        "serverMinVersion": SERVER_MIN_VERSION,
        "dependencies": dependencies or {},
    }
    if manifest.data.get("docs_url"):
        metadata["url"] = manifest.data["docs_url"]
    return metadata


def release_notes(manifest: Manifest) -> str:
    return (f"\n#### Integrations\n\n##### {manifest.name}\n\n"
            f"- Packaged by soarpacks from {manifest.id} {manifest.version}.\n")


def readme(integration: Integration) -> str:
    own = integration.manifest.folder / "README.md"
    if own.is_file():
        return own.read_text(encoding="utf-8")
    m = integration.manifest
    return f"# {m.name}\n\n{' '.join(m.description.split())}\n"


Exported = list[tuple[dict[str, Any], list[str]]]


def exported_playbooks(folder: Path = PLAYBOOKS_DIR) -> Exported:
    """Every playbook, exported by ``tools.playbooks.xsoar_export`` when that module exists, each with the
    integrations it uses in order (the first one's pack carries it; the others become pack dependencies)."""
    try:
        exporter = importlib.import_module("soarpacks.tools.playbooks.xsoar_export").export_xsoar_playbook
        from soarpacks.tools.playbooks.model import load_playbook
    except (ImportError, AttributeError):
        return []
    found = []
    for path in sorted(folder.glob("*.yaml")):
        used = load_playbook(path).integrations
        if used:
            found.append((exporter(path), used))
    return found


def xsoar_files(integration: Integration, *, docker_image: str = DEFAULT_DOCKER_IMAGE,
                others: dict[str, Integration] | None = None, playbooks: Exported | None = None) -> list[tuple[str, bytes]]:
    manifest = integration.manifest
    name = pack_name(manifest)
    files: list[tuple[str, bytes]] = []
    dependencies: dict[str, Any] = {}
    playbook_items = []
    if playbooks is None:
        playbooks = exported_playbooks()
    for playbook, used in playbooks:
        if used[0] != integration.id:
            continue
        needs = used[1:]
        playbook_id = str(playbook.get("id") or playbook.get("name"))
        slug = re.sub(r"[^A-Za-z0-9_]+", "_", playbook_id).strip("_") or "playbook"
        files.append((f"Playbooks/playbook-{slug}.yml", _yaml(playbook)))
        playbook_items.append({"id": playbook_id, "name": playbook.get("name", playbook_id),
                               "description": playbook.get("description", "")})
        for other in needs:
            if others and other in others:
                other_pack = pack_name(others[other].manifest)
                dependencies[other_pack] = {"mandatory": True, "display_name": others[other].manifest.name}
    unified = integration_yaml(integration, docker_image=docker_image)
    metadata = pack_metadata(integration, dependencies=dependencies)
    extra = incident_content(manifest)
    files += [(path, _json(item)) for path, item, _ in extra]
    files += [
        (f"Integrations/integration-{name}.yml", _yaml(unified)),
        ("pack_metadata.json", _json(metadata)),
        ("metadata.json", _json(_marketplace_metadata(metadata, unified, name, playbook_items, extra))),
        ("README.md", (readme(integration).rstrip("\n") + "\n" + docker_note(docker_image)).encode("utf-8")),
        (f"ReleaseNotes/{manifest.version.replace('.', '_')}.md", release_notes(manifest).encode("utf-8")),
    ]
    return files


def _marketplace_metadata(metadata: dict[str, Any], unified: dict[str, Any], name: str,
                          playbooks: list[dict[str, Any]],
                          extra: list[tuple[str, dict[str, Any], str]] = ()) -> dict[str, Any]:
    """What ``demisto-sdk upload`` adds as ``metadata.json``: the pack's identity and its content items."""
    integration_item = {
        "id": unified["commonfields"]["id"], "name": unified["display"], "description": unified["description"],
        "category": unified["category"], "isfetch": unified["script"]["isfetch"],
        "commands": [{"name": c["name"], "description": c["description"]} for c in unified["script"]["commands"]],
    }
    items: dict[str, Any] = {"integration": [integration_item]}
    displays = {"integration": "Integration"}
    if playbooks:
        items["playbook"] = playbooks
        displays["playbook"] = "Playbook" if len(playbooks) == 1 else "Playbooks"
    labels = {"incidenttype": "Incident Type", "incidentfield": "Incident Field", "classifier": "Classifier",
              "mapper": "Mapper", "layoutscontainer": "Layout"}
    for _, item, kind in extra:
        items.setdefault(kind, []).append({"id": item["id"], "name": item["name"],
                                           "description": item.get("description", "")})
        count = len(items[kind])
        displays[kind] = labels[kind] + ("s" if count > 1 else "")
    return {**metadata, "id": name, "contentItems": items, "contentDisplays": displays,
            "supportDetails": {"url": metadata.get("url", "")}}


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the script, descriptions) as literal blocks, readable in a diff."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def _yaml(data: Any) -> bytes:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096).encode("utf-8")


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=4, sort_keys=False) + "\n").encode("utf-8")


def build_xsoar(integration: Integration, out_dir: Path, *, docker_image: str = DEFAULT_DOCKER_IMAGE,
                others: dict[str, Integration] | None = None, playbooks: Exported | None = None) -> Path:
    files = xsoar_files(integration, docker_image=docker_image, others=others, playbooks=playbooks)
    return archive.write_file(out_dir, xsoar_name(integration), archive.zip_bytes(files))
