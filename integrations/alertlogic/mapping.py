"""Alert Logic objects in soarpacks shapes: IRIS incidents (and legacy ones) as incidents, IDS events
with their payload analysed, the seed's four incident roll-ups, and the war-room markdown."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from ..common import errors, ocsf
from ..common.incident import Incident
from ..common.manifest import vendor_manifest
from ..common.vendordata import dig, reads_vendor_data
from ..common.results import defang, markdown_table
from ..common.timeutil import parse_time, rfc3339

from .payload import analyse_payload, decode_payload

SOURCE = "alertlogic"
# What a roll-up calls an event whose payload gave no host / response code / signature.
UNKNOWN = "unknown"


def threat_severity(rating: str | None) -> int:
    """An IRIS threat rating through the manifest's ``severity_mapping`` ("Info" is a rating the vendor
    gives, not an unknown one, so the manifest maps it to low); 0 for none or one it does not list."""
    return vendor_manifest(SOURCE).severity_mapping.get(rating or "", 0)


@reads_vendor_data
def threat_rating(incident: dict[str, Any]) -> str | None:
    return (dig(incident, "incident.threatRating") or incident.get("incident_threat_rating")
            or incident.get("threat_rating") or incident.get("defaultThreatRating"))


# The ISO twins of createTime/updateTime. The spec's schema and its paginated example say
# ``createtime_str``; its unpaginated examples say ``createtimeStr``: either may arrive.
TIME_TEXT_FIELDS = {"createTime": ("createtime_str", "createtimeStr"), "updateTime": ("updatetime_str",)}


@reads_vendor_data
def incident_time(incident: dict[str, Any], field: str = "createTime") -> datetime:
    value = incident.get(field)
    for text_field in TIME_TEXT_FIELDS[field]:
        if value is None:
            value = incident.get(text_field)
    try:
        return parse_time(value)
    except (errors.InputError, TypeError, ValueError, OverflowError, OSError):
        raise errors.VendorError(f"{SOURCE}: incident {incident.get('incidentId')!r} has no readable {field}") from None


def console_link(console_url: str, incident: dict[str, Any]) -> str:
    # The console's incident page; the link format is the console's, not a documented API.
    return f"{console_url}/#/incidents/{incident.get('incidentId')}?aaid={incident.get('accountId')}"


def _ip_indicators(incident: dict[str, Any]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for role, single, many in (("attacker", "attacker", "attacker_lset"), ("victim", "victim", "victim_lset")):
        candidates = [dig(incident, f"{single}.ip")]
        candidates += [item.get("ip") for item in incident.get(many) or [] if isinstance(item, dict)]
        for value in candidates:
            if isinstance(value, str) and value and (role, value) not in seen:
                seen.add((role, value))
                found.append({"type": "ip", "value": value, "role": role})
    host = incident.get("asset_host_name")
    if isinstance(host, str) and host:
        found.append({"type": "host", "value": host, "role": "victim"})
    return found


@reads_vendor_data
def iris_to_incident(incident: dict[str, Any], *, console_url: str) -> Incident:
    """An IRIS incident in the shared incident shape (``schemas/incident.schema.json``)."""
    incident_id = incident.get("incidentId")
    if not incident_id:
        raise errors.VendorError(f"{SOURCE}: an incident without incidentId: {str(incident)[:120]}")
    rating = threat_rating(incident)
    occurred = incident_time(incident, "createTime")
    has_update = any(incident.get(f) for f in ("updateTime", *TIME_TEXT_FIELDS["updateTime"]))
    updated = incident_time(incident, "updateTime") if has_update else occurred
    name = (dig(incident, "incident.summary") or incident.get("summary") or incident.get("desc")
            or f"Alert Logic incident {incident.get('humanFriendlyId') or incident_id}")
    return Incident(
        id=str(incident_id), source=SOURCE, name=defang(str(name)), severity=threat_severity(rating),
        occurred=rfc3339(occurred), updated=rfc3339(updated),
        status=str(dig(incident, "customer_status.status") or "open"), url=console_link(console_url, incident),
        indicators=_ip_indicators(incident),
        labels={
            "friendly_id": incident.get("humanFriendlyId"),
            "account_id": str(incident.get("accountId")) if incident.get("accountId") is not None else None,
            "threat_rating": rating,
            "attack_class": incident.get("incident_attack_class") or dig(incident, "incident.attackClassId_str"),
            "detection_source": incident.get("detection_source"),
            "escalated": dig(incident, "incident.escalated"),
            "snoozed": dig(incident, "snooze_status.snoozed"),
        },
        raw=incident)


@reads_vendor_data
def legacy_to_incident(incident: dict[str, Any]) -> Incident:
    """A legacy Incident API v3 incident (epoch-second dates, ``open`` 0/1) in the shared shape."""
    rating = incident.get("threat_rating")
    created = parse_time(incident.get("create_date") or incident.get("begin_date"))
    modified = incident.get("last_modified_date") or incident.get("create_date") or incident.get("begin_date")
    indicators = [{"type": "ip", "value": ip, "role": "attacker"} for ip in incident.get("attackers") or [] if ip]
    indicators += [{"type": "ip", "value": ip, "role": "victim"} for ip in incident.get("victims") or [] if ip]
    return Incident(
        id=str(incident["incident_id"]), source=SOURCE,
        name=defang(str(incident.get("summary") or f"Alert Logic incident {incident['incident_id']}")),
        severity=threat_severity(rating), occurred=rfc3339(created), updated=rfc3339(parse_time(modified)),
        status="open" if incident.get("open") else "closed", url=None, indicators=indicators,
        labels={"customer_id": str(incident.get("customer_id")), "threat_rating": rating,
                   "class_name": incident.get("class_name"), "num_evts": incident.get("num_evts"),
                   "acknowledge_status": incident.get("acknowledge_status"), "closed_type": incident.get("closed_type")},
        raw=incident)


# --- events ----------------------------------------------------------------------------------------

@reads_vendor_data
def event_id(event: dict[str, Any]) -> str:
    value = dig(event, "id.event_id") or event.get("event_id") or event.get("__uuid")
    if value is None:
        raise errors.VendorError(f"{SOURCE}: an event without an id: {str(event)[:120]}")
    return str(value)


def _port(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _event_time(event: dict[str, Any]) -> str | None:
    value = event.get("__normalizedTime") or event.get("time_recv")
    try:
        return rfc3339(parse_time(value)) if value not in (None, "") else None
    except (errors.InputError, TypeError, ValueError, OverflowError, OSError):
        return None


@reads_vendor_data
def analyse_event(event: dict[str, Any], *, incident_id: str, include_payloads: bool = True) -> dict[str, Any]:
    """One IDS event as the seed described it: signature, addresses, sensor, and what its payload
    says (request and response parsed separately, gzip body decompressed)."""
    data, problem = decode_payload(event.get("payload"))
    analysis = analyse_payload(data)
    if problem:
        analysis["notes"].insert(0, problem)
    request = analysis["request"] or {}
    response = analysis["response"] or {}
    analysed = {
        "id": event_id(event),
        "incident_id": incident_id,
        "time": _event_time(event),
        "sig_id": str(event["sig_id"]) if event.get("sig_id") is not None else None,
        "signature_name": event.get("signature_name") or event.get("sig_name"),
        "sig_rule": event.get("sig_rule"),
        "classification": event.get("classification"),
        "severity": event.get("severity"),
        "protocol": event.get("protocol"),
        "source_addr": event.get("source_addr") or event.get("source_ip"),
        "source_port": _port(event.get("source_port")),
        "dest_addr": event.get("dest_addr") or event.get("dest_ip"),
        "dest_port": _port(event.get("dest_port")),
        "sensor": event.get("__appliance_name") or event.get("sensor"),
        # The seed's flat names, for playbooks written against it.
        "restful_call": request.get("method"),
        "resource": request.get("resource"),
        "http_protocol": request.get("protocol") or response.get("protocol"),
        "host": request.get("host"),
        "full_url": request.get("full_url"),
        "response_code": str(response["code"]) if response.get("code") is not None else None,
        "response_message": response.get("message"),
        "request": analysis["request"],
        "response": analysis["response"],
        "full_payload": analysis["full_payload"] if include_payloads else None,
        "decompressed": analysis["decompressed"] if include_payloads else None,
        "payload": {key: analysis[key] for key in ("payload_bytes", "truncated", "decompression",
                                                   "decompressed_bytes", "notes")},
    }
    return analysed


@reads_vendor_data
def rollups(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The seed's incident roll-ups over analysed events, each a map to event ids (in event order):
    ``response_code_tally`` {code: ids}, ``unique_hosts`` {host: ids}, ``unique_signatures``
    {signature: ids}, ``summary_breakdown`` {signature: {host: {code: ids}}}."""
    tally: dict[str, list[str]] = {}
    hosts: dict[str, list[str]] = {}
    signatures: dict[str, list[str]] = {}
    breakdown: dict[str, dict[str, dict[str, list[str]]]] = {}
    for event in events:
        code = event.get("response_code") or UNKNOWN
        host = event.get("host") or UNKNOWN
        signature = event.get("signature_name") or event.get("sig_id") or UNKNOWN
        tally.setdefault(code, []).append(event["id"])
        hosts.setdefault(host, []).append(event["id"])
        signatures.setdefault(signature, []).append(event["id"])
        breakdown.setdefault(signature, {}).setdefault(host, {}).setdefault(code, []).append(event["id"])
    return {"response_code_tally": tally, "unique_hosts": hosts, "unique_signatures": signatures,
            "summary_breakdown": breakdown}


