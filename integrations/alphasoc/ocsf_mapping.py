"""AlphaSOC alerts as OCSF Detection Findings (see ``common/ocsf.py`` and the README's table).

An alert is the finding: its highest-rated threat is the analytic (the others are related analytics),
the scored telemetry event is the evidence, and the source host is the affected device. AlphaSOC's
get commands return threat and flag definitions, a catalogue rather than detections: they have no
OCSF form."""
from __future__ import annotations

from typing import Any

from ..common import ocsf
from ..common.vendordata import reads_vendor_data

# The telemetry event's fields that describe the network side of the evidence.
_EVENT_DATA = ("ts", "qtype", "proto", "destPort", "app", "action", "method", "status", "bytesIn", "bytesOut")


@reads_vendor_data
def incident_to_ocsf(ctx: ocsf.Context, incident: dict[str, Any]) -> dict[str, Any]:
    alert = incident.get("raw") or {}
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    labels = incident.get("labels") or {}
    threats = [t for t in str(labels.get("threats") or "").split(",") if t]
    titles = [t for t in str(labels.get("threat_titles") or "").split("; ") if t]
    query = event.get("query")
    evidence = {
        "name": f"{alert.get('eventType') or 'telemetry'} event",
        "src_endpoint": ocsf.endpoint(ip=event.get("srcIP"), hostname=event.get("srcHost"),
                                      port=event.get("srcPort")),
        "dst_endpoint": ocsf.endpoint(ip=event.get("destIP"), port=event.get("destPort")),
        "query": {"hostname": str(query).rstrip("."), "type": event.get("qtype")} if query else None,
        "url": {"url_string": event["url"]} if event.get("url") else None,
        "data": {k: event[k] for k in _EVENT_DATA if event.get(k) not in (None, "")} or None,
    }
    # The threat that rated the alert is listed first in threat_titles (highest severity first).
    top_title = titles[0] if titles else None
    top_id = next((t for t in threats if t), None) if len(threats) == 1 else None
    record = ocsf.incident_finding(
        ctx, incident, severity_id=ctx.severity_id(labels.get("vendor_severity"), fallback=incident["severity"]),
        status_id=1, analytic=ocsf.analytic(top_title, uid=top_id, type_id=ocsf.BEHAVIORAL,
                                            category=alert.get("eventType")),
        types=titles, evidences=[evidence],
        device=ocsf.device(hostname=event.get("srcHost"), ip=event.get("srcIP")))
    related = [ocsf.prune(ocsf.analytic(t, uid=t, type_id=ocsf.BEHAVIORAL)) for t in threats]
    if len(related) > 1:
        record["finding_info"]["related_analytics"] = related
    return record


OCSF_COMMANDS: dict[str, Any] = {}
