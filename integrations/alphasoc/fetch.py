"""AlphaSOC fetch-incidents: ``/v1/alerts?follow=`` page after page, each page one batch.

The API streams alerts behind an opaque ``follow`` token and says ``more`` while it holds more: ask
again at once with the new token. It has no time filter and no alert ids, so ``first_fetch`` is applied
here to the alerts' event times, and a page cut short by ``max_fetch`` is resumed by asking for the same
page again and skipping the alerts (by content hash) already handled.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterator

from ..common import errors
from ..common.bookmarks import FollowBookmark
from ..common.fetching import fetch_in_batches
from ..common.incident import Incident
from ..common.results import FetchBatch
from ..common.timeutil import parse_time, rfc3339
from ..common.vendordata import reads_vendor_data

from .client import AlphaSocClient
from .mapping import alert_id, alert_to_incident, event_time, threat_severity


@dataclass(frozen=True)
class Filters:
    """Which alerts become incidents (the fetch-incidents arguments, and the bookmark's ``since``)."""

    min_severity: int
    include_policy: bool
    threats: list[str]
    since: datetime | None = None


@reads_vendor_data
def _keep(alert: dict[str, Any], definitions: dict[str, Any], *, min_severity: int, include_policy: bool,
          threats: list[str]) -> Incident | None:
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


def _start(state: dict[str, Any] | None, first_fetch: str | None) -> FollowBookmark:
    """The stored bookmark; on the first run, one that remembers how far back ``first_fetch`` reaches."""
    since = rfc3339(parse_time(first_fetch)) if not state and first_fetch else None
    return FollowBookmark.from_state(state, what="AlphaSOC", since=since)


def _pages(client: AlphaSocClient, mark: FollowBookmark, *,
           threats: list[str]) -> Iterator[list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Each page's alerts with the page's threat definitions, as the runtime's paginator follows
    ``follow`` while ``more``. The bookmark is told which page is read; an empty page is not handed on
    (the old bookmark stays), and is followed on only if told to."""
    stored = mark.follow
    paginator, pages = client.alert_pages(follow=stored, threats=threats)
    try:
        for page in pages:
            follow, next_follow = paginator.asking, paginator.cursor(page)
            alerts = [a for a in page.get("alerts") or [] if isinstance(a, dict)]
            if not alerts:
                continue
            mark.reading(follow, next_follow, [alert_id(alert) for alert in alerts])
            yield [(alert, page.get("threats") or {}) for alert in alerts]
            if next_follow is None:
                raise errors.VendorError("AlphaSOC answered an alerts page without a follow bookmark")
    except errors.InputError as exc:
        if stored and paginator.asking == stored and exc.status == 400:
            raise errors.StateError(f"AlphaSOC rejected the stored follow bookmark ({exc}); refusing to "
                                    "restart from scratch (delete the state to start over)") from None
        raise


def alert_batches(client: AlphaSocClient, *, max_fetch: int, filters: Filters, first_fetch: str | None,
                  state: dict[str, Any] | None) -> Iterator[FetchBatch]:
    """One batch per page, whose bookmark the runner saves only after the page's incidents were handed
    over. A page cut short by ``max_fetch`` is resumed by asking for the same page again and skipping the
    alerts (kept or filtered out) already handled."""
    mark = _start(state, first_fetch)
    if mark.since:
        filters = replace(filters, since=parse_time(mark.since))

    def to_incident(entry: tuple[dict[str, Any], dict[str, Any]]) -> Incident | None:
        alert, definitions = entry
        incident = _keep(alert, definitions, min_severity=filters.min_severity,
                         include_policy=filters.include_policy, threats=filters.threats)
        if incident is not None and filters.since is not None and _before(alert, filters.since):
            return None
        return incident

    yield from fetch_in_batches(_pages(client, mark, threats=filters.threats), bookmark=mark, max_fetch=max_fetch,
                                moment_and_id=lambda entry: (None, alert_id(entry[0])), to_incident=to_incident)
