"""AlphaSOC fetch-incidents: ``/v1/alerts?follow=`` page after page, each page one batch.

The API streams alerts behind an opaque ``follow`` token and says ``more`` while it holds more: ask
again at once with the new token. It has no time filter and no alert ids, so ``first_fetch`` is applied
here to the alerts' event times, and a page cut short by ``max_fetch`` is resumed by asking for the same
page again and skipping the alerts (by content hash) already handled.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterator

from ..common import errors
from ..common.paginators import PaginationError
from ..common.results import FetchBatch
from ..common.timeutil import parse_time, rfc3339
from ..common.vendordata import reads_vendor_data

from .client import AlphaSocClient
from .mapping import alert_id, alert_to_incident, event_time, threat_severity


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


@dataclass(frozen=True)
class Filters:
    """Which alerts become incidents (the fetch-incidents arguments, and the bookmark's ``since``)."""

    min_severity: int
    include_policy: bool
    threats: list[str]
    since: datetime | None = None


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
    """Older than ``since``; an alert without a usable time is not (better shown than silently lost)."""
    occurred = event_time(alert)
    return occurred is not None and occurred < since


def _select(alerts: list[dict[str, Any]], definitions: dict[str, Any], done: set[str], room: int,
            filters: Filters) -> tuple[list[dict[str, Any]], bool]:
    """The page's new incidents, at most ``room`` of them, and whether the page was cut short.
    ``done`` gains every alert handled (kept or filtered out), so a cut page resumes after them."""
    incidents: list[dict[str, Any]] = []
    for alert in alerts:
        identity = alert_id(alert)
        if identity in done:
            continue
        incident = _keep(alert, definitions, min_severity=filters.min_severity,
                         include_policy=filters.include_policy, threats=filters.threats)
        if incident is not None and filters.since is not None and _before(alert, filters.since):
            incident = None
        if incident is not None:
            if len(incidents) == room:
                return incidents, True
            incidents.append(incident)
        done.add(identity)
    return incidents, False


def _page(client: AlphaSocClient, follow: str | None, *, stored: str | None, threats: list[str]) -> dict[str, Any]:
    try:
        return client.alerts(follow=follow, threats=threats)
    except errors.InputError as exc:
        if follow and follow == stored and exc.status == 400:
            raise errors.StateError(f"AlphaSOC rejected the stored follow bookmark ({exc}); refusing to "
                                    "restart from scratch (delete the state to start over)") from None
        raise


def _start(state: dict[str, Any] | None, first_fetch: str | None) -> FollowBookmark:
    """The stored bookmark; on the first run, one that remembers how far back ``first_fetch`` reaches."""
    if not state and first_fetch:
        return FollowBookmark(since=rfc3339(parse_time(first_fetch)))
    return FollowBookmark.from_state(state)


def alert_batches(client: AlphaSocClient, *, max_fetch: int, filters: Filters, first_fetch: str | None,
                  state: dict[str, Any] | None) -> Iterator[FetchBatch]:
    """One batch per page, whose bookmark the runner saves only after the page's incidents were handed
    over; an empty page saves nothing (the old bookmark stays), and is followed on only if told to."""
    mark = _start(state, first_fetch)
    if mark.since:
        filters = replace(filters, since=parse_time(mark.since))
    room, follow = max_fetch, mark.follow
    while True:
        page = _page(client, follow, stored=mark.follow, threats=filters.threats)
        alerts = [a for a in page.get("alerts") or [] if isinstance(a, dict)]
        more, next_follow = bool(page.get("more")), page.get("follow")
        if not alerts:
            if not more:
                return
            if not next_follow or next_follow == follow:
                raise PaginationError("AlphaSOC said there are more alerts but gave no new follow bookmark")
            follow = next_follow
            continue
        done = set(mark.done) if follow == mark.follow else set()
        incidents, cut = _select(alerts, page.get("threats") or {}, done, room, filters)
        room -= len(incidents)
        if cut or not isinstance(next_follow, str) or not next_follow:
            # Resume from the same follow, skipping what was handled.
            yield FetchBatch(incidents, FollowBookmark(follow, frozenset(done), mark.since).to_state())
            if cut:
                return
            raise errors.VendorError("AlphaSOC answered an alerts page without a follow bookmark")
        yield FetchBatch(incidents, FollowBookmark(next_follow, since=mark.since).to_state())
        if not more or room == 0:
            return
        if next_follow == follow:
            raise PaginationError(f"pagination loop: AlphaSOC returned the same follow bookmark twice ({next_follow!r})")
        mark = FollowBookmark(next_follow, since=mark.since)
        follow = next_follow
