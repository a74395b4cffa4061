"""Paginators and their guards."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common.http import HttpClient
from soarpacks.integrations.common.paginators import (BodyCursorPaginator, NextUrlPaginator, OffsetPaginator, PageRequest,
                                            PaginationError, SequencePaginator, iter_items, iter_pages)
from soarpacks.integrations.common.retry import FAST_RETRY


def http(server):
    return HttpClient(server.url_for("/"), retry=FAST_RETRY)


def test_next_url_paging_follows_hal_links_to_the_last_page(httpserver):
    httpserver.expect_request("/a", query_string="").respond_with_json(
        {"_embedded": {"x": [1, 2]}, "_links": {"next": {"href": "/a?page=1"}}})
    httpserver.expect_request("/a", query_string="page=1").respond_with_json({"_embedded": {"x": [3]}, "_links": {}})
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/a")), NextUrlPaginator(), "_embedded.x")
    assert list(items) == [1, 2, 3]


def test_a_next_url_to_another_host_is_refused(httpserver):
    httpserver.expect_request("/a").respond_with_json(
        {"_embedded": {"x": [1]}, "_links": {"next": {"href": "https://evil.example/steal?page=1"}}})
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/a")), NextUrlPaginator(), "_embedded.x")
    with pytest.raises(PaginationError, match="another host"):
        list(items)


def test_a_next_url_to_another_scheme_is_refused(httpserver):
    link = httpserver.url_for("/a").replace("http://", "https://") + "?page=2"
    httpserver.expect_request("/a").respond_with_json({"_embedded": {"x": [1]}, "_links": {"next": {"href": link}}})
    with pytest.raises(PaginationError):
        list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/a")), NextUrlPaginator(), "_embedded.x"))


def test_the_loop_guard_fires_when_a_cursor_repeats(httpserver):
    httpserver.expect_request("/c").respond_with_json({"items": [1], "pageInfo": {"hasNextPage": True, "endCursor": "same"}})
    paginator = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")
    with pytest.raises(PaginationError, match="same cursor twice"):
        list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items"))


def test_has_more_without_a_cursor_is_an_error(httpserver):
    httpserver.expect_request("/c").respond_with_json({"items": [1], "pageInfo": {"hasNextPage": True, "endCursor": None}})
    paginator = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")
    with pytest.raises(PaginationError, match="no cursor"):
        list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items"))


def test_the_cursor_hook_decides_what_counts_as_a_cursor(httpserver):
    class NumbersAreNoCursor(BodyCursorPaginator):
        def cursor(self, body):
            value = body.get("next")
            return value if isinstance(value, str) else None

    httpserver.expect_request("/c").respond_with_json({"items": [1], "more": True, "next": 7})
    paginator = NumbersAreNoCursor(cursor_path="next", more_path="more", param="next")
    with pytest.raises(PaginationError, match="no cursor"):
        list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items"))


def test_the_label_names_the_cursor_in_errors_as_the_vendor_does(httpserver):
    httpserver.expect_request("/c").respond_with_json({"items": [1], "more": True, "follow": None})
    paginator = BodyCursorPaginator(cursor_path="follow", more_path="more", param="follow", label="follow bookmark")
    with pytest.raises(PaginationError, match="gave no follow bookmark"):
        list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items"))


def test_sequence_paging_continues_from_next_seq_and_asks_only_for_what_is_still_wanted(httpserver):
    httpserver.expect_ordered_request("/s", query_string="start_seq=0&limit=3").respond_with_json(
        {"logs": [1, 2, 3], "next_seq": 7, "is_more": True})
    httpserver.expect_ordered_request("/s", query_string="start_seq=7&limit=2").respond_with_json(
        {"logs": [8, 9], "next_seq": 10, "is_more": True})
    paginator = SequencePaginator(start=0, total=5, page_max=3)
    assert list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/s")), paginator, "logs")) == [1, 2, 3, 8, 9]
    httpserver.check_assertions()


def test_a_next_seq_that_does_not_move_forward_is_a_loop_error(httpserver):
    httpserver.expect_request("/s").respond_with_json({"logs": [1], "next_seq": 0, "is_more": True})
    paginator = SequencePaginator(start=0, total=10, page_max=3)
    with pytest.raises(PaginationError, match="does not move past"):
        list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/s")), paginator, "logs"))


def test_offset_paging_stops_on_a_short_page(httpserver):
    httpserver.expect_request("/o", query_string="offset=0&limit=2").respond_with_json({"v": [1, 2], "total": 3})
    httpserver.expect_request("/o", query_string="offset=2&limit=2").respond_with_json({"v": [3], "total": 3})
    paginator = OffsetPaginator(limit=2, items_path="v", total_path="total")
    assert list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/o")), paginator, "v")) == [1, 2, 3]
    assert len(httpserver.log) == 2


def test_pages_are_read_lazily(httpserver):
    httpserver.expect_request("/c").respond_with_json({"items": [1, 2], "pageInfo": {"hasNextPage": True, "endCursor": "n"}})
    paginator = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items")
    assert next(items) == 1
    assert len(httpserver.log) == 1


def test_prefetching_reads_the_same_pages_in_the_same_order(httpserver):
    for page in range(5):
        more = page < 4
        httpserver.expect_request("/c", query_string=f"after={page}" if page else "").respond_with_json(
            {"items": [page], "pageInfo": {"hasNextPage": more, "endCursor": str(page + 1) if more else None}})
    paginator = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items", prefetch=True)
    assert list(items) == [0, 1, 2, 3, 4]


def test_a_prefetched_page_that_fails_raises_where_it_is_read(httpserver):
    httpserver.expect_request("/c", query_string="").respond_with_json(
        {"items": [0], "pageInfo": {"hasNextPage": True, "endCursor": "1"}})
    httpserver.expect_request("/c", query_string="after=1").respond_with_json({"message": "gone"}, status=404)
    paginator = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/c")), paginator, "items", prefetch=True)
    assert next(items) == 0
    from soarpacks.integrations.common import errors
    with pytest.raises(errors.NotFoundError):
        next(items)


def test_a_next_url_back_to_any_page_already_read_is_a_loop(httpserver):
    httpserver.expect_request("/a", query_string="").respond_with_json(
        {"_embedded": {"x": [1]}, "_links": {"next": {"href": "/a?page=1"}}})
    httpserver.expect_request("/a", query_string="page=1").respond_with_json(
        {"_embedded": {"x": [2]}, "_links": {"next": {"href": "/a"}}})
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/a")), NextUrlPaginator(), "_embedded.x")
    with pytest.raises(PaginationError, match="loop"):
        list(items)


def test_the_has_more_hook_ends_next_url_paging_despite_a_link(httpserver):
    class EmptyPageEnds(NextUrlPaginator):
        def has_more(self, body):
            return bool(body["_embedded"]["x"])

    httpserver.expect_request("/a", query_string="").respond_with_json(
        {"_embedded": {"x": []}, "_links": {"next": {"href": "/a?page=1"}}})
    items = iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/a")), EmptyPageEnds(), "_embedded.x")
    assert list(items) == [] and len(httpserver.log) == 1


def test_offset_paging_can_go_on_after_a_short_page_until_the_total(httpserver):
    httpserver.expect_request("/o", query_string="offset=0&limit=5").respond_with_json({"v": [1, 2], "total": 3})
    httpserver.expect_request("/o", query_string="offset=2&limit=5").respond_with_json({"v": [3], "total": 3})
    paginator = OffsetPaginator(limit=5, items_path="v", total_path="total", short_page_ends=False)
    assert list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/o")), paginator, "v")) == [1, 2, 3]


def test_a_first_page_already_read_is_not_requested_again(httpserver):
    httpserver.expect_request("/o", query_string="offset=2&limit=2").respond_with_json({"v": [3]})
    paginator = OffsetPaginator(limit=2, items_path="v")
    pages = iter_pages(http(httpserver), PageRequest("GET", httpserver.url_for("/o")), paginator, first_body={"v": [1, 2]})
    assert [page["v"] for page in pages] == [[1, 2], [3]]
    assert len(httpserver.log) == 1


def test_the_page_hook_reshapes_each_answer_before_paging_reads_it(httpserver):
    class BareList(OffsetPaginator):
        def page(self, request, body):
            return {"v": body}

    httpserver.expect_request("/o", query_string="offset=0&limit=2").respond_with_json([1])
    paginator = BareList(limit=2, items_path="v")
    assert list(iter_items(http(httpserver), PageRequest("GET", httpserver.url_for("/o")), paginator, "v")) == [1]
