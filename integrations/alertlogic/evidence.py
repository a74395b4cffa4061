"""Log evidence of an incident: its associated log elaborations (``returnSource=log``) and each
one's raw message from the search service (``GET /search/v1/{account}/messages/logmsgs?ids=``).

An elaboration carries a preview of the line; the search service holds the whole message and its
parsed fields. When the search service cannot give a message, the preview is kept and the log says
so (``message_complete: false``), and when it cannot be reached at all the logs are kept with a
warning: evidence already read is never dropped for the part that failed.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from ..common import errors
from ..common.results import defang, markdown_table
from ..common.timeutil import parse_time, rfc3339
from ..common.vendordata import dig, reads_vendor_data
from .client import VENDOR, AlertLogicClient

LOG_PAGE = 100
# Ids per messages request: they travel in the query string, so a few dozen keep the URL short.
MESSAGE_BATCH = 50


class LogsRead(NamedTuple):
    logs: list[dict[str, Any]]
    total: int


@reads_vendor_data
def log_elaborations(client: AlertLogicClient, incident_id: str, *, max_logs: int) -> LogsRead:
    """Up to ``max_logs`` associated log elaborations, page by page to the end, and their total."""
    found: list[dict[str, Any]] = []
    total = 0
    while len(found) < max_logs:
        page = client.http.get_json(client._iris(f"{incident_id}/elaborations/associated"),
                                    params={"returnSource": "log", "limit": min(LOG_PAGE, max_logs - len(found)),
                                            "offset": len(found)})
        items = page.get("returnVals") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise errors.VendorError(f"{VENDOR}: associated logs of {incident_id}: no returnVals list")
        found.extend(items)
        reported = dig(page, "metadata.total_count")
        total = reported if isinstance(reported, int) else len(found)
        # Advance by what came back (a service-side cap is harmless); an empty page ends it.
        if not items or len(found) >= total:
            break
    return LogsRead(found[:max_logs], max(total, len(found)))


def message_id(log: dict[str, Any]) -> str | None:
    value = dig(log, "id.msgid") or log.get("__messageId")
    return str(value) if value else None


@reads_vendor_data
def raw_messages(client: AlertLogicClient, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The search service's answer per message id: ``{"fields": {...}}`` or ``{"error": {...}}``."""
    http = client.service_http("search")
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), MESSAGE_BATCH):
        batch = ids[start:start + MESSAGE_BATCH]
        answer = http.get_json(client.account_path("search/v1", "messages/logmsgs"), params={"ids": ",".join(batch)})
        if not isinstance(answer, list):
            raise errors.VendorError(f"{VENDOR}: the search service's messages answer is not a list")
        for item in answer:
            if isinstance(item, dict) and dig(item, "id.msgid"):
                found[str(dig(item, "id.msgid"))] = item
    return found


def _time(value: Any) -> str | None:
    try:
        return rfc3339(parse_time(value)) if value not in (None, "") else None
    except (errors.InputError, TypeError, ValueError, OverflowError, OSError):
        return None


@reads_vendor_data
def log_item(log: dict[str, Any], raw: dict[str, Any] | None) -> dict[str, Any]:
    fields = raw.get("fields") if isinstance(raw, dict) and isinstance(raw.get("fields"), dict) else None
    message = fields.get("message") if fields and isinstance(fields.get("message"), str) else None
    return {
        "id": message_id(log),
        "time": _time(log.get("time_recv") if log.get("time_recv") is not None else (fields or {}).get("time_recv")),
        "host_name": log.get("host_name") or log.get("__host_name"),
        "source_host_ip": log.get("__source_host_ip"),
        "source": log.get("__sourceName") or log.get("__source"),
        "facility": log.get("facility"),
        "priority": log.get("priority") if isinstance(log.get("priority"), int) else None,
        "message": message if message is not None else log.get("message"),
        "message_complete": message is not None,
        "fields": fields,
        "error": raw.get("error") if isinstance(raw, dict) and raw.get("error") else None,
    }


def log_evidence(client: AlertLogicClient, incident_id: str, *, max_logs: int) -> dict[str, Any]:
    """The ``logs`` part of get-incident's outputs (nothing is read when ``max_logs`` is 0)."""
    if max_logs <= 0:
        return {"logs": [], "log_count": 0, "log_total": None, "logs_truncated": False, "logs_warning": None}
    read = log_elaborations(client, incident_id, max_logs=max_logs)
    ids = list(dict.fromkeys(i for i in map(message_id, read.logs) if i))
    warning = None
    try:
        raw = raw_messages(client, ids) if ids else {}
    except (errors.InputError, errors.AuthError, errors.VendorError) as exc:
        # The elaborations are read; the raw lines are extra. Keep what is there, say what is not.
        raw, warning = {}, f"the search service gave no raw messages ({exc}); log previews are shown"
    logs = [log_item(log, raw.get(message_id(log) or "")) for log in read.logs]
    if not warning and any(not item["message_complete"] for item in logs):
        missing = sum(1 for item in logs if not item["message_complete"])
        warning = f"the search service had no raw message for {missing} log(s); their previews are shown"
    return {"logs": logs, "log_count": len(logs), "log_total": read.total, "logs_truncated": read.total > len(logs),
            "logs_warning": warning}


def logs_markdown(details: dict[str, Any]) -> str:
    """The logs table of get-incident's war-room text (messages defanged, cut to 200 characters)."""
    rows = [{"time": log["time"], "host": log["host_name"], "source": log["source"],
             "message": defang(str(log["message"] or ""))[:200]} for log in details["logs"]]
    text = markdown_table(rows, columns=["time", "host", "source", "message"], title="Logs")
    if details["logs_warning"]:
        text = f"**Warning:** {details['logs_warning']}\n\n{text}"
    if details["logs_truncated"]:
        text += f"\n\nOnly the first {details['log_count']} of {details['log_total']} logs were read (raise max_logs for more)."
    return text
