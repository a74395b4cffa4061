"""Incoming mirroring from the manifest's optional ``mirroring`` block (schemas/manifest.schema.json):
which vendor objects changed since a time, and one object as it is now, both through the integration's
own commands run by the runtime. Nothing here knows a vendor; a platform adapter decides when to call it.
"""
from __future__ import annotations

from typing import Any

from .. import errors
from ..timeutil import parse_time, rfc3339

UPDATE = "update"   # fetch-incidents marks a changed, already handed over incident with labels.change


def spec(manifest: Any) -> dict[str, Any] | None:
    return manifest.data.get("mirroring")


def check(manifest: Any) -> None:
    """The block names supported commands and arguments they declare (a build fails early otherwise)."""
    block = spec(manifest)
    if block is None:
        return
    for part, arg_key in (("get", "id_arg"), ("modified", "since_arg")):
        name = block[part]["command"]
        command = manifest.commands.get(name)
        if command is None or not command.supported:
            raise errors.ConfigError(f"{manifest.id}: mirroring.{part} names {name!r}, not a supported command")
        declared = {a["name"] for a in command.args}
        for arg in [block[part][arg_key], *block[part].get("args", {})]:
            if arg not in declared:
                raise errors.ConfigError(f"{manifest.id}: mirroring.{part}: {name} has no argument {arg!r}")


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