# --- markdown for people ---------------------------------------------------------------------------

def _defanged(value: Any) -> str:
    return defang(str(value)) if value else ""


@reads_vendor_data
def event_markdown(event: dict[str, Any]) -> str:
    rows = [
        ("Event", event["id"]), ("Time", event.get("time")),
        ("Signature", f"{event.get('signature_name')} (sid {event.get('sig_id')})"),
        ("Classification", event.get("classification")), ("Severity", event.get("severity")),
        ("Source", f"{_defanged(event.get('source_addr'))}:{event.get('source_port') or ''}"),
        ("Destination", f"{_defanged(event.get('dest_addr'))}:{event.get('dest_port') or ''}"),
        ("Protocol", event.get("protocol")), ("Sensor", event.get("sensor")),
        ("Request", " ".join(str(p) for p in (event.get("restful_call"), _defanged(event.get("resource")),
                                               event.get("http_protocol")) if p)),
        ("Host", _defanged(event.get("host"))), ("Full URL", _defanged(event.get("full_url"))),
        ("Response", " ".join(p for p in (event.get("response_code"), event.get("response_message")) if p)),
        ("Payload", f"{event['payload']['payload_bytes']} bytes"
                    f"{', truncated' if event['payload']['truncated'] else ''}"
                    f"{', gzip ' + event['payload']['decompression'] if event['payload']['decompression'] else ''}"),
    ]
    lines = [f"### Alert Logic event {event['id']}", "", "| Field | Value |", "|---|---|"]
    lines += [f"| {name} | {str(value if value is not None else '').replace('|', '/')} |" for name, value in rows]
    if event["payload"]["notes"]:
        lines += ["", "Notes: " + "; ".join(event["payload"]["notes"])]
    if event.get("sig_rule"):
        lines += ["", "Signature rule:", "```", event["sig_rule"], "```"]
    if event.get("full_payload"):
        lines += ["", "Payload (printable, defanged):", "```", defang(event["full_payload"][:4000]), "```"]
    if event.get("decompressed"):
        lines += ["", "Decompressed body (defanged):", "```", defang(event["decompressed"][:4000]), "```"]
    return "\n".join(lines)


