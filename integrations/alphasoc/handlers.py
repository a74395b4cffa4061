"""AlphaSOC REST API v1: alerts as incidents, the threat and flag inventory, account status, and
telemetry upload (the streaming reader and batcher live in ``telemetry.py``).

The API has no alert ids, no per-alert lookup and no alert status: an incident's id is a hash of
the alert's content, and ``get-event``/``update-status`` are declared unsupported in the manifest.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterator

from ..common import errors
from ..common.auth import BasicAuth
from ..common.errortable import DEFAULT_ERROR_TABLE, Action, Rule
from ..common.http import HttpClient
from ..common.paginators import PaginationError
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch, defang, markdown_table
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.timeutil import parse_time, rfc3339, utcnow
from ..common.vendordata import reads_vendor_data

from . import telemetry

SOURCE = "alphasoc"
VENDOR = "AlphaSOC"
DEFAULT_BASE_URL = "https://api.alphasoc.net"
# AlphaSOC threat severity (1-5) to the incident scale (0 unknown .. 4 critical); also in the manifest.
SEVERITY = {5: 4, 4: 3, 3: 2, 2: 1, 1: 1}
LEVEL_NAMES = {1: "info", 2: "warning", 3: "error"}

# An API key cannot be refreshed, so a 401 is final (the default table would resend it once).
ERROR_TABLE = {**DEFAULT_ERROR_TABLE, 401: Rule(Action.FAIL, errors.AuthError)}


# --- client ----------------------------------------------------------------------------------

class AlphaSocClient:
    """The REST API v1 endpoints this integration uses, over the runtime's one request loop."""

    def __init__(self, base_url: str, api_key: str, *, verify: bool = True, proxy: bool = False,
                 retry: RetryPolicy = DEFAULT_RETRY) -> None:
        if not api_key:
            raise errors.ConfigError("AlphaSOC: api_key is empty")
        # Basic auth with the API key as username and an empty password, as the API documents.
        self.http = HttpClient(base_url, auth=BasicAuth(api_key), retry=retry, error_table=ERROR_TABLE,
                               verify=verify, proxy=proxy, vendor=VENDOR)
        # AlphaSOC's 429 carries no Retry-After and its own clients back off up to a minute; a telemetry
        # batch is worth that patience (alerts and lookups keep the caller's shorter policy).
        self.upload_http = HttpClient(base_url, auth=self.http.auth, error_table=ERROR_TABLE, verify=verify,
                                      proxy=proxy, vendor=VENDOR, retry=replace(retry, max_attempts=max(retry.max_attempts, 9),
                                                                   max_delay=max(retry.max_delay, 60.0)))

    def __repr__(self) -> str:
        return f"AlphaSocClient({self.http.base_url})"

    def account_status(self) -> dict[str, Any]:
        return _object(self.http.get_json("/v1/account/status"), "account status")

    def alerts(self, *, follow: str | None = None, threats: list[str] | None = None) -> dict[str, Any]:
        params = {}
        if follow:
            params["follow"] = follow
        if threats:
            params["threats"] = ",".join(threats)
        body = _object(self.http.get_json("/v1/alerts", params=params or None), "alerts page")
        if not isinstance(body.get("alerts") or [], list) or not isinstance(body.get("threats") or {}, dict):
            raise errors.VendorError("AlphaSOC: the alerts page has no alerts list or threats dictionary")
        return body

    def threats(self) -> dict[str, dict[str, Any]]:
        return _dictionary(self.http.get_json("/v1/ae/inventory/threats"), "threats")

    def flags(self) -> dict[str, dict[str, Any]]:
        return _dictionary(self.http.get_json("/v1/ae/inventory/flags"), "flags")

    def post_events(self, event_type: str, body: bytes, *, encoding: str = "gzip") -> dict[str, Any]:
        """One telemetry request. Resending is safe on 429 (nothing was taken) and acceptable on
        5xx or a dropped connection (a batch may then be counted twice: at least once, never lost)."""
        if event_type not in telemetry.EVENT_TYPES:
            raise errors.InputError(f"AlphaSOC: unknown event type {event_type!r}")
        headers = {"Content-Type": "application/json"}
        if encoding != "identity":
            headers["Content-Encoding"] = encoding
        answer = self.upload_http.send_json("POST", f"/v1/events/{event_type}", data=body, headers=headers,
                                            retry_unsafe=True)
        return _object(answer, "telemetry answer")


