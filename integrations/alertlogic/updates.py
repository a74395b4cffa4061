"""Alert Logic incident updates: incidents changed since a time, from IRIS ``partner_incidents``.

``GET /iris/v3/{account_id}/partner_incidents?start_time=&end_time=&time_stamp=updateTime`` (operation
``partner_account_incidents`` in the official ``iris.v3.yaml``) is the one documented read of incidents
by *update* time; ``incidents_by_time`` knows only creation time. Three things about it:

- It answers for the account *and every account it manages* (MSSP parents): items of other accounts
  are dropped here, since this instance fetches only its own account's incidents.
- Like ``incidents_by_time`` it documents no order and pages by offset, so a window is read whole,
  de-duplicated by ``incidentId`` and checked against ``total_count`` (``fetch.read_window``, shared).
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

from ..common.bookmarks import OVERLAP, TimeBookmark
from ..common.platform.mirroring import UPDATE
from ..common.registry import command
from ..common.results import CommandResult, FetchBatch
from ..common.timeutil import parse_time, utcnow
from ..common.vendordata import reads_vendor_data

from .client import UPDATED, AlertLogicClient
from .fetch import read_window
from .mapping import incident_time, iris_to_incident

FIELD = "updated"                     # the update bookmark's state keys: updated, updated_covered_from, ...
CREATED_FIELD = "time"                # the creation bookmark's (fetch.py)
FIRST_RUN = timedelta(minutes=5)      # a first run reads changes from a little before now: older ones
                                      # arrive with the incidents themselves, as they are now
BATCH = 100


def _whole(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


@reads_vendor_data
def read_updated(client: AlertLogicClient, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The account's own incidents updated in ``[start, end]``, each once, oldest update first."""
    found = read_window(client, start, end, by=UPDATED)
    own = [item for item in found if str(item.get("accountId")) == str(client.account_id)]
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
