"""A platform-neutral view of a manifest, which each exporter (XSOAR, Splunk SOAR) renders its own way:
instance settings (params, then fetch-incidents' arguments under their setting names), default values as
text or as typed values, and the product category.

Categories: a manifest's ``category`` is free text; ``category`` here folds it onto one list of neutral
names (Cortex XSOAR's integration categories, the richer of the two platforms' lists), case-insensitively
and through ``SYNONYMS`` for names neither platform uses; each exporter maps a neutral name to its own
(XSOAR: the name itself; Splunk SOAR: an app type).
"""
from __future__ import annotations

import json
from typing import Any

from soarpacks.integrations.common.manifest import Arg, Manifest
from soarpacks.integrations.common.platform.common import fetch_args_spec, fetch_setting_name

CATEGORIES = ("Analytics & SIEM", "Utilities", "Messaging and Conferencing", "Endpoint", "Network Security",
              "Vulnerability Management", "Case Management", "Forensics & Malware Analysis", "IT Services",
              "Data Enrichment & Threat Intelligence", "Database", "Deception & Breach Simulation", "Email",
              "Identity and Access Management", "Cloud Services", "Authentication & Identity Management")
DEFAULT_CATEGORY = "Utilities"
# Manifest categories that are not in CATEGORIES, to the nearest one.
SYNONYMS = {"managed detection and response": "Analytics & SIEM", "siem": "Analytics & SIEM",
            "web security": "Network Security", "threat intelligence": "Data Enrichment & Threat Intelligence",
            "identity": "Identity and Access Management", "cloud": "Cloud Services"}


def category(manifest: Manifest) -> str:
    """The manifest's category as one of ``CATEGORIES``."""
    wanted = str(manifest.data.get("category") or "").strip().lower()
    for known in CATEGORIES:
        if known.lower() == wanted:
            return known
    return SYNONYMS.get(wanted, DEFAULT_CATEGORY)


def default_text(value: Any) -> str:
    """A default as a settings form shows it: true/false, lists comma-separated, objects as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def typed_default(value: Any) -> Any:
    """A default where the platform keeps numbers and booleans typed, everything else as text."""
    return value if isinstance(value, (bool, int, float)) else default_text(value)


def default_of(spec: Arg) -> Any:
    """A param's or argument's default, or ``None`` when it has none (a null default is none either)."""
    return spec.default if spec.has_default else None


def options(spec: Arg) -> list[str] | None:
    """The allowed values as a form lists them (text), or ``None`` when any value goes."""
    return [str(v) for v in spec.enum] if spec.enum is not None else None


def form_required(spec: Arg) -> bool:
    """Required on a settings form. A form cannot leave a required checkbox unticked: booleans never are."""
    return spec.required and spec.type != "boolean"


def settings(manifest: Manifest) -> list[tuple[str, Arg, bool]]:
    """(setting name, spec, is a fetch argument) for each instance setting: the params, then the arguments
    of fetch-incidents (a platform runs fetches on its own schedule, so they become settings)."""
    found: list[tuple[str, Arg, bool]] = [(p.name, p, False) for p in manifest.params]
    found += [(fetch_setting_name(manifest, a.name), a, True) for a in fetch_args_spec(manifest)]
    return found
