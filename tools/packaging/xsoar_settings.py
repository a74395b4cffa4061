"""xsoar_settings: a manifest's params (and fetch/mirroring options) as XSOAR instance settings."""
from __future__ import annotations

from typing import Any

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import Arg, Manifest
from soarpacks.integrations.common.platform import mirroring
from soarpacks.integrations.common.platform.common import FETCH, fetch_args_spec, fetch_setting_name
from soarpacks.integrations.common.platform.xsoar import (MIRROR_BOTH, MIRROR_INCOMING, MIRROR_NONE,
                                                          MIRROR_OUTGOING, MIRROR_SETTING)
from soarpacks.tools.packaging import view

# XSOAR parameter type codes.
SHORT_TEXT, ENCRYPTED, BOOLEAN, CREDENTIALS, LONG_TEXT, INCIDENT_TYPE, SINGLE_SELECT, MULTI_SELECT, \
    FETCH_INTERVAL = 0, 4, 8, 9, 12, 13, 15, 16, 19


# The labels XSOAR's own packs give the settings every integration has (demisto-sdk's format writes the first
# two and its validate IN100 requires them); they win over the manifest's, so every pack reads alike.
STANDARD_DISPLAY = {
    "insecure": "Trust any certificate (not secure)",
    "proxy": "Use system proxy settings",
    "first_fetch": "First fetch time",
    "max_fetch": "Maximum number of incidents per fetch",
}
ADVANCED = frozenset({"insecure", "proxy"})   # under "Advanced settings" in the instance dialog, as in XSOAR's packs


def _display(spec: Arg) -> str:
    return STANDARD_DISPLAY.get(spec.name) or getattr(spec, "display", "") or spec.name.replace("_", " ").capitalize()


def configuration_entry(spec: Arg, *, name: str | None = None) -> dict[str, Any]:
    """One manifest param (or fetch argument) as an XSOAR instance setting."""
    entry: dict[str, Any] = {"display": _display(spec), "name": name or spec.name}
    kind = spec.type
    if getattr(spec, "secret", False):
        # Credentials (type 9) so the value can come from XSOAR's credential vault; no username.
        entry.update(type=CREDENTIALS, hiddenusername=True, displaypassword=_display(spec))
        entry["display"] = ""
    elif kind == "boolean":
        entry["type"] = BOOLEAN
    elif spec.enum is not None:
        entry.update(type=MULTI_SELECT if kind == "array" else SINGLE_SELECT, options=view.options(spec))
    elif kind == "json":
        entry["type"] = LONG_TEXT
    else:
        entry["type"] = SHORT_TEXT
    entry["required"] = view.form_required(spec)
    if view.default_of(spec) is not None:
        entry["defaultvalue"] = view.default_text(spec.default)
    if spec.description:
        entry["additionalinfo"] = " ".join(spec.description.split())
    if spec.name in ADVANCED:
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
            entry = configuration_entry(spec, name=fetch_setting_name(manifest, spec.name))
            entry["required"] = False  # only needed when fetching; the runner validates them then
            entry.setdefault("additionalinfo", f"fetch-incidents: {spec.name}")
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
    """Incoming mirroring, when the manifest asks for it (the manifest's load checked that it needs
    fetch and names real commands)."""
    return manifest.mirroring is not None
