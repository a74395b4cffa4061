"""The Alert Logic API client: IRIS v3 incidents and their associated events, and the legacy
Incident API v3 (API key). AIMS login is in ``login.py``."""
from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any, Callable, Iterator, NamedTuple

import requests

from ..common import errors
from ..common.auth import BasicAuth, Token, TokenAuth
from ..common.http import HttpClient
from ..common.paginators import OffsetPaginator, PageRequest, iter_pages
from ..common.vendordata import dig, reads_vendor_data
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from . import login

VENDOR = "alertlogic"
INCIDENT_PAGE = 100
# Asked for per page of associated events; the service may answer with fewer (its cap is not
# documented), so paging follows the `metadata.limit` it reports.
EVENT_PAGE = 100
DEFAULT_EVENT_WORKERS = 8
CREATED, UPDATED = "createTime", "updateTime"
# The incident listings by time (iris.v3.yaml): ``incidents_by_time`` knows only creation time;
# ``partner_incidents`` with ``time_stamp=updateTime`` is the one documented read by update time.
LISTINGS = {CREATED: ("incidents_by_time", {}), UPDATED: ("partner_incidents", {"time_stamp": UPDATED})}
ON_IRIS_HOST = frozenset({"assets_query"})   # services on the IRIS host (the definitions' servers)



class EventsRead(NamedTuple):
    events: list[dict[str, Any]]
    total: int
    missing_offsets: list[int]   # pages that answered 404


@reads_vendor_data
def incidents_answer(page: Any, offset: int, listing: str = "incidents_by_time") -> dict[str, Any]:
    """An incident listing's answer as a page object. The spec's 200 is oneOf a bare incident list or the
    paginated object; a service that ignores pagination=true sends the whole window as a list, which is
    then one last page."""
    if isinstance(page, list):
        return {"iris_items": page[offset:], "metadata": {"total_count": len(page), "offset": offset,
                                                            "limit": len(page), "links": {"next": None}}}
    if not isinstance(page, dict) or not isinstance(page.get("iris_items"), list):
        raise errors.VendorError(f"{VENDOR}: {listing} answered without an iris_items list")
    return page


@reads_vendor_data
def events_answer(page: Any, offset: int, incident_id: str) -> dict[str, Any]:
    if not isinstance(page, dict) or not isinstance(page.get("returnVals"), list):
        raise errors.VendorError(f"{VENDOR}: associated events of {incident_id}: no returnVals list")
    return page


class IrisOffsets(OffsetPaginator):
    """IRIS offset paging (incidents by time, associated events), on the runtime's ``OffsetPaginator``.

    The quirks: the service may put fewer items on a page than asked for (its cap is not documented), so a
    short page does not end the listing: an empty one, or ``metadata.total_count`` read, does; without a
    total, the next link (``next_path``) says whether more follow. ``shape`` checks or reshapes an answer.
    """

    def __init__(self, *, limit: int, items_path: str, shape: Callable[[Any, int], dict[str, Any]],
                 next_path: str | None = None) -> None:
        super().__init__(limit=limit, items_path=items_path, total_path="metadata.total_count", short_page_ends=False)
        self.shape = shape
        self.next_path = next_path

    def page(self, request: PageRequest, body: Any) -> Any:
        return self.shape(body, int(request.params[self.offset_param]))

    def more(self, body: Any, items: list[Any], offset: int) -> bool:
        if self.next_path and not isinstance(dig(body, "metadata.total_count"), int) and not dig(body, self.next_path):
            return False
        return super().more(body, items, offset)


@reads_vendor_data
def _incident_id(incident: dict[str, Any], given: str) -> str:
    return str(incident.get("incidentId") or given)


