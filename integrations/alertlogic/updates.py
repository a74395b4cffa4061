"""Alert Logic incident updates: incidents changed since a time, from IRIS ``partner_incidents``.

``GET /iris/v3/{account_id}/partner_incidents?start_time=&end_time=&time_stamp=updateTime`` (operation
``partner_account_incidents`` in the official ``iris.v3.yaml``) is the one documented read of incidents
by *update* time; ``incidents_by_time`` knows only creation time. Three things about it:

- It answers for the account *and every account it manages* (MSSP parents): items of other accounts
  are dropped here, since this instance fetches only its own account's incidents.
- Like ``incidents_by_time`` it documents no order and pages by offset, so a window is read whole,
  de-duplicated by ``incidentId`` and checked against ``total_count`` (re-read when short).
- An incident is listed with its *current* content, once, however often it changed in the window.

fetch-incidents (``with_updates``) hands an incident changed after it was handed over as an update of
that incident (``labels.change == "update"``, the same id), never as a new one: a platform that can
only create incidents drops it (XSOAR), and mirroring brings the change instead
(``alertlogic-list-updated-incidents`` and ``alertlogic-get-incident``, the manifest's ``mirroring``).
The update bookmark is a second time bookmark (state keys ``updated*``) beside the creation one.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator

from ..common import errors
from ..common.bookmarks import OVERLAP, TimeBookmark
from ..common.platform.mirroring import UPDATE
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch
from ..common.timeutil import parse_time, utcnow
from ..common.vendordata import dig, reads_vendor_data

from .client import INCIDENT_PAGE, AlertLogicClient
from .mapping import incident_time, iris_to_incident

FIELD = "updated"                     # the update bookmark's state keys: updated, updated_covered_from, ...
CREATED_FIELD = "time"                # the creation bookmark's (fetch.py)
FIRST_RUN = timedelta(minutes=5)      # a first run reads changes from a little before now: older ones
                                      # arrive with the incidents themselves, as they are now
REREADS = 2
BATCH = 100


def _whole(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


@reads_vendor_data
def updates_page(client: AlertLogicClient, start: datetime, end: datetime, *, offset: int = 0,
                 limit: int = INCIDENT_PAGE) -> dict[str, Any]:
    """One page of the incidents (of the account and the accounts it manages) updated in ``[start, end]``."""
    page = client.http.get_json(f"/iris/v3/{client.account_id}/partner_incidents", params={
        "start_time": int(start.timestamp()), "end_time": int(end.timestamp()), "time_stamp": "updateTime",
        "pagination": "true", "limit": limit, "offset": offset})
    if isinstance(page, list):  # the definitions' other 200: a bare list, when pagination is ignored
        return {"iris_items": page[offset:], "metadata": {"total_count": len(page), "links": {"next": None}}}
    if not isinstance(page, dict) or not isinstance(page.get("iris_items"), list):
        raise errors.VendorError("alertlogic: partner_incidents answered without an iris_items list")
    return page


@reads_vendor_data
def _read_once(client: AlertLogicClient, start: datetime, end: datetime,
               found: dict[str, dict[str, Any]]) -> int | None:
    """Every page of the window into ``found`` (by id); the total the service reported."""
    offset, total = 0, None
    while True:
        page = updates_page(client, start, end, offset=offset)
        items = page["iris_items"]
        for item in items:
            if not isinstance(item, dict) or not item.get("incidentId"):
                raise errors.VendorError(f"alertlogic: an updated incident without incidentId: {str(item)[:120]}")
            found[str(item["incidentId"])] = item
        offset += len(items)
        total = dig(page, "metadata.total_count")
        total = total if isinstance(total, int) else None
        if not items or (total is not None and offset >= total) or (total is None and not dig(page, "metadata.links.next")):
            return total


@reads_vendor_data
def read_updated(client: AlertLogicClient, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The account's own incidents updated in ``[start, end]``, each once, oldest update first."""
    found: dict[str, dict[str, Any]] = {}
    for _ in range(REREADS + 1):
        total = _read_once(client, start, end, found)
        if total is None or len(found) >= total:
            break
    else:
        raise errors.VendorError(
            f"alertlogic: partner_incidents {start:%Y-%m-%dT%H:%M:%SZ}..{end:%H:%M:%SZ} said {total} incidents but "
            f"{REREADS + 1} reads found {len(found)} distinct ones; the update bookmark stays where it was")
    own = [item for item in found.values() if str(item.get("accountId")) == str(client.account_id)]
    return sorted(own, key=lambda item: (incident_time(item, "updateTime"), str(item["incidentId"])))


