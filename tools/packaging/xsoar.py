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
from typing import Any, Iterable

import yaml

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import Command, Manifest
from soarpacks.tools.packaging import view
from soarpacks.tools.playbooks.cli import PLAYBOOKS_DIR
from soarpacks.integrations.common.registry import Integration

from . import archive
from . import xsoar_content as content
from .embed import BOOTSTRAP, embedded_files
from .outputs import ARRAY, command_fields
from soarpacks.integrations.common.platform import mirroring
from soarpacks.integrations.common.platform.splunk_names import vendor_words
from soarpacks.integrations.common.platform.common import FETCH, TEST, fetch_args_spec, fetch_setting_name
from soarpacks.integrations.common.platform.xsoar import (GET_MAPPING, GET_MODIFIED, GET_REMOTE, MIRROR_BOTH,
                                                          MIRROR_INCOMING, MIRROR_NONE, MIRROR_OUTGOING,
                                                          MIRROR_SETTING, UPDATE_REMOTE)
from .sources import SourceFile, digest, package_files
from .xsoar_docker import DEFAULT_DOCKER_IMAGE, docker_note
from soarpacks.integrations.common.resources import ROOT_PACKAGE

SERVER_MIN_VERSION = "6.10.0"
AUTHOR = "soarpacks"

# XSOAR parameter type codes.
SHORT_TEXT, ENCRYPTED, BOOLEAN, CREDENTIALS, LONG_TEXT, INCIDENT_TYPE, SINGLE_SELECT, MULTI_SELECT, \
    FETCH_INTERVAL = 0, 4, 8, 9, 12, 13, 15, 16, 19
# demisto-sdk's INTEGRATION_CATEGORIES (a test keeps this in step with the installed demisto-sdk): the neutral list.
CATEGORIES = view.CATEGORIES
OUTPUT_TYPES = {"string": "String", "number": "Number", "boolean": "Boolean", "date": "Date"}


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


# The labels XSOAR's own packs give the settings every integration has (demisto-sdk's format writes the first
# two and its validate IN100 requires them); they win over the manifest's, so every pack reads alike.
STANDARD_DISPLAY = {
    "insecure": "Trust any certificate (not secure)",
    "proxy": "Use system proxy settings",
    "first_fetch": "First fetch time",
    "max_fetch": "Maximum number of incidents per fetch",
}
ADVANCED = frozenset({"insecure", "proxy"})   # under "Advanced settings" in the instance dialog, as in XSOAR's packs


def _display(spec: dict[str, Any]) -> str:
    return STANDARD_DISPLAY.get(spec["name"]) or spec.get("display") or spec["name"].replace("_", " ").capitalize()


def configuration_entry(spec: dict[str, Any], *, name: str | None = None) -> dict[str, Any]:
    """One manifest param (or fetch argument) as an XSOAR instance setting."""
    entry: dict[str, Any] = {"display": _display(spec), "name": name or spec["name"]}
    kind = spec["type"]
    if spec.get("secret"):
        # Credentials (type 9) so the value can come from XSOAR's credential vault; no username.
        entry.update(type=CREDENTIALS, hiddenusername=True, displaypassword=_display(spec))
        entry["display"] = ""
    elif kind == "boolean":
        entry["type"] = BOOLEAN
    elif "enum" in spec:
        entry.update(type=MULTI_SELECT if kind == "array" else SINGLE_SELECT, options=[str(v) for v in spec["enum"]])
    elif kind == "json":
        entry["type"] = LONG_TEXT
    else:
        entry["type"] = SHORT_TEXT
    # XSOAR cannot leave a required checkbox unticked; booleans are never "required".
    entry["required"] = bool(spec.get("required")) and kind != "boolean"
    if "default" in spec and spec["default"] is not None:
        entry["defaultvalue"] = view.default_text(spec["default"])
    if spec.get("description"):
        entry["additionalinfo"] = " ".join(spec["description"].split())
    if spec["name"] in ADVANCED:
        entry["advanced"] = True
    return entry