@reads_vendor_data
def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.VendorError(f"AlphaSOC: the {what} is not a JSON object")
    return body


@reads_vendor_data
def _dictionary(body: Any, key: str) -> dict[str, dict[str, Any]]:
    value = _object(body, f"{key} inventory").get(key)
    if not isinstance(value, dict):
        raise errors.VendorError(f"AlphaSOC: the {key} inventory has no {key!r} dictionary")
    return {k: v if isinstance(v, dict) else {} for k, v in value.items()}


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> AlphaSocClient:
    return AlphaSocClient(params.get("base_url") or DEFAULT_BASE_URL, params["api_key"],
                          verify=not params.get("insecure", False), proxy=bool(params.get("proxy")), retry=retry)


# --- mapping: alert -> incident ----------------------------------------------------------------

@reads_vendor_data
def alert_id(alert: dict[str, Any]) -> str:
    """Alerts carry no id: hash what identifies one (its event, type and threats), not the
    enrichment (``wisdom``) or threat titles, which AlphaSOC may amend later."""
    material = {"eventType": alert.get("eventType"), "event": alert.get("event"),
                "threats": sorted(map(str, alert.get("threats") or []))}
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"asoc-{digest[:40]}"


@reads_vendor_data
def threat_severity(threat_ids: list[str], definitions: dict[str, Any]) -> int:
    """The highest AlphaSOC severity (1-5) among the threats; 0 when none is known."""
    known = [definitions[t].get("severity") for t in threat_ids if isinstance(definitions.get(t), dict)]
    return max((s for s in known if isinstance(s, int)), default=0)


def incident_severity(vendor_severity: int) -> int:
    return SEVERITY.get(vendor_severity, 4 if vendor_severity > 5 else 0)


@reads_vendor_data
def _indicators(alert: dict[str, Any]) -> list[dict[str, str]]:
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    wisdom = alert.get("wisdom") if isinstance(alert.get("wisdom"), dict) else {}
    candidates = [
        ("ip", event.get("srcIP"), "source"), ("host", event.get("srcHost"), "source"),
        ("user", event.get("srcUser"), "source"),
        ("domain", event.get("query"), "destination"), ("domain", wisdom.get("domain"), "destination"),
        ("ip", event.get("destIP"), "destination"), ("url", event.get("url"), "destination"),
        ("ja3", event.get("ja3"), "client"), ("ja3", event.get("ja3s"), "server"),
        ("hash", event.get("certHash"), "certificate"),
    ]
    found: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for kind, value, role in candidates:
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip().rstrip(".") if kind == "domain" else value.strip()
        if (kind, value.lower()) not in seen:
            seen.add((kind, value.lower()))
            found.append({"type": kind, "value": value, "role": role})
    return found


