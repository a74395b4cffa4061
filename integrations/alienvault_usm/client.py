"""The USM Anywhere API 2.0 client: its quirks in one place, OAuth2 client credentials, HAL paging."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import islice
from typing import Any, Iterator
from urllib.parse import parse_qsl, quote, urlsplit

from ..common import errors
from ..common.http import HttpClient
from ..common.paginators import NextUrlPaginator, PageRequest, PaginationError, iter_pages
from ..common.vendordata import dig, reads_vendor_data
from ..common.timeutil import epoch_ms, parse_time

SOURCE = "alienvault_usm"
API_PATH = "/api/2.0"
PLACEHOLDER_HOST = "your-subdomain"
# The API spells it with one r, in fields, sort keys and filters; its own docs sometimes use two.
OCCURED = "timestamp_occured"
OCCURRED = "timestamp_occurred"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# --- vendor quirks, in one place ---------------------------------------------------------------------

@reads_vendor_data
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


@reads_vendor_data
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


@reads_vendor_data
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


class HalPaginator(NextUrlPaginator):
    """USM's HAL ``_links.next``, with its two quirks as the runtime paginator's hooks.

    The link's query (page, size, sort, filters) is sent to the configured base URL, not to the link's
    host: HAL links built behind the vendor's proxy can name an internal host (the docs show
    ``mysubdomain.aveng.us``), and credentials must never follow a link to another host anyway. And
    the API links on from an empty page, which would page forever.
    """

    def __init__(self, resource: str) -> None:
        super().__init__("_links.next.href")
        self.resource = resource

    def has_more(self, body: Any) -> bool:
        return bool(embedded_items(body, self.resource))

    def follow(self, request: PageRequest, link: str) -> PageRequest:
        parts = urlsplit(link)
        if not parts.path.rstrip("/").endswith(f"/{self.resource}"):
            raise PaginationError(f"{SOURCE}: the next-page link leaves /{self.resource}: {parts.path}")
        return replace(request, params=parse_qsl(parts.query, keep_blank_values=True))


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

    @reads_vendor_data
    def pages(self, resource: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Each page's items, first to last, following ``_links.next`` (``HalPaginator``)."""
        request = PageRequest("GET", self.http.url(resource), params=_query(params))
        for body in iter_pages(self.http, request, HalPaginator(resource)):
            yield embedded_items(body, resource)

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

    @reads_vendor_data
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