def as_update(incident: dict[str, Any]) -> dict[str, Any]:
    """The incident, marked as a change of one already handed over."""
    return {**incident, "labels": {**incident["labels"], "change": UPDATE}}


def with_updates(new_batches: Iterable[FetchBatch], client: AlertLogicClient, *, state: dict[str, Any] | None,
                 max_fetch: int, look_back: int = 0, include_updates: bool = True) -> Iterator[FetchBatch]:
    """The new incidents' batches (each state also carrying the update bookmark), then, when
    ``include_updates``, the incidents already handed over that changed since the update bookmark."""
    mark = TimeBookmark.from_state(state, default=_whole(utcnow() - FIRST_RUN), field=FIELD,
                                   look_back=timedelta(minutes=look_back))
    created_state = {k: v for k, v in (state or {}).items() if not k.startswith(FIELD)}
    handed: dict[str, str] = {}   # id -> the "updated" of the version handed over in this run
    for batch in new_batches:
        handed.update((incident["id"], incident["updated"]) for incident in batch.incidents)
        created_state = batch.state
        yield FetchBatch(batch.incidents, {**batch.state, **mark.to_state()}, batch.stats)
    budget = max_fetch - len(handed)
    if include_updates and budget > 0:
        created = (TimeBookmark.from_state(created_state, default=utcnow(), look_back=timedelta(minutes=look_back))
                   if CREATED_FIELD in created_state else None)
        yield from _updates(client, mark, created, created_state, budget=budget, handed=handed)


def _updates(client: AlertLogicClient, mark: TimeBookmark, created: TimeBookmark | None,
             created_state: dict[str, Any], *, budget: int, handed: dict[str, str]) -> Iterator[FetchBatch]:
    now = _whole(utcnow())
    chosen: list[dict[str, Any]] = []
    complete = True
    for item in read_updated(client, _whole(mark.query_from()), now):
        moment, incident_id = incident_time(item, "updateTime"), str(item["incidentId"])
        change = f"{incident_id}@{int(moment.timestamp())}"
        if not mark.is_new(moment, change):
            continue
        incident = iris_to_incident(item, console_url=client.console_url).to_dict()
        # Incidents not handed over yet (created later than the creation bookmark) come as new ones
        # with their content as it is then; the versions handed over in this run are not news.
        if created is not None and not created.is_new(incident_time(item), incident_id) \
                and handed.get(incident_id) != incident["updated"]:
            if len(chosen) == budget:
                complete = False
                break
            chosen.append(as_update(incident))
        mark.add(moment, change)
    if complete:
        mark.move_to(now)  # every change up to now was read; the look-back re-reads late ones
    for offset in range(0, max(len(chosen), 1), BATCH):
        yield FetchBatch(chosen[offset:offset + BATCH], {**created_state, **mark.to_state()})


@command("alertlogic-list-updated-incidents")
def list_updated_incidents(client: AlertLogicClient, *, updated_after: str, limit: int = 50) -> CommandResult:
    """The account's incidents updated since ``updated_after`` (oldest update first), as incidents."""
    since = _whole(parse_time(updated_after)) - OVERLAP
    items = read_updated(client, since, _whole(utcnow()))
    chosen = items if limit == 0 else items[:limit]
    outputs = [{k: v for k, v in iris_to_incident(item, console_url=client.console_url).to_dict().items() if k != "raw"}
               for item in chosen]
    return CommandResult(outputs, raw=chosen)
