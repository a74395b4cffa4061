"""Log search for hunting: Alert Logic's Expert Mode Search (``search.v2.yaml`` in the
alertlogic-sdk-definitions package), on the account's ``search`` host from the endpoints service.

A search is a job at Alert Logic: submitted (``POST /search/v2/{account}/searches``, the AL-SQL query
as a text/plain body, the time range as ``start``/``end`` epoch seconds), polled
(``.../{uuid}/status``) until ``complete``, read page by page (``GET .../{uuid}?limit&offset``) and
released (``DELETE .../{uuid}``), which stops it if it still runs and deletes its results.
``run_search`` does all four and always releases: after a timeout, a failure, or an interrupt too,
so no search is left running (and counting against the account's search quota) on our account.

An ``interactive`` search (what ``search_type=auto`` picks for a query without aggregation) is
``suspended`` by the service after it matched "a small number" of rows; ``POST .../complete`` runs
it to the end. It is asked for only when the rows found so far are fewer than the caller wants.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from time import monotonic, sleep
from typing import Any, Callable

from ..common import errors
from ..common.http import HttpClient
from ..common.vendordata import dig, reads_vendor_data

log = logging.getLogger("soarpacks.alertlogic")
VENDOR = "alertlogic"
SEARCH_TYPES = ("auto", "batch", "report")
# Seconds between status polls: quick at first (a narrow search finishes in a second or two), then
# every 5 s, so a long search costs one status read per 5 s.
POLL_DELAYS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
PAGE_SIZE = 1000
# search.v2.yaml's x-invoked-by: "a one or two-word description of your client", for Alert Logic's logs.
INVOKED_BY = {"x-invoked-by": "soarpacks"}


@dataclass
class SearchOutcome:
    search_uuid: str
    status: str
    total_found: int | None
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    search_type: str | None = None
    released: bool = False
    warnings: list[str] = field(default_factory=list)


class SearchApi:
    """The five Expert Mode Search calls, on the account's search host."""

    def __init__(self, http: HttpClient, account_id: str) -> None:
        self.http = http
        self.account_id = account_id

    def _path(self, suffix: str = "") -> str:
        return f"/search/v2/{self.account_id}/searches{suffix}"

    @reads_vendor_data
    def submit(self, query: str, *, start: datetime, end: datetime, search_type: str = "auto") -> str:
        """The new search's uuid. Not retried: a resent submit would start a second search that
        nothing would ever release."""
        params = {"start": int(start.timestamp()), "end": int(end.timestamp()), "search_type": search_type}
        answer = self.http.send_json("POST", self._path(), params=params, data=query.encode("utf-8"),
                                     headers={**INVOKED_BY, "Content-Type": "text/plain"})
        uuid = dig(answer, "search_uuid")
        if not isinstance(uuid, str) or not uuid:
            raise errors.VendorError(f"{VENDOR}: the search service accepted the search without a search_uuid")
        return uuid

    @reads_vendor_data
    def status(self, uuid: str) -> dict[str, Any]:
        answer = self.http.get_json(self._path(f"/{uuid}/status"), headers=INVOKED_BY)
        if not isinstance(answer, dict) or not isinstance(answer.get("search_status"), str):
            raise errors.VendorError(f"{VENDOR}: search {uuid}: the status answer has no search_status")
        return answer

    def complete(self, uuid: str) -> None:
        # Asking twice to run a suspended search to the end is harmless: 200 "already complete".
        self.http.request("POST", self._path(f"/{uuid}/complete"), headers=INVOKED_BY, retry_unsafe=True)

    @reads_vendor_data
    def results_page(self, uuid: str, *, offset: int, limit: int) -> dict[str, Any]:
        answer = self.http.get_json(self._path(f"/{uuid}"), params={"offset": offset, "limit": limit},
                                    headers=INVOKED_BY)
        if not isinstance(answer, dict):
            raise errors.VendorError(f"{VENDOR}: search {uuid}: the results answer is not an object")
        return answer

    def release(self, uuid: str) -> None:
        self.http.request("DELETE", self._path(f"/{uuid}"), headers=INVOKED_BY)


