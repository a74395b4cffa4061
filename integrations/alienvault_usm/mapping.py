"""USM Anywhere alarms and events mapped to incidents and to command outputs."""
from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any, Iterable

from ..common import errors, ocsf
from ..common.incident import Incident
from ..common.manifest import vendor_manifest
from ..common.results import defang
from ..common.timeutil import rfc3339
from ..common.vendordata import reads_vendor_data

from .client import OCCURED, SOURCE, as_bool, epoch_ms_field, ms_to_time, unwrap_event


@reads_vendor_data
def alarm_severity(alarm: dict[str, Any]) -> int:
    """``priority_label`` through the manifest's ``severity_mapping`` (low 1, medium 2, high 3); otherwise
    the numeric ``priority`` (USM uses 20 for low): below 40 low, below 70 medium, else high. USM has no
    critical. A label the mapping scores 0 (``unknown``) says nothing, so the number still may."""
    label = str(alarm.get("priority_label") or "").strip().lower()
    severity = vendor_manifest(SOURCE).severity_mapping.get(label)
    if severity:
        return severity
    priority = alarm.get("priority")
    if isinstance(priority, str) and priority.isdigit():
        priority = int(priority)
    if not isinstance(priority, int) or isinstance(priority, bool) or priority <= 0:
        return 0
    return 1 if priority < 40 else 2 if priority < 70 else 3


@reads_vendor_data
def alarm_time(alarm: dict[str, Any]) -> int:
    ms = epoch_ms_field(alarm, OCCURED)
    if ms is None:
        raise errors.VendorError(f"{SOURCE}: an alarm without a readable {OCCURED}: {str(alarm)[:160]}")
    ms_to_time(ms)  # a time out of range is refused here, not when the bookmark is written
    return ms


@reads_vendor_data
def alarm_id(alarm: dict[str, Any]) -> str:
    # The docs' list example says "id"; every real alarm says "uuid".
    value = alarm.get("uuid") or alarm.get("id")
    if not value:
        raise errors.VendorError(f"{SOURCE}: an alarm without a uuid: {str(alarm)[:160]}")
    return str(value)


@reads_vendor_data
def alarm_moment_and_id(alarm: dict[str, Any]) -> tuple[datetime, str]:
    """What the fetch bookmark compares: the alarm's occurrence and its id."""
    return ms_to_time(alarm_time(alarm)), alarm_id(alarm)


@reads_vendor_data
def alarm_name(alarm: dict[str, Any]) -> str:
    return str(alarm.get("rule_method") or alarm.get("rule_strategy") or alarm.get("event_name")
               or alarm.get("rule_id") or f"USM Anywhere alarm {alarm_id(alarm)}")


@reads_vendor_data
def incident_name(alarm: dict[str, Any]) -> str:
    """"<rule> on <affected asset>" (the destination, where the alarm names one), defanged."""
    destinations = _names(alarm, "alarm_destination_names", "destination_name", "alarm_destinations")
    asset = destinations[0] + (f" (+{len(destinations) - 1} more)" if len(destinations) > 1 else "") \
        if destinations else None
    return defang(alarm_name(alarm) + (f" on {asset}" if asset else ""))


def _names(alarm: dict[str, Any], *keys: str) -> list[str]:
    found: list[str] = []
    for key in keys:
        value = alarm.get(key)
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, (str, int)) and str(one).strip() not in ("", "-") and str(one) not in found:
                found.append(str(one).strip())
    return found


def _ip_or_host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
        return "ip"
    except ValueError:
        return "host"


HASH_FIELDS = ("file_hash", "file_hash_md5", "file_hash_sha1", "file_hash_sha256")


