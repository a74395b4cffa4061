"""Paginators: each is two methods. ``first(request)`` shapes the first page's request;
``next(request, body)`` returns the next page's request, or ``None`` after the last page.
``iter_pages`` drives one over an ``HttpClient``; guards against loops and foreign hosts live here."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Iterator
from urllib.parse import urljoin

from . import errors
from .vendordata import dig


class PaginationError(errors.VendorError):
    kind = "pagination"


@dataclass(frozen=True)
class PageRequest:
    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json_body: Any = None
    retry_unsafe: bool = False  # POST searches are reads: safe to resend


class NextUrlPaginator:
    """Follows a link in the body (HAL ``_links.next.href``); the link carries all parameters."""

    def __init__(self, link_path: str = "_links.next.href") -> None:
        self.link_path = link_path

    def first(self, request: PageRequest) -> PageRequest:
        return request

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        link = dig(body, self.link_path)
        if not link:
            return None
        url = urljoin(request.url, link)
        if url == request.url and not request.params:
            raise PaginationError(f"pagination loop: the next link points at the page just read ({link})")
        return replace(request, url=url, params={})


class BodyCursorPaginator:
    """An opaque cursor in the body sent back as a parameter (Cisco ``after=endCursor``,
    AlphaSOC ``follow``), while a has-more flag says so."""

    def __init__(self, *, cursor_path: str, more_path: str, param: str) -> None:
        self.cursor_path = cursor_path
        self.more_path = more_path
        self.param = param

    def first(self, request: PageRequest) -> PageRequest:
        return request

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        if not dig(body, self.more_path, False):
            return None
        cursor = dig(body, self.cursor_path)
        if cursor in (None, ""):
            raise PaginationError(f"the vendor says there are more pages but gave no cursor ({self.cursor_path})")
        if cursor == request.params.get(self.param):
            raise PaginationError(f"pagination loop: the vendor returned the same cursor twice ({cursor!r})")
        return replace(request, params={**request.params, self.param: cursor})


class OffsetPaginator:
    """``offset``/``limit`` paging; stops on a short page or when ``total_path`` says all were read."""

    def __init__(self, *, limit: int, items_path: str, offset_param: str = "offset", limit_param: str = "limit",
                 total_path: str | None = None) -> None:
        self.limit = limit
        self.items_path = items_path
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.total_path = total_path

    def first(self, request: PageRequest) -> PageRequest:
        return replace(request, params={**request.params, self.offset_param: 0, self.limit_param: self.limit})

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        items = dig(body, self.items_path) or []
        offset = int(request.params[self.offset_param]) + len(items)
        total = dig(body, self.total_path) if self.total_path else None
        if len(items) < self.limit or (isinstance(total, int) and offset >= total):
            return None
        return replace(request, params={**request.params, self.offset_param: offset})


def _send(http: Any, request: PageRequest) -> Any:
    if not http.same_origin(request.url):
        raise PaginationError(f"refusing to follow a link to another host or scheme: {request.url.split('?')[0]}")
    return http.send_json(request.method, request.url, params=request.params or None,
                          json_body=request.json_body, retry_unsafe=request.retry_unsafe)


def iter_pages(http: Any, request: PageRequest, paginator: Any, *, prefetch: bool = False) -> Iterator[Any]:
    """Yield each page's decoded body, first to last.

    With ``prefetch``, the next page is requested (on a clone of ``http`` in one background thread) while
    the caller works on the current one: the vendor's latency hides the mapping work. At most one page
    more than the caller reads is fetched.
    """
    next_request: PageRequest | None = paginator.first(request)
    if not prefetch:
        while next_request is not None:
            body = _send(http, next_request)
            yield body
            next_request = paginator.next(next_request, body)
        return
    fetcher = http.clone()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
    try:
        pending = pool.submit(_send, fetcher, next_request) if next_request is not None else None
        while pending is not None:
            body = pending.result()
            next_request = paginator.next(next_request, body)
            pending = pool.submit(_send, fetcher, next_request) if next_request is not None else None
            yield body
    finally:
        # A caller that stops early (max_fetch reached) does not wait for a page it will not read.
        pool.shutdown(wait=False, cancel_futures=True)


def iter_items(http: Any, request: PageRequest, paginator: Any, items_path: str, *,
               prefetch: bool = False) -> Iterator[Any]:
    """Yield the items of every page, streaming: one page in memory at a time (two with ``prefetch``)."""
    for body in iter_pages(http, request, paginator, prefetch=prefetch):
        items = dig(body, items_path)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise errors.VendorError(f"expected a list at {items_path!r} in the vendor's answer")
        yield from items
