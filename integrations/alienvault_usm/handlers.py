"""AlienVault / LevelBlue USM Anywhere API 2.0: the client, alarms mapped to incidents, the handlers.

Reads top to bottom: vendor quirks, the client (auth, HAL paging), mapping of alarms and events,
the fetch bookmark, then one handler per manifest command.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import islice
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qsl, quote, urlsplit

from integrations.common import errors
from integrations.common.auth import ClientCredentialsAuth
from integrations.common.http import HttpClient
from integrations.common.paginators import PaginationError, dig
from integrations.common.registry import command
from integrations.common.results import CommandResult, FetchBatch, markdown_table
from integrations.common.retry import DEFAULT_RETRY, RetryPolicy
from integrations.common.timeutil import epoch_ms, parse_time, rfc3339

SOURCE = "alienvault_usm"
API_PATH = "/api/2.0"
PLACEHOLDER_HOST = "your-subdomain"
# The API spells it with one r, in fields, sort keys and filters; its own docs sometimes use two.
OCCURED = "timestamp_occured"
OCCURRED = "timestamp_occurred"
SORT_ASC = f"{OCCURED},asc"
SEVERITY_BY_LABEL = {"low": 1, "medium": 2, "high": 3}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# --- vendor quirks, in one place ---------------------------------------------------------------------

def epoch_ms_field(obj: dict[str, Any], name: str) -> int | None:
    """A timestamp field as epoch ms. The API sends strings of epoch ms (``"1517932134000"``); read
    both spellings of ``occured``, numbers, and the ``*_iso8601`` twin some objects carry."""
    names = [name, name.replace(OCCURED, OCCURRED)] if OCCURED in name else [name]
    for key in names:
        value = obj.get(key)
        if isinstance(value, bool) or value in (None, ""):
            continue
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
            return int(value)
        try:
            return epoch_ms(parse_time(value))
        except errors.InputError:
            continue
    iso = obj.get(f"{name}_iso8601")
    if isinstance(iso, str) and iso:
        try:
            return epoch_ms(parse_time(iso))
        except errors.InputError:
            return None
    return None


def ms_to_time(ms: int) -> datetime:
    # Exact millisecond arithmetic: a float division can land a microsecond off and break equality.
    return EPOCH + timedelta(milliseconds=ms)


def as_bool(value: Any) -> bool | None:
    """Alarms say ``"suppressed": false``; events say ``"suppressed": "false"``."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    return True if text == "true" else False if text == "false" else None


def embedded_items(body: Any, key: str) -> list[dict[str, Any]]:
    """The page's items. Spring HATEOAS leaves ``_embedded`` out of an empty page, and older answers
    (and the XSOAR integration) use ``eventResources`` for events."""
    embedded = body.get("_embedded") if isinstance(body, dict) else None
    if not embedded:
        return []
    if not isinstance(embedded, dict):
        raise errors.VendorError(f"{SOURCE}: unexpected _embedded in the answer: {str(embedded)[:120]}")
    for name in (key, f"{key[:-1]}Resources"):
        if isinstance(embedded.get(name), list):
            return embedded[name]
    lists = [v for v in embedded.values() if isinstance(v, list)]
    if len(lists) == 1:
        return lists[0]
    raise errors.VendorError(f"{SOURCE}: no {key} list in _embedded (keys: {', '.join(sorted(embedded))})")


def unwrap_event(item: Any) -> dict[str, Any]:
    """An alarm's event, whether a ``{_links, timeStamp, message}`` wrapper or a plain event."""
    if not isinstance(item, dict):
        return {"uuid": str(item)}
    message = item.get("message")
    if not isinstance(message, dict):
        return item
    event = dict(message)
    if not event.get("uuid"):
        link = dig(item, "_links.self")
        # A templated link reads ".../events/{eventId}": no id there.
        href = link.get("href") if isinstance(link, dict) and not link.get("templated") else None
        event["uuid"] = item.get("uuid") or (href.rstrip("/").rsplit("/", 1)[-1] if href else None)
    if item.get("timeStamp") is not None and "timestamp_received" not in event:
        event["timestamp_received"] = str(item["timeStamp"])
    return event


# --- the client ----------------------------------------------------------------------------------------

def normalize_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if PLACEHOLDER_HOST in parts.netloc:
        raise errors.ConfigError(f"{SOURCE}: set base_url to your tenant, e.g. https://acme.alienvault.cloud/api/2.0")
    # A console URL pasted as is: the API lives under /api/2.0 on the same host.
    return url + API_PATH if parts.path in ("", "/") else url