@reads_vendor_data
def alarm_indicators(alarm: dict[str, Any], events: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    indicators: list[dict[str, str]] = []

    def add(kind: str, value: str, role: str) -> None:
        entry = {"type": kind, "value": value, "role": role}
        if value and entry not in indicators:
            indicators.append(entry)

    for role in ("source", "destination"):
        for value in _names(alarm, f"alarm_{role}s", f"alarm_{role}_names", f"{role}_name", f"{role}_canonical"):
            add(_ip_or_host(value), value, role)
        for value in _names(alarm, f"{role}_username"):
            add("user", value, role)
    for event in events:
        for value in _names(event, *HASH_FIELDS):
            add("hash", value, "file")
        for value in _names(event, "request_url"):
            add("url", value, "destination")
    return indicators


@reads_vendor_data
def alarm_to_incident(alarm: dict[str, Any], *, console_url: str) -> Incident:
    occurred = alarm_time(alarm)
    received = epoch_ms_field(alarm, "timestamp_received") or occurred
    events = [unwrap_event(e) for e in alarm.get("events") or []]
    tactics = alarm.get("rule_attack_tactic")
    labels: dict[str, Any] = {
        "priority_label": alarm.get("priority_label"),
        "priority": alarm.get("priority") if isinstance(alarm.get("priority"), int) else None,
        "rule_id": alarm.get("rule_id"),
        "rule_intent": alarm.get("rule_intent"),
        "rule_strategy": alarm.get("rule_strategy"),
        "rule_method": alarm.get("rule_method"),
        "rule_attack_id": alarm.get("rule_attack_id"),
        "rule_attack_tactic": ", ".join(map(str, tactics)) if isinstance(tactics, list) else tactics,
        "rule_attack_technique": alarm.get("rule_attack_technique"),
        "suppressed": as_bool(alarm.get("suppressed")),
        "sensor_uuid": alarm.get("sensor_uuid"),
        "event_count": alarm.get("alarm_events_count", len(events)),
        "usm_labels": ", ".join(map(str, alarm.get("alarm_labels") or [])) or None,
    }
    return Incident(
        id=alarm_id(alarm), source=SOURCE, name=incident_name(alarm), severity=alarm_severity(alarm),
        occurred=rfc3339(ms_to_time(occurred)), updated=rfc3339(ms_to_time(max(received, occurred))),
        status=str(alarm.get("status") or "unknown"), url=f"{console_url}/#/alarm/{alarm_id(alarm)}",
        indicators=alarm_indicators(alarm, events),
        labels={k: v for k, v in labels.items() if v is not None and not isinstance(v, (list, dict))},
        raw=alarm)


def _time_or_none(obj: dict[str, Any], name: str) -> str | None:
    ms = epoch_ms_field(obj, name)
    return rfc3339(ms_to_time(ms)) if ms is not None else None


EVENT_FIELDS = ("account_name", "plugin", "plugin_device", "plugin_device_type", "event_category", "event_severity",
                "event_type", "source_name", "source_address", "source_port", "source_username", "source_hostname",
                "destination_name", "destination_address", "destination_port", "destination_username",
                "destination_hostname", "access_control_outcome", "event_action", "sensor_uuid", "packet_type")


@reads_vendor_data
def event_output(event: dict[str, Any]) -> dict[str, Any]:
    event = unwrap_event(event)
    out: dict[str, Any] = {
        "id": str(event.get("uuid") or event.get("id") or ""),
        "name": event.get("event_name"),
        "occurred": _time_or_none(event, OCCURED),
        "received": _time_or_none(event, "timestamp_received"),
        "suppressed": as_bool(event.get("suppressed")),
        "has_alarm": as_bool(event.get("has_alarm")),
    }
    out.update({k: event[k] for k in EVENT_FIELDS if event.get(k) not in (None, "")})
    hashes = _names(event, *HASH_FIELDS)
    if hashes:
        out["file_hashes"] = hashes
    return out


@reads_vendor_data
def alarm_output(alarm: dict[str, Any], *, console_url: str, with_events: bool) -> dict[str, Any]:
    events = [unwrap_event(e) for e in alarm.get("events") or []]
    tactics = alarm.get("rule_attack_tactic")
    out: dict[str, Any] = {
        "id": alarm_id(alarm),
        "name": alarm_name(alarm),
        "priority": alarm.get("priority"),
        "priority_label": alarm.get("priority_label"),
        "severity": alarm_severity(alarm),
        "status": alarm.get("status"),
        "suppressed": as_bool(alarm.get("suppressed")),
        "occurred": _time_or_none(alarm, OCCURED),
        "received": _time_or_none(alarm, "timestamp_received"),
        "rule_id": alarm.get("rule_id"),
        "rule_intent": alarm.get("rule_intent"),
        "rule_strategy": alarm.get("rule_strategy"),
        "rule_method": alarm.get("rule_method"),
        "rule_attack_id": alarm.get("rule_attack_id"),
        "rule_attack_tactic": tactics if isinstance(tactics, list) else [tactics] if tactics else [],
        "rule_attack_technique": alarm.get("rule_attack_technique"),
        "sources": _names(alarm, "alarm_sources", "alarm_source_names", "source_name"),
        "destinations": _names(alarm, "alarm_destinations", "alarm_destination_names", "destination_name"),
        "source_username": alarm.get("source_username"),
        "sensor_uuid": alarm.get("sensor_uuid"),
        "labels": [str(x) for x in alarm.get("alarm_labels") or []],
        "event_count": alarm.get("alarm_events_count", len(events)),
        "event_ids": event_ids(alarm, events),
        "url": f"{console_url}/#/alarm/{alarm_id(alarm)}",
    }
    if with_events:
        out["events"] = [event_output(e) for e in events]
    return out


@reads_vendor_data
def event_ids(alarm: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    # ``packet_data`` lists the alarm's event ids, including any the ``events`` array leaves out.
    ids = [str(e["uuid"]) for e in events if e.get("uuid")]
    ids += [str(x) for x in alarm.get("packet_data") or [] if str(x) not in ids]
    return ids


# --- OCSF Detection Findings (common/ocsf.py; the README's OCSF table) -------------------------------

# USM alarm statuses (the API's words; the console says "In Review").
OCSF_STATUS_IDS = {"open": 1, "in_review": 2, "in review": 2, "closed": 4}


def _ocsf_event_evidence(event: dict[str, Any]) -> dict[str, Any]:
    """An event (as ``event_output`` gives it) as an OCSF evidence artifact."""
    source = ocsf.address(event.get("source_address") or event.get("source_name"))
    destination = ocsf.address(event.get("destination_address") or event.get("destination_name"))
    return {
        "name": event.get("name"), "uid": event.get("id"),
        "src_endpoint": ocsf.endpoint(**source, port=event.get("source_port"),
                                      name=event.get("source_hostname") or event.get("source_name")),
        "dst_endpoint": ocsf.endpoint(**destination, port=event.get("destination_port"),
                                      name=event.get("destination_hostname") or event.get("destination_name")),
        "user": {"name": event["source_username"]} if event.get("source_username") else None,
        "data": {k: event.get(k) for k in ("occurred", "plugin", "plugin_device", "event_category", "event_severity",
                                           "access_control_outcome", "event_action", "account_name", "file_hashes")
                 if event.get(k) not in (None, "", [])},
    }


@reads_vendor_data
def incident_to_ocsf(ctx: ocsf.Context, incident: dict[str, Any]) -> dict[str, Any]:
    """An alarm (the incident's ``raw``): the rule is the analytic, its MITRE ATT&CK ids the attacks,
    its events the evidence, the destination the affected device."""
    alarm = incident["raw"]
    events = [event_output(e) for e in alarm.get("events") or []]
    tactics = alarm.get("rule_attack_tactic")
    tactics = tactics if isinstance(tactics, list) else [tactics] if tactics else []
    attacks = []
    if alarm.get("rule_attack_id"):
        attacks = [{"technique": {"uid": str(alarm["rule_attack_id"]), "name": alarm.get("rule_attack_technique")},
                    "tactic": {"name": str(tactic)} if tactic else None} for tactic in tactics or [None]]
    destination = alarm.get("destination_canonical") or alarm.get("destination_name")
    record = ocsf.incident_finding(
        ctx, incident, severity_id=ctx.severity_id(str(alarm.get("priority_label") or "").lower(),
                                                   fallback=incident["severity"]),
        status_id=OCSF_STATUS_IDS.get(str(alarm.get("status") or "").lower(), 0),
        analytic=ocsf.analytic(alarm.get("rule_method"), uid=alarm.get("rule_id"), category=alarm.get("rule_strategy"),
                               desc=alarm.get("rule_intent")),
        types=[alarm.get("rule_intent"), alarm.get("rule_strategy")],
        evidences=[_ocsf_event_evidence(e) for e in events],
        device=ocsf.device(**ocsf.address(destination), name=alarm.get("destination_name")),
        count=alarm.get("alarm_events_count") if isinstance(alarm.get("alarm_events_count"), int) else None)
    if attacks:
        record["finding_info"]["attacks"] = ocsf.prune(attacks)
    return record


@reads_vendor_data
def event_to_ocsf(ctx: ocsf.Context, event: dict[str, Any]) -> dict[str, Any]:
    """A USM event (``event_output``): a detection by the plugin that logged it; events carry no status,
    and their severity words (WARNING, UNDEFINED) are not the alarms' scale, so both are Unknown."""
    destination = event.get("destination_address") or event.get("destination_name")
    return ocsf.finding(
        ctx, uid=event.get("id"), title=event.get("name"), severity_id=0, status_id=0,
        created=event.get("occurred"), modified=event.get("received") or event.get("occurred"),
        analytic=ocsf.analytic(event.get("plugin"), category=event.get("event_category")),
        types=[event.get("event_category")], evidences=[_ocsf_event_evidence(event)],
        device=ocsf.device(**ocsf.address(destination), name=event.get("destination_name")))


def _ocsf_alarm(ctx: Any, result: Any) -> list[dict[str, Any]]:
    incident = alarm_to_incident(result.raw, console_url="")
    incident.url = result.outputs.get("url")
    return [incident_to_ocsf(ctx, incident.to_dict())]


def _ocsf_events(ctx: Any, result: Any) -> list[dict[str, Any]]:
    outputs = result.outputs if isinstance(result.outputs, list) else [result.outputs]
    return [event_to_ocsf(ctx, event) for event in outputs]


def _ocsf_alarms(ctx: Any, result: Any) -> list[dict[str, Any]]:
    found = []
    for alarm, output in zip(result.raw, result.outputs):
        incident = alarm_to_incident(alarm, console_url="")
        incident.url = output.get("url")
        found.append(incident_to_ocsf(ctx, incident.to_dict()))
    return found


OCSF_COMMANDS = {"get-event": _ocsf_events, "alienvault-get-alarm": _ocsf_alarm,
                 "alienvault-get-events-by-alarm": _ocsf_events, "alienvault-search-alarms": _ocsf_alarms,
                 "alienvault-search-events": _ocsf_events}
