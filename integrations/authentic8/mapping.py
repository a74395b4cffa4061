"""Authentic8 Silo log records in soarpacks shapes: incidents (with indicators), log entries and
log-type rows. The log types, their severities and the default fetch come from the manifest."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from ..common import errors
from ..common.manifest import vendor_manifest
from ..common.results import defang
from ..common.timeutil import rfc3339
from ..common.vendordata import reads_vendor_data
from .client import VENDOR, log_seq

SOURCE = "authentic8"
ENC = "ENC"  # the type of every log of an org with log encryption, whatever type it was


# Severity is per log type (the manifest's severity_mapping; the README says why each is what it is).
@lru_cache(maxsize=None)
def _severities() -> dict[str, int]:
    return vendor_manifest(VENDOR).severity_mapping


def severity(log_type: str) -> int:
    """The incident severity of a log type: 0 (unknown) for a type the manifest does not grade."""
    return _severities().get(log_type, 0)


@lru_cache(maxsize=None)
def log_types() -> tuple[str, ...]:
    """Every log type the API names (the manifest's choices for get-event)."""
    return tuple(vendor_manifest(VENDOR).command("get-event").arg("log_type")["enum"])


@lru_cache(maxsize=None)
def default_fetch_types() -> tuple[str, ...]:
    """What fetch-incidents reads when not told: what a SOC acts on, without the URL/SESSION volume."""
    return tuple(vendor_manifest(VENDOR).command("fetch-incidents").arg("log_types")["default"])


@lru_cache(maxsize=None)
def encrypted_only() -> frozenset[str]:
    """Types only ever logged encrypted (COOKIES, POST DATA): extracting them by name finds nothing, so
    the manifest leaves them out of fetch's choices; with ENC itself, nobody reads them without the key."""
    fetchable = vendor_manifest(VENDOR).command("fetch-incidents").arg("log_types")["enum"]
    return frozenset(t for t in log_types() if t not in fetchable) | {ENC}


@reads_vendor_data
def log_time(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(float(record["create_ts"]), tz=timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise errors.VendorError(f"{VENDOR}: a log record without a readable create_ts: {str(record)[:120]}") from None


def log_id(org: str, log_type: str, seq_id: int) -> str:
    return f"{org}/{log_type}/{seq_id}"


@reads_vendor_data
def record_url(record: dict[str, Any]) -> str | None:
    if record.get("url"):
        return str(record["url"])
    if record.get("domain") and record.get("scheme"):
        port = record.get("port")
        default = {"http": 80, "https": 443}.get(str(record["scheme"]))
        netloc = record["domain"] if port in (None, default) else f"{record['domain']}:{port}"
        return f"{record['scheme']}://{netloc}{record.get('path') or '/'}"
    return None


_URL_ROLE = {"BLOCKED URL": "blocked", "EXPLOIT": "exploit-source", "ISOLATE_BYPASS": "bypassed",
             "DOWNLOAD": "download-source", "UPLOAD": "upload-destination"}
_LABEL_FIELDS = ("session_id", "user_id", "event", "action", "result", "reason", "exploit", "filename", "file_size",
                 "response_code", "method", "title", "policy", "target", "location", "from_location", "to_location",
                 "key_name", "encryption_type")


@reads_vendor_data
def indicators(record: dict[str, Any], log_type: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    def add(kind: str, value: Any, role: str) -> None:
        if value not in (None, "") and not any(i["type"] == kind and i["value"] == str(value) for i in found):
            found.append({"type": kind, "value": str(value), "role": role})

    add("url", record_url(record), _URL_ROLE.get(log_type, "visited"))
    add("domain", record.get("domain"), _URL_ROLE.get(log_type, "visited"))
    add("ip", record.get("client_ip"), "client")
    add("user", record.get("user_name") or record.get("user_id"), "actor")
    if log_type == "ADMIN_AUDIT":
        add("user", record.get("target"), "target")
    add("hash", record.get("sha256"), "file")
    add("hash", record.get("md5"), "file")
    return found


@reads_vendor_data
def incident_name(record: dict[str, Any], log_type: str) -> str:
    if log_type == ENC:
        return f"Silo encrypted log (key {record.get('key_name') or 'unknown'})"
    url = record_url(record)
    detail = {
        "URL": f"{record.get('method', '')} {url}".strip() if url else None,
        "BLOCKED URL": f"{url} ({record['reason']})" if url and record.get("reason") else url,
        "EXPLOIT": f"{record.get('exploit', 'exploit')} at {url or record.get('domain') or '?'}",
        "DOWNLOAD": f"{record.get('filename', '?')} from {record.get('domain', '?')}",
        "UPLOAD": f"{record.get('filename', '?')} to {record.get('domain', '?')}",
        "AUTH": f"{record.get('event', '?')} by {record.get('user_name') or record.get('user_id', '?')}",
        "ADMIN_AUDIT": f"{record.get('action', '?')} by {record.get('user_name') or record.get('user_id', '?')}",
    }.get(log_type)
    if not detail:
        detail = next((str(record[k]) for k in ("url", "domain", "event", "action", "filename", "app")
                       if record.get(k)), f"seq {record.get('seq_id')}")
    # Defanged whole (every log type's URLs and hosts), as every incident name is: names are read by people.
    return defang(f"Silo {log_type}: {detail}")[:300]


@reads_vendor_data
def log_to_incident(record: dict[str, Any], *, org: str, log_type: str) -> dict[str, Any]:
    # A record's own type wins: an encrypted org's logs arrive as ENC whatever was asked for.
    kind = str(record.get("type") or log_type)
    occurred = rfc3339(log_time(record))
    labels: dict[str, Any] = {"org": org, "log_type": kind, "seq_id": log_seq(record)}
    for name in _LABEL_FIELDS:
        value = record.get(name)
        if isinstance(value, (str, int, float, bool)):
            labels[name] = value
    if isinstance(record.get("categories"), list):
        labels["categories"] = ", ".join(map(str, record["categories"]))
    return {
        "id": log_id(org, kind, log_seq(record)),
        "source": SOURCE,
        "name": incident_name(record, kind),
        "severity": severity(kind),
        "occurred": occurred,
        "updated": occurred,  # logs never change
        "status": "New",
        "url": None,  # the Silo admin console has no link per log record
        "indicators": indicators(record, kind),
        "labels": labels,
        "raw": record,
    }


@reads_vendor_data
def log_entry(record: dict[str, Any], *, org: str, log_type: str) -> dict[str, Any]:
    kind = str(record.get("type") or log_type)
    return {**record, "id": log_id(org, kind, log_seq(record)), "org": org, "type": kind,
            "time": rfc3339(log_time(record))}


@reads_vendor_data
def log_type_row(name: Any) -> dict[str, Any]:
    """One row of authentic8-get-log-types: the type as the API names it, with what soarpacks does with it."""
    name = str(name)
    return {"name": name, "severity": severity(name), "default_fetch": name in default_fetch_types(),
            "encrypted_only": name in encrypted_only()}
