"""Authentic8 Silo log records as OCSF Detection Findings (see ``common/ocsf.py`` and the README's table).

A log record is the finding; its type (EXPLOIT, BLOCKED URL, ...) is the analytic and carries the
severity (the manifest's mapping is per log type); the web request and response it records are the
evidence, and the Silo user the actor. Records never change, so every finding is New."""
from __future__ import annotations

from typing import Any

from ..common import ocsf
from ..common.results import CommandResult
from ..common.vendordata import reads_vendor_data
from .mapping import log_to_incident, record_url


def _user_agent(headers: Any) -> str | None:
    for line in str(headers or "").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == "user-agent" and value.strip():
            return value.strip()
    return None


@reads_vendor_data
def incident_to_ocsf(ctx: ocsf.Context, incident: dict[str, Any]) -> dict[str, Any]:
    record = incident.get("raw") or {}
    labels = incident.get("labels") or {}
    log_type = str(labels.get("log_type") or record.get("type") or "")
    url = record_url(record)
    code = record.get("response_code")
    evidence = {
        "name": f"Silo {log_type} log",
        "uid": incident["id"],
        "src_endpoint": ocsf.endpoint(ip=record.get("client_ip")),
        "dst_endpoint": ocsf.endpoint(domain=record.get("domain"), port=record.get("port")),
        "user": {"uid": str(record["user_id"]), "name": record.get("user_name")} if record.get("user_id") else None,
        "http_request": {"http_method": record.get("method"), "user_agent": _user_agent(record.get("headers")),
                         "url": {"url_string": url, "hostname": record.get("domain"), "path": record.get("path"),
                                 "scheme": record.get("scheme"), "categories": record.get("categories")}
                         if url else None} if url or record.get("method") else None,
        "http_response": {"code": code, "length": record.get("response_size")
                          if isinstance(record.get("response_size"), int) else None}
        if isinstance(code, int) and not isinstance(code, bool) else None,
        "file": {"name": str(record["filename"]), "type_id": 1, "type": "Regular File",
                 "size": record.get("file_size") if isinstance(record.get("file_size"), int) else None}
        if record.get("filename") else None,
        "data": {k: record[k] for k in ("session_id", "event", "action", "result", "reason", "exploit", "policy",
                                        "target", "title") if record.get(k) not in (None, "")} or None,
    }
    return ocsf.incident_finding(
        ctx, incident, severity_id=ctx.severity_id(log_type, fallback=incident["severity"]), status_id=1,
        analytic=ocsf.analytic(f"Silo {log_type}", uid=log_type, type_id=ocsf.RULE, category="Silo audit log"),
        types=[log_type], evidences=[evidence])


def _logs(ctx: ocsf.Context, result: CommandResult) -> list[dict[str, Any]]:
    entries = result.outputs if isinstance(result.outputs, list) else [result.outputs]
    records = result.raw if isinstance(result.raw, list) else [result.raw]
    return [incident_to_ocsf(ctx, log_to_incident(record, org=entry["org"], log_type=entry["type"]))
            for entry, record in zip(entries, records)]


OCSF_COMMANDS = {"get-event": _logs, "authentic8-extract-logs": _logs}