@reads_vendor_data
def alert_to_incident(alert: dict[str, Any], definitions: dict[str, Any], *,
                      threat_ids: list[str] | None = None) -> dict[str, Any]:
    """One incident per alert; threat titles and severities come from the page's ``threats``.
    ``threat_ids`` narrows the threats that name and rate it (policy threats left out), never its id."""
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    wisdom = alert.get("wisdom") if isinstance(alert.get("wisdom"), dict) else {}
    if threat_ids is None:
        threat_ids = [str(t) for t in alert.get("threats") or []]
    vendor_severity = threat_severity(threat_ids, definitions)
    ranked = sorted(threat_ids, key=lambda t: -(definitions.get(t) or {}).get("severity", 0))
    top = ranked[0] if ranked else None
    title = (definitions.get(top) or {}).get("title") or top or f"AlphaSOC {alert.get('eventType', '')} alert".strip()
    subject = event.get("query") or wisdom.get("domain") or event.get("url") or event.get("destIP")
    source = event.get("srcHost") or event.get("srcIP")
    name = title + (f" (+{len(ranked) - 1} more)" if len(ranked) > 1 else "")
    if subject:
        name += f": {subject}"
    if source:
        name += f" from {source}"
    try:
        occurred = rfc3339(parse_time(event["ts"]))
    except (KeyError, TypeError, errors.InputError):
        occurred = rfc3339(utcnow())  # an event without a usable time: when we learned of it
    policies = [bool((definitions.get(t) or {}).get("policy")) for t in threat_ids]
    labels: dict[str, Any] = {
        "event_type": alert.get("eventType"),
        "threats": ",".join(threat_ids),
        "threat_titles": "; ".join((definitions.get(t) or {}).get("title", t) for t in ranked),
        "vendor_severity": vendor_severity,
        "policy": bool(policies) and all(policies),
        "flags": ",".join(map(str, wisdom.get("flags") or [])),
        "wisdom_labels": ",".join(map(str, wisdom.get("labels") or [])),
    }
    for key in ("srcMac", "srcID", "qtype", "proto", "destPort", "app", "action", "method", "status"):
        if isinstance(event.get(key), (str, int, float, bool)):
            labels[key] = event[key]
    return {
        "id": alert_id(alert), "source": SOURCE, "name": defang(name), "severity": incident_severity(vendor_severity),
        "occurred": occurred, "updated": occurred,
        # AlphaSOC alerts have no workflow status; every alert arrives as new.
        "status": "New", "url": None, "indicators": _indicators(alert), "labels": labels, "raw": alert,
    }


# --- fetch-incidents ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FollowBookmark:
    """AlphaSOC's opaque ``follow`` plus the ids already handled from the page it returns.

    ``done`` is only non-empty when ``max_fetch`` cut a page short: the next run asks for the same
    page again and skips those alerts, so nothing is lost or handed over twice.
    """

    follow: str | None = None
    done: frozenset[str] = frozenset()
    # first_fetch as fixed by the first run (RFC 3339): older alerts are passed over, on that run and on the
    # runs that finish reading what the API still held then (a cut page, more pages).
    since: str | None = None

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> "FollowBookmark":
        if not state:
            return cls()
        follow, done, since = state.get("follow"), state.get("done", []), state.get("since")
        if (follow is not None and not isinstance(follow, str)) or not isinstance(done, list) \
                or not all(isinstance(i, str) for i in done) or (since is not None and not isinstance(since, str)):
            raise errors.StateError(f"the stored AlphaSOC bookmark {json.dumps(state)[:200]} cannot be read; "
                                    "refusing to restart from scratch (delete the state to start over)")
        return cls(follow or None, frozenset(done), since or None)

    def to_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"follow": self.follow, "done": sorted(self.done)}
        if self.since:
            state["since"] = self.since
        return state


@reads_vendor_data
def _keep(alert: dict[str, Any], definitions: dict[str, Any], *, min_severity: int, include_policy: bool,
          threats: list[str]) -> dict[str, Any] | None:
    """The alert as it should become an incident, or ``None`` when the filters drop it."""
    threat_ids = [str(t) for t in alert.get("threats") or []]
    if threats and not set(threats).intersection(threat_ids):
        return None
    if not include_policy:
        kept = [t for t in threat_ids if not (definitions.get(t) or {}).get("policy")]
        if threat_ids and not kept:
            return None
        threat_ids = kept
    severity = threat_severity(threat_ids, definitions)
    # An alert whose threats are all unknown (severity 0) is kept: better shown than silently lost.
    if severity and severity < min_severity:
        return None
    return alert_to_incident(alert, definitions, threat_ids=threat_ids)


def _before(alert: dict[str, Any], since: datetime) -> bool:
    event = alert.get("event") if isinstance(alert.get("event"), dict) else {}
    try:
        return parse_time(event["ts"]) < since
    except (KeyError, TypeError, errors.InputError):
        return False