class AlertLogicClient:
    """One Alert Logic account.

    Concurrency: the worker threads that fetch event pages share the one ``HttpClient`` and its one
    ``requests.Session``, whose connection pool is sized to ``event_workers`` (connections kept alive
    across pages and calls). What they share is safe to share: urllib3's pool is thread-safe, the
    cookie jar locks itself, the mounts and default headers are only read after construction, and
    the ``TokenAuth`` locks its refresh (one re-login for several concurrent 401s).
    """

    def __init__(self, *, base_url: str | None = None, username: str | None = None, password: str | None = None,
                 access_key_id: str | None = None, secret_key: str | None = None, aims_url: str = login.AIMS_URL,
                 residency: str = "default", account_id: str | None = None, mfa_code: str | None = None,
                 api_key: str | None = None, legacy_base_url: str | None = None,
                 console_url: str = "https://console.alertlogic.com", verify: bool = True, proxy: bool = False,
                 retry: RetryPolicy = DEFAULT_RETRY, event_workers: int = DEFAULT_EVENT_WORKERS,
                 session_factory: Callable[[], requests.Session] = requests.Session) -> None:
        # Empty: the account's IRIS host is looked up on first use (login.service_url).
        self._base_url = base_url or None
        self._residency = residency
        self._verify = verify
        self._proxy = proxy
        self._retry = retry
        self._session_factory = session_factory
        self._aims_url = aims_url
        self._credentials = login.credentials(username=username, password=password, access_key_id=access_key_id,
                                              secret_key=secret_key)
        self._mfa_code = mfa_code
        self._account_id = account_id or None
        self._login_account: str | None = None
        self.console_url = console_url.rstrip("/")
        self.event_workers = max(1, event_workers)
        self.auth = TokenAuth(self._login, header="x-aims-auth-token", scheme="")
        # Login and the endpoints lookup go to the global services host; IRIS to the account's host.
        self.aims = HttpClient(aims_url, auth=self.auth, retry=retry, verify=verify, proxy=proxy, vendor=VENDOR,
                               session=session_factory())
        self._http: HttpClient | None = None
        self._services: dict[str, HttpClient] = {}   # search, responder: see service_http
        self.legacy = None
        if api_key:
            self.legacy = HttpClient(legacy_base_url or "https://api.alertlogic.net", auth=BasicAuth(api_key, ""),
                                     retry=retry, verify=verify, proxy=proxy, vendor=VENDOR)

    def __repr__(self) -> str:
        return f"<AlertLogicClient {self._base_url or 'IRIS from the endpoints service'} account={self._account_id or '?'}>"

    @property
    def base_url(self) -> str:
        """The IRIS URL: the configured one, else the account's from the endpoints service."""
        if self._base_url is None:
            self._base_url = login.service_url(self.aims, aims_url=self._aims_url, account_id=self.account_id,
                                               residency=self._residency)
        return self._base_url

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = self._new_http()
        return self._http

    def service_http(self, service: str) -> HttpClient:
        """An HTTP client for another Alert Logic service of the account, on the same AIMS token.

        The definitions give assets_query the IRIS hosts, so it goes where IRIS goes; the others
        (``search``, ``responder``) are on the global services hosts, so their host is asked of the
        endpoints service for the account and residency, as Alert Logic's own client (almdrlib) does
        for every service. Looked up once per client."""
        if service in ON_IRIS_HOST:
            return self.http
        services = self._services
        if service not in services:
            url = login.service_url(self.aims, aims_url=self._aims_url, account_id=self.account_id,
                                    residency=self._residency, service=service)
            services[service] = HttpClient(url, auth=self.auth, retry=self._retry, verify=self._verify,
                                           vendor=VENDOR, proxy=self._proxy, session=self._session_factory())
        return services[service]

    def account_path(self, prefix: str, rest: str) -> str:
        """``/<prefix>/<account_id>/<rest>``, the shape of every per-account Alert Logic path."""
        return f"/{prefix}/{self.account_id}/{rest}"

    def _new_http(self) -> HttpClient:
        session = self._session_factory()
        # Event pages go out ``event_workers`` at a time on this one Session: a pool smaller than that would
        # open and drop a connection per page beyond it (urllib3 keeps at most ``pool_maxsize`` per host).
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(self.event_workers, 10))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return HttpClient(self.base_url, auth=self.auth, retry=self._retry, verify=self._verify, vendor=VENDOR,
                          proxy=self._proxy, session=session)

    # --- AIMS (login.py) ------------------------------------------------------------------------
    def _login(self, http: HttpClient) -> Token:
        done = login.authenticate(http, aims_url=self._aims_url, creds=self._credentials, mfa_code=self._mfa_code)
        if done.account_id is not None:
            self._login_account = done.account_id
        return done.token

    @property
    def account_id(self) -> str:
        """The configured account, else the one the AIMS user belongs to (known after login)."""
        if self._account_id:
            return self._account_id
        if self._login_account is None:
            self.auth.ensure(self.aims)
        if not self._login_account:
            raise errors.ConfigError(f"{VENDOR}: AIMS did not say which account the user belongs to; set account_id")
        return self._login_account

    # --- IRIS incidents ------------------------------------------------------------------------
    def _iris(self, path: str) -> str:
        return f"/iris/v3/{self.account_id}/{path}"

    @reads_vendor_data
    def incidents_page(self, start: datetime, end: datetime, *, offset: int = 0, limit: int = INCIDENT_PAGE,
                       by: str = CREATED) -> dict[str, Any]:
        """One page of the incidents created (``by`` updated) in ``[start, end]`` (``pagination=true``)."""
        listing, params = LISTINGS[by]
        page = self.http.get_json(self._iris(listing),
                                  params={**self._window(start, end), **params, "limit": limit, "offset": offset})
        return incidents_answer(page, offset, listing)

    @reads_vendor_data
    def incidents(self, start: datetime, end: datetime, *, first_page: dict[str, Any] | None = None,
                  by: str = CREATED) -> Iterator[dict[str, Any]]:
        """Every incident created (``by`` updated) in ``[start, end]``, page by page; ``first_page`` if
        already read."""
        listing, params = LISTINGS[by]
        request = PageRequest("GET", self.http.url(self._iris(listing)), params={**self._window(start, end), **params})
        paginator = IrisOffsets(limit=INCIDENT_PAGE, items_path="iris_items", next_path="metadata.links.next",
                                shape=lambda body, offset: incidents_answer(body, offset, listing))
        for page in iter_pages(self.http, request, paginator, first_body=first_page):
            yield from page["iris_items"]

    @staticmethod
    def _window(start: datetime, end: datetime) -> dict[str, Any]:
        # Whole epoch seconds: the start is rounded down (inclusive, so nothing at the boundary is
        # missed; the bookmark's ids drop what was already handed over), the end is already whole.
        return {"start_time": int(start.timestamp()), "end_time": int(end.timestamp()), "pagination": "true"}

    @reads_vendor_data
    def resolve_incident_id(self, incident_id: str) -> str:
        """A 6-character human-friendly id (as shown in the console) to the incident id."""
        if len(incident_id) != 6:
            return incident_id
        try:
            found = self.http.get_json(self._iris(f"friendly/{incident_id}"))
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{VENDOR}: no incident with friendly id {incident_id}") from None
        if not isinstance(found, list) or not found or not found[0].get("incidentId"):
            raise errors.NotFoundError(f"{VENDOR}: no incident with friendly id {incident_id}")
        return str(found[0]["incidentId"])

    @reads_vendor_data
    def incident(self, incident_id: str) -> dict[str, Any]:
        incident_id = self.resolve_incident_id(incident_id)
        try:
            answer = self.http.get_json(self._iris(incident_id))
        except errors.NotFoundError:
            raise errors.NotFoundError(f"{VENDOR}: incident {incident_id} not found in account {self.account_id}") from None
        if not isinstance(answer, dict):
            raise errors.VendorError(f"{VENDOR}: incident {incident_id}: the answer is not an object")
        return answer

    # --- associated events ---------------------------------------------------------------------
    @reads_vendor_data
    def _events_page(self, http: HttpClient, incident_id: str, offset: int, limit: int) -> dict[str, Any]:
        page = http.get_json(self._events_url(incident_id),
                             params={"returnSource": "event", "limit": limit, "offset": offset})
        return events_answer(page, offset, incident_id)

    def _events_url(self, incident_id: str) -> str:
        return self._iris(f"{incident_id}/elaborations/associated")

    @reads_vendor_data
    def iter_events(self, incident_id: str) -> Iterator[dict[str, Any]]:
        """The incident's events one page at a time, stopping as soon as the caller does."""
        request = PageRequest("GET", self.http.url(self._events_url(incident_id)), params={"returnSource": "event"})
        paginator = IrisOffsets(limit=EVENT_PAGE, items_path="returnVals",
                                shape=lambda body, offset: events_answer(body, offset, incident_id))
        for page in iter_pages(self.http, request, paginator):
            yield from page["returnVals"]

    def incident_with_events(self, incident_id: str, *, max_events: int) -> tuple[dict[str, Any], EventsRead]:
        """The incident and its events (``events``). With ``event_workers`` > 1 the first page of events
        is asked for while the incident is: the id given is the incident's own unless it is a friendly
        one, and a round trip saved on a 20-page incident is a fifth of the wait."""
        if self.event_workers == 1 or len(incident_id) == 6:
            incident = self.incident(incident_id)
            return incident, self.events(_incident_id(incident, incident_id), max_events=max_events)
        self._iris("")  # the IRIS host, the login and the account: looked up once, here, not by two threads
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alertlogic-events") as pool:
            first = pool.submit(self._events_page, self.http, incident_id, 0, min(EVENT_PAGE, max_events))
            incident = self.incident(incident_id)
            real_id = _incident_id(incident, incident_id)
            try:
                page = first.result() if real_id == incident_id else None
            except errors.SoarpacksError:
                page = None  # asked again below, where its error (if it lasts) is reported as usual
        return incident, self.events(real_id, max_events=max_events, first=page)

    @reads_vendor_data
    def events(self, incident_id: str, *, max_events: int, first: dict[str, Any] | None = None) -> EventsRead:
        """Up to ``max_events`` associated events, in the service's order, the total count, and the
        offsets of pages that answered 404 (their events are missing; the others are kept).

        The first page (read here unless given) says how many there are and how many the service puts
        on a page; the other pages are then fetched at once by offset, ``event_workers`` at a time.
        """
        if first is None:
            first = self._events_page(self.http, incident_id, 0, min(EVENT_PAGE, max_events))
        items = first["returnVals"]
        total = dig(first, "metadata.total_count")
        total = total if isinstance(total, int) else len(items)
        step = dig(first, "metadata.limit")
        step = step if isinstance(step, int) and step > 0 else len(items)
        wanted = min(total, max_events)
        if not items or len(items) >= wanted:
            return EventsRead(items[:wanted], total, [])
        offsets = list(range(len(items), wanted, step))
        pages = self._fetch_pages(incident_id, offsets, step)
        events = list(items)
        for page in pages:
            events.extend(page["returnVals"] if page is not None else [])
        return EventsRead(events[:wanted], total, [o for o, page in zip(offsets, pages) if page is None])

    def _page_or_none(self, http: HttpClient, incident_id: str, offset: int, limit: int) -> dict[str, Any] | None:
        # A page that vanished (404) while the others answer must not cost the events already read.
        try:
            return self._events_page(http, incident_id, offset, limit)
        except errors.NotFoundError:
            return None

    def _fetch_pages(self, incident_id: str, offsets: list[int], limit: int) -> list[dict[str, Any] | None]:
        if self.event_workers == 1 or len(offsets) == 1:
            return [self._page_or_none(self.http, incident_id, offset, limit) for offset in offsets]
        http = self.http  # one Session: its connection pool holds a connection per worker (``_new_http``)

        def fetch(offset: int) -> dict[str, Any] | None:
            return self._page_or_none(http, incident_id, offset, limit)

        with ThreadPoolExecutor(max_workers=min(self.event_workers, len(offsets)),
                                thread_name_prefix="alertlogic-events") as pool:
            futures: list[Future[dict[str, Any] | None]] = [pool.submit(fetch, offset) for offset in offsets]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    # Fail fast: pages not started yet are dropped rather than fetched for nothing.
                    for other in futures:
                        other.cancel()
                    raise future.exception()  # type: ignore[misc]
            return [future.result() for future in futures]  # in offset order, whatever order they finished

    # --- writes ----------------------------------------------------------------------------------
    def complete(self, incident_id: str, *, reason_code: str, notes: str) -> dict[str, Any]:
        # Not retried: a resent complete that already took effect would fail as "status is the same".
        return self.http.send_json("POST", self._iris(f"{incident_id}/complete"),
                                   json_body={"notes": notes, "reason_code": reason_code})

    def reopen(self, incident_id: str, *, notes: str) -> dict[str, Any]:
        return self.http.send_json("POST", self._iris(f"{incident_id}/reopen"), json_body={"notes": notes})

    def add_feedback(self, incident_id: str, *, feedback: str, reason: str) -> dict[str, Any]:
        return self.http.send_json("POST", self._iris(f"{incident_id}/feedback"),
                                   json_body={"customer_feedback": feedback, "customer_feedback_reason": reason})

    # --- legacy Incident API v3 --------------------------------------------------------------------
    @reads_vendor_data
    def legacy_incident(self, incident_id: int, *, customer_id: str | None = None) -> dict[str, Any]:
        if self.legacy is None:
            raise errors.ConfigError(f"{VENDOR}: the legacy Incident API needs the api_key parameter")
        customer = customer_id or self.account_id
        answer = self.legacy.get_json("/api/incident/v3/incidents",
                                      params={"incident_id": incident_id, "customer_id": customer})
        if not isinstance(answer, list):
            raise errors.VendorError(f"{VENDOR}: the legacy Incident API answered with something other than a list")
        if not answer:
            raise errors.NotFoundError(f"{VENDOR}: legacy incident {incident_id} not found for customer {customer}")
        return answer[0]
