"""AlphaSOC objects as incidents and command outputs. Pure: no HTTP, no state.

Alerts carry no id (an incident's id is a hash of the alert's content) and no status (every alert
arrives as new); an alert is rated by the highest severity of its threats, whose titles and
severities come from the ``threats`` dictionary of the page the alert came in.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from ..common import errors
from ..common.manifest import vendor_manifest
from ..common.results import defang, markdown_table
from ..common.timeutil import parse_time, rfc3339, utcnow
from ..common.vendordata import reads_vendor_data

SOURCE = "alphasoc"
LEVEL_NAMES = {1: "info", 2: "warning", 3: "error"}


# --- alert -> incident -----------------------------------------------------------------------------

@reads_vendor_data
def alert_id(alert: dict[str, Any]) -> str:
    """Alerts carry no id: hash what identifies one (its event, type and threats), not the
    enrichment (``wisdom``) or threat titles, which AlphaSOC may amend later."""
    material = {"eventType": alert.get("eventType"), "event": alert.get("event"),
                "threats": sorted(map(str, alert.get("threats") or []))}
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"asoc-{digest[:40]}"


@reads_vendor_data
def threat_severity(threat_ids: list[str], definitions: dict[str, Any]) -> int:
    """The highest AlphaSOC severity (1-5) among the threats; 0 when none is known."""
    known = [definitions[t].get("severity") for t in threat_ids if isinstance(definitions.get(t), dict)]
    return max((s for s in known if isinstance(s, int)), default=0)


def severity_table() -> dict[int, int]:
    """AlphaSOC threat severity (1-5) to the incident scale (0 unknown .. 4 critical): the manifest's
    ``severity_mapping``, written there only (docs, OCSF and the exports read it too)."""
    return {int(level): scale for level, scale in vendor_manifest(SOURCE).severity_mapping.items()}


def incident_severity(vendor_severity: int) -> int:
    """The incident severity of an AlphaSOC severity; above the documented scale (a level AlphaSOC
    may add) as severe as its top, and unknown (0) for 0 or anything else it does not list."""
    table = severity_table()
    if vendor_severity in table:
        return table[vendor_severity]
    top = max(table)
    return table[top] if vendor_severity > top else 0


@reads_vendor_data
def event_time(alert: dict[str, Any]) -> datetime | None:
    """The alert's event time, or ``None`` when it has none that can be read."""
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    try:
        return parse_time(event["ts"])
    except (KeyError, TypeError, errors.InputError):
        return None


@reads_vendor_data
def _indicators(alert: dict[str, Any]) -> list[dict[str, str]]:
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    wisdom = alert.get("wisdom") if isinstance(alert.get("wisdom"), dict) else {}
    candidates = [
        ("ip", event.get("srcIP"), "source"), ("host", event.get("srcHost"), "source"),
        ("user", event.get("srcUser"), "source"),
        ("domain", event.get("query"), "destination"), ("domain", wisdom.get("domain"), "destination"),
        ("ip", event.get("destIP"), "destination"), ("url", event.get("url"), "destination"),
        ("ja3", event.get("ja3"), "client"), ("ja3", event.get("ja3s"), "server"),
        ("hash", event.get("certHash"), "certificate"),
    ]
    found: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for kind, value, role in candidates:
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip().rstrip(".") if kind == "domain" else value.strip()
        if (kind, value.lower()) not in seen:
            seen.add((kind, value.lower()))
            found.append({"type": kind, "value": value, "role": role})
    return found


@reads_vendor_data
def _name(alert: dict[str, Any], ranked: list[str], definitions: dict[str, Any]) -> str:
    """The worst threat's title (+ how many more), what it is about and where it came from."""
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    wisdom = alert.get("wisdom") if isinstance(alert.get("wisdom"), dict) else {}
    top = ranked[0] if ranked else None
    title = (definitions.get(top) or {}).get("title") or top or f"AlphaSOC {alert.get('eventType', '')} alert".strip()
    subject = event.get("query") or wisdom.get("domain") or event.get("url") or event.get("destIP")
    source = event.get("srcHost") or event.get("srcIP")
    name = title + (f" (+{len(ranked) - 1} more)" if len(ranked) > 1 else "")
    if subject:
        name += f": {subject}"
    if source:
        name += f" from {source}"
    return name