def configuration(manifest: Manifest) -> list[dict[str, Any]]:
    entries = [configuration_entry(p) for p in manifest.params]
    if _fetches(manifest):
        entries += [
            {"display": "Fetch incidents", "name": "isFetch", "type": BOOLEAN, "required": False},
            {"display": "Incident type", "name": "incidentType", "type": INCIDENT_TYPE, "required": False},
            {"display": "Incidents Fetch Interval", "name": "incidentFetchInterval", "type": FETCH_INTERVAL,
             "defaultvalue": "1", "required": False},
        ]
        for spec in fetch_args_spec(manifest):
            entry = configuration_entry(spec, name=fetch_setting_name(manifest, spec["name"]))
            entry["required"] = False  # only needed when fetching; the runner validates them then
            entry.setdefault("additionalinfo", f"fetch-incidents: {spec['name']}")
            entries.append(entry)
    if _mirrors(manifest):
        outgoing = mirroring.closes(manifest)
        options = [MIRROR_NONE, MIRROR_INCOMING] + ([MIRROR_OUTGOING, MIRROR_BOTH] if outgoing else [])
        info = ("Incoming: changes the vendor makes to a fetched incident update it (XSOAR mirroring). "
                + ("Outgoing: closing the incident in XSOAR closes it at the vendor, with the close reason "
                   "mapped to the vendor's. " if outgoing else "")
                + "With None, the vendor's changes do not reach XSOAR: fetch only ever creates new incidents, "
                  "never a duplicate.")
        entries.append({"display": "Incident Mirroring Direction", "name": MIRROR_SETTING, "type": SINGLE_SELECT,
                        "options": options, "defaultvalue": MIRROR_NONE, "required": False,
                        "additionalinfo": info})
    names = [e["name"] for e in entries]
    if len(names) != len(set(names)):
        raise errors.ConfigError(f"{manifest.id}: two XSOAR settings would share a name: {sorted(names)}")
    return entries


def _fetches(manifest: Manifest) -> bool:
    return FETCH in manifest.commands and manifest.commands[FETCH].supported


def _mirrors(manifest: Manifest) -> bool:
    """Incoming mirroring, when the manifest asks for it (checked: it needs fetch and real commands)."""
    if mirroring.spec(manifest) is None:
        return False
    if not _fetches(manifest):
        raise errors.ConfigError(f"{manifest.id}: mirroring needs a supported fetch-incidents")
    mirroring.check(manifest)
    return True


def mirroring_commands(manifest: Manifest) -> list[dict[str, Any]]:
    """XSOAR's incoming-mirroring commands; the server runs them, not users (hence not in the README)."""
    def arg(name: str, description: str) -> dict[str, Any]:
        return {"name": name, "description": description, "required": True}
    return [
        {"name": GET_REMOTE, "description": f"Gets the {manifest.vendor} object of a mirrored incident as it is now. "
                                           "Used by incoming mirroring.",
         "arguments": [arg("id", "The remote incident id (dbotMirrorId)."),
                       arg("lastUpdate", "Time of the incident's last update in XSOAR.")]},
        {"name": GET_MODIFIED, "description": f"Lists the ids of {manifest.vendor} objects changed since a time. "
                                             "Used by incoming mirroring.",
         "arguments": [arg("lastUpdate", "Changes after this time are listed.")]},
        {"name": GET_MAPPING, "description": "Lists the fields of the incidents' rawJSON for the incoming mapper.",
         "arguments": []},
    ] + ([{"name": UPDATE_REMOTE, "description": f"Closes the {manifest.vendor} object of an incident closed in "
                                                "XSOAR. Used by outgoing mirroring.",
           "arguments": [arg("remoteId", "The remote incident id (dbotMirrorId)."),
                         {**arg("data", "The incident's data."), "required": False},
                         {**arg("delta", "The incident fields changed since the last update."), "required": False},
                         {**arg("status", "The incident's status (2: closed)."), "required": False},
                         {**arg("incidentChanged", "Whether the incident changed."), "required": False}]}]
         if mirroring.closes(manifest) else [])


