"""xsoar_commands: a manifest's commands (arguments, outputs, vendor-prefixed names) as XSOAR commands."""
from __future__ import annotations

from typing import Any, Iterable

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import Arg, Command, Manifest
from soarpacks.integrations.common.platform import mirroring
from soarpacks.integrations.common.platform.common import FETCH, TEST
from soarpacks.integrations.common.platform.splunk_names import vendor_words
from soarpacks.integrations.common.platform.xsoar import GET_MAPPING, GET_MODIFIED, GET_REMOTE, UPDATE_REMOTE
from soarpacks.integrations.common.registry import Integration
from soarpacks.tools.packaging import view

from .outputs import ARRAY, command_fields
from .xsoar_settings import _display

OUTPUT_TYPES = {"string": "String", "number": "Number", "boolean": "Boolean", "date": "Date"}


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


def argument(spec: Arg) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spec.name,
                             "description": " ".join((spec.description or _display(spec)).split()),
                             "required": spec.required}
    if spec.enum is not None:
        entry.update(auto="PREDEFINED", predefined=view.options(spec))
    elif spec.type == "boolean":
        entry.update(auto="PREDEFINED", predefined=["true", "false"])
    if spec.type == "array":
        entry["isArray"] = True
    if view.default_of(spec) is not None:
        entry["defaultValue"] = view.default_text(spec.default)
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

