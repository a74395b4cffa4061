"""Paginators: how one page's request follows from the previous page's answer.

The contract is the ``Paginator`` protocol: ``first(request)`` shapes the first page's request,
``page(request, body)`` turns a vendor's answer into the page shape (the hook for an answer that comes
in another shape), and ``next(request, body)`` returns the next page's request, or ``None`` after the
last page. ``iter_pages`` drives one over an ``HttpClient``; guards against loops and foreign hosts
live here. A vendor's quirks are overrides of the small hooks each paginator has (``has_more``,
``follow``, ``more``), in the vendor's client, so the loop and its guards stay in one place.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Protocol
from urllib.parse import urljoin

from . import errors
from .vendordata import dig


class PaginationError(errors.VendorError):
    kind = "pagination"


@dataclass(frozen=True)
class PageRequest:
    method: str
    url: str
    # A dict, or a list of (name, value) pairs where a vendor repeats a parameter (``status=a&status=b``).
    params: Any = field(default_factory=dict)
    json_body: Any = None
    retry_unsafe: bool = False  # POST searches are reads: safe to resend


class Paginator(Protocol):
    """What ``iter_pages`` needs from a paginator. One paginator object pages one listing, start to end."""

    def first(self, request: PageRequest) -> PageRequest: ...
    def page(self, request: PageRequest, body: Any) -> Any: ...
    def next(self, request: PageRequest, body: Any) -> PageRequest | None: ...


class BasePaginator:
    """The defaults: the first request as given, the answer as the page."""

    def first(self, request: PageRequest) -> PageRequest:
        return request

    def page(self, request: PageRequest, body: Any) -> Any:
        return body

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:  # pragma: no cover - abstract
        raise NotImplementedError


def _fingerprint(request: PageRequest) -> tuple[Any, ...]:
    pairs = request.params.items() if isinstance(request.params, dict) else request.params or ()
    return (request.url, tuple(sorted((str(k), str(v)) for k, v in pairs)))


class NextUrlPaginator(BasePaginator):
    """Follows a link in the body (HAL ``_links.next.href``); the link carries all parameters.

    Hooks: ``has_more(body)`` (a vendor that sends a next link after its last, empty page says no more
    there) and ``follow(request, link)`` (how a link becomes the next request). A link back to any page
    already read is a loop error."""

    def __init__(self, link_path: str = "_links.next.href") -> None:
        self.link_path = link_path
        self._asked: set[tuple[Any, ...]] = set()

    def first(self, request: PageRequest) -> PageRequest:
        self._asked = {_fingerprint(request)}
        return request

    def has_more(self, body: Any) -> bool:
        return True

    def follow(self, request: PageRequest, link: str) -> PageRequest:
        return replace(request, url=urljoin(request.url, link), params={})

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        link = dig(body, self.link_path)
        if not link or not self.has_more(body):
            return None
        following = self.follow(request, link)
        fingerprint = _fingerprint(following)
        if fingerprint in self._asked:
            raise PaginationError(f"pagination loop: the next link points at a page already read ({link})")
        self._asked.add(fingerprint)
        return following


class BodyCursorPaginator(BasePaginator):
    """An opaque cursor in the body sent back as a parameter (Cisco ``after=endCursor``,
    AlphaSOC ``follow``), while a has-more flag says so.

    Hook: ``cursor(body)`` (how the cursor is read; ``None`` when the page has none). ``label`` names
    the cursor in errors the way the vendor's documentation does."""

    def __init__(self, *, cursor_path: str, more_path: str, param: str, label: str = "cursor") -> None:
        self.cursor_path = cursor_path
        self.more_path = more_path
        self.param = param
        self.label = label

    def cursor(self, body: Any) -> Any:
        value = dig(body, self.cursor_path)
        return None if value == "" else value

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        if not dig(body, self.more_path, False):
            return None
        cursor = self.cursor(body)
        if cursor is None:
            raise PaginationError(f"the vendor says there are more pages but gave no {self.label} ({self.cursor_path})")
        if cursor == request.params.get(self.param):
            raise PaginationError(f"pagination loop: the vendor returned the same {self.label} twice ({cursor!r})")
        return replace(request, params={**request.params, self.param: cursor})