@command("fetch-incidents")
def fetch_incidents(client: AlphaSocClient, *, max_fetch: int, min_severity: int = 1,
                    threats: list[str] | None = None, include_policy: bool = True, first_fetch: str | None = None,
                    state: dict[str, Any] | None = None) -> Iterator[FetchBatch]:
    """``/v1/alerts?follow=``: ask again at once while ``more``; one batch per page, whose bookmark
    the runner saves only after the page's incidents were handed over.

    The API has no time filter: the first run (no bookmark) starts at whatever the API still holds, so
    ``first_fetch`` is applied here, to the alerts' event times, and kept in the bookmark for the runs that
    finish that backlog. Alerts without a usable time are kept (better shown than silently lost)."""
    mark = FollowBookmark.from_state(state)
    if not state and first_fetch:
        mark = FollowBookmark(since=rfc3339(parse_time(first_fetch)))
    since = parse_time(mark.since) if mark.since else None
    threats = list(threats or [])
    room = max_fetch
    request_follow = mark.follow
    while True:
        try:
            page = client.alerts(follow=request_follow, threats=threats)
        except errors.InputError as exc:
            if request_follow and request_follow == mark.follow and exc.status == 400:
                raise errors.StateError(f"AlphaSOC rejected the stored follow bookmark ({exc}); refusing to "
                                        "restart from scratch (delete the state to start over)") from None
            raise
        alerts = [a for a in page.get("alerts") or [] if isinstance(a, dict)]
        definitions = page.get("threats") or {}
        more = bool(page.get("more"))
        next_follow = page.get("follow")
        if not alerts:
            # Keep the old bookmark for an empty page (nothing is saved); follow on only if told to.
            if not more:
                return
            if not next_follow or next_follow == request_follow:
                raise PaginationError("AlphaSOC said there are more alerts but gave no new follow bookmark")
            request_follow = next_follow
            continue
        done = set(mark.done) if request_follow == mark.follow else set()
        incidents: list[dict[str, Any]] = []
        for alert in alerts:
            identity = alert_id(alert)
            if identity in done:
                continue
            incident = _keep(alert, definitions, min_severity=min_severity, include_policy=include_policy,
                             threats=threats)
            if incident is not None and since is not None and _before(alert, since):
                incident = None
            if incident is not None:
                if room == 0:
                    # Page cut short: resume from the same follow, skipping what was handled.
                    yield FetchBatch(incidents, FollowBookmark(request_follow, frozenset(done), mark.since).to_state())
                    return
                incidents.append(incident)
                room -= 1
            done.add(identity)
        if not isinstance(next_follow, str) or not next_follow:
            yield FetchBatch(incidents, FollowBookmark(request_follow, frozenset(done), mark.since).to_state())
            raise errors.VendorError("AlphaSOC answered an alerts page without a follow bookmark")
        yield FetchBatch(incidents, FollowBookmark(next_follow, since=mark.since).to_state())
        if not more or room == 0:
            return
        if next_follow == request_follow:
            raise PaginationError(f"pagination loop: AlphaSOC returned the same follow bookmark twice ({next_follow!r})")
        mark = FollowBookmark(next_follow, since=mark.since)
        request_follow = next_follow


# --- account -------------------------------------------------------------------------------------

@reads_vendor_data
def _account(status: dict[str, Any]) -> dict[str, Any]:
    messages = [{"level": m.get("level"), "level_name": LEVEL_NAMES.get(m.get("level"), "unknown"),
                 "body": m.get("body", "")} for m in status.get("messages") or [] if isinstance(m, dict)]
    return {"registered": status.get("registered"), "expired": status.get("expired"),
            "expiration_date": status.get("expirationDate"), "endpoints_seen_today": status.get("endpointsSeenToday"),
            "today": status.get("today"), "messages": messages}


def _account_markdown(account: dict[str, Any], title: str) -> str:
    summary = markdown_table([{k: v for k, v in account.items() if k != "messages"}], title=title)
    if not account["messages"]:
        return summary
    return summary + "\n\n" + markdown_table(account["messages"], columns=["level_name", "body"], title="Messages")


@command("test-module")
def test_module(client: AlphaSocClient) -> CommandResult:
    """The account status call: proves the URL and the key, and shows AlphaSOC's own messages."""
    status = client.account_status()
    account = _account(status)
    if account["expired"]:
        raise errors.AuthError(f"AlphaSOC: the API key expired ({account['expiration_date'] or 'date unknown'})")
    outputs = {"ok": True, **account}
    return CommandResult(outputs=outputs, raw=status, readable=_account_markdown(account, "AlphaSOC: ok"))


@command("alphasoc-account-status")
def account_status(client: AlphaSocClient) -> CommandResult:
    status = client.account_status()
    account = _account(status)
    return CommandResult(outputs=account, raw=status, readable=_account_markdown(account, "AlphaSOC account"))


