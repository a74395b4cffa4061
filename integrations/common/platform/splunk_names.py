"""Names on Splunk SOAR that the app JSON (built by the packaging tool) and the connector (at run time) must
agree on: action names and identifiers, and ``contains`` types.

Action names are the command's platform name without the vendor (``cisco-gta-list-alerts`` → "list alerts"),
as Splunk's app review asks. ``contains`` types say what a value is, so that SOAR offers an action on any
value of that type (an artifact's CEF field, an output of another action): generic ones (ip, domain, url,
hash, ...) by the field's name, and vendor-specific ids ("cisco gta alert id") for ``<thing>_id`` arguments
and the outputs that hold such ids. Only vendor ids that some action accepts are named: a contains type no
action takes offers nothing.
"""
from __future__ import annotations

import re
from typing import Any

from ..manifest import Param
from ..ocsf import OCSF_VERSION
from .common import FETCH, POLL_ACTION, TEST, TEST_ACTION

# The asset setting (Splunk's own, next to the manifest's) that adds each new container an OCSF finding
# artifact; the app's configuration offers it wherever the app polls.
OCSF_SETTING = "ocsf_artifact"
OCSF_SETTING_SPEC = Param.from_raw({"name": OCSF_SETTING, "type": "boolean", "default": False,
                                    "display": f"Add each new incident as an OCSF {OCSF_VERSION} Detection Finding artifact"})

# Field name (lower case, ``_`` separated) → Splunk's generic contains types.
GENERIC = {
    "ip": ["ip"], "ip_address": ["ip"], "src_ip": ["ip"], "source_ip": ["ip"], "dest_ip": ["ip"],
    "destination_ip": ["ip"], "client_ip": ["ip"], "source_addr": ["ip"], "dest_addr": ["ip"], "src_ip_addr": ["ip"],
    "domain": ["domain"], "fqdn": ["domain"],
    "url": ["url"], "full_url": ["url"], "request_url": ["url"],
    "md5": ["hash", "md5"], "sha1": ["hash", "sha1"], "sha256": ["hash", "sha256"], "hash": ["hash"],
    "email": ["email"], "user_name": ["user name"], "username": ["user name"],
    "hostname": ["host name"], "host_name": ["host name"], "src_host": ["host name"],
    "mac": ["mac address"], "src_mac": ["mac address"],
}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def vendor_words(manifest: Any) -> set[str]:
    words = set(manifest.id.split("_")) | {manifest.id}
    vendor = str(manifest.vendor).lower()
    return words | set(vendor.split()) | {vendor.replace(" ", "")}


def action_name(manifest: Any, command: Any) -> str:
    """"list alerts" for ``cisco-gta-list-alerts``; the two generic actions keep Splunk's names."""
    if command.name == TEST:
        return "test connectivity"
    if command.name == FETCH:
        return "on poll"
    words = command.exported_name.split("-")
    vendor = vendor_words(manifest)
    while len(words) > 1 and words[0] in vendor:
        words = words[1:]
    return " ".join(words)


def action_identifier(manifest: Any, command: Any) -> str:
    if command.name == TEST:
        return TEST_ACTION
    if command.name == FETCH:
        return POLL_ACTION
    return action_name(manifest, command).replace(" ", "_")


def vendor_prefix(manifest: Any) -> str:
    """The vendor as the app's action names drop it (``cisco gta``), for vendor-specific contains types."""
    vendor = vendor_words(manifest)
    names = [c.exported_name.split("-") for c in manifest.commands.values()
             if c.supported and c.name not in (TEST, FETCH)]
    prefixed = [n for n in names if n and n[0] in vendor]
    if not prefixed:
        return manifest.id.replace("_", " ")
    words = prefixed[0]
    taken = []
    for word in words[:-1]:
        if word not in vendor:
            break
        taken.append(word)
    return " ".join(taken) or manifest.id.replace("_", " ")


def _id_contains(manifest: Any, name: str) -> list[str]:
    key = snake(name)
    for suffix in ("_ids", "_id"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return [f"{vendor_prefix(manifest)} {key[:-len(suffix)].replace('_', ' ')} id"]
    return []


def arg_contains(manifest: Any, name: str) -> list[str]:
    """What an action argument accepts."""
    return GENERIC.get(snake(name)) or _id_contains(manifest, name)


def accepted(manifest: Any) -> set[str]:
    """Every contains type some action of the app accepts."""
    return {kind for c in manifest.commands.values() if c.supported and c.name != FETCH
            for a in c.args for kind in arg_contains(manifest, a["name"])}


def field_contains(manifest: Any, entity: str, path: tuple[str, ...]) -> list[str]:
    """What an output field holds; ``entity`` is what one output item is ("alert"), naming its own ``id``."""
    leaf = next((p for p in reversed(path) if p != "*"), "")
    if path == ("id",) and entity:
        found = [f"{vendor_prefix(manifest)} {entity} id"]
    else:
        found = GENERIC.get(snake(leaf)) or _id_contains(manifest, leaf)
    return [kind for kind in found if kind in GENERIC.get(snake(leaf), []) or kind in accepted(manifest)]


SPLUNK_TYPES = {kind for kinds in GENERIC.values() for kind in kinds}


def offered(manifest: Any, kinds: list[str]) -> list[str]:
    """The contains types worth putting on an artifact field: Splunk's own, or one an action of the app takes."""
    return [kind for kind in kinds if kind in SPLUNK_TYPES or kind in accepted(manifest)]


def incident_id_contains(manifest: Any) -> list[str]:
    """The contains type of the argument that takes an incident's id: the mirroring block's, else the one
    of update-status (which acts on incidents by definition)."""
    mirroring = (getattr(manifest, "data", None) or {}).get("mirroring") or {}
    name = (mirroring.get("get") or {}).get("id_arg")
    update = manifest.commands.get("update-status")
    if not name and update is not None and update.supported:
        name = next((a["name"] for a in update.args if a.get("required") and snake(a["name"]).endswith("_id")), None)
    return arg_contains(manifest, name) if name else []
