"""Cisco Global Threat Alerts: the command handlers. The API client is in ``client.py``, alerts as
incidents and outputs in ``mapping.py``, the fetch passes and their bookmarks in ``fetch.py``."""
from __future__ import annotations

from itertools import islice
from typing import Any, Iterator

from ..common import errors
from ..common.manifest import vendor_manifest
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.timeutil import parse_time, rfc3339

from . import fetch
from .client import PAGE_MAX, VENDOR, GtaClient, connect
from .mapping import (alert_detail, alert_status, convicting_events_markdown, detection_id, event_sequence,
                      matching_alerts)


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> GtaClient:
    return connect(region=params.get("region") or vendor_manifest(VENDOR).param("region")["default"],
                   client_id=params["client_id"], client_secret=params["client_secret"],
                   customer_id=params.get("customer_id"), base_url=params.get("base_url"),
                   token_url=params.get("token_url"), identity_url=params.get("identity_url"),
                   insecure=params["insecure"], proxy=bool(params.get("proxy")), retry=retry)


@command("test-module")
def test_module(client: GtaClient) -> CommandResult:
    list(islice(client.alerts({"size": 1}), 1))
    return CommandResult({"ok": True, "customer_id": client.customer_id},
                         readable=f"ok: token obtained and alerts readable for customer {client.customer_id}")


@command("fetch-incidents")
def fetch_incidents(client: GtaClient, *, state: dict[str, Any] | None, first_fetch: str, max_fetch: int,
                    include_updates: bool, look_back: int, enrich_detections: int) -> Iterator[FetchBatch]:
    """New alerts in triggeredAt order, then modified ones as updates, ``max_fetch`` at most in all (``fetch.py``)."""
    yield from fetch.run(client, state=state, first_fetch=first_fetch, max_fetch=max_fetch,
                         include_updates=include_updates, look_back=look_back, enrich_detections=enrich_detections)


@command("get-event")
def get_event(client: GtaClient, *, alert_id: str, max_detections: int, max_events: int) -> CommandResult:
    alert = client.alert(alert_id)
    detections = []
    for detection in islice(client.threat_detections(alert_id), max_detections):
        events = list(islice(client.convicting_events(detection_id(detection)), max_events)) if max_events else []
        detections.append((detection, events))
    outputs = alert_detail(alert, detections, url=f"{client.console_url}/alerts/{alert_id}")
    return CommandResult(outputs, raw=alert, title=f"Cisco GTA alert {alert_id[:12]}",
                         extra=convicting_events_markdown(outputs))


@command("update-status")
def update_status(client: GtaClient, *, alert_id: str, status: str, closing_reasons: list[str] | None = None,
                  note: str | None = None) -> CommandResult:
    if closing_reasons and status != "Closed":
        raise errors.InputError("update-status: closing_reasons go only with status=Closed")
    body: dict[str, Any] = {"value": status}
    if closing_reasons:
        body["closingReasons"] = closing_reasons
    client.patch(alert_id, "status", {"status": body})
    if note:
        client.patch(alert_id, "note", {"note": note})
    alert = client.alert(alert_id)
    warning = ("\n\nNote: on an alert in status New, the note may vanish when the alert is recalculated."
               if note and status == "New" else "")
    return CommandResult(alert, raw=alert, readable=f"Alert {alert_id} is now **{alert_status(alert)}**.{warning}")


@command("cisco-gta-list-alerts")
def list_alerts(client: GtaClient, *, sort: str, limit: int, triggered_after: str | None = None,
                modified_after: str | None = None, alert_ids: list[str] | None = None,
                risk: list[str] | None = None, status: list[str] | None = None) -> CommandResult:
    if alert_ids:
        alerts = client.alerts_by_id(alert_ids)
    else:
        params: dict[str, Any] = {"sort": sort}
        if triggered_after:
            params["triggeredAfter"] = rfc3339(parse_time(triggered_after))
        if modified_after:
            params["modifiedAfter"] = rfc3339(parse_time(modified_after))
        if limit:
            params["size"] = min(PAGE_MAX, limit)
        alerts = client.alerts(params)
    found = list(islice(matching_alerts(alerts, risk=risk, status=status), limit or None))
    return CommandResult(found, raw=found, title=f"Cisco GTA alerts ({len(found)})")


@command("cisco-gta-set-note")
def set_note(client: GtaClient, *, alert_id: str, note: str) -> CommandResult:
    client.patch(alert_id, "note", {"note": note})
    alert = client.alert(alert_id)
    warning = " It may vanish when the alert is recalculated while in status New." if alert_status(alert) == "New" else ""
    return CommandResult(alert, raw=alert, readable=f"Note set on alert {alert_id}.{warning}")


@command("cisco-gta-delete-note")
def delete_note(client: GtaClient, *, alert_id: str) -> CommandResult:
    client.delete_note(alert_id)
    alert = client.alert(alert_id)
    return CommandResult(alert, raw=alert, readable=f"Note removed from alert {alert_id}.")


@command("cisco-gta-list-events")
def list_events(client: GtaClient, *, state: dict[str, Any] | None, limit: int, resume: bool, convicting_only: bool,
                after: str | None = None) -> CommandResult:
    if resume and after:
        raise errors.InputError("cisco-gta-list-events: give either after or resume=true, not both")
    start = (state or {}).get("after") if resume else after
    events: list[dict[str, Any]] = []
    cursor = start
    for event in client.events_since(start):
        if len(events) >= limit:
            break
        # The sequence number of the last event *read* (kept or not) is where the next run resumes.
        cursor = event_sequence(event, cursor)
        if not convicting_only or event.get("threatDetectionIds"):
            events.append(event)
    return CommandResult(events, raw={"events": events, "nextCursor": cursor}, title=f"Cisco GTA events ({len(events)})",
                         extra=f"Next cursor: `{cursor}`" if cursor else None,
                         state={"after": cursor} if resume and cursor else None)