# --- inventory -----------------------------------------------------------------------------------

@reads_vendor_data
def _threat(threat_id: str, definition: dict[str, Any]) -> dict[str, Any]:
    severity = definition.get("severity") if isinstance(definition.get("severity"), int) else 0
    return {"id": threat_id, "title": definition.get("title", ""), "severity": severity,
            "incident_severity": incident_severity(severity), "policy": bool(definition.get("policy", False))}


@reads_vendor_data
def _flag(flag_id: str, definition: dict[str, Any]) -> dict[str, Any]:
    return {"id": flag_id, "title": definition.get("title", ""), "type": str(definition.get("type") or "")}


def _lookup(inventory: dict[str, dict[str, Any]], key: str, what: str) -> dict[str, Any]:
    if key in inventory:
        return inventory[key]
    close = difflib.get_close_matches(key, list(inventory), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise errors.NotFoundError(f"AlphaSOC has no {what} {key!r} in its inventory{hint}")


@command("alphasoc-get-threat")
def get_threat(client: AlphaSocClient, *, threat_id: str) -> CommandResult:
    inventory = client.threats()
    definition = _lookup(inventory, threat_id, "threat")
    return CommandResult(outputs=_threat(threat_id, definition), raw={threat_id: definition})


@command("alphasoc-list-threats")
def list_threats(client: AlphaSocClient, *, min_severity: int = 1, include_policy: bool = True) -> CommandResult:
    inventory = client.threats()
    rows = [_threat(k, v) for k, v in inventory.items()]
    rows = [r for r in rows if r["severity"] >= min_severity and (include_policy or not r["policy"])]
    rows.sort(key=lambda r: (-r["severity"], r["id"]))
    return CommandResult(outputs=rows, raw={"threats": inventory}, title=f"AlphaSOC threats ({len(rows)})")


@command("alphasoc-get-flag")
def get_flag(client: AlphaSocClient, *, flag_id: str) -> CommandResult:
    inventory = client.flags()
    definition = _lookup(inventory, flag_id, "flag")
    return CommandResult(outputs=_flag(flag_id, definition), raw={flag_id: definition})


@command("alphasoc-list-flags")
def list_flags(client: AlphaSocClient, *, type: str | None = None) -> CommandResult:  # noqa: A002 - the API's word
    inventory = client.flags()
    rows = sorted((_flag(k, v) for k, v in inventory.items()), key=lambda r: (r["type"], r["id"]))
    if type:
        rows = [r for r in rows if r["type"] == type]
    return CommandResult(outputs=rows, raw={"flags": inventory}, title=f"AlphaSOC flags ({len(rows)})")


# --- telemetry -----------------------------------------------------------------------------------

@command("alphasoc-submit-telemetry")
def submit_telemetry(client: AlphaSocClient, *, event_type: str, file: str | None = None, events: Any = None,
                     format: str = "auto", start_at: int = 0, limit: int = 0,  # noqa: A002
                     max_batch_bytes: int = telemetry.MAX_BATCH_BYTES) -> CommandResult:
    """Streams events from a file (or the ``events`` argument) to ``/v1/events/<type>`` in gzip
    batches; a progress line goes to stderr only when it is a terminal (never to stdout)."""
    if (file is None) == (events is None):
        raise errors.InputError("alphasoc-submit-telemetry: give either file=PATH or events=JSON (not both)")
    progress = telemetry.Progress(sys.stderr) if sys.stderr.isatty() else None
    if file is not None:
        with telemetry.FileSource(file, format=format) as source:
            if progress:
                progress.track(source)
            result = telemetry.upload(client.post_events, event_type, source.records(), start_at=start_at,
                                      limit=limit or None, max_batch_bytes=max_batch_bytes, progress=progress)
        result = {"source": os.path.basename(file), **result}
    else:
        records = telemetry.records_from_value(events)
        result = telemetry.upload(client.post_events, event_type, records, start_at=start_at,
                                  limit=limit or None, max_batch_bytes=max_batch_bytes, progress=progress)
        result = {"source": "arguments", **result}
    return CommandResult(outputs=result, raw=None, readable=telemetry.markdown(result))
