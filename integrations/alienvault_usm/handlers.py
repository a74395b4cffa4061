"""AlienVault / LevelBlue USM Anywhere API 2.0: the command handlers (the fetch bookmark is the runtime's
``TimeBookmark``).

The client and its quirks live in ``client.py``; alarms and events become incidents and outputs in
``mapping.py``.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from ..common import errors
from ..common.auth import ClientCredentialsAuth
from ..common.bookmarks import TimeBookmark
from ..common.fetching import fetch_in_batches
from ..common.http import HttpClient
from ..common.vendordata import dig, vendor_data
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch, markdown_table
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.timeutil import epoch_ms, parse_time

from .client import OCCURED, SOURCE, UsmClient, normalize_base_url, unwrap_event
from .mapping import alarm_moment_and_id, alarm_output, alarm_to_incident, event_ids, event_output

SORT_ASC = f"{OCCURED},asc"


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> UsmClient:
    base_url = normalize_base_url(params["base_url"])
    auth = ClientCredentialsAuth(f"{base_url}/oauth/token", params["client_id"], params["client_secret"],
                                 scheme="Bearer")
    http = HttpClient(base_url, auth=auth, retry=retry, verify=not params["insecure"], vendor=SOURCE,
                      proxy=bool(params.get("proxy")))
    return UsmClient(http, page_size=params.get("page_size") or 100)


# --- handlers ---------------------------------------------------------------------------------------------------

def _suppressed(value: str | None) -> bool | None:
    return None if value in (None, "any") else value == "true"


def _window(start_time: str | None, end_time: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if start_time:
        params[f"{OCCURED}_gte"] = epoch_ms(parse_time(start_time))
    if end_time:
        params[f"{OCCURED}_lte"] = epoch_ms(parse_time(end_time))
    if len(params) == 2 and params[f"{OCCURED}_gte"] > params[f"{OCCURED}_lte"]:
        raise errors.InputError("start_time is after end_time")
    return params


@command("test-module")
def test_module(client: UsmClient) -> CommandResult:
    body = client.http.get_json("alarms", params={"page": 0, "size": 1, "sort": f"{OCCURED},desc"})
    if not isinstance(body, dict) or "page" not in body:
        raise errors.VendorError(f"{SOURCE}: {client.http.base_url}alarms did not answer like USM Anywhere "
                                 "(no page object); check base_url ends with /api/2.0")
    total = dig(body, "page.totalElements")
    outputs = {"ok": True, "base_url": client.http.base_url.rstrip("/"),
               "alarms": total if isinstance(total, int) else None}
    return CommandResult(outputs, raw=body, readable=f"ok: token obtained and alarms readable ({total} alarms)")


@command("fetch-incidents")
def fetch_incidents(client: UsmClient, *, state: dict[str, Any] | None, first_fetch: str, max_fetch: int,
                    look_back: int, suppressed: str, status: list[str] | None = None,
                    priority_label: list[str] | None = None, rule_intent: str | None = None,
                    rule_method: str | None = None, rule_strategy: str | None = None,
                    alarm_sensor_sources: str | None = None) -> Iterator[FetchBatch]:
    """Alarms oldest first by ``timestamp_occured``, every page to the last (or ``max_fetch``).

    One batch per API page, each with the bookmark that is true once its incidents are handed over.
    """
    mark = TimeBookmark.from_state(state, default=parse_time(first_fetch), look_back=timedelta(minutes=look_back))
    # One second of overlap: inclusive or not, the boundary is read again and the ids drop repeats.
    start = epoch_ms(mark.query_from())
    params = {"sort": SORT_ASC, f"{OCCURED}_gte": start, "status": status, "priority_label": priority_label,
              "rule_intent": rule_intent, "rule_method": rule_method, "rule_strategy": rule_strategy,
              "alarm_sensor_sources": alarm_sensor_sources, "suppressed": _suppressed(suppressed)}
    pages = client.pages("alarms", {"page": 0, "size": client.page_size, **params})
    # The seen-set holds every id of this run too: offset paging shifts when alarms arrive mid-run, and
    # the same alarm can then show up on two pages.
    return fetch_in_batches(pages, bookmark=mark, moment_and_id=alarm_moment_and_id, max_fetch=max_fetch,
                            to_incident=lambda alarm: alarm_to_incident(alarm, console_url=client.console_url))


@command("get-event")
def get_event(client: UsmClient, *, event_id: str) -> CommandResult:
    event = client.event(event_id)
    out = event_output(event)
    return CommandResult(out, raw=event, title=f"USM Anywhere event {event_id}")


# An alarm's events under its table: the columns and titles of alienvault-get-events-by-alarm's table.
EVENT_COLUMNS = ["id", "name", "occurred", "source_name", "destination_name", "plugin"]
EVENT_TITLES = {"id": "Event ID", "name": "Event", "occurred": "Occurred", "source_name": "Source",
                "destination_name": "Destination", "plugin": "Data source"}


@command("alienvault-get-alarm")
def get_alarm(client: UsmClient, *, alarm_id: str) -> CommandResult:
    alarm = client.alarm(alarm_id)
    out = alarm_output(alarm, console_url=client.console_url, with_events=True)
    events = markdown_table(out["events"], columns=EVENT_COLUMNS, titles=EVENT_TITLES, title="Events")
    return CommandResult(out, raw=alarm, title=f"USM Anywhere alarm {alarm_id}", extra=events if out["events"] else None)


@command("alienvault-search-alarms")
def search_alarms(client: UsmClient, *, limit: int, sort: str, suppressed: str, status: list[str] | None = None,
                  priority_label: list[str] | None = None, rule_intent: str | None = None,
                  rule_method: str | None = None, rule_strategy: str | None = None,
                  alarm_sensor_sources: str | None = None, start_time: str | None = None,
                  end_time: str | None = None) -> CommandResult:
    params = {"sort": f"{OCCURED},{sort}", "status": status, "priority_label": priority_label,
              "rule_intent": rule_intent, "rule_method": rule_method, "rule_strategy": rule_strategy,
              "alarm_sensor_sources": alarm_sensor_sources, "suppressed": _suppressed(suppressed),
              **_window(start_time, end_time)}
    raw = list(client.items("alarms", params, limit=limit))
    found = [alarm_output(a, console_url=client.console_url, with_events=False) for a in raw]
    return CommandResult(found, raw=raw, title=f"USM Anywhere alarms ({len(found)})")


@command("alienvault-search-events")
def search_events(client: UsmClient, *, limit: int, sort: str, suppressed: str, account_name: str | None = None,
                  plugin: str | None = None, event_name: str | None = None, source_name: str | None = None,
                  source_username: str | None = None, sensor_uuid: str | None = None,
                  start_time: str | None = None, end_time: str | None = None) -> CommandResult:
    params = {"sort": f"{OCCURED},{sort}", "account_name": account_name, "plugin": plugin, "event_name": event_name,
              "source_name": source_name, "source_username": source_username, "sensor_uuid": sensor_uuid,
              "suppressed": _suppressed(suppressed), **_window(start_time, end_time)}
    raw = list(client.items("events", params, limit=limit))
    found = [event_output(e) for e in raw]
    return CommandResult(found, raw=raw, title=f"USM Anywhere events ({len(found)})")


@command("alienvault-get-events-by-alarm")
def get_events_by_alarm(client: UsmClient, *, alarm_id: str, limit: int) -> CommandResult:
    alarm = client.alarm(alarm_id)
    events = []
    with vendor_data("alienvault_usm alarm events"):
        embedded = [unwrap_event(e) for e in alarm.get("events") or []]
        by_id = {str(e["uuid"]): e for e in embedded if e.get("uuid")}
        for event_id in event_ids(alarm, embedded)[: limit or None]:
            event = by_id.get(event_id)
            # A bare reference (the OpenAPI file's AlarmEvent, or an id only in packet_data): read it whole.
            if event is None or (not event.get("event_name") and OCCURED not in event):
                event = client.event(event_id)
            events.append(event)
    found = [event_output(e) for e in events]
    return CommandResult(found, raw=events, title=f"Events of USM Anywhere alarm {alarm_id} ({len(found)})")


def _labels_result(client: UsmClient, alarm_id: str, note: str, label_id: str | None = None) -> CommandResult:
    labels = client.labels(alarm_id)
    out: dict[str, Any] = {"id": alarm_id, "labels": labels}
    if label_id:
        out["label_id"] = label_id
    listed = ", ".join(f"`{x}`" for x in labels) or "none"
    return CommandResult(out, raw={"alarm_labels": labels}, readable=f"{note}\n\nLabels of alarm {alarm_id}: {listed}")


@command("alienvault-list-labels")
def list_labels(client: UsmClient, *, alarm_id: str) -> CommandResult:
    return _labels_result(client, alarm_id, f"Alarm {alarm_id}.")


@command("alienvault-add-label")
def add_label(client: UsmClient, *, alarm_id: str, label_id: str) -> CommandResult:
    client.set_label(alarm_id, label_id, present=True)
    return _labels_result(client, alarm_id, f"Label `{label_id}` is on alarm {alarm_id}.", label_id)


@command("alienvault-remove-label")
def remove_label(client: UsmClient, *, alarm_id: str, label_id: str) -> CommandResult:
    client.set_label(alarm_id, label_id, present=False)
    return _labels_result(client, alarm_id, f"Label `{label_id}` is not on alarm {alarm_id}.", label_id)
