"""Incoming mirroring from the manifest's optional ``mirroring`` block (schemas/manifest.schema.json):
which vendor objects changed since a time, and one object as it is now, both through the integration's
own commands run by the runtime. Nothing here knows a vendor; a platform adapter decides when to call it.
"""
from __future__ import annotations

from typing import Any

from .. import errors
from ..timeutil import parse_time, rfc3339

UPDATE = "update"   # fetch-incidents marks a changed, already handed over incident with labels.change
# The shared incident shape's fields besides raw (schemas/incident.schema.json).
INCIDENT_FIELDS = ("id", "source", "name", "severity", "occurred", "updated", "status", "url", "indicators", "labels")


def spec(manifest: Any) -> dict[str, Any] | None:
    return manifest.data.get("mirroring")


def check(manifest: Any) -> None:
    """The block names supported commands and arguments they declare (a build fails early otherwise)."""
    block = spec(manifest)
    if block is None:
        return
    parts = [("get", ("id_arg",)), ("modified", ("since_arg",))]
    if "close" in block:
        parts.append(("close", ("id_arg", "reason_arg", "note_arg")))
    for part, arg_keys in parts:
        name = block[part]["command"]
        command = manifest.commands.get(name)
        if command is None or not command.supported:
            raise errors.ConfigError(f"{manifest.id}: mirroring.{part} names {name!r}, not a supported command")
        declared = {a["name"] for a in command.args}
        wanted = [block[part][key] for key in arg_keys if key in block[part]]
        for arg in [*wanted, *block[part].get("args", {})]:
            if arg not in declared:
                raise errors.ConfigError(f"{manifest.id}: mirroring.{part}: {name} has no argument {arg!r}")


def closes(manifest: Any) -> bool:
    """Outgoing mirroring: the manifest says how to close an object at the vendor."""
    return "close" in (spec(manifest) or {})


def is_update(incident: dict[str, Any]) -> bool:
    return (incident.get("labels") or {}).get("change") == UPDATE


def _field(item: Any, path: str) -> Any:
    for step in path.split("."):
        item = item.get(step) if isinstance(item, dict) else None
    return item


def modified_ids(instance: Any, manifest: Any, since: str) -> list[str]:
    """Ids of the objects changed since ``since`` (any time ``parse_time`` reads), each once, in the
    order the command lists them."""
    block = spec(manifest)["modified"]
    args = {**block.get("args", {}), block["since_arg"]: rfc3339(parse_time(since))}
    outputs = instance.run(block["command"], args).outputs
    ids: dict[str, None] = {}
    for item in outputs if isinstance(outputs, list) else [outputs]:
        value = _field(item, block["id_field"])
        if value not in (None, ""):
            ids[str(value)] = None
    return list(ids)


def current(instance: Any, manifest: Any, remote_id: str) -> Any:
    """The get command's result (a CommandResult) for one object, as the vendor has it now."""
    block = spec(manifest)["get"]
    return instance.run(block["command"], {**block.get("args", {}), block["id_arg"]: remote_id})


def mirrored(manifest: Any, remote_id: str, result: Any) -> dict[str, Any]:
    """The object as the incident's rawJSON holds it: ``id`` and the vendor object under ``raw`` (the
    part ``raw_path`` names of the command's raw result), plus the shared incident fields (``status``,
    ``updated``, ...) when the command's outputs carry them (``incident_outputs``), so one incoming
    mapper maps fetched and mirrored incidents alike."""
    block = spec(manifest)["get"]
    raw = result.raw if result.raw is not None else result.outputs
    if block.get("raw_path"):
        raw = _field(raw, block["raw_path"])
    found: dict[str, Any] = {}
    if block.get("incident_outputs") and isinstance(result.outputs, dict):
        found = {k: result.outputs[k] for k in INCIDENT_FIELDS if k in result.outputs}
    return {**found, "id": remote_id, "raw": raw}


def close(instance: Any, manifest: Any, remote_id: str, *, reason: str, notes: str = "") -> Any:
    """Close one object at the vendor: the platform's close ``reason`` mapped to the vendor's (unmapped
    ones to the default), ``notes`` as the note when the command takes one. The command's CommandResult."""
    block = spec(manifest)["close"]
    vendor_reason = block["reasons"].get(reason, block["default_reason"])
    # A list for an argument that takes several reasons (Cisco's closing_reasons), else the one value.
    declared = {a["name"]: a for a in manifest.commands[block["command"]].args}
    many = declared.get(block["reason_arg"], {}).get("type") == "array"
    args = {**block.get("args", {}), block["id_arg"]: remote_id,
            block["reason_arg"]: [vendor_reason] if many else vendor_reason}
    if notes and block.get("note_arg"):
        args[block["note_arg"]] = notes
    return instance.run(block["command"], args)
