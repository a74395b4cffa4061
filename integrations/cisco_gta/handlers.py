"""Cisco Global Threat Alerts: the API client, alerts mapped to incidents, and the command handlers."""
from __future__ import annotations

import ipaddress
from datetime import timedelta
from functools import cached_property
from itertools import islice
from typing import Any, Iterator

from ..common import errors
from ..common.auth import ClientCredentialsAuth
from ..common.http import HttpClient
from ..common.paginators import BodyCursorPaginator, PageRequest, iter_items
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch, defang, markdown_table
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.bookmarks import TimeBookmark
from ..common.timeutil import as_rfc3339, parse_time, rfc3339, utcnow
from ..common.vendordata import dig, reads_vendor_data

# The EU hosts are documented; the US and APJC API hosts follow the same pattern (unverified, so
# every host can be overridden by a param).
REGIONS = {
    "eu": ("api.cta.eu.amp.cisco.com", "visibility.eu.amp.cisco.com", "cta.eu.amp.cisco.com"),
    "us": ("api.cta.amp.cisco.com", "visibility.amp.cisco.com", "cta.amp.cisco.com"),
    "apjc": ("api.cta.apjc.amp.cisco.com", "visibility.apjc.amp.cisco.com", "cta.apjc.amp.cisco.com"),
}
PAGE_MAX = 1000  # the API's cap on `size`
RISK_SEVERITY = {"Low": 1, "Medium": 2, "High": 3, "Critical": 4}
# `after=<endCursor>` works for GET and POST collections alike (POST answers carry no `next` link).
CURSOR = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")


class GtaClient:
    def __init__(self, http: HttpClient, *, customer_id: str | None, identity_url: str, console_url: str) -> None:
        self.http = http
        self._customer_id = customer_id
        self.identity_url = identity_url
        self.console_url = console_url

    @cached_property
    def customer_id(self) -> str:
        if self._customer_id:
            return self._customer_id
        customer = dig(self.http.get_json(self.identity_url), "identity.customerId")
        if not customer or not isinstance(customer, str):
            raise errors.ConfigError("cisco_gta: the API client's identity has no customerId; set customer_id")
        return customer

    def _url(self, api: str, path: str = "") -> str:
        return self.http.url(f"/{api}/customer/{self.customer_id}/{path}".rstrip("/"))

    def alerts(self, params: dict[str, Any], *, prefetch: bool = False) -> Iterator[dict[str, Any]]:
        request = PageRequest("GET", self._url("alert-management", "alerts"), params={"size": PAGE_MAX, **params})
        return iter_items(self.http, request, CURSOR, "items", prefetch=prefetch)

    def alerts_by_id(self, alert_ids: list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(alert_ids), PAGE_MAX):
            request = PageRequest("POST", self._url("alert-management", "alerts/search"), params={"size": PAGE_MAX},
                                  json_body={"filter": {"alertIds": alert_ids[start:start + PAGE_MAX]}},
                                  retry_unsafe=True)
            yield from iter_items(self.http, request, CURSOR, "items")

    def alert(self, alert_id: str) -> dict[str, Any]:
        try:
            return self.http.get_json(self._url("alert-management", f"alerts/{alert_id}"))
        except errors.NotFoundError:
            raise errors.NotFoundError(f"cisco_gta: alert {alert_id} not found (alerts are removed 45 days "
                                       "after their last detection)") from None

    def threat_detections(self, alert_id: str) -> Iterator[dict[str, Any]]:
        url = self._url("alert-management", f"alerts/{alert_id}/threat-detections")
        return iter_items(self.http, PageRequest("GET", url), CURSOR, "items")

    def convicting_events(self, detection_id: str) -> Iterator[dict[str, Any]]:
        url = self._url("threat-detection", f"threat-detections/{detection_id}/events/convicting")
        return iter_items(self.http, PageRequest("GET", url), CURSOR, "items")

    def events_since(self, after: str | None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"sort": "modificationSequenceNumber", "size": PAGE_MAX}
        if after:
            params["after"] = after
        request = PageRequest("POST", self._url("event-detection", "events/search"), params=params,
                              json_body={"filter": {}}, retry_unsafe=True)
        return iter_items(self.http, request, CURSOR, "items")

    def patch(self, alert_id: str, resource: str, body: dict[str, Any]) -> Any:
        # PATCH sets a value: resending it is harmless.
        return self.http.send_json("PATCH", self._url("alert-management", f"alerts/{alert_id}/{resource}"),
                                   json_body=body, retry_unsafe=True)

    def delete_note(self, alert_id: str) -> None:
        self.http.request("DELETE", self._url("alert-management", f"alerts/{alert_id}/note"))


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> GtaClient:
    api_host, auth_host, console_host = REGIONS[params["region"]]
    auth = ClientCredentialsAuth(params.get("token_url") or f"https://{auth_host}/iroh/oauth2/token",
                                 params["client_id"], params["client_secret"], scheme="Bearer")
    http = HttpClient(params.get("base_url") or f"https://{api_host}", auth=auth, retry=retry,
                      verify=not params["insecure"], vendor="cisco_gta", proxy=bool(params.get("proxy")))
    return GtaClient(http, customer_id=params.get("customer_id"),
                     identity_url=params.get("identity_url") or f"https://{console_host}/auth/api-clients/me",
                     console_url=f"https://{console_host}")