@reads_vendor_data
def _labels(alert: dict[str, Any], threat_ids: list[str], ranked: list[str], definitions: dict[str, Any],
            vendor_severity: int) -> dict[str, Any]:
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    wisdom = alert.get("wisdom") if isinstance(alert.get("wisdom"), dict) else {}
    policies = [bool((definitions.get(t) or {}).get("policy")) for t in threat_ids]
    labels: dict[str, Any] = {
        "event_type": alert.get("eventType"),
        "threats": ",".join(threat_ids),
        "threat_titles": "; ".join((definitions.get(t) or {}).get("title", t) for t in ranked),
        "vendor_severity": vendor_severity,
        "policy": bool(policies) and all(policies),
        "flags": ",".join(map(str, wisdom.get("flags") or [])),
        "wisdom_labels": ",".join(map(str, wisdom.get("labels") or [])),
    }
    for key in ("srcMac", "srcID", "qtype", "proto", "destPort", "app", "action", "method", "status"):
        if isinstance(event.get(key), (str, int, float, bool)):
            labels[key] = event[key]
    return labels


@reads_vendor_data
def alert_to_incident(alert: dict[str, Any], definitions: dict[str, Any], *,
                      threat_ids: list[str] | None = None) -> dict[str, Any]:
    """One incident per alert; threat titles and severities come from the page's ``threats``.
    ``threat_ids`` narrows the threats that name and rate it (policy threats left out), never its id."""
    if threat_ids is None:
        threat_ids = [str(t) for t in alert.get("threats") or []]
    vendor_severity = threat_severity(threat_ids, definitions)
    ranked = sorted(threat_ids, key=lambda t: -(definitions.get(t) or {}).get("severity", 0))
    # An event without a usable time: when we learned of it.
    occurred = rfc3339(event_time(alert) or utcnow())
    return {
        "id": alert_id(alert), "source": SOURCE, "name": defang(_name(alert, ranked, definitions)),
        "severity": incident_severity(vendor_severity), "occurred": occurred, "updated": occurred,
        # AlphaSOC alerts have no workflow status; every alert arrives as new.
        "status": "New", "url": None, "indicators": _indicators(alert),
        "labels": _labels(alert, threat_ids, ranked, definitions, vendor_severity), "raw": alert,
    }


# --- account ---------------------------------------------------------------------------------------

@reads_vendor_data
def account(status: dict[str, Any]) -> dict[str, Any]:
    messages = [{"level": m.get("level"), "level_name": LEVEL_NAMES.get(m.get("level"), "unknown"),
                 "body": m.get("body", "")} for m in status.get("messages") or [] if isinstance(m, dict)]
    return {"registered": status.get("registered"), "expired": status.get("expired"),
            "expiration_date": status.get("expirationDate"), "endpoints_seen_today": status.get("endpointsSeenToday"),
            "today": status.get("today"), "messages": messages}


def account_messages(account: dict[str, Any]) -> str | None:
    """AlphaSOC's messages as a table under the account's (which has the manifest's columns)."""
    if not account["messages"]:
        return None
    return markdown_table(account["messages"], columns=["level_name", "body"], title="Messages")


# --- inventory -------------------------------------------------------------------------------------

@reads_vendor_data
def threat(threat_id: str, definition: dict[str, Any]) -> dict[str, Any]:
    severity = definition.get("severity") if isinstance(definition.get("severity"), int) else 0
    return {"id": threat_id, "title": definition.get("title", ""), "severity": severity,
            "incident_severity": incident_severity(severity), "policy": bool(definition.get("policy", False))}


@reads_vendor_data
def flag(flag_id: str, definition: dict[str, Any]) -> dict[str, Any]:
    return {"id": flag_id, "title": definition.get("title", ""), "type": str(definition.get("type") or "")}


# --- telemetry -------------------------------------------------------------------------------------

def telemetry_details(result: dict[str, Any]) -> str | None:
    """What an upload's totals (the manifest's columns) do not show: rejections by reason, the batches
    that failed (with the offsets to resend them from), samples of the events not sent, why it stopped."""
    parts = []
    if result["rejected"]:
        parts.append(markdown_table([{"reason": k, "events": v} for k, v in result["rejected"].items()],
                                    title="Rejected by AlphaSOC"))
    if result["failed_batches"]:
        parts.append(markdown_table(result["failed_batches"], columns=["batch", "offset", "events", "line", "error"],
                                    title="Failed batches (resend with start_at=<offset> limit=<events>)"))
    if result["invalid_samples"]:
        parts.append(markdown_table(result["invalid_samples"], title=f"Events not sent ({result['invalid']})"))
    if result["stopped"]:
        parts.append(f"**{result['stopped']}**; resume with start_at={result['resume_at']}")
    return "\n\n".join(parts) or None