class UsmClient:
    def __init__(self, http: HttpClient, *, page_size: int) -> None:
        self.http = http
        self.page_size = page_size
        parts = urlsplit(http.base_url)
        self.console_url = f"{parts.scheme}://{parts.netloc}"

    def __repr__(self) -> str:
        return f"UsmClient({self.http.base_url})"

    def pages(self, resource: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Each page's items, first to last, following ``_links.next``.

        The link's query (page, size, sort, filters) is sent to the configured base URL, not to the
        link's host: HAL links built behind the vendor's proxy can name an internal host (the docs show
        ``mysubdomain.aveng.us``), and credentials must never follow a link to another host anyway.
        """
        url = self.http.url(resource)
        query: list[tuple[str, Any]] = _query(params)
        asked: set[tuple[tuple[str, str], ...]] = set()
        while True:
            body = self.http.get_json(url, params=query)
            items = embedded_items(body, resource)
            yield items
            href = dig(body, "_links.next.href")
            if not href or not items:
                return  # no link on the last page; a link after an empty page would page forever
            link = urlsplit(href)
            if not link.path.rstrip("/").endswith(f"/{resource}"):
                raise PaginationError(f"{SOURCE}: the next-page link leaves /{resource}: {link.path}")
            query = parse_qsl(link.query, keep_blank_values=True)
            fingerprint = tuple(sorted((k, str(v)) for k, v in query))
            if fingerprint in asked:
                raise PaginationError(f"{SOURCE}: pagination loop, the API links back to a page already read")
            asked.add(fingerprint)

    def items(self, resource: str, params: dict[str, Any], *, limit: int = 0) -> Iterator[dict[str, Any]]:
        size = min(self.page_size, limit) if limit else self.page_size
        found = (item for page in self.pages(resource, {"page": 0, "size": size, **params}) for item in page)
        return islice(found, limit) if limit else found

    def alarm(self, alarm_id: str) -> dict[str, Any]:
        try:
            return self.http.get_json(f"alarms/{quote(alarm_id, safe='')}")
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{SOURCE}: alarm {alarm_id} not found") from None

    def event(self, event_id: str) -> dict[str, Any]:
        try:
            return self.http.get_json(f"events/{quote(event_id, safe='')}")
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{SOURCE}: event {event_id} not found") from None

    def labels(self, alarm_id: str) -> list[str]:
        try:
            body = self.http.get_json(f"alarms/{quote(alarm_id, safe='')}/labels")
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{SOURCE}: alarm {alarm_id} not found") from None
        labels = (body or {}).get("alarm_labels")
        if not isinstance(labels, list):
            raise errors.VendorError(f"{SOURCE}: the labels answer has no alarm_labels list")
        return [str(label) for label in labels]

    def set_label(self, alarm_id: str, label_id: str, *, present: bool) -> None:
        # PUT and DELETE of a label are idempotent, so the request loop may resend them.
        method = "PUT" if present else "DELETE"
        try:
            self.http.request(method, f"alarms/{quote(alarm_id, safe='')}/labels/{quote(label_id, safe='')}")
        except errors.NotFoundError as exc:
            raise errors.NotFoundError(
                f"{SOURCE}: alarm {alarm_id} or label {label_id} does not exist ({_vendor_words(exc)}); labels "
                "are created in the USM Anywhere console", status=404) from None
        except errors.AuthError as exc:
            if exc.status != 403:
                raise
            raise errors.AuthError(f"{SOURCE}: the API client's role may not edit alarm labels (Read-Only "
                                   "clients cannot); use a client with the Analyst or Manager role", status=403) from None


def _vendor_words(exc: errors.SoarpacksError) -> str:
    return str(exc).split(": ", 2)[-1] if ": " in str(exc) else str(exc)


def _query(params: dict[str, Any]) -> list[tuple[str, Any]]:
    """Lists become repeated parameters (``priority_label=low&priority_label=high``), as the API binds them."""
    query: list[tuple[str, Any]] = []
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        for one in value if isinstance(value, list) else [value]:
            query.append((key, str(one).lower() if isinstance(one, bool) else one))
    return query


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> UsmClient:
    base_url = normalize_base_url(params["base_url"])
    auth = ClientCredentialsAuth(f"{base_url}/oauth/token", params["client_id"], params["client_secret"],
                                 scheme="Bearer")
    http = HttpClient(base_url, auth=auth, retry=retry, verify=not params["insecure"], vendor=SOURCE)
    return UsmClient(http, page_size=params.get("page_size") or 100)


# --- alarms and events, mapped ----------------------------------------------------------------------------

def alarm_severity(alarm: dict[str, Any]) -> int:
    """``priority_label`` when present (low 1, medium 2, high 3); otherwise the numeric ``priority``
    (USM uses 20 for low): below 40 low, below 70 medium, else high. USM has no critical."""
    label = str(alarm.get("priority_label") or "").strip().lower()
    if label in SEVERITY_BY_LABEL:
        return SEVERITY_BY_LABEL[label]
    priority = alarm.get("priority")
    if isinstance(priority, str) and priority.isdigit():
        priority = int(priority)
    if not isinstance(priority, int) or isinstance(priority, bool) or priority <= 0:
        return 0
    return 1 if priority < 40 else 2 if priority < 70 else 3


def alarm_time(alarm: dict[str, Any]) -> int:
    ms = epoch_ms_field(alarm, OCCURED)
    if ms is None:
        raise errors.VendorError(f"{SOURCE}: an alarm without a readable {OCCURED}: {str(alarm)[:160]}")
    return ms


def alarm_id(alarm: dict[str, Any]) -> str:
    # The docs' list example says "id"; every real alarm says "uuid".
    value = alarm.get("uuid") or alarm.get("id")
    if not value:
        raise errors.VendorError(f"{SOURCE}: an alarm without a uuid: {str(alarm)[:160]}")
    return str(value)


def alarm_name(alarm: dict[str, Any]) -> str:
    return str(alarm.get("rule_method") or alarm.get("rule_strategy") or alarm.get("event_name")
               or alarm.get("rule_id") or f"USM Anywhere alarm {alarm_id(alarm)}")


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


def alarm_to_incident(alarm: dict[str, Any], *, console_url: str) -> dict[str, Any]:
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
    return {
        "id": alarm_id(alarm),
        "source": SOURCE,
        "name": alarm_name(alarm),
        "severity": alarm_severity(alarm),
        "occurred": rfc3339(ms_to_time(occurred)),
        "updated": rfc3339(ms_to_time(max(received, occurred))),
        "status": str(alarm.get("status") or "unknown"),
        "url": f"{console_url}/#/alarm/{alarm_id(alarm)}",
        "indicators": alarm_indicators(alarm, events),
        "labels": {k: v for k, v in labels.items() if v is not None and not isinstance(v, (list, dict))},
        "raw": alarm,
    }


def _time_or_none(obj: dict[str, Any], name: str) -> str | None:
    ms = epoch_ms_field(obj, name)
    return rfc3339(ms_to_time(ms)) if ms is not None else None


EVENT_FIELDS = ("account_name", "plugin", "plugin_device", "plugin_device_type", "event_category", "event_severity",
                "event_type", "source_name", "source_address", "source_port", "source_username", "source_hostname",
                "destination_name", "destination_address", "destination_port", "destination_username",
                "destination_hostname", "access_control_outcome", "event_action", "sensor_uuid", "packet_type")


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
        "event_ids": _event_ids(alarm, events),
        "url": f"{console_url}/#/alarm/{alarm_id(alarm)}",
    }
    if with_events:
        out["events"] = [event_output(e) for e in events]
    return out


def _event_ids(alarm: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    # ``packet_data`` lists the alarm's event ids, including any the ``events`` array leaves out.
    ids = [str(e["uuid"]) for e in events if e.get("uuid")]
    ids += [str(x) for x in alarm.get("packet_data") or [] if str(x) not in ids]
    return ids


# --- the fetch bookmark -------------------------------------------------------------------------------------

@dataclass
class AlarmBookmark:
    """Where the next fetch starts: the newest ``timestamp_occured`` handed over (``time``), and the
    ids handed over at or after ``covered_from`` (always including every id at ``time`` itself).

    A run asks for alarms at or after ``max(time - lookback, covered_from)`` and drops the remembered
    ids, so alarms that share the boundary millisecond are neither lost nor duplicated, and an alarm
    that appears in search late (indexed after newer ones were fetched) is still picked up within the
    lookback. ``covered_from`` never reaches back past ids that were not remembered, so raising the
    lookback between runs cannot bring back alarms handed over before.
    """

    time_ms: int
    covered_from: int
    seen: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, *, default_ms: int) -> "AlarmBookmark":
        if not state:
            return cls(default_ms, default_ms, {})
        try:
            time_ms = epoch_ms(parse_time(state["time"]))
            covered_from = epoch_ms(parse_time(state.get("covered_from", state["time"])))
            seen = {str(k): int(v) for k, v in (state.get("seen") or {}).items()}
        except (KeyError, TypeError, ValueError, AttributeError, errors.InputError) as exc:
            raise errors.StateError(f"{SOURCE}: the stored bookmark {str(state)[:120]!r} cannot be read "
                                    f"({type(exc).__name__}); refusing to restart from scratch") from None
        return cls(time_ms, min(covered_from, time_ms), seen)

    def query_from(self, lookback_ms: int) -> int:
        return max(self.time_ms - lookback_ms, self.covered_from)

    def is_new(self, alarm_id: str) -> bool:
        return alarm_id not in self.seen

    def add(self, ms: int, alarm_id: str) -> None:
        self.seen[alarm_id] = ms
        self.time_ms = max(self.time_ms, ms)

    def to_state(self, lookback_ms: int) -> dict[str, Any]:
        # Remember only ids the next run can meet again: those at or after where it will start.
        horizon = max(self.time_ms - lookback_ms, self.covered_from)
        seen = {k: v for k, v in self.seen.items() if v >= horizon}
        return {"time": rfc3339(ms_to_time(self.time_ms)), "covered_from": rfc3339(ms_to_time(horizon)),
                "seen": dict(sorted(seen.items()))}


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
                    lookback_minutes: int, suppressed: str, status: list[str] | None = None,
                    priority_label: list[str] | None = None, rule_intent: str | None = None,
                    rule_method: str | None = None, rule_strategy: str | None = None,
                    alarm_sensor_sources: str | None = None) -> Iterator[FetchBatch]:
    """Alarms oldest first by ``timestamp_occured``, every page to the last (or ``max_fetch``).

    One batch per API page, each with the bookmark that is true once its incidents are handed over.
    """
    lookback_ms = lookback_minutes * 60_000
    mark = AlarmBookmark.from_state(state, default_ms=epoch_ms(parse_time(first_fetch)))
    start = mark.query_from(lookback_ms)
    params = {"sort": SORT_ASC, f"{OCCURED}_gte": start, "status": status, "priority_label": priority_label,
              "rule_intent": rule_intent, "rule_method": rule_method, "rule_strategy": rule_strategy,
              "alarm_sensor_sources": alarm_sensor_sources, "suppressed": _suppressed(suppressed)}
    budget = max_fetch
    # Offset paging shifts when alarms arrive mid-run: the same alarm can show up on two pages.
    handed: set[str] = set()
    for page in client.pages("alarms", {"page": 0, "size": client.page_size, **params}):
        batch = []
        for alarm in page:
            ms, key = alarm_time(alarm), alarm_id(alarm)
            if key in handed or not mark.is_new(key) or ms < start:
                continue
            batch.append(alarm_to_incident(alarm, console_url=client.console_url))
            mark.add(ms, key)
            handed.add(key)
            budget -= 1
            if budget == 0:
                break
        yield FetchBatch(batch, mark.to_state(lookback_ms))
        if budget == 0:
            return


@command("get-event")
def get_event(client: UsmClient, *, event_id: str) -> CommandResult:
    event = client.event(event_id)
    out = event_output(event)
    return CommandResult(out, raw=event, title=f"USM Anywhere event {event_id}")


@command("alienvault-get-alarm")
def get_alarm(client: UsmClient, *, alarm_id: str) -> CommandResult:
    alarm = client.alarm(alarm_id)
    out = alarm_output(alarm, console_url=client.console_url, with_events=True)
    readable = markdown_table([out], columns=["id", "name", "priority_label", "status", "occurred", "sources",
                                              "destinations", "event_count"], title=f"USM Anywhere alarm {alarm_id}")
    if out["events"]:
        readable += "\n\n" + markdown_table(out["events"], columns=["id", "name", "occurred", "source_name",
                                                                     "destination_name", "plugin"], title="Events")
    return CommandResult(out, raw=alarm, readable=readable)


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
    readable = markdown_table(found, columns=["id", "name", "priority_label", "status", "occurred", "sources",
                                              "destinations"], title=f"USM Anywhere alarms ({len(found)})")
    return CommandResult(found, raw=raw, readable=readable)


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
    readable = markdown_table(found, columns=["id", "name", "occurred", "source_name", "destination_name", "plugin",
                                              "suppressed"], title=f"USM Anywhere events ({len(found)})")
    return CommandResult(found, raw=raw, readable=readable)


@command("alienvault-get-events-by-alarm")
def get_events_by_alarm(client: UsmClient, *, alarm_id: str, limit: int) -> CommandResult:
    alarm = client.alarm(alarm_id)
    embedded = [unwrap_event(e) for e in alarm.get("events") or []]
    by_id = {str(e["uuid"]): e for e in embedded if e.get("uuid")}
    events = []
    for event_id in _event_ids(alarm, embedded)[: limit or None]:
        event = by_id.get(event_id)
        # A bare reference (the OpenAPI file's AlarmEvent, or an id only in packet_data): read it whole.
        if event is None or (not event.get("event_name") and OCCURED not in event):
            event = client.event(event_id)
        events.append(event)
    found = [event_output(e) for e in events]
    readable = markdown_table(found, columns=["id", "name", "occurred", "source_name", "destination_name", "plugin"],
                              title=f"Events of USM Anywhere alarm {alarm_id} ({len(found)})")
    return CommandResult(found, raw=events, readable=readable)


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
