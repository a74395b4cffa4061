"""What a real XSOAR pack ships besides its integration: an incident type, the incident fields an analyst reads,
a classifier and an incoming mapper that fill them from the fetched incident, and a layout that shows them.

Everything comes from the shared incident shape (``schemas/incident.schema.json``), which every integration's
fetch hands over as the incident's ``rawJSON``: no vendor knowledge here, so a new integration gets the same
content. The incident type is named like the integration (``get-mapping-fields`` answers under that name, so
the mapper editor offers the rawJSON fields for it); each field's name starts with the pack's name, as
demisto-sdk requires (IF113), and its CLI name is that name in lower-case letters and digits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from soarpacks.integrations.common.manifest import Manifest

FROM_VERSION = "6.10.0"


@dataclass(frozen=True)
class Field:
    label: str        # after the pack name: "Cisco Global Threat Alerts" + " " + label
    kind: str         # XSOAR incident field type
    path: str         # where the mapper reads it in the incident JSON (XSOAR's DT path syntax)
    description: str


# The incident JSON's fields an analyst needs next to XSOAR's own (name, severity, occurred).
FIELDS = (
    Field("ID", "shortText", "id", "The vendor's id of the alert or incident (also the incident's dbotMirrorId)."),
    Field("Status", "shortText", "status", "The status at the vendor when the incident was fetched or mirrored."),
    Field("Link", "url", "url", "The alert or incident in the vendor's console."),
    Field("Indicators", "tagsSelect", "indicators.value", "IPs, domains, URLs, hashes, users and hosts named by it."),
    Field("Updated", "date", "updated", "When the vendor last changed it."),
)


def incident_type_name(manifest: Manifest) -> str:
    return manifest.name


def cli_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def field_name(manifest: Manifest, field: Field) -> str:
    return f"{manifest.name} {field.label}"


def mapper_id(pack: str) -> str:
    return f"{pack}-mapper"


def layout_id(manifest: Manifest) -> str:
    return f"{manifest.name} Layout"


def incident_type(manifest: Manifest) -> dict[str, Any]:
    name = incident_type_name(manifest)
    return {"id": name, "name": name, "version": -1, "fromVersion": FROM_VERSION, "color": "#5C6BC0",
            "layout": layout_id(manifest), "playbookId": "", "autorun": False, "closureScript": "",
            "preProcessingScript": "", "default": False, "disabled": False, "locked": False, "readonly": False,
            "system": False, "reputationCalc": 0, "sortValues": None,
            "hours": 0, "days": 0, "weeks": 0, "hoursR": 0, "daysR": 0, "weeksR": 0}


def incident_field(manifest: Manifest, field: Field) -> dict[str, Any]:
    name = field_name(manifest, field)
    cli = cli_name(name)
    return {"id": f"incident_{cli}", "version": -1, "fromVersion": FROM_VERSION, "name": name, "cliName": cli,
            "type": field.kind, "description": field.description, "associatedTypes": [incident_type_name(manifest)],
            "associatedToAll": False, "systemAssociatedTypes": None, "content": True, "system": False,
            "group": 0, "hidden": False, "locked": False, "isReadOnly": False, "editForm": True, "closeForm": False,
            "required": False, "neverSetAsRequired": False, "ownerOnly": False, "unmapped": False,
            "unsearchable": False, "useAsKpi": False, "caseInsensitive": True, "openEnded": field.kind == "tagsSelect",
            "selectValues": None, "script": "", "fieldCalcScript": "", "breachScript": "", "placeholder": "",
            "validationRegex": "", "columns": None, "defaultRows": None, "sla": 0, "threshold": 72}


def incident_fields(manifest: Manifest) -> list[dict[str, Any]]:
    return [incident_field(manifest, f) for f in FIELDS]


def classifier(manifest: Manifest, pack: str) -> dict[str, Any]:
    """Every incident an integration fetches is of its one type."""
    return {"id": pack, "name": f"{manifest.name} - Classification", "type": "classification",
            "description": f"Classifies {manifest.name} incidents.", "version": -1, "fromVersion": FROM_VERSION,
            "defaultIncidentType": incident_type_name(manifest), "keyTypeMap": {}, "transformer": {}}


def incoming_mapper(manifest: Manifest, pack: str) -> dict[str, Any]:
    mapping = {field_name(manifest, f): {"simple": f.path, "complex": None} for f in FIELDS}
    return {"id": mapper_id(pack), "name": f"{manifest.name} - Incoming Mapper", "type": "mapping-incoming",
            "description": f"Maps {manifest.name} incidents (their rawJSON) to the pack's incident fields.",
            "version": -1, "fromVersion": FROM_VERSION, "defaultIncidentType": incident_type_name(manifest),
            "mapping": {incident_type_name(manifest): {"dontMapEventToLabels": False, "internalMapping": mapping}}}


def _item(field_id: str, index: int, *, width: int = 2) -> dict[str, Any]:
    return {"id": f"{field_id}-item", "fieldId": field_id, "index": index, "sectionItemType": "field",
            "startCol": 0, "endCol": width, "height": 22}


def layout(manifest: Manifest) -> dict[str, Any]:
    """A tab of the vendor's own: XSOAR's name, severity and occurred, then the pack's fields."""
    shown = ["name", "severity", "occurred"] + [cli_name(field_name(manifest, f)) for f in FIELDS]
    section = {"i": "soarpacks-vendor-section", "name": manifest.name, "displayType": "ROW", "isVisible": True,
               "h": 2 + len(shown) // 2, "w": 2, "x": 0, "y": 0, "minH": 1, "maxW": 3, "moved": False,
               "static": False, "hideName": False, "items": [_item(f, i) for i, f in enumerate(shown)]}
    return {"id": layout_id(manifest), "name": layout_id(manifest), "group": "incident", "version": -1,
            "fromVersion": FROM_VERSION, "description": f"{manifest.name} incidents: the vendor's fields.",
            "detailsV2": {"tabs": [{"id": "summary", "name": "Legacy Summary", "type": "summary"},
                                   {"id": "soarpacks-vendor", "name": manifest.vendor, "type": "custom",
                                    "hidden": False, "sections": [section]}]}}