def argument(spec: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spec["name"],
                             "description": " ".join((spec.get("description") or _display(spec)).split()),
                             "required": bool(spec.get("required"))}
    if "enum" in spec:
        entry.update(auto="PREDEFINED", predefined=[str(v) for v in spec["enum"]])
    elif spec["type"] == "boolean":
        entry.update(auto="PREDEFINED", predefined=["true", "false"])
    if spec["type"] == "array":
        entry["isArray"] = True
    if "default" in spec and spec["default"] is not None:
        entry["defaultValue"] = view.default_text(spec["default"])
    return entry


def command_outputs(manifest: Manifest, command: Command) -> list[dict[str, Any]]:
    prefix = (command.outputs or {}).get("prefix")
    if not prefix:
        return []
    outputs: dict[str, dict[str, Any]] = {}
    for field in command_fields(manifest, command):
        path = ".".join(p for p in field.path if p != ARRAY)
        is_list = field.path[-1] == ARRAY
        kind = "Unknown" if is_list and field.type not in OUTPUT_TYPES else OUTPUT_TYPES.get(field.type, "Unknown")
        outputs.setdefault(path, {"contextPath": f"{prefix}.{path}",
                                  "description": field.description or path.replace(".", " ").replace("_", " "),
                                  "type": kind})
    return list(outputs.values())


# Commands XSOAR itself defines for every integration: the same name in each pack is what XSOAR expects.
PLATFORM_COMMANDS = frozenset({TEST, FETCH, GET_REMOTE, GET_MODIFIED, GET_MAPPING, UPDATE_REMOTE})


def command_name(manifest: Manifest, command: Command) -> str:
    """The command's XSOAR name: its manifest ``platform_name``, which must start with the vendor.

    XSOAR's command names are global across every installed integration: two packs that both declare
    ``get-event`` make ``!get-event`` ambiguous (and a playbook task picks one by chance of brand)."""
    name = command.exported_name
    words = name.split("-")
    if len(words) < 2 or words[0] not in vendor_words(manifest):
        raise errors.ConfigError(
            f"{manifest.id}: the XSOAR command {name!r} is not vendor-prefixed (XSOAR command names are global); "
            f"give it a platform_name such as '{manifest.id.split('_')[0]}-{name}' in the manifest")
    return name


def check_command_names(integrations: Iterable[Integration]) -> None:
    """No two packs may declare the same XSOAR command: a SOC installs them side by side."""
    owners: dict[str, str] = {}
    for integration in integrations:
        manifest = integration.manifest
        for command in manifest.commands.values():
            if not command.supported or command.name in PLATFORM_COMMANDS:
                continue
            name = command_name(manifest, command)
            if owners.setdefault(name, manifest.id) != manifest.id:
                raise errors.ConfigError(f"the XSOAR command {name!r} is declared by both {owners[name]} and "
                                         f"{manifest.id}; give one of them another platform_name")


def command_entry(manifest: Manifest, command: Command) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": command_name(manifest, command), "description": " ".join(command.description.split()),
                             "arguments": [argument(a) for a in command.args]}
    outputs = command_outputs(manifest, command)
    if outputs:
        entry["outputs"] = outputs
    if command.effect == "write":
        # XSOAR's "potentially harmful" marker for a command that changes something at the vendor (demisto-sdk's
        # YAML generator turns a docstring's "potentially harmful." into exactly this flag); read commands omit it.
        entry["execution"] = True
    return entry


# What demisto-sdk's unify and prepare-content delete from a Python script wherever it stands
# (IntegrationScriptUnifier.clean_python_code): XSOAR prepends these to every script itself.
SDK_STRIPPED = re.compile(r"import demistomock as demisto|from CommonServerPython import \*"
                          r"|from CommonServerUserPython import \*|from __future__ import print_function")