def run_search(api: SearchApi, query: str, *, start: datetime, end: datetime, search_type: str = "auto",
               timeout: float, limit: int, page_size: int = PAGE_SIZE,
               clock: Callable[[], float] | None = None, wait: Callable[[float], None] | None = None) -> SearchOutcome:
    """Submit, wait at most ``timeout`` seconds for the search to finish, read up to ``limit`` rows,
    release. A timeout is ``WaitTimeoutError`` (exit 5); the search is released on every path."""
    clock, wait = clock or monotonic, wait or sleep
    deadline = clock() + timeout
    uuid = api.submit(query, start=start, end=end, search_type=search_type)
    outcome = SearchOutcome(search_uuid=uuid, status="pending", total_found=None)
    try:
        final = _wait_until_done(api, uuid, deadline=deadline, timeout=timeout, limit=limit, clock=clock, wait=wait)
        outcome.status = final["search_status"]
        outcome.search_type = dig(final, "details.search_type")
        _read_rows(api, outcome, limit=limit, page_size=page_size)
    except BaseException:
        # The original error is what the caller must see; a failing release only adds a log line.
        _release(api, outcome)
        raise
    if not _release(api, outcome):
        outcome.warnings.append(f"search {uuid} could not be deleted; Alert Logic expires it on its own")
    return outcome


def _wait_until_done(api: SearchApi, uuid: str, *, deadline: float, timeout: float, limit: int,
                     clock: Callable[[], float], wait: Callable[[float], None]) -> dict[str, Any]:
    polls = 0
    asked_to_complete = False
    while True:
        status = api.status(uuid)
        state = status["search_status"]
        found = status.get("total_found")
        if state == "complete":
            return status
        if state == "suspended":
            if not (isinstance(found, (int, float)) and found < limit):
                return status   # enough rows for the caller: read them as they are
            if not asked_to_complete:
                # Until the service takes it up, the search may still read as suspended: keep polling.
                api.complete(uuid)
                asked_to_complete = True
        elif state in ("failed", "released"):
            detail = status.get("external_details") or status.get("status_details") or "no details given"
            raise errors.VendorError(f"{VENDOR}: search {uuid} {state}: {detail}")
        left = deadline - clock()
        if left <= 0:
            progress = status.get("progress")
            shown = f", {progress:.0f}% done" if isinstance(progress, (int, float)) else ""
            raise errors.WaitTimeoutError(
                f"{VENDOR}: search {uuid} did not finish within {timeout:g}s (still {state}{shown}); it was "
                "cancelled: raise timeout, or narrow the query or the time range")
        wait(min(POLL_DELAYS[min(polls, len(POLL_DELAYS) - 1)], left))
        polls += 1


@reads_vendor_data
def _read_rows(api: SearchApi, outcome: SearchOutcome, *, limit: int, page_size: int) -> None:
    """Pages by offset until ``limit`` rows, an empty page, or nothing ``remaining``."""
    while len(outcome.rows) < limit:
        page = api.results_page(outcome.search_uuid, offset=len(outcome.rows),
                                limit=min(page_size, limit - len(outcome.rows)))
        if page.get("search_status") not in ("complete", "suspended"):
            raise errors.VendorError(f"{VENDOR}: search {outcome.search_uuid}: results answered while the search "
                                     f"is {page.get('search_status')}")
        records = dig(page, "results.results")
        if not isinstance(records, list):
            raise errors.VendorError(f"{VENDOR}: search {outcome.search_uuid}: the results page has no results list")
        outcome.columns = list(dig(page, "results.columns") or outcome.columns)
        total = page.get("total_found")
        outcome.total_found = int(total) if isinstance(total, (int, float)) else outcome.total_found
        outcome.rows.extend(_row(record) for record in records)
        remaining = page.get("remaining")
        if not records or (isinstance(remaining, (int, float)) and remaining <= 0):
            break
    del outcome.rows[limit:]


def _row(record: dict[str, Any]) -> dict[str, Any]:
    ident = record.get("id") or {}
    return {"id": str(ident.get("msgid", "")), "datatype": ident.get("datatype"), "fields": record.get("fields") or {}}


def _release(api: SearchApi, outcome: SearchOutcome) -> bool:
    try:
        api.release(outcome.search_uuid)
    except errors.SoarpacksError as exc:
        log.warning("%s: search %s was not deleted: %s", VENDOR, outcome.search_uuid, exc)
        return False
    outcome.released = True
    return True