class OffsetPaginator(BasePaginator):
    """``offset``/``limit`` paging: the next offset is this one plus the items that came back (not the
    limit asked for: a service-side cap stays harmless). Stops on an empty page, when ``total_path``
    says all were read, and on a short page unless ``short_page_ends`` is false (a vendor whose cap
    is below the limit asked for). Hook: ``more(body, items, offset)``."""

    def __init__(self, *, limit: int, items_path: str, offset_param: str = "offset", limit_param: str = "limit",
                 total_path: str | None = None, short_page_ends: bool = True) -> None:
        self.limit = limit
        self.items_path = items_path
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.total_path = total_path
        self.short_page_ends = short_page_ends

    def first(self, request: PageRequest) -> PageRequest:
        return replace(request, params={**request.params, self.offset_param: 0, self.limit_param: self.limit})

    def more(self, body: Any, items: list[Any], offset: int) -> bool:
        """Whether a page follows ``offset`` (the items read so far), after a page of ``items``."""
        total = dig(body, self.total_path) if self.total_path else None
        if not items or (isinstance(total, int) and offset >= total):
            return False
        return len(items) >= self.limit or not self.short_page_ends

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        items = dig(body, self.items_path) or []
        offset = int(request.params[self.offset_param]) + len(items)
        if not self.more(body, items, offset):
            return None
        return replace(request, params={**request.params, self.offset_param: offset})


class SequencePaginator(BasePaginator):
    """A sequence number to continue from, in the answer, sent back in the next request while a has-more
    flag says so (Silo ``extractlog``: ``start_seq`` from ``next_seq``, ``is_more``), up to ``total``
    items in all, at most ``page_max`` a page: each request asks only for what is still wanted.

    Hooks: ``at(request, seq, limit)`` (where the sequence and the page size go; parameters by
    default) and ``position(body)`` (the next sequence, whether more remain, how many items came). A
    next sequence that does not move forward is a loop error."""

    def __init__(self, *, start: int, total: int, page_max: int, seq_param: str = "start_seq",
                 limit_param: str = "limit", next_path: str = "next_seq", more_path: str = "is_more",
                 items_path: str = "logs") -> None:
        self.start, self.total, self.page_max = start, total, page_max
        self.seq_param, self.limit_param = seq_param, limit_param
        self.next_path, self.more_path, self.items_path = next_path, more_path, items_path
        self._seq, self._left = start, total

    def at(self, request: PageRequest, seq: int, limit: int) -> PageRequest:
        return replace(request, params={**request.params, self.seq_param: seq, self.limit_param: limit})

    def position(self, body: Any) -> tuple[Any, bool, int]:
        return dig(body, self.next_path), bool(dig(body, self.more_path)), len(dig(body, self.items_path) or [])

    def first(self, request: PageRequest) -> PageRequest:
        self._seq, self._left = self.start, self.total
        return self.at(request, self.start, min(self.page_max, self.total))

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        seq, more, count = self.position(body)
        self._left -= count
        if not more or self._left <= 0:
            return None
        if isinstance(seq, bool) or not isinstance(seq, int) or seq <= self._seq:
            raise PaginationError(f"pagination loop: the next sequence {seq!r} does not move past {self._seq}")
        self._seq = seq
        return self.at(request, seq, min(self.page_max, self._left))


def _send(http: Any, request: PageRequest) -> Any:
    if not http.same_origin(request.url):
        raise PaginationError(f"refusing to follow a link to another host or scheme: {request.url.split('?')[0]}")
    return http.send_json(request.method, request.url, params=request.params or None,
                          json_body=request.json_body, retry_unsafe=request.retry_unsafe)


def iter_pages(http: Any, request: PageRequest, paginator: Paginator, *, prefetch: bool = False,
               first_body: Any = None) -> Iterator[Any]:
    """Yield each page's decoded body (as the paginator's ``page`` shapes it), first to last.

    ``first_body``: the first page's answer when the caller has read it already (to size a window).
    With ``prefetch``, the next page is requested (on a clone of ``http`` in one background thread) while
    the caller works on the current one: the vendor's latency hides the mapping work. At most one page
    more than the caller reads is fetched.
    """
    next_request: PageRequest | None = paginator.first(request)
    if first_body is not None and next_request is not None:
        body = paginator.page(next_request, first_body)
        yield body
        next_request = paginator.next(next_request, body)
    if not prefetch:
        while next_request is not None:
            body = paginator.page(next_request, _send(http, next_request))
            yield body
            next_request = paginator.next(next_request, body)
        return
    fetcher = http.clone()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
    try:
        pending = pool.submit(_send, fetcher, next_request) if next_request is not None else None
        while pending is not None:
            body = paginator.page(next_request, pending.result())
            next_request = paginator.next(next_request, body)
            pending = pool.submit(_send, fetcher, next_request) if next_request is not None else None
            yield body
    finally:
        # A caller that stops early (max_fetch reached) does not wait for a page it will not read.
        pool.shutdown(wait=False, cancel_futures=True)


def iter_items(http: Any, request: PageRequest, paginator: Paginator, items_path: str, *,
               prefetch: bool = False) -> Iterator[Any]:
    """Yield the items of every page, streaming: one page in memory at a time (two with ``prefetch``)."""
    for body in iter_pages(http, request, paginator, prefetch=prefetch):
        items = dig(body, items_path)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise errors.VendorError(f"expected a list at {items_path!r} in the vendor's answer")
        yield from items
