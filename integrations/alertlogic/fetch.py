"""Alert Logic fetch-incidents: IRIS ``incidents_by_time`` windows into incidents.

Three things about the API shape this module (from the official IRIS definitions):

- ``incidents_by_time`` documents no order, and pages a window by offset. If the order changes
  between two page requests, one read of a window returns some incidents twice and never others. So
  a window is read whole, de-duplicated by ``incidentId``, and its distinct count compared with the
  ``total_count`` the service reported; when short, the window is read again (the reads are united)
  and then split in halves, and a window that still cannot be read whole fails the run (exit 4)
  rather than move the bookmark past incidents never seen.
- Incidents become visible some seconds after their creation time (indexing lag): every run re-reads
  ``look_back`` minutes before the newest time covered; the bookmark's seen-set drops what was handed
  over already (``common/bookmarks.py``).
- Whether ``start_time`` is inclusive is not documented: windows overlap by one second and ids decide.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterator

from ..common import errors
from ..common.bookmarks import OVERLAP, TimeBookmark, distinct_by_id
from ..common.fetching import fetch_in_batches
from ..common.results import FetchBatch
from ..common.timeutil import parse_time, utcnow
from ..common.vendordata import dig, reads_vendor_data

from .client import CREATED, LISTINGS, AlertLogicClient
from .mapping import incident_time, iris_to_incident

# A window holding more than WINDOW_MAX_ITEMS incidents is halved until it does not, down to MIN_WINDOW.
WINDOW = timedelta(hours=6)
# An empty window doubles the next, up to MAX_WINDOW: a first fetch from years back crosses the quiet
# stretch in dozens of requests, not one per six hours (thousands).
MAX_WINDOW = timedelta(days=30)
WINDOW_MAX_ITEMS = 2000
MIN_WINDOW = timedelta(minutes=1)
BATCH = 100
REREADS = 2  # extra reads of a window whose distinct count falls short of total_count, before splitting


def whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


@reads_vendor_data
def _incident_id(item: dict[str, Any]) -> str:
    value = item.get("incidentId") if isinstance(item, dict) else None
    if not value:
        raise errors.VendorError(f"alertlogic: an incident without incidentId: {str(item)[:120]}")
    return str(value)


@reads_vendor_data
def _moment_and_id(item: dict[str, Any]) -> tuple[datetime, str]:
    return incident_time(item), _incident_id(item)


@reads_vendor_data
def _total(page: dict[str, Any]) -> int | None:
    total = dig(page, "metadata.total_count")
    return total if isinstance(total, int) else None


def read_window(client: AlertLogicClient, start: datetime, end: datetime,
                first: dict[str, Any] | None = None, *, by: str = CREATED) -> list[dict[str, Any]]:
    """Every distinct incident created (``by`` updated) in ``[start, end]``, checked against ``total_count``."""
    found: dict[str, dict[str, Any]] = {}
    for attempt in range(REREADS + 1):
        page = first if attempt == 0 and first is not None else client.incidents_page(start, end, by=by)
        items, _ = distinct_by_id(client.incidents(start, end, first_page=page, by=by), _incident_id)
        found.update((_incident_id(item), item) for item in items)
        total = _total(page)
        if total is None or len(found) >= total:
            return list(found.values())
    if end - start <= MIN_WINDOW:
        raise errors.VendorError(
            f"alertlogic: {LISTINGS[by][0]} {start:%Y-%m-%dT%H:%M:%SZ}..{end:%H:%M:%SZ} said {total} incidents "
            f"but {REREADS + 1} reads found {len(found)} distinct ones; the bookmark stays where it was")
    middle = whole_second(start + (end - start) / 2)
    for item in read_window(client, start, middle, by=by) + read_window(client, middle, end, by=by):
        found.setdefault(_incident_id(item), item)
    return list(found.values())


def _first_page(client: AlertLogicClient, start: datetime, end: datetime) -> tuple[datetime, dict[str, Any]]:
    """The window's end and first page, the window halved while it holds too many incidents."""
    first = client.incidents_page(start, end)
    while (_total(first) or 0) > WINDOW_MAX_ITEMS and end - start > MIN_WINDOW:
        end = whole_second(start + (end - start) / 2)
        first = client.incidents_page(start, end)
    return end, first


def fetch_incidents(client: AlertLogicClient, *, state: dict[str, Any] | None, first_fetch: str,
                    max_fetch: int, look_back: int = 0) -> Iterator[FetchBatch]:
    """Incidents by creation time, oldest first, ``max_fetch`` at most per run.

    Each window ``[start, end]`` is read whole and sorted, so the API's (undocumented) order cannot make
    us skip anything; a window handed over completely moves the bookmark to its end.
    """
    mark = TimeBookmark.from_state(state, default=parse_time(first_fetch), look_back=timedelta(minutes=look_back))
    now = whole_second(utcnow())
    start = whole_second(mark.query_from())  # whole epoch seconds: rounded down, never past the horizon
    budget = max_fetch
    span = WINDOW
    while budget > 0 and start <= now:
        end, first = _first_page(client, start, min(start + span, now))
        keyed = sorted((_moment_and_id(item) + (item,) for item in read_window(client, start, end, first)),
                       key=lambda entry: (entry[0], entry[1]))
        new = [entry for entry in keyed if mark.is_new(entry[0], entry[1])]
        span = WINDOW if keyed else min(span * 2, MAX_WINDOW)
        if new:
            budget -= yield from fetch_in_batches(
                [new], bookmark=mark, moment_and_id=lambda entry: (entry[0], entry[1]), max_fetch=budget,
                to_incident=lambda entry: iris_to_incident(entry[2], console_url=client.console_url),
                batch_size=BATCH)
        if any(mark.is_new(moment, incident_id) for moment, incident_id, _ in new):
            return  # the budget ran out inside this window: the bookmark stays inside it
        if mark.time < end:
            # Everything created up to `end` and visible now was handed over; the look-back re-reads
            # the last minutes next time for what becomes visible late.
            mark.move_to(end)
            yield FetchBatch([], mark.to_state())
        if end >= now:
            return
        start = end - OVERLAP