# --- alerts as incidents ---------------------------------------------------------------------------

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
        "source": "cisco_gta",
        "name": alert_title(alert, detections),
        "severity": RISK_SEVERITY.get(risk, 0),
        "occurred": as_rfc3339(alert["triggeredAt"]),
        "updated": as_rfc3339(alert.get("modifiedAt") or alert["triggeredAt"]),
        "status": alert_status(alert),
        "url": f"{console_url}/alerts/{alert['id']}",
        "indicators": detection_indicators(detections),
        "labels": labels,
        "raw": alert,
    }


def enrichment(client: GtaClient, alert: dict[str, Any], most: int) -> list[dict[str, Any]]:
    """Up to ``most`` threat detections of an alert, each with up to 10 convicting events; none when
    ``most`` is 0 or the alert is gone (removed 45 days after its last detection)."""
    if most == 0:
        return []
    try:
        detections = list(islice(client.threat_detections(str(alert["id"])), most))
        return [{**d, "convictingEvents": list(islice(client.convicting_events(detection_id(d)), 10))}
                for d in detections]
    except errors.NotFoundError:
        return []


@reads_vendor_data
def _key(alert: dict[str, Any], field: str) -> tuple[Any, str]:
    try:
        return parse_time(alert[field]), alert["id"]
    except (KeyError, TypeError, errors.InputError):
        raise errors.VendorError(f"cisco_gta: an alert without a readable {field}/id: {str(alert)[:120]}") from None


# --- handlers --------------------------------------------------------------------------------------

@command("test-module")
def test_module(client: GtaClient) -> CommandResult:
    list(islice(client.alerts({"size": 1}), 1))
    return CommandResult({"ok": True, "customer_id": client.customer_id},
                         readable=f"ok: token obtained and alerts readable for customer {client.customer_id}")


@command("fetch-incidents")
def fetch_incidents(client: GtaClient, *, state: dict[str, Any] | None, first_fetch: str, max_fetch: int,
                    include_updates: bool, look_back: int = 0, enrich_detections: int = 0) -> Iterator[FetchBatch]:
    """New alerts in triggeredAt order, then modified ones as updates, ``max_fetch`` at most in all.

    Both bookmarks are time bookmarks (``common/bookmarks.py``): each run re-reads ``look_back`` minutes
    and one second before the newest time covered, for alerts the search shows late, and drops the ids
    already handed over. A modification is identified by alert id and ``modifiedAt``, so a second change
    to an alert inside the look-back is handed over too.
    """
    window = timedelta(minutes=look_back)
    new_mark = TimeBookmark.from_state(state, default=parse_time(first_fetch), field="triggered", look_back=window)
    # On the first run, what was modified earlier arrives through the new-alert pass with its current content.
    mod_mark = TimeBookmark.from_state(state, default=utcnow() - timedelta(minutes=5), field="modified",
                                       look_back=window)
    budget = max_fetch
    handed: dict[str, str | None] = {}  # id -> modifiedAt of the version handed over in this run

    def bookmark() -> dict[str, Any]:
        return {**new_mark.to_state(), **mod_mark.to_state()}

    # A backlog drains page after page: fetch the next while this one is mapped.
    pages = client.alerts({"sort": "triggeredAt:asc", "triggeredAfter": rfc3339(new_mark.query_from()),
                           "size": min(PAGE_MAX, max_fetch + len(new_mark.seen))}, prefetch=max_fetch > PAGE_MAX)
    batch: list[dict[str, Any]] = []
    for alert in pages:
        moment, alert_id = _key(alert, "triggeredAt")
        if not new_mark.is_new(moment, alert_id):
            continue
        batch.append(alert_to_incident(alert, console_url=client.console_url, change="new",
                                       detections=enrichment(client, alert, enrich_detections)))
        new_mark.add(moment, alert_id)
        handed[alert_id] = alert.get("modifiedAt")
        budget -= 1
        if len(batch) >= PAGE_MAX or budget == 0:
            yield FetchBatch(batch, bookmark())
            batch = []
        if budget == 0:
            return
    yield FetchBatch(batch, bookmark())
    if not include_updates:
        return
    # The API promises no order for modifiedAfter, so read them all, then hand over oldest first.
    modified = sorted(client.alerts({"modifiedAfter": rfc3339(mod_mark.query_from())}),
                      key=lambda a: _key(a, "modifiedAt"))
    batch = []
    for alert in modified:
        moment, alert_id = _key(alert, "modifiedAt")
        change = f"{alert_id}@{alert.get('modifiedAt')}"
        if not mod_mark.is_new(moment, change):
            continue
        not_yet_handed = new_mark.is_new(_key(alert, "triggeredAt")[0], alert_id)
        if not not_yet_handed and handed.get(alert_id, object()) != alert.get("modifiedAt"):
            if budget == 0:
                break
            batch.append(alert_to_incident(alert, console_url=client.console_url, change="update",
                                           detections=enrichment(client, alert, enrich_detections)))
            budget -= 1
        # Alerts not handed over yet will arrive as new, with their content as it is then.
        mod_mark.add(moment, change)
    yield FetchBatch(batch, bookmark())


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


@reads_vendor_data
def matching_alerts(alerts: Iterator[dict[str, Any]], *, risk: list[str] | None,
                    status: list[str] | None) -> Iterator[dict[str, Any]]:
    for alert in alerts:
        if (not risk or alert.get("risk") in risk) and (not status or alert_status(alert) in status):
            yield alert


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


@reads_vendor_data
def event_sequence(event: dict[str, Any], previous: str | None) -> str | None:
    value = event.get("modificationSequenceNumber")
    return previous if value is None else str(value)


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