def _rollup_table(title: str, mapping: dict[str, list[str]], *, defang_keys: bool = False) -> str:
    rows = [{"value": defang(key) if defang_keys and key != UNKNOWN else key, "events": len(ids),
             "event ids": ", ".join(ids[:12]) + (" ..." if len(ids) > 12 else "")}
            for key, ids in sorted(mapping.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    return markdown_table(rows, columns=["value", "events", "event ids"], title=title)


@reads_vendor_data
def incident_markdown(details: dict[str, Any]) -> str:
    parts = [markdown_table([{
        "id": details["id"], "friendly id": details["labels"].get("friendly_id"), "name": details["name"],
        "severity": details["severity"], "status": details["status"], "events": details["event_count"],
        "occurred": details["occurred"]}], title=f"Alert Logic incident {details['labels'].get('friendly_id') or details['id']}")]
    parts.append(_rollup_table("Response codes", details["response_code_tally"]))
    parts.append(_rollup_table("Hosts", details["unique_hosts"], defang_keys=True))
    parts.append(_rollup_table("Signatures", details["unique_signatures"]))
    breakdown_rows = [{"signature": sig, "host": defang(host) if host != UNKNOWN else host, "code": code,
                       "events": len(ids)}
                      for sig, by_host in details["summary_breakdown"].items()
                      for host, by_code in by_host.items() for code, ids in by_code.items()]
    parts.append(markdown_table(breakdown_rows, columns=["signature", "host", "code", "events"], title="Breakdown"))
    event_rows = [{"id": e["id"], "signature": e.get("signature_name"), "source": _defanged(e.get("source_addr")),
                   "request": " ".join(p for p in (e.get("restful_call"), _defanged(e.get("full_url"))) if p),
                   "response": e.get("response_code"), "notes": "; ".join(e["payload"]["notes"])}
                  for e in details["events"]]
    parts.append(markdown_table(event_rows, columns=["id", "signature", "source", "request", "response", "notes"],
                                title="Events"))
    if details.get("events_truncated"):
        parts.append(f"Only the first {len(details['events'])} of {details['event_total']} events were read "
                     "(raise max_events for more).")
    return "\n\n".join(parts)


# --- OCSF Detection Findings (common/ocsf.py; the README's OCSF table) -------------------------------

# The incident's customer_status.status (IRIS) or the legacy open flag as soarpacks words.
OCSF_STATUS_IDS = {"open": 1, "reopened": 2, "in_progress": 2, "completed": 4, "closed": 4, "snoozed": 3}


def _ocsf_event_evidence(event: dict[str, Any]) -> dict[str, Any]:
    """An analysed IDS event (``analyse_event``) as evidence: addresses, the HTTP request and response
    its payload holds, and the signature and sensor as data."""
    request, response = event.get("request") or {}, event.get("response") or {}
    url = None
    if event.get("full_url") or event.get("resource"):
        url = {"url_string": event.get("full_url"), "hostname": event.get("host"), "path": event.get("resource")}
    http_request = {"http_method": event.get("restful_call"), "version": event.get("http_protocol"), "url": url,
                    "length": request.get("content_length") if isinstance(request.get("content_length"), int) else None}
    code = response.get("code")
    return {
        "name": event.get("signature_name"), "uid": event.get("id"),
        "src_endpoint": ocsf.endpoint(**ocsf.address(event.get("source_addr")), port=event.get("source_port")),
        "dst_endpoint": ocsf.endpoint(**ocsf.address(event.get("dest_addr")), port=event.get("dest_port"),
                                      domain=event.get("host")),
        # OCSF requires a direction; an IDS event does not say which side is inside.
        "connection_info": {"protocol_name": event["protocol"], "direction_id": 0, "direction": "Unknown"}
        if event.get("protocol") else None,
        "http_request": http_request if url or event.get("restful_call") else None,
        "http_response": {"code": code, "message": response.get("message"),
                          "content_type": response.get("content_type"),
                          "length": response.get("body_bytes") if isinstance(response.get("body_bytes"), int) else None}
        if isinstance(code, int) else None,
        "data": {k: event.get(k) for k in ("time", "sig_id", "classification", "severity", "sensor")
                 if event.get(k) not in (None, "")} or None,
    }


@reads_vendor_data
def incident_to_ocsf(ctx: ocsf.Context, incident: dict[str, Any], *, events: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """An IRIS or legacy incident: the threat rating is the severity (through the manifest), the attack
    class the type, the events (analysed, when given) the evidence, the victim host the device."""
    raw = incident.get("raw") or {}
    labels = incident.get("labels") or {}
    rating = labels.get("threat_rating")
    victims = [i for i in incident.get("indicators") or [] if i.get("role") == "victim"]
    host = next((i["value"] for i in victims if i["type"] == "host"), None)
    victim_ip = next((i["value"] for i in victims if i["type"] == "ip"), None)
    events = list(events)
    signatures = list(dict.fromkeys(e.get("signature_name") for e in events if e.get("signature_name")))
    description = dig(raw, "incident.description") or raw.get("description")
    return ocsf.incident_finding(
        ctx, incident, severity_id=ctx.severity_id(rating, fallback=incident["severity"]),
        status_id=OCSF_STATUS_IDS.get(str(incident.get("status")), 99), desc=description,
        types=[labels.get("attack_class") or labels.get("class_name")],
        analytic=ocsf.analytic(signatures[0], uid=next((e.get("sig_id") for e in events), None),
                               category=labels.get("attack_class")) if signatures else
        ocsf.analytic(labels.get("detection_source"), category=labels.get("attack_class")),
        evidences=[_ocsf_event_evidence(e) for e in events],
        device=ocsf.device(hostname=host, ip=victim_ip), count=len(events) or None)


@reads_vendor_data
def event_to_ocsf(ctx: ocsf.Context, event: dict[str, Any]) -> dict[str, Any]:
    """One analysed IDS event: the signature is the analytic. An event has no status and its IDS
    severity is not the threat rating the manifest maps, so both are Unknown (the severity is in data)."""
    return ocsf.finding(
        ctx, uid=event.get("id"), title=event.get("signature_name"), severity_id=0, status_id=0,
        created=event.get("time"), modified=event.get("time"), desc=event.get("sig_rule"),
        analytic=ocsf.analytic(event.get("signature_name"), uid=event.get("sig_id"),
                               category=event.get("classification")),
        types=[event.get("classification")], evidences=[_ocsf_event_evidence(event)],
        device=ocsf.device(**ocsf.address(event.get("dest_addr")), name=event.get("host")))


def _ocsf_event(ctx: Any, result: Any) -> list[dict[str, Any]]:
    return [event_to_ocsf(ctx, result.outputs)]


def _ocsf_incident(ctx: Any, result: Any) -> list[dict[str, Any]]:
    outputs = result.outputs
    incident = {**{k: v for k, v in outputs.items() if k != "events"}, "raw": (result.raw or {}).get("incident")}
    return [incident_to_ocsf(ctx, incident, events=outputs.get("events") or [])]


def _ocsf_legacy_incident(ctx: Any, result: Any) -> list[dict[str, Any]]:
    return [incident_to_ocsf(ctx, legacy_to_incident(result.raw).to_dict())]


OCSF_COMMANDS = {"get-event": _ocsf_event, "alertlogic-get-incident": _ocsf_incident,
                 "alertlogic-get-legacy-incident": _ocsf_legacy_incident}
