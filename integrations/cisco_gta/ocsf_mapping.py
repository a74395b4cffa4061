"""Cisco Global Threat Alerts as OCSF Detection Findings (see ``common/ocsf.py`` and the README's table).

An alert is the finding; its threat detections' convicting events are its evidence, and the assets they
name are the affected resources (the first is the ``device``)."""
from __future__ import annotations

from typing import Any

from ..common import ocsf
from ..common.results import CommandResult
from ..common.vendordata import reads_vendor_data
from .mapping import alert_title

# The alert's status.value.
STATUS_IDS = {"New": 1, "Open": 2, "Closed": 4}


def _status(alert: dict[str, Any]) -> Any:
    value = alert.get("status") or alert.get("state") or {}
    return value.get("value") if isinstance(value, dict) else value


def _asset(asset: str) -> dict[str, Any]:
    """An asset id is an IP address or a host name."""
    return ocsf.address(asset)


@reads_vendor_data
def alert_to_ocsf(ctx: ocsf.Context, alert: dict[str, Any], *, detections: list[dict[str, Any]] = (),
                  url: str | None = None, indicators: list[dict[str, Any]] = (), title: str | None = None,
                  activity_id: int = ocsf.CREATE, tags: dict[str, Any] | None = None) -> dict[str, Any]:
    detections = list(detections)
    vendor_status = _status(alert)
    assets = list(dict.fromkeys(d["affectedAssetId"] for d in detections if d.get("affectedAssetId")))
    events = [(d, e) for d in detections for e in d.get("convictingEvents") or []]
    evidences = [{"name": e.get("title"), "uid": str(e.get("id")),
                  "device": ocsf.device(**_asset(e["affectedAssetId"])) if e.get("affectedAssetId") else None,
                  "data": {"subtitle": e.get("subtitle"), "detectedAt": e.get("detectedAt"),
                           "securityEventTypeId": e.get("securityEventTypeId"), "threatDetectionId": d.get("id")}}
                 for d, e in events]
    confidences = [d["confidence"] for d in detections if isinstance(d.get("confidence"), int)]
    record = ocsf.finding(
        ctx, uid=alert["id"], title=title or alert_title(alert, detections),
        severity_id=ctx.severity_id(alert.get("risk")), status_id=STATUS_IDS.get(vendor_status, 99),
        vendor_status=vendor_status, created=alert.get("triggeredAt"),
        modified=alert.get("modifiedAt") or alert.get("triggeredAt"), desc=alert.get("note"),
        activity_id=activity_id, src_url=url,
        types=list(dict.fromkeys(e.get("title") for _, e in events if e.get("title"))),
        analytic=ocsf.analytic(alert.get("etaFlag"), type_id=ocsf.BEHAVIORAL) if alert.get("etaFlag") else None,
        indicators=indicators, evidences=evidences,
        device=ocsf.device(**_asset(assets[0])) if assets else None,
        resources=[{"uid": a, "type": "Asset", **_asset(a)} for a in assets],
        tags=tags, count=len(events) or None, raw=alert)
    if confidences:
        record["confidence_score"] = max(confidences)
    return record


def incident_to_ocsf(ctx: ocsf.Context, incident: dict[str, Any]) -> dict[str, Any]:
    labels = incident.get("labels") or {}
    activity = ocsf.UPDATE if labels.get("change") == "update" else ocsf.CREATE
    return alert_to_ocsf(ctx, incident["raw"], url=incident.get("url"), indicators=incident.get("indicators") or [],
                         title=incident.get("name"), activity_id=activity,
                         tags={k: v for k, v in labels.items() if k != "change"})


def _alert_detail(ctx: ocsf.Context, result: CommandResult) -> list[dict[str, Any]]:
    outputs = result.outputs
    return [alert_to_ocsf(ctx, result.raw or outputs, detections=outputs.get("threatDetections") or [],
                          url=outputs.get("url"))]


def _alert_list(ctx: ocsf.Context, result: CommandResult) -> list[dict[str, Any]]:
    return [alert_to_ocsf(ctx, alert) for alert in result.outputs]


OCSF_COMMANDS = {"get-event": _alert_detail, "cisco-gta-list-alerts": _alert_list}
