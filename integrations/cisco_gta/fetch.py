"""Cisco Global Threat Alerts fetch: new alerts in triggeredAt order, then the ones modified since as
updates, each pass with its time bookmark (``common/bookmarks.py``), ``max_fetch`` at most in all."""
from __future__ import annotations

from datetime import timedelta
from itertools import islice
from typing import Any, Callable, Generator, Iterator

from ..common import errors
from ..common.bookmarks import TimeBookmark
from ..common.results import FetchBatch
from ..common.timeutil import parse_time, rfc3339, utcnow
from .client import PAGE_MAX, GtaClient
from .mapping import alert_key, alert_to_incident, detection_id



def run(client: GtaClient, *, state: dict[str, Any] | None, first_fetch: str, max_fetch: int,
        include_updates: bool, look_back: int, enrich_detections: int) -> Iterator[FetchBatch]:
    """Both bookmarks are time bookmarks: each run re-reads ``look_back`` minutes and one second before
    the newest time covered, for alerts the search shows late, and drops the ids already handed over. A
    modification is identified by alert id and ``modifiedAt``, so a second change to an alert inside the
    look-back is handed over too.
    """
    window = timedelta(minutes=look_back)
    new_mark = TimeBookmark.from_state(state, default=parse_time(first_fetch), field="triggered", look_back=window)
    # On the first run, what was modified earlier arrives through the new-alert pass with its current content.
    mod_mark = TimeBookmark.from_state(state, default=utcnow() - timedelta(minutes=5), field="modified",
                                       look_back=window)
    handed: dict[str, str | None] = {}

    def bookmark() -> dict[str, Any]:
        return {**new_mark.to_state(), **mod_mark.to_state()}

    budget = yield from _new_alerts(client, new_mark, handed, bookmark, max_fetch=max_fetch,
                                    enrich_detections=enrich_detections)
    if budget and include_updates:
        yield from _updates(client, mod_mark, new_mark, handed, bookmark, budget=budget,
                            enrich_detections=enrich_detections)


def _new_alerts(client: GtaClient, mark: TimeBookmark, handed: dict[str, str | None],
                bookmark: Callable[[], dict[str, Any]], *, max_fetch: int,
                enrich_detections: int) -> Generator[FetchBatch, None, int]:
    """New alerts oldest first, a batch per page; returns the budget left (0: stop the run here)."""
    budget = max_fetch
    # A backlog drains page after page: fetch the next while this one is mapped.
    pages = client.alerts({"sort": "triggeredAt:asc", "triggeredAfter": rfc3339(mark.query_from()),
                           "size": min(PAGE_MAX, max_fetch + len(mark.seen))}, prefetch=max_fetch > PAGE_MAX)
    batch: list[dict[str, Any]] = []
    for alert in pages:
        moment, alert_id = alert_key(alert, "triggeredAt")
        if not mark.is_new(moment, alert_id):
            continue
        batch.append(alert_to_incident(alert, console_url=client.console_url, change="new",
                                       detections=enrichment(client, alert, enrich_detections)))
        mark.add(moment, alert_id)
        handed[alert_id] = alert.get("modifiedAt")
        budget -= 1
        if len(batch) >= PAGE_MAX or budget == 0:
            yield FetchBatch(batch, bookmark())
            batch = []
        if budget == 0:
            return 0
    yield FetchBatch(batch, bookmark())
    return budget


def _updates(client: GtaClient, mod_mark: TimeBookmark, new_mark: TimeBookmark, handed: dict[str, str | None],
             bookmark: Callable[[], dict[str, Any]], *, budget: int, enrich_detections: int) -> Iterator[FetchBatch]:
    """Alerts modified since the last run, as updates of incidents already handed over."""
    # The API promises no order for modifiedAfter, so read them all, then hand over oldest first.
    modified = sorted(client.alerts({"modifiedAfter": rfc3339(mod_mark.query_from())}),
                      key=lambda a: alert_key(a, "modifiedAt"))
    batch = []
    for alert in modified:
        moment, alert_id = alert_key(alert, "modifiedAt")
        change = f"{alert_id}@{alert.get('modifiedAt')}"
        if not mod_mark.is_new(moment, change):
            continue
        not_yet_handed = new_mark.is_new(alert_key(alert, "triggeredAt")[0], alert_id)
        if not not_yet_handed and handed.get(alert_id, object()) != alert.get("modifiedAt"):
            if budget == 0:
                break
            batch.append(alert_to_incident(alert, console_url=client.console_url, change="update",
                                           detections=enrichment(client, alert, enrich_detections)))
            budget -= 1
        # Alerts not handed over yet will arrive as new, with their content as it is then.
        mod_mark.add(moment, change)
    yield FetchBatch(batch, bookmark())


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
