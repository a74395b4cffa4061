"""Cisco Global Threat Alerts objects in soarpacks shapes: alerts as incidents (named and given
indicators from their threat detections), the alert detail with its detections, and the filters the
list commands apply. The risk -> severity table is the manifest's."""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any, Iterator

from ..common import errors
from ..common.manifest import vendor_manifest
from ..common.results import defang, markdown_table
from ..common.timeutil import as_rfc3339, parse_time
from ..common.vendordata import reads_vendor_data

SOURCE = "cisco_gta"


@lru_cache(maxsize=None)
def _severities() -> dict[str, int]:
    return vendor_manifest(SOURCE).severity_mapping


def risk_severity(risk: str) -> int:
    """The incident severity of an alert's risk (the manifest's severity_mapping); 0 for one it does not know."""
    return _severities().get(risk, 0)


@reads_vendor_data
def alert_status(alert: dict[str, Any]) -> str:
    # `state` is the deprecated spelling of `status`; older tenants may still send only it.
    status = alert.get("status") or alert.get("state") or {}
    return status.get("value", "") if isinstance(status, dict) else str(status)


@reads_vendor_data
def alert_title(alert: dict[str, Any], detections: list[dict[str, Any]]) -> str:
    """"<threat titles> on <affected asset>" from the detections' convicting events, defanged; without
    them (not read, or none), the alert's risk and id."""
    threats = list(dict.fromkeys(e["title"] for d in detections for e in d.get("convictingEvents") or []
                                 if isinstance(e, dict) and e.get("title")))
    assets = list(dict.fromkeys(d["affectedAssetId"] for d in detections if d.get("affectedAssetId")))
    if not threats and not assets:
        return f"{alert.get('risk') or 'Unknown'} risk alert {str(alert['id'])[:12]}"
    title = ", ".join(threats[:3]) + (f" (+{len(threats) - 3} more)" if len(threats) > 3 else "") or "Threat"
    if assets:
        title += f" on {assets[0]}" + (f" (+{len(assets) - 1} more)" if len(assets) > 1 else "")
    return defang(title)


# Where a convicting event may name the other side of a connection (the API documents no fixed set).
_REMOTE_FIELDS = (("ip", ("remoteIp", "remoteIP", "destinationIp", "ip")),
                  ("domain", ("remoteHost", "remoteDomain", "domain", "hostname")),
                  ("url", ("url", "remoteUrl")))


@reads_vendor_data
def detection_indicators(detections: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The affected assets, and the remote IPs, hosts and URLs the convicting events name."""
    found: list[dict[str, str]] = []

    def add(kind: str, value: Any, role: str) -> None:
        entry = {"type": kind, "value": str(value), "role": role}
        if isinstance(value, str) and value and entry not in found:
            found.append(entry)

    for detection in detections:
        asset = detection.get("affectedAssetId")
        if isinstance(asset, str) and asset:
            add("ip" if _is_ip(asset) else "host", asset, "asset")
        for event in detection.get("convictingEvents") or []:
            for kind, fields in _REMOTE_FIELDS:
                for field in fields:
                    add(kind, event.get(field), "remote")
    return found


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


@reads_vendor_data
def alert_to_incident(alert: dict[str, Any], *, console_url: str, change: str,
                      detections: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The alert as an incident; ``detections`` (each with its ``convictingEvents``), where read, name it
    and give its indicators."""
    risk = alert.get("risk") or "Unknown"
    labels = {"risk": risk, "etaFlag": alert.get("etaFlag"), "change": change}
    if alert.get("note"):
        labels["note"] = alert["note"]
    detections = detections or []
    if detections:
        labels["detections"] = len(detections)
    return {
        "id": alert["id"],
        "source": SOURCE,
        "name": alert_title(alert, detections),
        "severity": risk_severity(risk),
        "occurred": as_rfc3339(alert["triggeredAt"]),
        "updated": as_rfc3339(alert.get("modifiedAt") or alert["triggeredAt"]),
        "status": alert_status(alert),
        "url": f"{console_url}/alerts/{alert['id']}",
        "indicators": detection_indicators(detections),
        "labels": labels,
        "raw": alert,
    }


@reads_vendor_data
def alert_key(alert: dict[str, Any], field: str) -> tuple[Any, str]:
    try:
        return parse_time(alert[field]), alert["id"]
    except (KeyError, TypeError, errors.InputError):
        raise errors.VendorError(f"cisco_gta: an alert without a readable {field}/id: {str(alert)[:120]}") from None


@reads_vendor_data
def detection_id(detection: dict[str, Any]) -> str:
    return str(detection["id"])


@reads_vendor_data
def alert_detail(alert: dict[str, Any], detections: list[tuple[dict[str, Any], list[Any]]], *,
                 url: str) -> dict[str, Any]:
    """The alert with its threat detections, each with its convicting events, and their counts."""
    merged = [{**detection, "convictingEvents": events} for detection, events in detections]
    assets = sorted({d["affectedAssetId"] for d in merged if d.get("affectedAssetId")})
    return {**alert, "threatDetections": merged, "detectionCount": len(merged),
            "eventCount": sum(len(d["convictingEvents"]) for d in merged), "affectedAssets": assets, "url": url}


@reads_vendor_data
def convicting_events_markdown(outputs: dict[str, Any]) -> str | None:
    """The alert's convicting events in one table, each with its threat detection's id."""
    events = [dict(e, threatDetectionId=d["id"]) for d in outputs["threatDetections"] for e in d["convictingEvents"]]
    if not events:
        return None
    return markdown_table(events, columns=["threatDetectionId", "title", "subtitle", "detectedAt", "affectedAssetId"],
                          titles={"threatDetectionId": "Threat detection", "title": "Event", "detectedAt": "Detected",
                                  "affectedAssetId": "Affected asset"}, title="Convicting events")


@reads_vendor_data
def matching_alerts(alerts: Iterator[dict[str, Any]], *, risk: list[str] | None,
                    status: list[str] | None) -> Iterator[dict[str, Any]]:
    for alert in alerts:
        if (not risk or alert.get("risk") in risk) and (not status or alert_status(alert) in status):
            yield alert


@reads_vendor_data
def event_sequence(event: dict[str, Any], previous: str | None) -> str | None:
    value = event.get("modificationSequenceNumber")
    return previous if value is None else str(value)