RUNTIME_PREFIX = "soarpacks_rt_"


def runtime_namespace(manifest: Manifest, files: list[SourceFile]) -> str:
    """The top-level package a pack's embedded copy of the runtime lives under, e.g.
    ``soarpacks_rt_cisco_gta_1_0_0_3f2a…``: unique to the integration, its version and its exact files.

    Why: XSOAR runs every integration that shares a docker image in one long-lived Python process that keeps
    ``sys.modules`` between runs. Under one shared name (``soarpacks``) the first pack to run would own the
    modules and every later pack, or a later version of the same pack, would silently run its code. The
    digest makes even a rebuilt pack with an unchanged version number a namespace of its own."""
    version = re.sub(r"[^0-9A-Za-z]+", "_", manifest.version).strip("_")
    return f"{RUNTIME_PREFIX}{manifest.id}_{version}_{digest(files)[:16]}"


def rooted(files: list[SourceFile], root: str) -> list[SourceFile]:
    """``files`` laid out as in the wheel (``soarpacks/...``), moved under the top-level package ``root``.
    The runtime imports itself relatively and finds its data through its own package name, so it runs
    unchanged under any root."""
    prefix = f"{ROOT_PACKAGE}/"
    moved = []
    for source in files:
        if not source.name.startswith(prefix):
            raise errors.ConfigError(f"{source.name} is not under {ROOT_PACKAGE}/: it cannot be embedded")
        moved.append(SourceFile(f"{root}/{source.name[len(prefix):]}", source.data))
    return moved


def script_text(integration: Integration, *, files: list[SourceFile] | None = None) -> str:
    """The unified script. ``files``: what to embed (default: the integration's package files)."""
    manifest = integration.manifest
    files = package_files(integration) if files is None else files
    namespace = runtime_namespace(manifest, files)
    block, value = embedded_files(rooted(files, namespace))
    text = "\n".join([
        f"# {manifest.name} {manifest.version}: generated by `soarpacks package --target xsoar` from the",
        "# soarpacks sources below (the runtime, this integration and its adapter). Edit the sources, not this.",
        "import importlib",
        "import sys",
        "",
        "# XSOAR's python loop gives each run its `demisto` object as a global; elsewhere demistomock stands in.",
        "# Not an import statement of demistomock: demisto-sdk's unify deletes those lines wherever they stand.",
        "if 'demisto' not in globals():",
        "    demisto = importlib.import_module('demistomock')",
        "",
        f"SOARPACKS_PACKAGE = {manifest.id!r}",
        "# This pack's own copy of the runtime: XSOAR's python loop shares sys.modules between integrations.",
        f"SOARPACKS_RUNTIME = {namespace!r}",
        f"SOARPACKS_DIGEST = {value!r}",
        block,
        BOOTSTRAP,
        "_soarpacks_folder = _soarpacks_materialise(SOARPACKS_FILES, SOARPACKS_PACKAGE, SOARPACKS_DIGEST)",
        "if _soarpacks_folder not in sys.path:",
        "    sys.path.insert(0, _soarpacks_folder)",
        "",
        "if __name__ in ('__main__', '__builtin__', 'builtins'):",
        "    importlib.import_module(SOARPACKS_RUNTIME + '.integrations.common.platform.xsoar').main(",
        "        demisto, SOARPACKS_PACKAGE)",
        "",
    ])
    stripped = SDK_STRIPPED.search(text)
    if stripped:
        # demisto-sdk would delete it on unify/prepare-content: an embedded file would no longer match its
        # digest (or a block would be left empty), so the pack would break only once it went through the SDK.
        raise errors.ConfigError(f"{manifest.id}: the XSOAR script would contain {stripped.group(0)!r}, a line "
                                 "demisto-sdk deletes when it unifies content; reword it")
    return text


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
